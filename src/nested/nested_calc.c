/* The decisions of virtual EL2 that need no hardware: which HCR_EL2 the
 * hyp context runs with, how the guest hypervisor's PSTATE.M maps onto the
 * hardware's, and what its ERET does (docs/nested.md §1). Host-tested by
 * tests/unit/test_nested.c. */
#include "nested/nested.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"
#include "trap/inject.h"

/* PSTATE.M[3:2], the exception level of an AArch64 mode. */
#define PSR_MODE_EL_SHIFT   2
#define PSR_MODE_EL_MASK    (3ULL << PSR_MODE_EL_SHIFT)
#define PSR_MODE_EL(m)      (((m) & PSR_MODE_EL_MASK) >> PSR_MODE_EL_SHIFT)
#define PSR_MODE_RESERVED   BIT(1)      /* M[1]: no AArch64 mode has it */
#define PSR_MODE_SP         BIT(0)      /* M[0]: SP_ELx rather than SP_EL0 */

/* NV and NV2 make EL1 the guest hypervisor's EL2: CurrentEL reads EL2, the
 * registers with a VNCR slot go to the page, the other EL2 accesses, ERET
 * and (with TSC, already in guest_hcr) SMC trap. AT and TTLB trap its EL1
 * address translations and TLB maintenance: they mean its own EL2&0 regime
 * when vTGE = 1 but its guest's EL1&0 regime when vTGE = 0, and under NV2
 * elvisor only learns vTGE at an exit (docs/nested.md §1.4). */
uint64_t nested_hyp_hcr(uint64_t guest_hcr, bool nvhe)
{
    /* A non-VHE guest hypervisor's EL1-named registers are its guest's:
     * NV1 sends them to the page too, and makes the hardware read its
     * stage-1 tables in the EL2 format (docs/nested.md §1.1). */
    return guest_hcr | HCR_EL2_NV | HCR_EL2_NV2 | HCR_EL2_AT | HCR_EL2_TTLB | (nvhe ? HCR_EL2_NV1 : 0);
}

/* HCRX_EL2 while its guest runs: MOPS as its own HCRX_EL2 (VNCR page)
 * enables it and routes its exceptions (MSCEn, MCE2), where elvisor gives
 * the VM MOPS (guest_hcrx); its other controls are features elvisor does
 * not offer. A guest hypervisor that hides MOPS from its guest (MSCEn
 * clear) makes the instructions UNDEFINED there, as the hardware would. */
uint64_t nested_l2_hcrx(uint64_t guest_hcrx, uint64_t vhcrx)
{
    return guest_hcrx & vhcrx & (HCRX_EL2_MSCEn | HCRX_EL2_MCE2);
}

/* The guest's guest runs as an EL1 guest of this VM with the traps its
 * hypervisor asked for added, so that elvisor sees them and forwards
 * them. NV, NV2 and AT are its hypervisor's (a VM with virt-el2-nv2 only:
 * nested_vhcr_effective clears them otherwise): its guest is then a guest
 * hypervisor at its own vEL2, and the hardware gives it what the guest
 * hypervisor asked for, as KVM does (docs/nested.md §9.21); without them
 * its EL2-named accesses are UNDEFINED at EL1. */
uint64_t nested_l2_hcr(uint64_t guest_hcr, uint64_t vhcr)
{
    /* Its virtual SError, IRQ and FIQ reach its guest only under its AMO,
     * IMO and FMO (Arm ARM: VSE, VI and VF have no effect with the routing
     * bit clear); elvisor's own AMO, IMO and FMO are always set, so the
     * hardware raises them (VI/VF beside the GIC's virtual interface). */
    uint64_t virt = ((vhcr & HCR_EL2_AMO) ? vhcr & HCR_EL2_VSE : 0) | ((vhcr & HCR_EL2_IMO) ? vhcr & HCR_EL2_VI : 0) |
                    ((vhcr & HCR_EL2_FMO) ? vhcr & HCR_EL2_VF : 0);

    /* NV1 only with NV ({NV1,NV} = {1,0} is CONSTRAINED UNPREDICTABLE):
     * its guest is then a non-VHE guest hypervisor whose EL1 names go to
     * the page and whose stage 1 is in the EL2 format (§9.23). */
    uint64_t nv1 = (vhcr & HCR_EL2_NV) ? vhcr & HCR_EL2_NV1 : 0;

    return guest_hcr | (vhcr & (NESTED_VHCR_FORWARDED | NESTED_VHCR_NV)) | nv1 | virt;
}

uint64_t nested_vhcr_unhonoured(uint64_t vhcr)
{
    return vhcr & ~(NESTED_VHCR_FORWARDED | NESTED_VHCR_HONOURED | NESTED_VHCR_NV | HCR_EL2_NV1);
}

uint64_t nested_vhcr_unreported(uint64_t vhcr, uint64_t *reported)
{
    uint64_t fresh = nested_vhcr_unhonoured(vhcr) & ~*reported;

    *reported |= fresh;
    return fresh;
}

/* Arm ARM, exception entry to EL2 from a lower EL using AArch64: the
 * lower-EL synchronous vector, ELR = the preferred return address (what
 * the trap reported), SPSR = the PSTATE of the interrupted EL1/EL0, new
 * PSTATE = EL2h (EL1h in hardware) with D, A, I, F set and PAN/SSBS as
 * SCTLR_EL2 says, as for any exception entry (exc_entry_pstate). */
void nested_exc_to_vel2(uint64_t vbar, uint64_t pc, uint64_t pstate, uint64_t sctlr, bool pan,
                        bool ssbs, struct nested_exc *e)
{
    e->elr = pc;
    e->spsr = pstate;
    e->pc = vbar + NESTED_VECTOR_LOWER_A64_SYNC;
    e->pstate = exc_entry_pstate(pstate, sctlr, pan, ssbs);
}

/* The ID registers a vEL2 guest sees say E2H is RES1 (VHE-only) or RES0
 * (non-VHE: no FEAT_VHE), and FEAT_NV absent unless the VM offers FEAT_NV2
 * (nv2, VHE only: NV, NV2 and AT kept; NV1 kept too when the CPU has it,
 * nv1, as E2H0 = NI says, RES0 otherwise as E2H0 = NI_NV1 says), so
 * whatever it stored in those bits of the page reads as the architecture
 * says to elvisor. */
void nested_vhcr_masks(bool nvhe, bool nv2, bool nv1, struct nested_vhcr_masks *m)
{
    uint64_t kept = (nv2 && !nvhe) ? NESTED_VHCR_NV | (nv1 ? HCR_EL2_NV1 : 0) : 0;

    m->keep = ~((HCR_EL2_NV | HCR_EL2_NV1 | HCR_EL2_AT | HCR_EL2_NV2) & ~kept) & ~HCR_EL2_E2H;
    m->set = nvhe ? 0 : HCR_EL2_E2H;
}

uint64_t nested_vhcr_effective(uint64_t vncr_hcr, bool nvhe, bool nv2, bool nv1)
{
    struct nested_vhcr_masks m;

    nested_vhcr_masks(nvhe, nv2, nv1, &m);
    return (vncr_hcr & m.keep) | m.set;
}

static uint64_t with_mode_el(uint64_t psr, uint64_t el)
{
    return (psr & ~PSR_MODE_EL_MASK) | (el << PSR_MODE_EL_SHIFT);
}

uint64_t nested_spsr_to_vel2(uint64_t hw_pstate)
{
    if (hw_pstate & PSR_MODE32 || PSR_MODE_EL(hw_pstate) != 1)
        return hw_pstate;
    return with_mode_el(hw_pstate, 2);
}

uint64_t nested_spsr_from_vel2(uint64_t spsr)
{
    if (spsr & PSR_MODE32 || PSR_MODE_EL(spsr) != 2)
        return spsr;
    return with_mode_el(spsr, 1);
}

/* Arm ARM, "Illegal return events from AArch64 state": a mode that does not
 * exist (M[1] set, EL0 with SP_EL0 bit set), a higher EL than the current
 * (EL3: the guest has none), AArch32 (not offered to a vEL2 guest), and
 * EL1 while HCR_EL2.{E2H,TGE} = {1,1} (that EL1 is not in use). */
static bool illegal_return(uint64_t spsr, uint64_t vhcr)
{
    uint64_t el = PSR_MODE_EL(spsr);

    if (spsr & (PSR_MODE32 | PSR_MODE_RESERVED))
        return true;
    if (el == 3 || (el == 0 && (spsr & PSR_MODE_SP)))
        return true;
    return el == 1 && (vhcr & (HCR_EL2_E2H | HCR_EL2_TGE)) == (HCR_EL2_E2H | HCR_EL2_TGE);
}

enum nested_eret_kind nested_eret(uint64_t spsr, uint64_t vhcr, uint64_t cur_pstate, uint64_t *pstate)
{
    if (illegal_return(spsr, vhcr)) {
        /* The EL and SP selection stay, the rest comes from the SPSR; the
         * next instruction then takes an Illegal Execution state exception. */
        *pstate = (spsr & ~(PSR_MODE_MASK | PSR_MODE32)) | (cur_pstate & PSR_MODE_MASK) | PSR_IL;
        return NESTED_ERET_ILLEGAL;
    }
    switch (PSR_MODE_EL(spsr)) {
    case 2:
        *pstate = nested_spsr_from_vel2(spsr);
        return NESTED_ERET_HYP;
    case 0:
        /* EL0 of the EL2&0 regime (vE2H = vTGE = 1): the guest hypervisor's
         * own user space runs in its hyp context. */
        if ((vhcr & (HCR_EL2_E2H | HCR_EL2_TGE)) == (HCR_EL2_E2H | HCR_EL2_TGE)) {
            *pstate = spsr;
            return NESTED_ERET_HYP;
        }
        return NESTED_ERET_NESTED;
    default:
        return NESTED_ERET_NESTED;
    }
}

/* CPTR_EL2's FP/SIMD traps (Arm ARM, CPTR_EL2): with E2H = 1, FPEN 0b01
 * traps only EL0 and only under TGE, 0b11 nothing, 0b00 and 0b10 every EL;
 * with E2H = 0, TFP [10] traps every EL. */
bool nested_cptr_traps_fp(uint64_t cptr, bool e2h)
{
    return e2h ? !(cptr & BIT(CPACR_EL1_FPEN_SHIFT)) : (cptr & CPTR_EL2_TFP) != 0;
}

/* The other CPTR_EL2 traps of EL1 and EL0 (Arm ARM, CPTR_EL2): TTA at
 * [28] with E2H = 1 (the CPACR_EL1 position), at [20] with E2H = 0; TAM
 * [30] and TCPAC [31] in both layouts. */
uint64_t nested_cptr_traps(uint64_t cptr, bool e2h)
{
    return (nested_cptr_traps_fp(cptr, e2h) ? NESTED_CPTR_TFP : 0) |
           ((cptr & (e2h ? CPACR_EL1_TTA : CPTR_EL2_TTA)) ? NESTED_CPTR_TTA : 0) |
           ((cptr & CPTR_EL2_TAM) ? NESTED_CPTR_TAM : 0) | ((cptr & CPTR_EL2_TCPAC) ? NESTED_CPTR_TCPAC : 0);
}
