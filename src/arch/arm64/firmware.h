/* Calls to the firmware below elvisor (QEMU's built-in PSCI here), over
 * SMC or HVC as the boot DTB's /psci node says. */
#ifndef ELVISOR_ARCH_FIRMWARE_H
#define ELVISOR_ARCH_FIRMWARE_H

#include <stdbool.h>
#include <stdint.h>

void firmware_set_conduit(bool smc);
int64_t firmware_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
void firmware_system_off(void) __attribute__((noreturn));
void firmware_system_reset(void) __attribute__((noreturn));

#endif
