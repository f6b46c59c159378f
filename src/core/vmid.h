/* VMIDs for every guest translation regime elvisor runs: a VM's own, the
 * nested context of a guest hypervisor's guest, and each shadow stage-2
 * context (hardware VMIDs are one space). The allocator is vmid_alloc.h's;
 * this is its per-CPU glue: one lock for the slow path, the TLB flush of a
 * rollover, the log. */
#ifndef ELVISOR_CORE_VMID_H
#define ELVISOR_CORE_VMID_H

#include <stdint.h>

#include "arch/arm64/sysreg.h"
#include "core/vmid_alloc.h"

/* At boot, before any CPU runs a guest: cpu_bits is the CPU's VMID width
 * (8 or 16); want_bits, when not 0, a smaller space for testing (the
 * `vmid-bits=N` boot option), raised to leave a free VMID after every CPU
 * kept one at a rollover. Returns the width used. */
unsigned vmid_init(unsigned cpu_bits, unsigned want_bits, unsigned nr_cpus);

/* The VMID this CPU is about to run c under, renewed first if its
 * generation has passed: call it right before writing VTTBR_EL2 for a
 * guest regime (vCPU load, a nested regime switch), never on plain exits. */
uint16_t vmid_use(struct vmid_ctx *c);

/* This CPU runs no guest regime any more (vCPU put). */
void vmid_idle(void);

/* The VMID c last had, for TLB maintenance by VMID (0: none yet, nothing
 * to flush). */
uint16_t vmid_last(const struct vmid_ctx *c);

/* Rollovers so far, for the log line at a VM's power-off. */
void vmid_log_summary(void);

static inline uint64_t vmid_vttbr(uint64_t root, uint16_t vmid)
{
    return root | ((uint64_t)vmid << VTTBR_EL2_VMID_SHIFT);
}

#endif
