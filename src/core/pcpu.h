/* Per-physical-CPU state. TPIDR_EL2 points at the running CPU's struct
 * pcpu; the exit vectors use its first two fields. */
#ifndef ELVISOR_CORE_PCPU_H
#define ELVISOR_CORE_PCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/asm_offsets.h"
#include "core/sched_policy.h"

struct vcpu;

struct pcpu {
    void *guest_regs;           /* struct vcpu_regs of the vCPU in the guest */
    uint64_t hyp_sp;            /* elvisor's SP while the guest runs */
    unsigned id;
    uint64_t mpidr;
    uint64_t gicr_base;         /* this CPU's physical redistributor */
    volatile bool online;
    struct vcpu *loaded;        /* vCPU whose state is in the hardware, or NULL */
    struct vcpu *runq[MAX_PCPUS * 2];   /* vCPUs placed on this CPU */
    unsigned nr_runq;
    bool resched;               /* a vCPU here was kicked from this CPU: pick again before sleeping */
    /* Only used with more than one vCPU in runq. */
    struct sched_rr rr;         /* whose time slice runs */
    uint64_t slice_ticks;       /* SCHED_SLICE_US in counter ticks */
    uint64_t slice_tick;        /* when the slice must end, SCHED_NO_TICK: no other vCPU can run */
    uint64_t tick;              /* what the EL2 physical timer is set to: SCHED_NO_TICK = off */
    uint64_t timer_wake;        /* earliest guest timer deadline of a vCPU not loaded here */
};
_Static_assert(MAX_PCPUS * 2 <= SCHED_MAX_RUNQ, "runnable masks hold every vCPU of a CPU");
_Static_assert(offsetof(struct pcpu, guest_regs) == PCPU_GUEST_REGS, "asm offset");
_Static_assert(offsetof(struct pcpu, hyp_sp) == PCPU_HYP_SP, "asm offset");

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned nr_pcpus;

struct pcpu *this_pcpu(void);

#endif
