/* A VM's own time (config `virtual-time = "own"`, docs/vtimer.md): its
 * virtual counter stops while every vCPU of it that is on is runnable but
 * switched out for another VM's, so that the time a busy physical CPU gave
 * to others does not show as a jump in its counter or make its virtual
 * timer fire early. Time a vCPU spends waiting (WFI) or off is its own and
 * runs on. The physical counter always follows wall time. With the default
 * (wall time) none of this runs: vcnt_offset stays cnt_offset. */
#ifndef ELVISOR_CORE_VTIME_H
#define ELVISOR_CORE_VTIME_H

#include <stdint.h>

struct vcpu;
struct vm;

/* v was switched out at hardware count now while it could have run on. */
void vtime_preempted(struct vcpu *v, uint64_t now);
/* v is about to be loaded: the VM's hidden time so far goes into its
 * virtual offset before CNTVOFF_EL2 is written. */
void vtime_resume(struct vcpu *v, uint64_t now);
/* The virtual offset that holds at hardware count now, counting the time
 * the VM is being kept from running as hidden already (for the timers of
 * vCPUs that are not loaded). */
uint64_t vtime_offset_at(struct vm *vm, uint64_t now);
/* The VM restarts (SYSTEM_RESET): nobody is preempted; hidden time so far
 * stays hidden. */
void vtime_reset(struct vm *vm, uint64_t now);

#endif
