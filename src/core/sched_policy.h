/* Which vCPU a physical CPU runs next, as pure logic (host tested):
 * round robin among the runnable vCPUs placed on the CPU, each keeping the
 * CPU for a time slice unless it blocks first. elvisor's EL2 physical timer
 * ends a slice only while another vCPU there can run; with one runnable
 * vCPU no tick is programmed at all (docs/configuration.md, CPU
 * placement). */
#ifndef ELVISOR_CORE_SCHED_POLICY_H
#define ELVISOR_CORE_SCHED_POLICY_H

#include <stdint.h>

/* How long a vCPU may keep a shared physical CPU while another one there
 * is runnable: long enough that the switch (EL1, FP/SIMD, timer and GIC
 * state, both ways) costs well under 1 %, short enough that a woken vCPU
 * waits at most this long per vCPU ahead of it. */
#define SCHED_SLICE_US      10000

#define SCHED_NONE          0xffffffffu     /* no vCPU */
#define SCHED_NO_TICK       UINT64_MAX      /* nothing to preempt */
#define SCHED_MAX_RUNQ      32u             /* runnable masks are 32 bits */

struct sched_rr {
    unsigned owner;         /* runq index whose slice is running, SCHED_NONE: none */
    uint64_t slice_end;     /* counter value at which that slice ends */
    unsigned cursor;        /* where the search for the next owner starts */
};

void sched_rr_init(struct sched_rr *s);

/* At counter value now, with bit i of runnable set when runq[i] can run
 * (nr <= SCHED_MAX_RUNQ): the owner keeps the CPU while it is runnable and
 * its slice lasts; otherwise the next runnable vCPU after it in runq order
 * gets a new slice of `slice` ticks. Returns its index, or SCHED_NONE when
 * none is runnable. *tick is the counter value at which the CPU must be
 * interrupted to move on: the slice's end while another vCPU is runnable,
 * else SCHED_NO_TICK. */
unsigned sched_rr_pick(struct sched_rr *s, unsigned nr, uint32_t runnable, uint64_t now,
                       uint64_t slice, uint64_t *tick);

#endif
