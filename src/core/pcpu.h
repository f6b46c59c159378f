/* Per-physical-CPU state. TPIDR_EL2 points at the running CPU's struct
 * pcpu, whose first member is the hardware layer's part (arch/arm64/cpu.h). */
#ifndef ELVISOR_CORE_PCPU_H
#define ELVISOR_CORE_PCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/asm_offsets.h"
#include "arch/arm64/cpu.h"
#include "core/sched_policy.h"

struct vcpu;

struct pcpu {
    struct arch_cpu arch;       /* first: TPIDR_EL2 points at both */
    unsigned id;
    uint64_t mpidr;
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
    uint64_t loaded_wake;       /* earliest deadline of the loaded vCPU's timers no hardware one runs */
    uint64_t timer_wake;        /* earliest guest timer deadline of a vCPU not loaded here */
    /* Whose FP/SIMD state the registers hold (lazy switching,
     * hyp/vcpu_switch.h), or NULL: v->fp is then the truth for everyone. */
    struct vcpu *fp_owner;
    /* Instructions this CPU has run at EL2 since it began running guests
     * (count-el2, arch/arm64/pmu_count.h), as of its last idle moment. */
    uint64_t el2_insns;
};
_Static_assert(MAX_PCPUS * 2 <= SCHED_MAX_RUNQ, "runnable masks hold every vCPU of a CPU");
_Static_assert(offsetof(struct pcpu, arch) == 0, "TPIDR_EL2 points at both");

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned nr_pcpus;

static inline struct pcpu *this_pcpu(void)
{
    return (struct pcpu *)(void *)arch_this_cpu();
}

#endif
