/* Exceptions elvisor delivers to a guest's EL1, as the hardware would. */
#ifndef ELVISOR_CORE_INJECT_H
#define ELVISOR_CORE_INJECT_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* An undefined-instruction exception for the instruction at the PC. */
void inject_undef(struct vcpu *v);
/* A synchronous external abort on the data access (or instruction fetch)
 * that faulted at virtual address va. */
void inject_dabt_sea(struct vcpu *v, uint64_t va, bool is_write);
void inject_iabt_sea(struct vcpu *v, uint64_t va);

#endif
