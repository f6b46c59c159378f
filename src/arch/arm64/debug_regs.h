/* A vCPU's self-hosted debug state that EL1 reaches without a trap: the
 * breakpoint and watchpoint registers, the OS lock, the OS double lock and
 * the claim tags. elvisor sets neither MDCR_EL2.TDA nor TDOSA, so these
 * live in the hardware while the vCPU is loaded and are swapped with the
 * vCPU (vcpu_load/vcpu_put), never on an exit. MDSCR_EL1 is switched with
 * the other EL1 registers (el1_regs.h). */
#ifndef ELVISOR_ARCH_DEBUG_REGS_H
#define ELVISOR_ARCH_DEBUG_REGS_H

#include <stdint.h>

#include "arch/arm64/sysreg.h"

struct debug_state {
    /* Only the first hyp_features.brps / .wrps entries are used. */
    uint64_t bvr[DBG_MAX_POINTS], bcr[DBG_MAX_POINTS];
    uint64_t wvr[DBG_MAX_POINTS], wcr[DBG_MAX_POINTS];
    uint64_t osdlr;     /* OSDLR_EL1 */
    uint64_t oslk;      /* OSLSR_EL1.OSLK, as 0 or 1: set through OSLAR_EL1 */
    uint64_t claim;     /* the claim tags, DBGCLAIMCLR_EL1 as read */
};

/* A cold reset: everything 0 but the OS lock, which comes out of reset
 * locked (OSLSR_EL1.OSLK = 1, as bare hardware and QEMU show it). */
static inline void debug_state_reset(struct debug_state *d)
{
    *d = (struct debug_state){ .oslk = 1 };
}

void debug_state_save(struct debug_state *d);
void debug_state_restore(const struct debug_state *d);

#endif
