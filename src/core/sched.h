/* Each physical CPU runs the vCPUs placed on it, round robin among the
 * runnable ones, and sleeps in WFI when none is. */
#ifndef ELVISOR_CORE_SCHED_H
#define ELVISOR_CORE_SCHED_H

struct pcpu;

void pcpu_loop(struct pcpu *p) __attribute__((noreturn));

#endif
