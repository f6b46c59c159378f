/* SMCCC and PSCI calls of a guest (trap/psci.c); the function numbers and
 * return codes are the architecture's (arch/arm64/smccc.h). */
#ifndef ELVISOR_TRAP_SMCCC_H
#define ELVISOR_TRAP_SMCCC_H

#include <stdbool.h>

#include "arch/arm64/smccc.h"

struct vcpu;

/* Handles an HVC or SMC from the guest. Returns false when the vCPU must
 * not continue (it powered off, or its VM is going down). */
bool smccc_handle(struct vcpu *v);

#endif
