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

#define PAR_F   BIT(0)  /* PAR_EL1: the translation faulted */

uint64_t nested_vttbr(const struct vm *vm)
{
    return vmid_vttbr(vm->s2.root, vmid_last(&vm->l2_vmid));
}

/* VTTBR_EL2 for a context of the vCPU, its VMID renewed if a rollover
 * passed it (core/vmid.h): the hardware runs it from here on. The switch
 * names the context it enters, so that it is not read back. */
static uint64_t vttbr_use_in(struct vcpu *v, bool in_hyp)
{
    struct vcpu_nested *n = v->nested;

    return in_hyp ? vm_vttbr_use(v->vm) : vmid_vttbr(n->l2_root, vmid_use(n->l2_vmid));
}

static uint64_t vttbr_use(struct vcpu *v)
{
    return vttbr_use_in(v, nested_in_hyp(v));
}

/* The context is v->reg_ctx alone (nested_in_hyp() reads it back), picked
 * per nvhe at init so that a switch pays a load and a store for it. */
static void set_context(struct vcpu *v, struct vcpu_nested *n, bool in_hyp)
{
    v->reg_ctx = n->reg_ctx[in_hyp];
}

void nested_set_in_hyp(struct vcpu *v, bool in_hyp)
{
    set_context(v, v->nested, in_hyp);
}

/* The switch itself, spelled out register by register from the register
 * file's lists (core/vcpu_reg.h): through el1_read()/el1_write() and a
 * table walk it cost about 1,100 instructions each way (a call and a
 * switch per access), most of an L2 exit (docs/nested.md §9.19). Each
 * register leaves the hardware for one side (to_l2: the hyp context's
 * cell, else its guest's VNCR slot) and comes in from the other; both
 * places are the location table's, constants the compiler folds. Under
 * VHE elvisor reaches the EL1 registers by their _EL12 names (op1 = 5),
 * under nVHE by the plain ones. */
#define HYP_CELL(r)     vcpu_reg_loc[VREG_HYP_##r][VCPU_CTX_NESTED].at
#define L2_SLOT(r)      vcpu_reg_loc[VREG_##r][VCPU_CTX_HYP].at
#define CTX_XCHG(r, name)                                                           \
    do {                                                                            \
        uint64_t *hyp_ = &v->sysreg[HYP_CELL(r)];                                   \
        uint64_t *l2_ = &v->vncr[L2_SLOT(r) / sizeof(uint64_t)];                    \
        uint64_t in_ = to_l2 ? *l2_ : *hyp_;                                        \
        *(to_l2 ? hyp_ : l2_) = read_sysreg(name);                                  \
        write_sysreg(name, in_);                                                    \
    } while (0);
#define CTX_XCHG_EL12(r, crn, crm, op2) CTX_XCHG(r, S3_5_C##crn##_C##crm##_##op2)
#define CTX_XCHG_EL1(r, crn, crm, op2)  CTX_XCHG(r, S3_0_C##crn##_C##crm##_##op2)
#define CTX_XCHG_DIRECT(r, name)        CTX_XCHG(r, name)

/* CNTKCTL_EL1 has no VNCR slot (its guest's waits in a cell), and a
 * non-VHE guest hypervisor's contexts share the hardware one (the table's
 * nvhe columns): it stays. Written only when the two differ (they rarely
 * do; the _EL12 access traps when elvisor is itself a guest hypervisor). */
#define CTX_XCHG_CNTKCTL(name)                                                      \
    do {                                                                            \
        if (!n->nvhe) {                                                             \
            uint64_t *hyp_ = &v->sysreg[HYP_CELL(CNTKCTL_EL1)];                     \
            uint64_t *l2_ = &v->sysreg[vcpu_reg_loc[VREG_CNTKCTL_EL1][VCPU_CTX_HYP].at]; \
            uint64_t in_ = to_l2 ? *l2_ : *hyp_, out_ = read_sysreg(name);         \
            *(to_l2 ? hyp_ : l2_) = out_;                                           \
            if (in_ != out_)                                                        \
                write_sysreg(name, in_);                                            \
        }                                                                           \
    } while (0)

static void ctx_exchange(struct vcpu *v, const struct vcpu_nested *n, bool to_l2)
{
    if (hyp_vhe) {
        VCPU_SWITCHED_ALIASED(CTX_XCHG_EL12)
        VCPU_SWITCHED_DIRECT(CTX_XCHG_DIRECT)
        CTX_XCHG_CNTKCTL(S3_5_C14_C1_0);
    } else {
        VCPU_SWITCHED_ALIASED(CTX_XCHG_EL1)
        VCPU_SWITCHED_DIRECT(CTX_XCHG_DIRECT)
        CTX_XCHG_CNTKCTL(S3_0_C14_C1_0);
    }
}

/* The identification registers each context reads: its guest sees what
 * the guest hypervisor wrote to VPIDR/VMPIDR_EL2 (page slots, no trap),
 * the guest hypervisor its own vCPU's MIDR and MPIDR (KVM's vCPUs find
 * their redistributor by it). */
static void load_ids_in(const struct vcpu *v, bool in_hyp)
{
    if (in_hyp) {
        write_sysreg(vpidr_el2, read_sysreg(midr_el1));
        write_sysreg(vmpidr_el2, v->mpidr);
    } else {
        write_sysreg(vpidr_el2, vncr_reg_read(v, VREG_VPIDR_EL2));
        write_sysreg(vmpidr_el2, vncr_reg_read(v, VREG_VMPIDR_EL2));
    }
}

void nested_load_ids(const struct vcpu *v)
{
    load_ids_in(v, nested_in_hyp(v));
}

/* HCRX_EL2 for a context (FEAT_HCX): elvisor's for the guest
 * hypervisor, what its own HCRX_EL2 in the page allows for its guest
 * (nested_l2_hcrx). Its guest's MOPS exceptions then reach elvisor only
 * when it asked for them (MCE2) and are forwarded (forward.c). */
void nested_hcrx(const struct vcpu *v, bool in_hyp)
{
    if (!hyp_features.hcx)
        return;
    write_sysreg_s(SYS_HCRX_EL2, in_hyp ? hyp_guest_hcrx()
                                        : nested_l2_hcrx(hyp_guest_hcrx(), vncr_read(v, VNCR_HCRX_EL2)));
}

void nested_enter_l2(struct vcpu *v, uint64_t vhcr, uint64_t root, struct vmid_ctx *vmid, uint64_t pc,
                     uint64_t pstate)
{
    struct vcpu_nested *n = v->nested;

    ctx_exchange(v, n, true);
    set_context(v, n, false);
    v->hcr = nested_l2_hcr(n->guest_hcr, vhcr);
    write_sysreg(hcr_el2, v->hcr);
    nested_hcrx(v, false);
    n->l2_root = root;
    n->l2_vmid = vmid;
    write_sysreg(vttbr_el2, vttbr_use_in(v, false));
    load_ids_in(v, false);
    isb();
    nested_timers_enter_l2(v);
    v->regs.pc = pc;
    v->regs.pstate = pstate;
}

/* Back to hyp context with an exception from its guest taken at the
 * lower-EL AArch64 vector + offset, with syndrome *esr (NULL: ESR_EL2
 * keeps its value). Its ELR, SPSR and ESR_EL2 are the hardware EL1 ones
 * under NV2: written into the hyp context's cells before the switch loads
 * them (the location rows are the same with and without nvhe). */
#define HYP_READ(r)         vcpu_reg_read_in(v, VREG_HYP_##r, VCPU_CTX_NESTED)
#define HYP_WRITE(r, val)   vcpu_reg_write_in(v, VREG_HYP_##r, VCPU_CTX_NESTED, val)
static void exception_to_vel2(struct vcpu *v, unsigned offset, const uint64_t *esr)
{
    struct vcpu_nested *n = v->nested;
    struct nested_exc e;

    nested_exc_to_vel2(HYP_READ(VBAR_EL1), v->regs.pc, v->regs.pstate, HYP_READ(SCTLR_EL1), hyp_features.pan,
                       hyp_features.ssbs, &e);
    HYP_WRITE(ELR_EL1, e.elr);
    HYP_WRITE(SPSR_EL1, e.spsr);
    if (esr)
        HYP_WRITE(ESR_EL1, *esr);
    ctx_exchange(v, n, false);
    set_context(v, n, true);
    shadow_s2_leave(v);
    if (n->l2_vncr)
        nested_vncr_leave_l2(v);
    v->hcr = nested_hyp_hcr(n->guest_hcr, n->nvhe);
    write_sysreg(hcr_el2, v->hcr);
    nested_hcrx(v, true);
    write_sysreg(vttbr_el2, vttbr_use_in(v, true));
    load_ids_in(v, true);
    isb();
    nested_timers_exit_l2(v);
    v->regs.pc = e.pc + offset;
    v->regs.pstate = e.pstate;
}

/* What its CPTR_EL2 traps of its guest. A VHE guest hypervisor keeps the
 * CPACR_EL1 bits (FPEN, TTA) in the hardware CPACR_EL1 in hyp context,
 * which the nested context saved in a cell, and TAM and TCPAC aside; a
 * non-VHE one's E2H = 0 value is kept whole. */
uint64_t nested_l2_cptr_traps(const struct vcpu *v)
{
    const struct vcpu_nested *n = v->nested;

    if (n->nvhe)
        return nested_cptr_traps(vcpu_cell_read(v, VREG_CPTR_EL2), false);
    if (!nested_in_hyp(v))     /* on every entry of its guest (nested_pre_enter) */
        return nested_cptr_traps(vcpu_reg_read_in(v, VREG_HYP_CPACR_EL1, VCPU_CTX_NESTED) |
                                     vcpu_cell_read(v, VREG_CPTR_EL2), true);
    return nested_cptr_traps(vcpu_reg_read_in(v, VREG_HYP_CPACR_EL1, VCPU_CTX_HYP) | vcpu_cell_read(v, VREG_CPTR_EL2),
                             true);
}

void nested_exit_to_vel2(struct vcpu *v, uint64_t esr)
{
    exception_to_vel2(v, 0, &esr);
    nested_xstats_open(&v->nested->xstats, nested_xkind_of(esr), v->nr_exits);
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
static const enum vcpu_reg mmu_regs[] = { VREG_SCTLR_EL1, VREG_TTBR0_EL1, VREG_TTBR1_EL1, VREG_TCR_EL1,
                                         VREG_MAIR_EL1 };
#define NR_MMU_REGS (sizeof(mmu_regs) / sizeof(mmu_regs[0]))

void nested_at_in_l2(struct vcpu *v, void (*at)(uint64_t va), uint64_t va, bool own_s2)
{
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

    /* In hyp context its guest's registers are in the VNCR page. */
    for (unsigned i = 0; i < NR_MMU_REGS; i++) {
        saved[i] = el1_read((enum el1_reg)mmu_regs[i]);
        el1_write((enum el1_reg)mmu_regs[i], vcpu_reg_read(v, mmu_regs[i]));
    }
    /* The walk may fill the TLB: under a VMID of the current generation,
     * as any regime the hardware runs. */
    write_sysreg(vttbr_el2, vmid_vttbr(root, vmid_use(vmid)));
    isb();
    at(va);
    isb();
    for (unsigned i = 0; i < NR_MMU_REGS; i++)
        el1_write((enum el1_reg)mmu_regs[i], saved[i]);
    if (own_s2)
        shadow_s2_leave(v);
    write_sysreg(vttbr_el2, vttbr_use(v));
    isb();
}
