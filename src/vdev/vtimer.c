/* Emulation of the EL1 physical counter and timer on CPUs without
 * CNTPOFF_EL2 (hyp_ptimer_emulated): the accesses trap, and the trapped
 * vCPU is loaded, so its timer is in the hardware EL1 physical timer with
 * CVAL + offset (vtimer.h). */
#include "vdev/vtimer.h"

#include "arch/arm64/el1_timer.h"
#include "arch/arm64/hyp.h"
#include "core/vm.h"

static uint64_t guest_count(const struct vcpu *v)
{
    return vtimer_count(hw_cntpct(), v->vm->cnt_offset);
}

static uint64_t cval_offset(const struct vcpu *v)
{
    return vtimer_ptimer_hw_offset(hyp_ptimer_emulated, v->vm->cnt_offset);
}

bool vtimer_cntpct_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = guest_count(v);
    return true;
}

/* The self-synchronized view exists only with FEAT_ECV; without it the
 * encoding is unallocated and the guest gets the UNDEF hardware would give. */
bool vtimer_cntpctss_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (hyp_features.ecv == 0)
        return false;
    *val = guest_count(v);
    return true;
}

bool vtimer_ptimer_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    /* ISTATUS is the hardware's: it compares CVAL + offset with the hardware count. */
    *val = el1_ptimer_ctl();
    return true;
}

bool vtimer_ptimer_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    el1_ptimer_set_ctl(vtimer_ctl_write_value(val));
    return true;
}

bool vtimer_ptimer_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vtimer_cval_from_hw(el1_ptimer_cval(), cval_offset(v));
    return true;
}

bool vtimer_ptimer_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    el1_ptimer_set_cval(vtimer_cval_to_hw(val, cval_offset(v)));
    return true;
}

bool vtimer_ptimer_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    uint64_t cval = vtimer_cval_from_hw(el1_ptimer_cval(), cval_offset(v));

    *val = vtimer_tval_read(cval, guest_count(v));
    return true;
}

bool vtimer_ptimer_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    uint64_t cval = vtimer_tval_to_cval(val, guest_count(v));

    el1_ptimer_set_cval(vtimer_cval_to_hw(cval, cval_offset(v)));
    return true;
}
