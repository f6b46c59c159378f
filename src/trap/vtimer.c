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

uint64_t vtimer_offset(const struct vcpu *v, enum vtimer_id id)
{
    /* Only a guest's EL1 virtual timer counts the VM's virtual time (which
     * stops while the VM is kept from running when it has its own time,
     * core/vtime.h), plus an offset of its own on top (a guest
     * hypervisor's CNTVOFF_EL2 for its guest); the EL2 timers of a guest
     * hypervisor compare its physical count. */
    if (id != VTIMER_EL1_VIRT)
        return v->vm->cnt_offset;
    return vtime_offset_at(v->vm, hw_cntpct()) + v->timer_voff;
}

uint64_t vtimer_ctx_count(const struct vcpu *v, enum vtimer_id id)
{
    return vtimer_count(hw_cntpct(), vtimer_offset(v, id));
}

/* The hardware EL1 timer that runs timer id now, or HW_TIMER_NR. */
static enum hw_timer running_on(const struct vcpu *v, enum vtimer_id id)
{
    return v->loaded ? vtimer_map_hw_of(&v->tmap, id) : HW_TIMER_NR;
}

/* The hardware virtual timer holds the guest's CVAL (CNTVOFF_EL2 moves the
 * comparison); the emulated physical one holds CVAL + offset, and then the
 * guest's CVAL is kept in memory at every write. */
static uint64_t hw_cval_offset(const struct vcpu *v, enum hw_timer t)
{
    return t == HW_TIMER_EL1_PHYS ? vtimer_ptimer_hw_offset(hyp_ptimer_emulated, v->vm->cnt_offset) : 0;
}

uint64_t vtimer_ctx_ctl(const struct vcpu *v, enum vtimer_id id)
{
    enum hw_timer hw = running_on(v, id);
    uint64_t ctl = v->timers[id].ctl;

    /* ISTATUS is the hardware's while a hardware timer runs it. */
    if (hw != HW_TIMER_NR)
        return hw_timer_ctl(hw);
    /* In memory: the condition as the hardware would compute it now. */
    ctl &= ~CNTx_CTL_ISTATUS;
    if ((ctl & CNTx_CTL_ENABLE) && vtimer_ctx_count(v, id) >= v->timers[id].cval)
        ctl |= CNTx_CTL_ISTATUS;
    return ctl;
}

void vtimer_ctx_set_ctl(struct vcpu *v, enum vtimer_id id, uint64_t val)
{
    enum hw_timer hw = running_on(v, id);

    val = vtimer_ctl_write_value(val);
    v->timers[id].ctl = val;
    if (hw != HW_TIMER_NR)
        hw_timer_set_ctl(hw, val);
}

uint64_t vtimer_ctx_cval(const struct vcpu *v, enum vtimer_id id)
{
    enum hw_timer hw = running_on(v, id);

    if (hw != HW_TIMER_NR && hw_cval_offset(v, hw) == 0)
        return hw_timer_cval(hw);
    return v->timers[id].cval;
}

void vtimer_ctx_set_cval(struct vcpu *v, enum vtimer_id id, uint64_t cval)
{
    enum hw_timer hw = running_on(v, id);

    v->timers[id].cval = cval;
    if (hw != HW_TIMER_NR)
        hw_timer_set_cval(hw, vtimer_cval_to_hw(cval, hw_cval_offset(v, hw)));
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

/* The trapped CNTP_* registers are those of the hardware EL1 physical
 * timer, which runs the timer the vCPU's context gives it (vcpu_load()):
 * a plain guest's EL1 physical timer, or a guest hypervisor's CNTHP in its
 * hyp context (its EL0 timer names reach the EL1 timers there). */
static enum vtimer_id ptimer_id(const struct vcpu *v)
{
    return v->tmap.hw[HW_TIMER_EL1_PHYS];
}

bool vtimer_ptimer_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    /* ISTATUS is the hardware's: it compares CVAL + offset with the hardware count. */
    *val = el1_ptimer_ctl();
    return true;
}

bool vtimer_ptimer_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    vtimer_ctx_set_ctl(v, ptimer_id(v), val);
    return true;
}

bool vtimer_ptimer_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = v->timers[ptimer_id(v)].cval;
    return true;
}

bool vtimer_ptimer_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    vtimer_ctx_set_cval(v, ptimer_id(v), val);
    return true;
}

bool vtimer_ptimer_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vtimer_tval_read(v->timers[ptimer_id(v)].cval, guest_count(v));
    return true;
}

bool vtimer_ptimer_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    vtimer_ctx_set_cval(v, ptimer_id(v), vtimer_tval_to_cval(val, guest_count(v)));
    return true;
}

/* One timer of a vCPU that is not loaded; see vtimer_poll_unloaded(). */
static void poll_one(struct vcpu *v, enum vtimer_id id, uint64_t now, uint64_t *next, bool *fired)
{
    const struct vtimer *t = &v->timers[id];
    unsigned intid = vtimer_ppi(id);
    uint64_t at = vtimer_hw_deadline(t->ctl, t->cval, vtimer_offset(v, id));

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

uint64_t vtimer_poll_sw(struct vcpu *v, uint64_t now, bool *fired)
{
    uint64_t next = VTIMER_NEVER;

    *fired = false;
    for (unsigned id = 0; id < VTIMER_NR; id++)
        if (vtimer_map_hw_of(&v->tmap, (enum vtimer_id)id) == HW_TIMER_NR)
            poll_one(v, (enum vtimer_id)id, now, &next, fired);
    return next;
}
