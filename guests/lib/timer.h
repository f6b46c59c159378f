/* Generic timer helpers: counters and the EL1 virtual and physical timers. */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <stdint.h>

#include "sysreg.h"

#define CNT_CTL_ENABLE  BIT(0)
#define CNT_CTL_IMASK   BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

/* The ISB keeps the counter read from being hoisted across the code that
 * is being timed. */
static inline uint64_t cntvct(void)
{
    isb();
    uint64_t v = read_sysreg(cntvct_el0);
    isb();
    return v;
}

static inline uint64_t cntpct(void)
{
    isb();
    uint64_t v = read_sysreg(cntpct_el0);
    isb();
    return v;
}

static inline uint64_t cntfrq(void) { return read_sysreg(cntfrq_el0); }

static inline uint64_t ticks_from_us(uint64_t us) { return cntfrq() / 1000000 * us + (cntfrq() % 1000000) * us / 1000000; }

static inline void vtimer_set_cval(uint64_t cval) { write_sysreg(cval, cntv_cval_el0); }
static inline void vtimer_set_tval(int32_t tval) { write_sysreg((uint64_t)(int64_t)tval, cntv_tval_el0); }
static inline uint64_t vtimer_cval(void) { return read_sysreg(cntv_cval_el0); }
static inline void vtimer_set_ctl(uint64_t ctl) { write_sysreg(ctl, cntv_ctl_el0); isb(); }
static inline uint64_t vtimer_ctl(void) { return read_sysreg(cntv_ctl_el0); }

static inline void ptimer_set_cval(uint64_t cval) { write_sysreg(cval, cntp_cval_el0); }
static inline void ptimer_set_tval(int32_t tval) { write_sysreg((uint64_t)(int64_t)tval, cntp_tval_el0); }
static inline uint64_t ptimer_cval(void) { return read_sysreg(cntp_cval_el0); }
static inline void ptimer_set_ctl(uint64_t ctl) { write_sysreg(ctl, cntp_ctl_el0); isb(); }
static inline uint64_t ptimer_ctl(void) { return read_sysreg(cntp_ctl_el0); }

#endif
