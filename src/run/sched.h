/* Each physical CPU runs the vCPUs placed on it, round robin among the
 * runnable ones with a time slice (core/sched_policy.h), and sleeps in WFI
 * when none is. */
#ifndef ELVISOR_RUN_SCHED_H
#define ELVISOR_RUN_SCHED_H

struct pcpu;

void pcpu_loop(struct pcpu *p) __attribute__((noreturn));

/* The EL2 physical timer (PPI 26) fired on this CPU: the next pick looks
 * at the slice and at the guest timers of the vCPUs not loaded here. */
void sched_tick_expired(void);

#endif
