/* Logical CPUs of a guest: index 0 is the boot CPU, the others are the
 * DTB's remaining /cpus entries in order, started with PSCI CPU_ON. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>

#include "sysreg.h"

#define SMP_CTX_CPU_MASK    0xFFUL
#define SMP_CTX_TAG_SHIFT   8

typedef void (*cpu_fn)(uint64_t arg);

static inline unsigned cpu_index(void) { return (unsigned)read_sysreg(tpidr_el1); }

/* Fills the CPU table from the DTB; returns the number of CPUs found. */
unsigned smp_init(const void *dtb);
unsigned smp_num_cpus(void);
uint64_t smp_cpu_mpidr(unsigned cpu);   /* the DTB's reg value: MPIDR affinity */

/* PSCI CPU_ON of logical CPU cpu; it runs fn(arg) on its own stack with its
 * GIC CPU interface up, then calls CPU_OFF if fn returns. The context id
 * passed is (tag << 8) | cpu. Returns the PSCI result. */
int64_t smp_cpu_on(unsigned cpu, cpu_fn fn, uint64_t arg, uint64_t tag);
uint64_t smp_context_id(unsigned cpu, uint64_t tag);
/* The x0 the CPU last arrived with, and how many times it has booted. */
uint64_t smp_boot_x0(unsigned cpu);
unsigned smp_boot_count(unsigned cpu);
/* Waits until cpu has booted more than `seen` times; false on timeout. */
int smp_wait_booted(unsigned cpu, unsigned seen, uint64_t timeout_us);

void guest_secondary_c(unsigned cpu, uint64_t x0);
void guest_secondary_entry(void);

#endif
