/* The switch between the guest hypervisor's hyp context (vEL2) and its
 * guest's nested context (L2 at EL1/EL0), docs/nested.md §9.6.
 *
 * While L1 runs, its EL2 registers that have an EL1 counterpart live in the
 * hardware EL1 file and L2's EL1 registers live in the VNCR page (L1 writes
 * them there through the *_EL12 names); while L2 runs, L2's are in the
 * hardware and L1's are kept in struct vcpu_nested. The switch moves both.
 * Registers the two contexts share (TPIDR*, SP_EL0, PAR, CSSELR) stay. L2
 * runs on the VM's stage 2 (its hypervisor's stage 2 off: vHCR.VM = 0) or
 * on a shadow stage 2 (shadow_s2.c), each under a VMID of its own, since
 * both contexts are EL1&0 regimes in the hardware and would otherwise
 * alias in the TLB. */
#include "nested/nested.h"
#include "nested/s2_walk.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/tlb.h"
#include "core/vm.h"

#define NO_SLOT 0u
#define PAR_F   BIT(0)  /* PAR_EL1: the translation faulted */

/* L2's EL1 registers and their VNCR slots (CNTKCTL_EL12 has none).
 * CTX_CPACR: CPACR_EL1's index, read on every entry of L2. */
#define CTX_SCTLR   0
#define CTX_CPACR   1
#define CTX_ESR     5
#define CTX_VBAR    11
#define CTX_ELR     13
#define CTX_SPSR    14
#define CTX_CNTKCTL 17      /* no slot: l2_cntkctl */
static const struct {
    enum el1_reg hw;
    unsigned slot;
} ctx_regs[NESTED_CTX_NR] = {
    { EL1_SCTLR, VNCR_SCTLR_EL1 },     { EL1_CPACR, VNCR_CPACR_EL1 },
    { EL1_TTBR0, VNCR_TTBR0_EL1 },     { EL1_TTBR1, VNCR_TTBR1_EL1 },
    { EL1_TCR, VNCR_TCR_EL1 },         { EL1_ESR, VNCR_ESR_EL1 },
    { EL1_AFSR0, VNCR_AFSR0_EL1 },     { EL1_AFSR1, VNCR_AFSR1_EL1 },
    { EL1_FAR, VNCR_FAR_EL1 },         { EL1_MAIR, VNCR_MAIR_EL1 },
    { EL1_AMAIR, VNCR_AMAIR_EL1 },     { EL1_VBAR, VNCR_VBAR_EL1 },
    { EL1_CONTEXTIDR, VNCR_CONTEXTIDR_EL1 }, { EL1_ELR, VNCR_ELR_EL1 },
    { EL1_SPSR, VNCR_SPSR_EL1 },       { EL1_SP_EL1, VNCR_SP_EL1 },
    { EL1_MDSCR, VNCR_MDSCR_EL1 },     { EL1_CNTKCTL, NO_SLOT },
};

uint64_t nested_vttbr(const struct vm *vm)
{
    return vmid_vttbr(vm->s2.root, vmid_last(&vm->l2_vmid));
}

/* VTTBR_EL2 for the context the vCPU is in, its VMID renewed if a rollover
 * passed it (core/vmid.h): the hardware runs it from here on. */
static uint64_t vttbr_use(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;

    return n->in_hyp ? vm_vttbr_use(v->vm) : vmid_vttbr(n->l2_root, vmid_use(n->l2_vmid));
}

/* A non-VHE guest hypervisor reaches the hardware CNTKCTL_EL1 by that name
 * (it has no VNCR slot and NV1 does not trap it), meaning its guest's: the
 * one register both contexts hold in the hardware for the guest's guest. */
static bool shared(const struct vcpu_nested *n, unsigned i)
{
    return n->nvhe && ctx_regs[i].slot == NO_SLOT;
}

static uint64_t l2_value(const struct vcpu_nested *n, unsigned i)
{
    return ctx_regs[i].slot == NO_SLOT ? n->l2_cntkctl : vncr_read(n, ctx_regs[i].slot);
}

/* The switch itself, spelled out register by register: through
 * el1_read()/el1_write() and the table above it cost about 1,100
 * instructions each way (a call and a switch per access), most of an L2
 * exit (docs/nested.md §9.19). Each register leaves the hardware for one
 * side (to_l2: hyp_el1[], else L2's VNCR slot) and comes in from the other.
 * The order and the encodings follow ctx_regs[] and el1_regs.c: under VHE
 * elvisor reaches the EL1 registers by their _EL12 names (op1 = 5), under
 * nVHE by the plain ones. */
#define CTX_XCHG(i, name, slot)                                                     \
    do {                                                                            \
        uint64_t *hyp_ = &n->hyp_el1[i], *l2_ = &n->vncr[(slot) / sizeof(uint64_t)]; \
        uint64_t in_ = to_l2 ? *l2_ : *hyp_;                                        \
        *(to_l2 ? hyp_ : l2_) = read_sysreg(name);                                  \
        write_sysreg(name, in_);                                                    \
    } while (0)

#define CTX_XCHG_ALL(op1)                                                           \
    do {                                                                            \
        CTX_XCHG(CTX_SCTLR, S3_##op1##_C1_C0_0, VNCR_SCTLR_EL1);                    \
        CTX_XCHG(CTX_CPACR, S3_##op1##_C1_C0_2, VNCR_CPACR_EL1);                    \
        CTX_XCHG(2, S3_##op1##_C2_C0_0, VNCR_TTBR0_EL1);                            \
        CTX_XCHG(3, S3_##op1##_C2_C0_1, VNCR_TTBR1_EL1);                            \
        CTX_XCHG(4, S3_##op1##_C2_C0_2, VNCR_TCR_EL1);                              \
        CTX_XCHG(CTX_ESR, S3_##op1##_C5_C2_0, VNCR_ESR_EL1);                        \
        CTX_XCHG(6, S3_##op1##_C5_C1_0, VNCR_AFSR0_EL1);                            \
        CTX_XCHG(7, S3_##op1##_C5_C1_1, VNCR_AFSR1_EL1);                            \
        CTX_XCHG(8, S3_##op1##_C6_C0_0, VNCR_FAR_EL1);                              \
        CTX_XCHG(9, S3_##op1##_C10_C2_0, VNCR_MAIR_EL1);                            \
        CTX_XCHG(10, S3_##op1##_C10_C3_0, VNCR_AMAIR_EL1);                          \
        CTX_XCHG(CTX_VBAR, S3_##op1##_C12_C0_0, VNCR_VBAR_EL1);                     \
        CTX_XCHG(12, S3_##op1##_C13_C0_1, VNCR_CONTEXTIDR_EL1);                     \
        CTX_XCHG(CTX_ELR, S3_##op1##_C4_C0_1, VNCR_ELR_EL1);                        \
        CTX_XCHG(CTX_SPSR, S3_##op1##_C4_C0_0, VNCR_SPSR_EL1);                      \
        CTX_XCHG(15, sp_el1, VNCR_SP_EL1);                                          \
        CTX_XCHG(16, mdscr_el1, VNCR_MDSCR_EL1);                                    \
        if (!shared(n, CTX_CNTKCTL)) {                                              \
            uint64_t in_ = to_l2 ? n->l2_cntkctl : n->hyp_el1[CTX_CNTKCTL];         \
            *(to_l2 ? &n->hyp_el1[CTX_CNTKCTL] : &n->l2_cntkctl) = read_sysreg(S3_##op1##_C14_C1_0); \
            write_sysreg(S3_##op1##_C14_C1_0, in_);                                 \
        }                                                                           \
    } while (0)

static void ctx_exchange(struct vcpu_nested *n, bool to_l2)
{
    if (hyp_vhe)
        CTX_XCHG_ALL(5);
    else
        CTX_XCHG_ALL(0);
}

/* The identification registers each context reads: its guest sees what
 * the guest hypervisor wrote to VPIDR/VMPIDR_EL2 (page slots, no trap),
 * the guest hypervisor its own vCPU's MIDR and MPIDR (KVM's vCPUs find
 * their redistributor by it). */
void nested_load_ids(const struct vcpu *v)
{
    const struct vcpu_nested *n = v->nested;

    if (n->in_hyp) {
        write_sysreg(vpidr_el2, read_sysreg(midr_el1));
        write_sysreg(vmpidr_el2, v->mpidr);
    } else {
        write_sysreg(vpidr_el2, vncr_read(n, VNCR_VPIDR_EL2));
        write_sysreg(vmpidr_el2, vncr_read(n, VNCR_VMPIDR_EL2));
    }
}

void nested_enter_l2(struct vcpu *v, uint64_t vhcr, uint64_t root, struct vmid_ctx *vmid, uint64_t pc,
                     uint64_t pstate)
{
    struct vcpu_nested *n = v->nested;

    ctx_exchange(n, true);
    n->in_hyp = false;
    v->hcr = nested_l2_hcr(n->guest_hcr, vhcr);
    write_sysreg(hcr_el2, v->hcr);
    n->l2_root = root;
    n->l2_vmid = vmid;
    write_sysreg(vttbr_el2, vttbr_use(v));
    nested_load_ids(v);
    isb();
    nested_timers_enter_l2(v);
    v->regs.pc = pc;
    v->regs.pstate = pstate;
}

/* Back to hyp context with an exception from its guest taken at the
 * lower-EL AArch64 vector + offset, with syndrome *esr (NULL: ESR_EL2
 * keeps its value). Its ELR, SPSR and ESR_EL2 are the hardware EL1 ones
 * under NV2: written into hyp_el1[] before the switch loads it. */
static void exception_to_vel2(struct vcpu *v, unsigned offset, const uint64_t *esr)
{
    struct vcpu_nested *n = v->nested;
    struct nested_exc e;

    nested_exc_to_vel2(n->hyp_el1[CTX_VBAR], v->regs.pc, v->regs.pstate, n->hyp_el1[CTX_SCTLR],
                       hyp_features.pan, hyp_features.ssbs, &e);
    n->hyp_el1[CTX_ELR] = e.elr;
    n->hyp_el1[CTX_SPSR] = e.spsr;
    if (esr)
        n->hyp_el1[CTX_ESR] = *esr;
    ctx_exchange(n, false);
    n->in_hyp = true;
    shadow_s2_leave(v);
    v->hcr = nested_hyp_hcr(n->guest_hcr, n->nvhe);
    write_sysreg(hcr_el2, v->hcr);
    write_sysreg(vttbr_el2, vttbr_use(v));
    nested_load_ids(v);
    isb();
    nested_timers_exit_l2(v);
    v->regs.pc = e.pc + offset;
    v->regs.pstate = e.pstate;
}

/* What its CPTR_EL2 traps of its guest. A VHE guest hypervisor keeps the
 * CPACR_EL1 bits (FPEN, TTA) in the hardware CPACR_EL1 in hyp context,
 * which the nested context saved in hyp_el1, and TAM and TCPAC aside; a
 * non-VHE one's E2H = 0 value is kept whole. */
uint64_t nested_l2_cptr_traps(const struct vcpu *v)
{
    const struct vcpu_nested *n = v->nested;

    if (n->nvhe)
        return nested_cptr_traps(n->el2[NEL2_CPTR], false);
    return nested_cptr_traps((n->in_hyp ? el1_read(EL1_CPACR) : n->hyp_el1[CTX_CPACR]) | n->el2[NEL2_CPTR], true);
}

void nested_exit_to_vel2(struct vcpu *v, uint64_t esr)
{
    exception_to_vel2(v, 0, &esr);
    nested_xstats_open(&v->nested->xstats, ESR_EC(esr) == EC_HVC64 ? NESTED_X_HVC : NESTED_X_OTHER,
                       v->nr_exits);
}

/* An IRQ exception has no syndrome: ESR_EL2 keeps its value. */
void nested_irq_to_vel2(struct vcpu *v)
{
    exception_to_vel2(v, NESTED_VECTOR_IRQ_OFFSET, NULL);
    nested_xstats_open(&v->nested->xstats, NESTED_X_IRQ, v->nr_exits);
}

void nested_fiq_to_vel2(struct vcpu *v)
{
    exception_to_vel2(v, NESTED_VECTOR_FIQ_OFFSET, NULL);
    nested_xstats_open(&v->nested->xstats, NESTED_X_IRQ, v->nr_exits);
}

/* With the MMU registers of its guest's EL1&0 regime and that regime's
 * VMID in place, an address translation elvisor runs at EL2 is the one the
 * guest hypervisor asked for (KVM's at.c does the same). The result lands
 * in PAR_EL1, which both contexts share. */
static const enum el1_reg mmu_regs[] = { EL1_SCTLR, EL1_TTBR0, EL1_TTBR1, EL1_TCR, EL1_MAIR };
#define NR_MMU_REGS (sizeof(mmu_regs) / sizeof(mmu_regs[0]))

static uint64_t l2_value_of(const struct vcpu_nested *n, enum el1_reg hw)
{
    for (unsigned i = 0; i < NESTED_CTX_NR; i++)
        if (ctx_regs[i].hw == hw)
            return l2_value(n, i);
    return 0;
}

void nested_at_in_l2(struct vcpu *v, void (*at)(uint64_t va), uint64_t va, bool own_s2)
{
    struct vcpu_nested *n = v->nested;
    uint64_t saved[NR_MMU_REGS];
    uint64_t root = v->vm->s2.root;
    struct vmid_ctx *vmid = &v->vm->l2_vmid;

    /* With its stage 2 on, the walk goes through the shadow of that stage
     * 2, which holds what its guest touched: its guest's tables for an
     * address it just faulted on. A table not there yet is a stage-2
     * fault in PAR_EL1, after which KVM lets its guest retry (and refill). */
    if (own_s2 && !shadow_s2_enter(v, &root, &vmid)) {
        el1_write(EL1_PAR, PAR_F);
        return;
    }

    for (unsigned i = 0; i < NR_MMU_REGS; i++) {
        saved[i] = el1_read(mmu_regs[i]);
        el1_write(mmu_regs[i], l2_value_of(n, mmu_regs[i]));
    }
    /* The walk may fill the TLB: under a VMID of the current generation,
     * as any regime the hardware runs. */
    write_sysreg(vttbr_el2, vmid_vttbr(root, vmid_use(vmid)));
    isb();
    at(va);
    isb();
    for (unsigned i = 0; i < NR_MMU_REGS; i++)
        el1_write(mmu_regs[i], saved[i]);
    if (own_s2)
        shadow_s2_leave(v);
    write_sysreg(vttbr_el2, vttbr_use(v));
    isb();
}
