/* elvisor's own instruction count, for `make bench`: the PMU's event
 * counter 0 counts the instructions retired at EL2 and nothing else (a
 * guest never sees the PMU: MDCR_EL2.TPM traps every access), so a run can
 * tell exactly how many of its instructions were elvisor's, whatever the
 * guest did meanwhile. Off unless the boot arguments ask for it
 * (`count-el2`) and the CPU has an Arm PMU. On hardware each CPU counts its
 * own instructions. QEMU 10 under -icount counts the whole machine's
 * instructions while a CPU's counter is enabled, so there the figure is
 * elvisor's alone only while no other CPU runs: a VM with one vCPU. */
#ifndef ELVISOR_ARCH_PMU_COUNT_H
#define ELVISOR_ARCH_PMU_COUNT_H

#include <stdbool.h>
#include <stdint.h>

extern bool pmu_el2_counting;

/* This CPU starts counting from zero (when pmu_el2_counting). */
void pmu_el2_count_start(void);
/* Instructions this CPU retired at EL2 since its pmu_el2_count_start(), 0
 * when not counting. */
uint64_t pmu_el2_count(void);

#endif
