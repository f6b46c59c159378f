#include "run/sched.h"

#include "arch/arm64/el1_timer.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/hyp_timer.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/pmu_count.h"
#include "core/pcpu.h"
#include "core/power.h"
#include "core/sched_policy.h"
#include "core/vm.h"
#include "core/vtime.h"
#include "hyp/vcpu_switch.h"
#include "lib/log.h"
#include "run/irq.h"
#include "trap/exit.h"
#include "trap/vtimer.h"

/* A guest timer that never fires and a tick that is off are both "never". */
_Static_assert(VTIMER_NEVER == SCHED_NO_TICK, "one 'never' for the EL2 timer");

struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus;

/* v stops (parked, powered off, restarted): its state goes to memory,
 * FP/SIMD included, where a reset or CPU_ON may rewrite it. */
static void unload(struct pcpu *p, struct vcpu *v)
{
    if (p->loaded == v) {
        vcpu_put(v);
        p->loaded = NULL;
    }
    vcpu_fp_release(v);
}

/* The boot vCPU's CPU reloads a VM once every other vCPU of it is parked.
 * `parked` and the VM state form a two-sided handshake with runnable():
 * both sides store, then read the other's flag, sequentially consistent, so
 * a vCPU cannot enter its guest while its VM is reset under it. */
static void finish_reset(struct vm *vm)
{
    for (unsigned i = 1; i < vm->nr_vcpus; i++)
        if (!__atomic_load_n(&vm->vcpus[i].parked, __ATOMIC_SEQ_CST))
            return;
    if (vm_reset(vm) < 0) {
        log_err("vm %s: reset failed: VM stopped", vm->cfg->name);
        vm->state = VM_STOPPED;
    }
}

static bool all_vms_down(void)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i].state == VM_RUNNING || vms[i].state == VM_RESETTING)
            return false;
    return true;
}

/* With count-el2: the instructions elvisor ran while guests ran, per CPU
 * as of each one's last idle moment (this one's: now). */
static void log_el2_count(void)
{
    struct pcpu *self = this_pcpu();
    uint64_t total = 0;

    if (!pmu_el2_counting)
        return;
    self->el2_insns = pmu_el2_count();
    for (unsigned i = 0; i < nr_pcpus; i++)
        total += __atomic_load_n(&pcpus[i].el2_insns, __ATOMIC_RELAXED);
    log_info("count-el2: %llu instructions at EL2 while guests ran", (unsigned long long)total);
    for (unsigned i = 0; i < nr_pcpus; i++)
        log_info("count-el2: cpu%u %llu", i, (unsigned long long)pcpus[i].el2_insns);
}

static void __attribute__((noreturn)) power_off_when_all_down(void)
{
    log_el2_count();
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i].state == VM_STOPPED)
            machine_power_off(ELVISOR_EXIT_VM_STOPPED, "all VMs are down; vm %s was stopped by elvisor",
                              vms[i].cfg->name);
    machine_power_off(ELVISOR_EXIT_OK, "all VMs are down");
}

/* The loaded vCPU's timers that no hardware timer runs (a guest
 * hypervisor's EL2 timers while its guest runs, its guest's timers while
 * it runs itself): due ones raised, the next deadline kept for the EL2
 * timer (program_tick()). */
static void poll_loaded(struct pcpu *p, struct vcpu *v)
{
    p->loaded_wake = v->ext->poll_timers ? v->ext->poll_timers(v, hw_cntpct()) : SCHED_NO_TICK;
}

/* Brings v's scheduling state up to date (parks it while its VM is not
 * running, starts a pending CPU_ON) and says whether it can run now.
 * runs_next: v runs at once if it can (alone on this CPU), so a WFI
 * wake-up may flush its LRs in the same pass that finds the interrupt. */
/* Inlined: the pinned case runs it on every exit. */
static inline __attribute__((always_inline)) bool runnable(struct pcpu *p, struct vcpu *v, bool runs_next)
{
    struct vm *vm = v->vm;

    for (;;) {
        if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_RUNNING) {
            unload(p, v);
            if (!v->parked) {
                __atomic_store_n(&v->parked, true, __ATOMIC_SEQ_CST);
                /* The CPU finishing a reset waits for every vCPU to park. */
                if (v->id != 0)
                    vcpu_kick(&vm->vcpus[0]);
            }
            if (vm->state == VM_RESETTING && v->id == 0)
                finish_reset(vm);
            /* A finished reset has made this vCPU runnable again. */
            if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_RUNNING)
                return false;
        }
        if (!v->parked)
            break;
        /* Leaving the parked state: a reset requested meanwhile must see
         * this vCPU unparked, or this vCPU must see the reset. */
        __atomic_store_n(&v->parked, false, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&vm->state, __ATOMIC_SEQ_CST) == VM_RUNNING)
            break;
    }
    /* power first: CPU_ON publishes on_pending and the entry point before
     * power (release), so a vCPU seen ON never runs a stale context. */
    if (__atomic_load_n(&v->power, __ATOMIC_ACQUIRE) != VCPU_ON) {
        unload(p, v);
        return false;
    }
    if (__atomic_load_n(&v->on_pending, __ATOMIC_ACQUIRE)) {
        /* PSCI CPU_ON (or boot): start afresh from the entry point. */
        unload(p, v);
        vcpu_reset(v, v->on_entry, v->on_context);
        v->on_pending = false;
    }
    if (v->wait == VCPU_WAIT_WFI) {
        /* Its own timers that no hardware timer runs can end the wait. */
        if (v->ext && v->loaded)
            poll_loaded(p, v);
        /* A vCPU with an extension may run on list registers of its own. */
        if (runs_next && !v->ext ? !vgic_flush_lrs_if_pending(&vm->vgic, v->id)
                                 : !vgic_vcpu_has_pending(&vm->vgic, v->id))
            return false;
        v->wait = VCPU_RUNNING;
    }
    return true;
}

/* Are v's guest timers to be watched while it is not loaded? */
static bool timers_watched(const struct vcpu *v)
{
    return v->vm->state == VM_RUNNING && v->power == VCPU_ON && !v->on_pending;
}

/* Several vCPUs on this CPU: the guest timers of those not loaded live in
 * memory, so elvisor injects their interrupts when due (which may end a
 * WFI), then the round-robin policy picks. */
static struct vcpu *pick_shared(struct pcpu *p)
{
    uint64_t now = hw_cntpct();
    uint32_t can_run;
    uint64_t wake;
    unsigned idx;

    /* A vCPU parking here kicks another one here (a VM reset) with no
     * interrupt: look again, or that one waits for the next exit. */
again:
    p->resched = false;
    can_run = 0;
    wake = SCHED_NO_TICK;
    for (unsigned i = 0; i < p->nr_runq; i++) {
        struct vcpu *v = p->runq[i];

        if (!v->loaded && timers_watched(v)) {
            bool fired;
            uint64_t at = vtimer_poll_unloaded(v, now, &fired);
            if (at < wake)
                wake = at;
        }
        if (runnable(p, v, false))
            can_run |= 1u << i;
    }
    if (p->resched)
        goto again;
    p->timer_wake = wake;
    idx = sched_rr_pick(&p->rr, p->nr_runq, can_run, now, p->slice_ticks, &p->slice_tick);
    return idx == SCHED_NONE ? NULL : p->runq[idx];
}

static struct vcpu *pick(struct pcpu *p)
{
    if (p->nr_runq > 1)
        return pick_shared(p);
    /* A kick from this CPU is seen by the look below (the exit fast path
     * tests resched: it must not stay set from an old kick). */
    p->resched = false;
    if (p->nr_runq == 1 && runnable(p, p->runq[0], true))
        return p->runq[0];
    return NULL;
}

/* The EL2 physical timer fires at the earliest of the slice's end (only
 * while another vCPU here is runnable), the first guest timer deadline
 * of a vCPU not loaded here and that of a timer of the loaded vCPU that
 * no hardware timer runs; otherwise it is off. */
static void program_tick(struct pcpu *p, uint64_t slice_tick)
{
    uint64_t at = p->timer_wake < slice_tick ? p->timer_wake : slice_tick;

    if (p->loaded && p->loaded->ext && p->loaded_wake < at)
        at = p->loaded_wake;

    if (at == p->tick)
        return;
    p->tick = at;
    if (at == SCHED_NO_TICK)
        hyp_timer_stop();
    else
        hyp_timer_arm(at);
}

void sched_tick_expired(void)
{
    struct pcpu *p = this_pcpu();

    /* Level: off until the scheduler asks again, so it does not refire. */
    hyp_timer_stop();
    p->tick = SCHED_NO_TICK;
}

/* Before a vCPU with an extension enters: its software timers first, so
 * that one due now is pending when pre_enter() decides (an interrupt for a
 * guest hypervisor ends its guest's run), and again after, since that may
 * have changed its context and so which timers are in software. It needs
 * the EL2 timer even alone on its CPU. */
static bool __attribute__((noinline)) ext_pre_enter(struct pcpu *p, struct vcpu *v)
{
    bool own_lrs;

    poll_loaded(p, v);
    own_lrs = v->ext->pre_enter(v);
    poll_loaded(p, v);
    program_tick(p, p->slice_tick);
    return own_lrs;
}

static void run(struct pcpu *p, struct vcpu *v)
{
    struct vgic *vgic = &v->vm->vgic;
    uint64_t code;

    if (p->loaded != v) {
        struct vcpu *prev = p->loaded;

        if (prev) {
            vcpu_put(prev);
            /* Switched out while it could run on: with its own time, its
             * VM's counter may stop (core/vtime.h). */
            if (prev->wait == VCPU_RUNNING && timers_watched(prev))
                vtime_preempted(prev, hw_cntpct());
        }
        vtime_resume(v, hw_cntpct());
        vcpu_load(v);
        p->loaded = v;
        /* Its timers are in memory from now on. */
        if (prev && timers_watched(prev)) {
            bool fired;
            uint64_t at = vtimer_poll_unloaded(prev, hw_cntpct(), &fired);
            if (at < p->timer_wake)
                p->timer_wake = at;
            /* One expired meanwhile (its interrupt was pending as it left)
             * and may have made prev runnable after the pick: end this
             * slice on time, or prev waits for an exit that may never come. */
            if (fired && p->slice_tick == SCHED_NO_TICK)
                p->slice_tick = p->rr.slice_end;
        }
    }
    /* A vCPU may run on list registers of its own (a guest hypervisor's
     * guest on its hypervisor's GIC interface), not on elvisor's. */
    if (p->nr_runq > 1)
        program_tick(p, p->slice_tick);
    bool own_lrs = v->ext && ext_pre_enter(p, v);
    if (!own_lrs) {
        vgic_flush_lrs(vgic, v->id);
        vgic_hw_load_lrs(v);
    }
    /* A plain vCPU's HVC, system-register, MMIO and FP/SIMD exits (and
     * those an extension names) are handled from the exit vector while its
     * LRs hold nothing (exit_fast): only what that cannot finish comes back
     * here. */
    code = guest_enter(&v->regs, own_lrs ? NULL : !v->ext ? exit_fast : v->ext->exit_is_fast ? exit_fast_ext : NULL);
    if (own_lrs) {
        v->ext->post_exit(v);
    } else {
        vgic_hw_save_lrs(v);
        vgic_sync_lrs(vgic, v->id);
    }
    if (code != EXIT_SYNC_DONE && handle_exit(v, code))
        handle_phys_irqs();
}

void pcpu_loop(struct pcpu *p)
{
    sched_rr_init(&p->rr);
    p->slice_ticks = read_sysreg(cntfrq_el0) * SCHED_SLICE_US / 1000000;
    p->tick = SCHED_NO_TICK;
    p->timer_wake = SCHED_NO_TICK;
    p->loaded_wake = SCHED_NO_TICK;
    p->slice_tick = SCHED_NO_TICK;
    pmu_el2_count_start();
    for (;;) {
        struct vcpu *v = pick(p);

        if (v) {
            run(p, v);
            continue;
        }
        /* Whichever CPU sees it first: the last VM may live on any CPU. */
        if (all_vms_down())
            power_off_when_all_down();
        /* Parking a vCPU (a VM reset) may have made another one here
         * able to go on, and that kick sends no interrupt. */
        if (p->resched) {
            p->resched = false;
            continue;
        }
        /* Nobody runnable: only guest timers of vCPUs not loaded here need
         * the EL2 timer (the loaded one's timer is in the hardware). */
        if (p->nr_runq > 1 || (p->loaded && p->loaded->ext))
            program_tick(p, SCHED_NO_TICK);
        /* The vCPU still loaded here may wait in WFI for a timer whose PPI
         * another vCPU's register write has just released in the vGIC:
         * the physical PPI must follow now, or the timer cannot wake it. */
        if (p->loaded)
            vgic_apply_hw_resync(&p->loaded->vm->vgic, p->loaded->id);
        if (pmu_el2_counting)
            __atomic_store_n(&p->el2_insns, pmu_el2_count(), __ATOMIC_RELAXED);
        /* Interrupts stay masked at EL2: WFI still wakes on a pending one,
         * which is then handled here. */
        wfi();
        handle_phys_irqs();
    }
}
