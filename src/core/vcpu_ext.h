/* What a vCPU can be beyond a plain EL1 guest: today a guest hypervisor in
 * virtual EL2 (src/nested/). The layers below nested virtualization (the
 * world switch, trap handling, the run loop's entry and exit) call it only
 * through this table, so none of them knows what it is; a vCPU without one
 * (v->ext == NULL) is a plain guest. docs/architecture.md has the picture. */
#ifndef ELVISOR_CORE_VCPU_EXT_H
#define ELVISOR_CORE_VCPU_EXT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct sysreg_desc;
struct vtimer_map;

struct vcpu_ext_ops {
    /* After the architectural reset of the vCPU's EL1 state. */
    void (*reset)(struct vcpu *v);
    /* In vcpu_load(), after HCR_EL2 and before the EL1 registers. */
    void (*load)(struct vcpu *v);
    /* Before each entry. True when the vCPU runs on list registers of its
     * own: elvisor's vGIC then neither fills nor reads the hardware ones,
     * and post_exit() is called after the exit instead. */
    bool (*pre_enter)(struct vcpu *v);
    void (*post_exit)(struct vcpu *v);
    /* A synchronous exit, before elvisor's table sees it: true when the
     * extension handled it. */
    bool (*sync_exit)(struct vcpu *v, uint64_t esr);
    /* Whether a synchronous exit may be handled on the exit fast path
     * (trap/exit.h exit_fast): sync_exit(), then elvisor's table, handle it
     * with the vCPU's GIC state left in the hardware, and the vCPU enters
     * again without pre_enter(). Only for exits that change nothing
     * pre_enter() computes. NULL: none. */
    bool (*exit_is_fast)(const struct vcpu *v, uint64_t esr);
    /* System registers only this kind of vCPU has (the trap table looks
     * here first), or NULL. */
    const struct sysreg_desc *(*sysreg)(uint32_t key);
    /* The SPSR an exception injected now must save, from the hardware
     * PSTATE (a vEL2 vCPU in its hyp context says EL2 where the hardware
     * runs EL1). */
    uint64_t (*inject_spsr)(const struct vcpu *v, uint64_t hw_pstate);
    /* Which of its timers the hardware EL1 timers run in its current
     * context (vdev/vtimer.h); NULL: the plain guest's map. */
    void (*timer_map)(const struct vcpu *v, struct vtimer_map *m);
    /* While loaded, before each entry and while it waits in WFI: raises
     * the interrupts of its timers that no hardware timer runs and that
     * are due at hardware count now; returns the earliest hardware count
     * at which another will be (VTIMER_NEVER: none), which elvisor's EL2
     * timer then watches. NULL: it has none. */
    uint64_t (*poll_timers)(struct vcpu *v, uint64_t now);
    /* In vcpu_put(), before its state leaves the CPU; NULL: nothing. */
    void (*put)(struct vcpu *v);
    /* When its VM stops: logs what only the extension counted (a line or
     * two per vCPU); NULL: nothing. */
    void (*report)(const struct vcpu *v);
};

#endif
