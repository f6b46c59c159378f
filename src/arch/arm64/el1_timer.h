/* The guest's EL1 timers in the hardware. Under VHE the EL0 timer names
 * would reach elvisor's own EL2 timers, so the _EL02 aliases are used;
 * under nVHE the EL0 names are the EL1 timers. Values are the raw
 * registers: converting to the guest's view is vtimer.h's job. */
#ifndef ELVISOR_ARCH_EL1_TIMER_H
#define ELVISOR_ARCH_EL1_TIMER_H

#include <stdint.h>

#include "arch/arm64/hw_timer.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"

/* Each EL1 timer's CTL and CVAL by its hardware names: the _EL02 alias
 * (a database register, so without its SYS_ prefix) and the EL0 name. */
#define EL1_TIMER_ACCESSORS(name, vhe_ctl, nvhe_ctl, vhe_cval, nvhe_cval)                \
    static inline uint64_t name##_ctl(void)                                              \
    {                                                                                    \
        return hyp_vhe ? read_sysreg_s(SYS_##vhe_ctl) : read_sysreg(nvhe_ctl);           \
    }                                                                                    \
    static inline void name##_set_ctl(uint64_t v)                                        \
    {                                                                                    \
        if (hyp_vhe)                                                                     \
            write_sysreg_s(SYS_##vhe_ctl, v);                                            \
        else                                                                             \
            write_sysreg(nvhe_ctl, v);                                                   \
    }                                                                                    \
    static inline uint64_t name##_cval(void)                                             \
    {                                                                                    \
        return hyp_vhe ? read_sysreg_s(SYS_##vhe_cval) : read_sysreg(nvhe_cval);         \
    }                                                                                    \
    static inline void name##_set_cval(uint64_t v)                                       \
    {                                                                                    \
        if (hyp_vhe)                                                                     \
            write_sysreg_s(SYS_##vhe_cval, v);                                           \
        else                                                                             \
            write_sysreg(nvhe_cval, v);                                                  \
    }

EL1_TIMER_ACCESSORS(el1_ptimer, CNTP_CTL_EL02, cntp_ctl_el0, CNTP_CVAL_EL02, cntp_cval_el0)
EL1_TIMER_ACCESSORS(el1_vtimer, CNTV_CTL_EL02, cntv_ctl_el0, CNTV_CVAL_EL02, cntv_cval_el0)

/* The same by enum hw_timer, for code that iterates over the timers. */
static inline uint64_t hw_timer_ctl(enum hw_timer t)
{
    return t == HW_TIMER_EL1_PHYS ? el1_ptimer_ctl() : el1_vtimer_ctl();
}

static inline void hw_timer_set_ctl(enum hw_timer t, uint64_t v)
{
    if (t == HW_TIMER_EL1_PHYS)
        el1_ptimer_set_ctl(v);
    else
        el1_vtimer_set_ctl(v);
}

static inline uint64_t hw_timer_cval(enum hw_timer t)
{
    return t == HW_TIMER_EL1_PHYS ? el1_ptimer_cval() : el1_vtimer_cval();
}

static inline void hw_timer_set_cval(enum hw_timer t, uint64_t v)
{
    if (t == HW_TIMER_EL1_PHYS)
        el1_ptimer_set_cval(v);
    else
        el1_vtimer_set_cval(v);
}

/* The hardware count: no offset applies to EL2's own reads. */
static inline uint64_t hw_cntpct(void)
{
    isb();
    return read_sysreg(cntpct_el0);
}

#endif
