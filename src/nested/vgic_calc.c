/* The guest hypervisor's view of the GICv3 virtualization interface
 * (docs/nested.md §6): the ICH_* registers that still trap under NV2 are
 * computed from the list-register images it keeps in its VNCR page, the
 * way the Arm GICv3 architecture defines them from the hardware LRs.
 * Host-tested by tests/unit/test_nested_vgic.c. */
#include "nested/nested.h"

#include "vdev/vgic.h"

/* The state an LR image holds: 0 is "invalid", i.e. no interrupt. */
static bool lr_valid(uint64_t lr)
{
    return (lr & ICH_LR_EL2_State_MASK) != 0;
}

/* ListRegs as many as elvisor can shadow in the hardware for L2; PREbits
 * from the hardware and PRIbits equal to it (L1 gets no more priority bits
 * than the CPU interface its guest will use preempts on); IDbits 16, no
 * SEIS, A3V, nV4 or TDS: features elvisor does not emulate for L1. */
uint64_t nested_ich_vtr(unsigned nr_lrs, unsigned nr_apr)
{
    unsigned pre = VGIC_MIN_PREEMPT_BITS;

    while ((1u << (pre - VGIC_MIN_PREEMPT_BITS)) < nr_apr && pre < VGIC_MAX_PREEMPT_BITS)
        pre++;
    if (nr_lrs == 0)
        nr_lrs = 1;
    if (nr_lrs > VGIC_V3_MAX_LRS)
        nr_lrs = VGIC_V3_MAX_LRS;
    return (uint64_t)(nr_lrs - 1) |
           ((uint64_t)(pre - 1) << ICH_VTR_EL2_PREbits_SHIFT) |
           ((uint64_t)(pre - 1) << ICH_VTR_EL2_PRIbits_SHIFT);
}

/* An LR is free when it holds no interrupt and no EOI maintenance request
 * is left in it (a software interrupt with EOI set, now invalid, still
 * reports in EISR until the hypervisor clears it). */
uint64_t nested_ich_elrsr(const uint64_t *lr, unsigned nr)
{
    uint64_t r = 0;

    for (unsigned n = 0; n < nr; n++)
        if (!lr_valid(lr[n]) && ((lr[n] & ICH_LR_EL2_HW) || !(lr[n] & ICH_LR_EL2_HW0_EOI)))
            r |= 1ull << n;
    return r;
}

/* The LRs whose software interrupt was deactivated with EOI set. */
uint64_t nested_ich_eisr(const uint64_t *lr, unsigned nr)
{
    uint64_t r = 0;

    for (unsigned n = 0; n < nr; n++)
        if (!lr_valid(lr[n]) && !(lr[n] & ICH_LR_EL2_HW) && (lr[n] & ICH_LR_EL2_HW0_EOI))
            r |= 1ull << n;
    return r;
}

/* One pass over the LRs (it runs at every L2 exit and entry, through
 * nested_mi_level): how many hold an interrupt, whether one is pending, and
 * whether one asks for EOI maintenance (nested_ich_eisr's condition). */
uint64_t nested_ich_misr(uint64_t hcr, uint64_t vmcr, const uint64_t *lr, unsigned nr)
{
    unsigned valid = 0;
    bool pending = false, eoi = false;
    uint64_t misr = 0;

    for (unsigned n = 0; n < nr; n++) {
        if (lr_valid(lr[n])) {
            valid++;
            /* NP counts State 0b01 only: pending and active is not
             * "pending" (ICH_HCR_EL2.NPIE; QEMU's EL2 agrees). */
            pending |= (lr[n] & ICH_LR_EL2_State_MASK) == SYSREG_ENUM(ICH_LR_EL2_State, PENDING);
        } else {
            eoi |= (lr[n] & (ICH_LR_EL2_HW | ICH_LR_EL2_HW0_EOI)) == ICH_LR_EL2_HW0_EOI;
        }
    }
    if (eoi)
        misr |= ICH_MISR_EL2_EOI;
    if ((hcr & ICH_HCR_EL2_UIE) && valid <= 1)
        misr |= ICH_MISR_EL2_U;
    if ((hcr & ICH_HCR_EL2_LRENPIE) && (hcr & ICH_HCR_EL2_EOIcount_MASK))
        misr |= ICH_MISR_EL2_LRENP;
    if ((hcr & ICH_HCR_EL2_NPIE) && !pending)
        misr |= ICH_MISR_EL2_NP;
    if ((hcr & ICH_HCR_EL2_VGrp0EIE) && (vmcr & ICH_VMCR_EL2_VENG0))
        misr |= ICH_MISR_EL2_VGrp0E;
    if ((hcr & ICH_HCR_EL2_VGrp0DIE) && !(vmcr & ICH_VMCR_EL2_VENG0))
        misr |= ICH_MISR_EL2_VGrp0D;
    if ((hcr & ICH_HCR_EL2_VGrp1EIE) && (vmcr & ICH_VMCR_EL2_VENG1))
        misr |= ICH_MISR_EL2_VGrp1E;
    if ((hcr & ICH_HCR_EL2_VGrp1DIE) && !(vmcr & ICH_VMCR_EL2_VENG1))
        misr |= ICH_MISR_EL2_VGrp1D;
    return misr;
}

/* An LR of the guest hypervisor as the hardware gets it for its guest.
 * A HW entry's pINTID is one of elvisor's virtual INTIDs for L1. When
 * elvisor forwards that one from a physical interrupt (pintid, e.g. the
 * timer PPI of the hardware timer running its guest's timer), the entry
 * keeps HW = 1 with the physical INTID, as KVM's shadow LRs do: its
 * guest's deactivation then deactivates the physical interrupt at once,
 * which alone lets the timer interrupt again while its guest runs without
 * exiting. Otherwise (pintid 0) no hardware deactivation can reach it:
 * the entry goes in as a software one with EOI maintenance, so that the
 * guest's deactivation exits at once and the caller deactivates then (as
 * KVM's shadow LRs do). */
uint64_t nested_shadow_lr(uint64_t lr, uint32_t pintid)
{
    if (!(lr & ICH_LR_EL2_HW))
        return lr;
    lr &= ~ICH_LR_EL2_pINTID_MASK;
    if (!pintid)
        return (lr & ~ICH_LR_EL2_HW) | ICH_LR_EL2_HW0_EOI;
    return lr | (((uint64_t)pintid << ICH_LR_EL2_pINTID_SHIFT) & ICH_LR_EL2_pINTID_MASK);
}

/* What the guest's guest did to an LR (pending -> active -> invalid) goes
 * back into the hypervisor's image; the rest of the image is its own. */
uint64_t nested_fold_lr(uint64_t l1_lr, uint64_t hw_lr)
{
    return (l1_lr & ~ICH_LR_EL2_State_MASK) | (hw_lr & ICH_LR_EL2_State_MASK);
}

uint32_t nested_lr_pintid(uint64_t lr)
{
    return (uint32_t)((lr & ICH_LR_EL2_pINTID_MASK) >> ICH_LR_EL2_pINTID_SHIFT);
}

/* Its maintenance interrupt (INTID 25) is a level: En and a condition. */
bool nested_mi_level(uint64_t hcr, uint64_t vmcr, const uint64_t *lr, unsigned nr)
{
    return (hcr & ICH_HCR_EL2_En) && nested_ich_misr(hcr, vmcr, lr, nr) != 0;
}
