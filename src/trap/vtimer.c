/* Emulation of the EL1 physical counter and timer on CPUs without
 * CNTPOFF_EL2 (hyp_ptimer_emulated): the accesses trap, and the trapped
 * vCPU is loaded, so its timer is in the hardware EL1 physical timer with
 * CVAL + offset (vtimer.h). And the timers of a vCPU that shares its
 * physical CPU and is not loaded there: saved in memory, they are checked
 * by the scheduler, which fires them in software. */
#include "trap/vtimer.h"

#include "arch/arm64/el1_timer.h"
#include "arch/arm64/hyp.h"
#include "core/vm.h"
#include "core/vtime.h"

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

/* The guest's CVAL lives in v->timers while the timer is emulated: the
 * hardware register may hold a saturated value (vtimer_cval_to_hw()). The
 * trapped registers are the EL1 physical timer's, which the hardware EL1
 * physical timer runs while the trapping vCPU is loaded. */
static void set_guest_cval(struct vcpu *v, uint64_t cval)
{
    v->timers[VTIMER_EL1_PHYS].cval = cval;
    el1_ptimer_set_cval(vtimer_cval_to_hw(cval, cval_offset(v)));
}

bool vtimer_ptimer_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = v->timers[VTIMER_EL1_PHYS].cval;
    return true;
}

bool vtimer_ptimer_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    set_guest_cval(v, val);
    return true;
}

bool vtimer_ptimer_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vtimer_tval_read(v->timers[VTIMER_EL1_PHYS].cval, guest_count(v));
    return true;
}

bool vtimer_ptimer_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    set_guest_cval(v, vtimer_tval_to_cval(val, guest_count(v)));
    return true;
}

/* One timer of a vCPU that is not loaded; see vtimer_poll_unloaded(). */
static void poll_one(struct vcpu *v, enum vtimer_id id, uint64_t now, uint64_t *next, bool *fired)
{
    const struct vtimer *t = &v->timers[id];
    unsigned intid = vtimer_ppi(id);
    /* Virtual timers compare the virtual count, which stops while the VM
     * is kept from running when it has its own time (core/vtime.h). */
    bool virt = id == VTIMER_EL1_VIRT || id == VTIMER_EL2_VIRT;
    uint64_t off = virt ? vtime_offset_at(v->vm, now) : v->vm->cnt_offset;
    uint64_t at = vtimer_hw_deadline(t->ctl, t->cval, off);

    /* The guest has not finished with the last one: whatever the timer
     * does now, its level is only seen again after the deactivation, which
     * needs the vCPU loaded, where the hardware timer takes over. */
    if (at == VTIMER_NEVER || vgic_irq_in_flight(&v->vm->vgic, v->id, intid, NULL))
        return;
    if (at <= now) {
        /* Forwarded, as the hardware would have delivered it, from the
         * hardware timer that will run it: loading the vCPU then makes
         * that physical PPI active (vcpu_load()) and the guest's
         * deactivation releases it. A timer no hardware one runs is
         * delivered in software. */
        struct vtimer_map m;
        enum hw_timer hw;
        vcpu_timer_map(v, &m);
        hw = vtimer_map_hw_of(&m, id);
        if (hw != HW_TIMER_NR)
            vgic_inject_hw(&v->vm->vgic, v->id, intid, hw_timer_ppi(hw));
        else
            vgic_inject_edge(&v->vm->vgic, v->id, intid);
        *fired = true;
        return;
    }
    if (at < *next)
        *next = at;
}

uint64_t vtimer_poll_unloaded(struct vcpu *v, uint64_t now, bool *fired)
{
    uint64_t next = VTIMER_NEVER;

    *fired = false;
    for (unsigned id = 0; id < VTIMER_NR; id++)
        poll_one(v, (enum vtimer_id)id, now, &next, fired);
    return next;
}
