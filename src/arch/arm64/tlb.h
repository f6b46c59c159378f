/* TLB maintenance for guest translation regimes (EL1&0, tagged by VMID). */
#ifndef ELVISOR_ARCH_TLB_H
#define ELVISOR_ARCH_TLB_H

#include <stdint.h>

#include "arch/arm64/sysreg.h"

/* Every stage-1 and stage-2 entry of one VM, on every CPU of the inner
 * shareable domain. TLBI VMALLS12E1IS acts on the VMID in VTTBR_EL2, so the
 * VM's VTTBR is installed for the operation and the previous one put back. */
static inline void tlb_flush_vmid(uint64_t vttbr)
{
    uint64_t saved = read_sysreg(vttbr_el2);

    write_sysreg(vttbr_el2, vttbr);
    isb();
    dsb(ishst);     /* table updates are visible to the walkers first */
    tlbi(vmalls12e1is);
    dsb(ish);
    write_sysreg(vttbr_el2, saved);
    isb();
}

/* Every EL1&0 entry of every VMID on this CPU: what firmware or a previous
 * boot left behind must not be hit by a VM that reuses its VMID. */
static inline void tlb_flush_guests_local(void)
{
    dsb(ishst);
    tlbi(alle1);
    dsb(nsh);
    isb();
}

/* Every EL1&0 entry (stage 1 and stage 2) of every VMID, on every CPU of
 * the inner shareable domain: what a VMID rollover needs before a VMID of
 * the new generation may run anywhere (core/vmid_alloc.h). */
static inline void tlb_flush_guests_all(void)
{
    dsb(ishst);
    tlbi(alle1is);
    dsb(ish);
    isb();
}

#endif
