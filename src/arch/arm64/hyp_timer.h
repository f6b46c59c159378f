/* elvisor's own EL2 physical timer (CNTHP_*_EL2, PPI 26): the scheduler's
 * tick on a physical CPU shared by several vCPUs, and the wake-up for the
 * guest timers of vCPUs that are not loaded there. It compares with the
 * hardware count, which no offset touches at EL2; the register names are
 * the same with E2H 0 and 1. */
#ifndef ELVISOR_ARCH_HYP_TIMER_H
#define ELVISOR_ARCH_HYP_TIMER_H

#include <stdint.h>

#include "arch/arm64/sysreg.h"

static inline void hyp_timer_arm(uint64_t cval)
{
    write_sysreg(cnthp_cval_el2, cval);
    write_sysreg(cnthp_ctl_el2, CNTx_CTL_ENABLE);
    isb();
}

/* Its interrupt is level: off, the line drops. */
static inline void hyp_timer_stop(void)
{
    write_sysreg(cnthp_ctl_el2, 0);
    isb();
}

#endif
