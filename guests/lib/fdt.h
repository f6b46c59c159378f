/* Just enough flattened-device-tree reading for the guests: the reg
 * (MPIDR affinity) of every /cpus/cpu node. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdint.h>

#define FDT_MAGIC 0xD00DFEEDU

/* Stores up to max cpu reg values in regs[]; returns how many cpu nodes the
 * tree has (may exceed max), or -1 when the blob is not a valid FDT. */
int fdt_cpu_regs(const void *dtb, uint64_t *regs, unsigned max);

#endif
