/* The guest-time arithmetic of vtimer.h: modulo 2^64, like the counters. */
#include "vdev/vtimer.h"

#include "arch/arm64/sysreg.h"

uint64_t vtimer_count(uint64_t hw_count, uint64_t offset)
{
    return hw_count - offset;
}

uint64_t vtimer_cval_to_hw(uint64_t cval, uint64_t offset)
{
    /* The timer condition compares unsigned counts: a CVAL that guest time
     * cannot reach (guest count = hardware count - offset) must not wrap
     * into one the hardware reaches at once. */
    return cval > UINT64_MAX - offset ? UINT64_MAX : cval + offset;
}

uint64_t vtimer_ptimer_hw_offset(bool emulated, uint64_t vm_offset)
{
    return emulated ? vm_offset : 0;
}

uint64_t vtimer_tval_read(uint64_t cval, uint64_t count)
{
    return (uint32_t)(cval - count);
}

uint64_t vtimer_tval_to_cval(uint64_t tval, uint64_t count)
{
    return count + (uint64_t)(int64_t)(int32_t)(uint32_t)tval;
}

uint64_t vtimer_ctl_write_value(uint64_t val)
{
    return val & (CNTx_CTL_ENABLE | CNTx_CTL_IMASK);
}

bool vtimer_ctl_line(uint64_t ctl)
{
    return (ctl & (CNTx_CTL_ENABLE | CNTx_CTL_IMASK | CNTx_CTL_ISTATUS)) ==
           (CNTx_CTL_ENABLE | CNTx_CTL_ISTATUS);
}

uint64_t vtimer_hw_deadline(uint64_t ctl, uint64_t cval, uint64_t offset)
{
    if ((ctl & (CNTx_CTL_ENABLE | CNTx_CTL_IMASK)) != CNTx_CTL_ENABLE)
        return VTIMER_NEVER;
    /* The guest's count starts at 0 when the hardware's is at offset. */
    if (cval > VTIMER_NEVER - offset)
        return VTIMER_NEVER;
    return cval + offset;
}
