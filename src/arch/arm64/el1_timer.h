/* The guest's EL1 timers in the hardware. Under VHE the EL0 timer names
 * would reach elvisor's own EL2 timers, so the _EL02 aliases are used;
 * under nVHE the EL0 names are the EL1 timers. Values are the raw
 * registers: converting to the guest's view is vtimer.h's job. */
#ifndef ELVISOR_ARCH_EL1_TIMER_H
#define ELVISOR_ARCH_EL1_TIMER_H

#include <stdint.h>

#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"

static inline uint64_t el1_ptimer_ctl(void)
{
    return hyp_vhe ? read_sysreg(CNTP_CTL_EL02) : read_sysreg(cntp_ctl_el0);
}

static inline void el1_ptimer_set_ctl(uint64_t v)
{
    if (hyp_vhe)
        write_sysreg(CNTP_CTL_EL02, v);
    else
        write_sysreg(cntp_ctl_el0, v);
}

static inline uint64_t el1_ptimer_cval(void)
{
    return hyp_vhe ? read_sysreg(CNTP_CVAL_EL02) : read_sysreg(cntp_cval_el0);
}

static inline void el1_ptimer_set_cval(uint64_t v)
{
    if (hyp_vhe)
        write_sysreg(CNTP_CVAL_EL02, v);
    else
        write_sysreg(cntp_cval_el0, v);
}

static inline uint64_t el1_vtimer_ctl(void)
{
    return hyp_vhe ? read_sysreg(CNTV_CTL_EL02) : read_sysreg(cntv_ctl_el0);
}

static inline void el1_vtimer_set_ctl(uint64_t v)
{
    if (hyp_vhe)
        write_sysreg(CNTV_CTL_EL02, v);
    else
        write_sysreg(cntv_ctl_el0, v);
}

static inline uint64_t el1_vtimer_cval(void)
{
    return hyp_vhe ? read_sysreg(CNTV_CVAL_EL02) : read_sysreg(cntv_cval_el0);
}

static inline void el1_vtimer_set_cval(uint64_t v)
{
    if (hyp_vhe)
        write_sysreg(CNTV_CVAL_EL02, v);
    else
        write_sysreg(cntv_cval_el0, v);
}

/* The hardware count: no offset applies to EL2's own reads. */
static inline uint64_t hw_cntpct(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

#endif
