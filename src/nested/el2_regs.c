/* The guest hypervisor's EL2 system registers that still trap under NV2
 * (no VNCR slot; docs/nested.md §2.3), in the descriptor shape of
 * trap/sysreg_emul.c. sysreg_trap() searches this table first for a vCPU
 * with virtual EL2.
 *
 * With vE2H RES1 an EL2 register such as SCTLR_EL2 has the layout of its
 * EL1 counterpart, and the hardware EL1 register is where the guest
 * hypervisor's value lives in hyp context (its EL1-named accesses reach it
 * without a trap): a trapped access by the EL2 name reads or writes that
 * hardware register. Bits the EL1 counterpart lacks, and registers without
 * one, are kept in cells of the vCPU register file (core/vcpu_reg.h, which
 * also says where the home is in each context). Host-tested by
 * tests/unit/test_nested_el2_regs.c. */
#include "nested/nested.h"

#include <stddef.h>

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"
#include "trap/exit.h"
#include "trap/sysreg_emul.h"
#include "vdev/vgic.h"

#define NO_REG              VCPU_NR_REGS     /* no home, or (FIXED) no cell */
#define ALL_BITS            (~0ULL)

/* CNTHCTL_EL2 (E2H = 1 layout) fields that CNTKCTL_EL1 also has: EL0PCTEN,
 * EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN, EVNTIS. The others
 * (EL1PCTEN, EL1PTEN, ECV, EL1TVT, EL1TVCT, EL1NVPCT, EL1NVVCT) control EL1
 * of the guest's guest and are kept aside. */
#define CNTKCTL_BITS        (GENMASK(9, 0) | BIT(17))
#define CNTHCTL_BITS        GENMASK(17, 0)
/* CPTR_EL2 (E2H = 1 layout): ZEN, FPEN, SMEN, TTA, E0POE are CPACR_EL1's;
 * TAM and TCPAC are EL2 only. */
#define CPACR_BITS          GENMASK(29, 16)
#define CPTR_BITS           GENMASK(31, 16)
/* MDCR_EL2 without a PMU, SPE or trace (hidden from the guest): TDE, TDA,
 * TDOSA, TDRA. */
#define MDCR_BITS           (MDCR_EL2_TDE | MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA)
/* HPFAR_EL2: FIPA[47:4] and NS. */
#define HPFAR_BITS          (GENMASK(47, 4) | BIT(63))
#define ICC_SRE_EL2_VALUE   (ICC_SRE_EL2_SRE | ICC_SRE_EL2_DFB | ICC_SRE_EL2_DIB | ICC_SRE_EL2_Enable)

/* ---- A non-VHE guest hypervisor's EL2 registers in the EL1 format ----
 * It runs at hardware EL1 with NV1, so its SCTLR_EL2, TCR_EL2 and CPTR_EL2
 * (E2H = 0 layouts) take effect through SCTLR_EL1, TCR_EL1 and CPACR_EL1.
 * Field positions: Arm ARM, the registers' descriptions; KVM does the same
 * (kvm_nested.h, translate_*_el2_to_*_el1). */

/* SCTLR_EL2 bits with the same meaning at EL1: M, A, C, SA, nAA, I, WXN,
 * IESB, EE, DSSBS. The EL0 controls SCTLR_EL2 lacks get SCTLR_EL1's reset
 * value (no EL0 runs in this regime); SPAN stays set (it is RES1 at EL2:
 * no PAN on exception entry). */
#define SCTLR_NAA           BIT(6)
#define SCTLR_IESB          BIT(21)
#define SCTLR_SAME_AT_EL1   (SCTLR_EL2_M | SCTLR_EL2_A | SCTLR_EL2_C | SCTLR_EL2_SA | SCTLR_NAA | SCTLR_EL2_I | SCTLR_EL2_WXN | \
                             SCTLR_IESB | SCTLR_EL2_EE | SCTLR_EL2_DSSBS)

uint64_t nested_sctlr_el2_to_el1(uint64_t sctlr_el2)
{
    return (sctlr_el2 & SCTLR_SAME_AT_EL1) | SCTLR_EL1_RESET | SCTLR_EL1_SPAN;
}

/* TCR_EL2 (E2H = 0): T0SZ[5:0], IRGN0[9:8], ORGN0[11:10], SH0[13:12],
 * TG0[15:14] sit where TCR_EL1 has them; PS[18:16], TBI[20], HA[21],
 * HD[22], HPD[24], HWU[28:25], TBID[29], TCMA[30], DS[32] move to IPS,
 * TBI0, HA, HD, HPD0, HWU0xx, TBID0, TCMA0, DS. TTBR1 does not exist at
 * EL2: EPD1 (which TCR_EL2's RES1 bit 23 happens to be) with a valid TG1. */
#define TCR_EL2_TTBR0_FIELDS    (GENMASK(5, 0) | GENMASK(15, 8))
#define TCR_TG1_4K              (2ULL << 30)

static uint64_t move_field(uint64_t v, unsigned from, unsigned width, unsigned to)
{
    return ((v >> from) & (BIT(width) - 1)) << to;
}

uint64_t nested_tcr_el2_to_el1(uint64_t tcr_el2)
{
    return (tcr_el2 & TCR_EL2_TTBR0_FIELDS) | TCR_EL1_EPD1 | TCR_TG1_4K |
           move_field(tcr_el2, 16, 3, TCR_EL1_IPS_SHIFT) | move_field(tcr_el2, 20, 1, 37) |
           move_field(tcr_el2, 21, 2, 39) | move_field(tcr_el2, 24, 1, 41) |
           move_field(tcr_el2, 25, 4, 43) | move_field(tcr_el2, 29, 1, 51) |
           move_field(tcr_el2, 30, 1, 57) | move_field(tcr_el2, 32, 1, 59);
}

/* CPTR_EL2 (E2H = 0) traps by TZ[8], TFP[10], TSM[12], TTA[20]; CPACR_EL1
 * enables by ZEN[17:16], FPEN[21:20], SMEN[25:24] (0b11: no trap) and
 * traps by TTA[28]. TAM and TCPAC have no EL1 counterpart. */
#define CPTR_NVHE_TZ        BIT(8)
#define CPTR_NVHE_TFP       BIT(10)
#define CPTR_NVHE_TSM       BIT(12)
#define CPTR_NVHE_TTA       BIT(20)
#define CPACR_ENABLE        3ULL

uint64_t nested_cptr_el2_to_cpacr(uint64_t cptr_el2)
{
    return ((cptr_el2 & CPTR_NVHE_TZ) ? 0 : CPACR_ENABLE << 16) |
           ((cptr_el2 & CPTR_NVHE_TFP) ? 0 : CPACR_ENABLE << 20) |
           ((cptr_el2 & CPTR_NVHE_TSM) ? 0 : CPACR_ENABLE << 24) |
           ((cptr_el2 & CPTR_NVHE_TTA) ? BIT(28) : 0);
}

/* What a register is to a non-VHE guest hypervisor (E2H = 0). */
enum nvhe_kind {
    NVHE_SAME,          /* the same register and home as with E2H = 1 */
    NVHE_NONE,          /* FEAT_VHE's: UNDEFINED without it (TTBR1_EL2...) */
    NVHE_XLATE,         /* its own layout, kept whole; the hardware EL1
                         * register holds nvhe_to_el1 of it in hyp context */
    NVHE_KEPT,          /* its own layout, kept whole, no hardware home */
};

struct el2_reg {
    struct sysreg_desc desc;        /* first: handlers get back here from it */
    enum vcpu_reg kept;             /* the bits the home lacks (core/vcpu_reg.h) */
    enum vcpu_reg hw;               /* VREG_HYP_*: the hyp context's EL1 register
                                     * holding hw_bits, or NO_REG */
    uint64_t hw_bits;
    uint64_t writable;              /* what a write keeps; the rest reads 0 */
    enum nvhe_kind nvhe;
    uint64_t (*nvhe_to_el1)(uint64_t);
    uint64_t nvhe_writable, nvhe_res1;
};

static const struct el2_reg *el2_reg_of(const struct sysreg_desc *d)
{
    return (const struct el2_reg *)(const void *)((const char *)d - offsetof(struct el2_reg, desc));
}

static bool has_home(const struct el2_reg *r)
{
    return r->hw != NO_REG;
}

/* With E2H = 0 a register in its own layout is kept whole; the hardware
 * home, if any, holds what gives it effect. */
static bool nvhe_own_layout(const struct vcpu *v, const struct el2_reg *r)
{
    return v->nested->nvhe && (r->nvhe == NVHE_XLATE || r->nvhe == NVHE_KEPT);
}

/* Each part where the register file says it is now: the home in the
 * hardware in hyp context (a cell in nested context, or while the vCPU is
 * not loaded), the kept bits in their cell. */
static bool el2_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    const struct el2_reg *r = el2_reg_of(d);
    uint64_t kept = vcpu_cell_read(v, r->kept);

    if (v->nested->nvhe && r->nvhe == NVHE_NONE)
        return false;
    if (nvhe_own_layout(v, r) || !has_home(r))
        *val = kept;
    else
        *val = (vcpu_reg_read(v, r->hw) & r->hw_bits) | (kept & ~r->hw_bits);
    return true;
}

static bool el2_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    const struct el2_reg *r = el2_reg_of(d);

    if (v->nested->nvhe && r->nvhe == NVHE_NONE)
        return false;
    if (nvhe_own_layout(v, r)) {
        val = (val & r->nvhe_writable) | r->nvhe_res1;
        vcpu_cell_write(v, r->kept, val);
        if (r->nvhe == NVHE_XLATE)
            vcpu_reg_write(v, r->hw, r->nvhe_to_el1(val));
        return true;
    }
    val &= r->writable;
    if (has_home(r)) {
        vcpu_reg_write(v, r->hw, val & r->hw_bits);
        vcpu_cell_write(v, r->kept, val & ~r->hw_bits);
    } else {
        vcpu_cell_write(v, r->kept, val);
    }
    return true;
}

/* IMPLEMENTATION DEFINED registers with nothing implemented. */
static bool raz_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = 0;
    return true;
}

static bool wi_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return true;
}

/* The system-register interface is always on (elvisor gives no memory-mapped
 * GICv3 CPU interface), and the guest cannot turn it off; a GICv2 VM has
 * no such register. */
static bool icc_sre_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = ICC_SRE_EL2_VALUE;
    return v->vm->gic_version == 3;
}

static bool icc_sre_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return v->vm->gic_version == 3;
}

/* The GICv3 virtualization interface its LRs, ICH_HCR and ICH_VMCR are in
 * the VNCR page; these read-only registers trap and are computed from
 * that page (vgic_calc.c). No GICv3, no ICH_* registers: UNDEFINED. */
static unsigned ich_nr_lrs(const struct vcpu *v)
{
    return (unsigned)(v->nested->ich_vtr & ICH_VTR_EL2_ListRegs_MASK) + 1;
}

static const uint64_t *ich_lrs(const struct vcpu *v)
{
    return vncr_reg_slot(v, VREG_ICH_LR0_EL2);
}

static bool ich_vtr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = v->nested->ich_vtr;
    return v->vm->gic_version == 3;
}

static bool ich_misr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_misr(vncr_reg_read(v, VREG_ICH_HCR_EL2),
                           vncr_reg_read(v, VREG_ICH_VMCR_EL2), ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

static bool ich_eisr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_eisr(ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

static bool ich_elrsr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_elrsr(ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

/* Read-only registers: MSR is UNDEFINED. */
static bool ro_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return false;
}

/* The guest's guest's CNTKCTL_EL1 (the _EL12 name has no VNCR slot); it
 * takes effect in the nested context. */
static bool cntkctl12_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vcpu_reg_read(v, VREG_CNTKCTL_EL12);
    return !v->nested->nvhe;
}

static bool cntkctl12_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    vcpu_reg_write(v, VREG_CNTKCTL_EL12, val & CNTKCTL_BITS);
    return !v->nested->nvhe;
}

/* A VHE guest hypervisor writes its CPTR_EL2 through the CPACR_EL1 name
 * (with E2H = 1 that name is CPTR_EL2 at EL2), but the hardware CPACR_EL1
 * it reaches holds FPEN and TTA, not TAM or TCPAC (RES0 there). So
 * elvisor traps the name (CPTR_EL2.TCPAC, nested.c cptr_traps) and in
 * hyp context gives it CPTR_EL2's meaning, as KVM does. The trap stays on
 * while its guest runs (no CPTR_EL2 write at each switch): its guest's
 * accesses are forwarded when its CPTR_EL2 asks (forward.c, searched
 * before this table), and otherwise reach here and mean the CPACR_EL1 of
 * the context (the hardware register, or for a non-VHE guest hypervisor
 * in hyp context the VNCR page, which it reaches untrapped anyway). */
static bool cpacr_is_cptr(const struct vcpu *v)
{
    return nested_in_hyp(v) && !v->nested->nvhe;
}

static const struct sysreg_desc *cptr_el2_desc(void);

static bool cpacr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (cpacr_is_cptr(v))
        return el2_read(v, cptr_el2_desc(), val);
    *val = vcpu_reg_read(v, VREG_CPACR_EL1);
    return true;
}

static bool cpacr_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (cpacr_is_cptr(v))
        return el2_write(v, cptr_el2_desc(), val);
    vcpu_reg_write(v, VREG_CPACR_EL1, val & CPACR_BITS);
    return true;
}

/* VNCR_EL2 exists for a VM offered FEAT_NV2 (virt-el2-nv2). Its slot in
 * the page is its home (a CPU may redirect it there, NV2's table has it),
 * so a trapped access keeps it in the same place; [11:0] are RES0. */
#define VNCR_EL2_BITS       (~(uint64_t)(VNCR_PAGE_SIZE - 1))

static bool vncr_el2_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vncr_read(v, VNCR_VNCR_EL2);
    return v->nested->nv2;
}

static bool vncr_el2_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    vncr_write(v, VNCR_VNCR_EL2, val & VNCR_EL2_BITS);
    return v->nested->nv2;
}

#define HOME(name, hwreg, bits, wr) \
    { { #name, SYS_##name, el2_read, el2_write }, VREG_##name, hwreg, bits, wr, NVHE_SAME, NULL, 0, 0 }
#define KEPT(name, wr) \
    { { #name, SYS_##name, el2_read, el2_write }, VREG_##name, NO_REG, 0, wr, NVHE_SAME, NULL, 0, 0 }
#define FIXED(name, rd, wr) \
    { { #name, SYS_##name, rd, wr }, NO_REG, NO_REG, 0, 0, NVHE_SAME, NULL, 0, 0 }
/* FEAT_VHE registers: UNDEFINED for a non-VHE guest hypervisor. */
#define VHE_ONLY(name, hwreg, bits, wr) \
    { { #name, SYS_##name, el2_read, el2_write }, VREG_##name, hwreg, bits, wr, NVHE_NONE, NULL, 0, 0 }
/* A different layout with E2H = 0: xlate gives the hardware EL1 value
 * (NVHE_XLATE) or there is none (NVHE_KEPT, xlate NULL); nwr and nres1 are
 * its writable and RES1 bits. */
#define TWO_LAYOUTS(name, hwreg, bits, wr, kind, xlate, nwr, nres1) \
    { { #name, SYS_##name, el2_read, el2_write }, VREG_##name, hwreg, bits, wr, kind, xlate, nwr, nres1 }

/* E2H = 0 layouts (Arm ARM): SCTLR_EL2 with its RES1 bits; CPTR_EL2's TZ,
 * TFP, TSM, TTA, TAM, TCPAC and RES1 bits; TCR_EL2 with RES1 bits 23 and
 * 31; CNTHCTL_EL2's EL1PCTEN, EL1PCEN, EVNTEN, EVNTDIR, EVNTI and ECV's
 * EL1TVT..EVNTIS (no ECV bit: no CNTPOFF is offered). */
#define CPTR_NVHE_BITS      (BIT(8) | BIT(10) | BIT(12) | BIT(20) | BIT(30) | BIT(31))
#define TCR_NVHE_RES1       (BIT(23) | BIT(31))
#define CNTHCTL_NVHE_BITS   (GENMASK(7, 0) | GENMASK(17, 13))

#define CPTR_EL2_ROW        3       /* el2_regs[]'s CPTR_EL2 (test_nested_el2_regs checks) */

static const struct el2_reg el2_regs[] = {
    TWO_LAYOUTS(SCTLR_EL2, VREG_HYP_SCTLR_EL1, ALL_BITS, ALL_BITS,
                NVHE_XLATE, nested_sctlr_el2_to_el1, ALL_BITS, SCTLR_EL2_RES1_NVHE),
    FIXED(ACTLR_EL2, raz_read, wi_write),
    KEPT(MDCR_EL2, MDCR_BITS),
    TWO_LAYOUTS(CPTR_EL2, VREG_HYP_CPACR_EL1, CPACR_BITS, CPTR_BITS,
                NVHE_XLATE, nested_cptr_el2_to_cpacr, CPTR_NVHE_BITS, CPTR_EL2_RES1_NVHE),
    FIXED(HACR_EL2, raz_read, wi_write),
    HOME(TTBR0_EL2, VREG_HYP_TTBR0_EL1, ALL_BITS, ALL_BITS),
    VHE_ONLY(TTBR1_EL2, VREG_HYP_TTBR1_EL1, ALL_BITS, ALL_BITS),
    TWO_LAYOUTS(TCR_EL2, VREG_HYP_TCR_EL1, ALL_BITS, ALL_BITS,
                NVHE_XLATE, nested_tcr_el2_to_el1, ALL_BITS, TCR_NVHE_RES1),
    HOME(AFSR0_EL2, VREG_HYP_AFSR0_EL1, ALL_BITS, ALL_BITS),
    HOME(AFSR1_EL2, VREG_HYP_AFSR1_EL1, ALL_BITS, ALL_BITS),
    KEPT(HPFAR_EL2, HPFAR_BITS),
    HOME(MAIR_EL2, VREG_HYP_MAIR_EL1, ALL_BITS, ALL_BITS),
    HOME(AMAIR_EL2, VREG_HYP_AMAIR_EL1, ALL_BITS, ALL_BITS),
    HOME(VBAR_EL2, VREG_HYP_VBAR_EL1, ALL_BITS, ALL_BITS),
    FIXED(ICC_SRE_EL2, icc_sre_read, icc_sre_write),
    FIXED(ICH_VTR_EL2, ich_vtr_read, ro_write),
    FIXED(ICH_MISR_EL2, ich_misr_read, ro_write),
    FIXED(ICH_EISR_EL2, ich_eisr_read, ro_write),
    FIXED(ICH_ELRSR_EL2, ich_elrsr_read, ro_write),
    VHE_ONLY(CONTEXTIDR_EL2, VREG_HYP_CONTEXTIDR_EL1, ALL_BITS, ALL_BITS),
    /* With E2H = 0 the hardware CNTKCTL_EL1 is its guest's (ctx.c). */
    TWO_LAYOUTS(CNTHCTL_EL2, VREG_HYP_CNTKCTL_EL1, CNTKCTL_BITS,
                CNTHCTL_BITS, NVHE_KEPT, NULL, CNTHCTL_NVHE_BITS, 0),
    FIXED(CNTKCTL_EL12, cntkctl12_read, cntkctl12_write),
    FIXED(CPACR_EL1, cpacr_read, cpacr_write),
    FIXED(VNCR_EL2, vncr_el2_read, vncr_el2_write),
};

#define NR_EL2_REGS (sizeof(el2_regs) / sizeof(el2_regs[0]))

/* A non-VHE guest hypervisor's EL2 registers at reset (vEL2 entered with
 * E2H = 0): the RES1 bits, and the EL1 homes to match (in the vCPU's EL1
 * file: vcpu_reset runs on a vCPU that is not loaded, in hyp context). */
void nested_el2_reset_nvhe(struct vcpu *v)
{
    for (unsigned i = 0; i < NR_EL2_REGS; i++) {
        const struct el2_reg *r = &el2_regs[i];
        if (r->nvhe != NVHE_XLATE && r->nvhe != NVHE_KEPT)
            continue;
        vcpu_cell_write(v, r->kept, r->nvhe_res1);
        if (r->nvhe == NVHE_XLATE)
            vcpu_reg_write(v, r->hw, r->nvhe_to_el1(r->nvhe_res1));
    }
}

const struct sysreg_desc *nested_sysreg_find(uint32_t key)
{
    for (unsigned i = 0; i < NR_EL2_REGS; i++)
        if (el2_regs[i].desc.key == key)
            return &el2_regs[i].desc;
    return NULL;
}

static const struct sysreg_desc *cptr_el2_desc(void)
{
    return &el2_regs[CPTR_EL2_ROW].desc;
}

/* The descriptors are not contiguous (each sits in its el2_reg). */
const struct sysreg_desc *nested_sysreg_at(unsigned i)
{
    return i < NR_EL2_REGS ? &el2_regs[i].desc : NULL;
}

/* The EL1 and EL0 names with a VNCR slot (the register database's Vncr
 * lines): under HCR_EL2.{NV2,NV} = {1,1} an EL1 access to one is a load or
 * store at VNCR_EL2 + the slot, for ACTLR_EL1 and MDSCR_EL1 always, for
 * the others only with NV1 (Arm ARM R_CSRPQ; docs/nested.md §2.2). */
struct el1_slot {
    uint32_t key;
    uint32_t off;
};
#define EL1_SLOT(name, key, asm_name, off) { (key), (off) },
static const struct el1_slot el1_slots[] = { SYSREG_DB_LIST(EL1_SLOT) };
#define NR_EL1_SLOTS    (sizeof(el1_slots) / sizeof(el1_slots[0]))
#define KEY_OP0(key)    ((key) >> SYSREG_KEY_OP0_SHIFT)
#define KEY_OP1(key)    (((key) >> SYSREG_KEY_OP1_SHIFT) & 7)

uint32_t nested_l2_vncr_slot(uint32_t key, uint64_t hw_hcr)
{
    if ((hw_hcr & (HCR_EL2_NV | HCR_EL2_NV2)) != (HCR_EL2_NV | HCR_EL2_NV2))
        return SYSREG_NO_VNCR;
    if (KEY_OP0(key) < 2 || (KEY_OP1(key) != 0 && KEY_OP1(key) != 3))
        return SYSREG_NO_VNCR;
    for (unsigned i = 0; i < NR_EL1_SLOTS; i++) {
        if (el1_slots[i].key != key || el1_slots[i].off == SYSREG_NO_VNCR)
            continue;
        if ((hw_hcr & HCR_EL2_NV1) || key == SYS_ACTLR_EL1 || key == SYS_MDSCR_EL1)
            return el1_slots[i].off;
        return SYSREG_NO_VNCR;
    }
    return SYSREG_NO_VNCR;
}

/* Its guest runs at a vEL2 of its own on its page (HCR_EL2.{NV2,NV}, and
 * NV1 for a non-VHE one) and elvisor trapped one of that guest's EL1- or
 * EL0-named accesses for a reason of its own that the guest hypervisor
 * did not ask for (CPTR_EL2.TCPAC on CPACR_EL1, elvisor's timer or debug
 * traps): the hardware would have made it a load or store on the guest
 * hypervisor's page, so elvisor makes it there (docs/nested.md §9.23). */
bool nested_l2_vncr_access(struct vcpu *v, uint64_t esr)
{
    struct sysreg_access a;
    uint32_t off;

    if (ESR_EC(esr) != EC_SYS64 || !v->nested->l2_vncr)
        return false;
    esr_decode_sysreg(esr, &a);
    off = nested_l2_vncr_slot(sysreg_access_key(&a), v->hcr);
    if (off == SYSREG_NO_VNCR)
        return false;
    volatile uint64_t *slot = (volatile uint64_t *)(uintptr_t)(v->nested->l2_vncr + off);
    if (a.is_read)
        vcpu_set_reg(v, a.reg, *slot);
    else
        *slot = vcpu_get_reg(v, a.reg);
    vcpu_skip_instr(v);
    return true;
}
