/* What the guests ask of the DTB they boot with: the reg (MPIDR affinity)
 * of every /cpus/cpu node, the interrupt controller, the memory nodes,
 * /chosen/bootargs, /psci/method and which node's reg covers an address.
 * Answered with elvisor's own FDT reader (src/lib/fdt.h), which checks
 * every offset against the blob. */
#ifndef GUEST_DTB_H
#define GUEST_DTB_H

#include <stdint.h>

#include "lib/fdt.h"

/* Stores up to max cpu reg values in regs[]; returns how many cpu nodes the
 * tree has (may exceed max), or -1 when the blob is not a valid FDT. */
int dtb_cpu_regs(const void *dtb, uint64_t *regs, unsigned max);

#define DTB_GIC_MAX_REGS 4

struct dtb_gic {
    unsigned version;                   /* 2 or 3 */
    unsigned nregs;                     /* reg entries found (<= DTB_GIC_MAX_REGS) */
    uint64_t base[DTB_GIC_MAX_REGS];    /* v2: GICD, GICC, ...; v3: GICD, GICR, ... */
    uint64_t size[DTB_GIC_MAX_REGS];
};

/* Finds the first node that is an interrupt-controller and whose compatible
 * list names a GIC: "arm,gic-v3" (version 3) or "arm,cortex-a15-gic",
 * "arm,gic-400", "arm,cortex-a7-gic" (version 2). reg is read with the
 * parent's #address-cells/#size-cells; bus ranges are not translated (the
 * virt GIC sits at the root). Returns 1 when found, 0 when the tree has no
 * such node, -1 when the blob is not a valid FDT. */
int dtb_find_gic(const void *dtb, struct dtb_gic *gic);

/* Stores up to max (base, size) ranges of the top-level nodes whose
 * device_type is "memory" (every reg entry of each, read with the root's
 * #address-cells/#size-cells); returns how many ranges there are (may
 * exceed max), or -1 when the blob is not a valid FDT or a reg uses cell
 * counts other than 1 or 2. */
int dtb_memory_ranges(const void *dtb, uint64_t *base, uint64_t *size, unsigned max);

/* The first memory range: 1 and *base, *size when there is one, 0 without
 * one, -1 when the blob is not an FDT. */
int dtb_memory(const void *dtb, uint64_t *base, uint64_t *size);

/* The name of the first node whose reg (read with its parent's cells, bus
 * ranges not translated) covers addr, or NULL. */
const char *dtb_reg_node_at(const void *dtb, uint64_t addr);

/* /chosen/bootargs inside the blob, or NULL when absent or not a
 * NUL-terminated string. */
const char *dtb_bootargs(const void *dtb);

/* /psci/method ("hvc" or "smc"), or NULL. */
const char *dtb_psci_method(const void *dtb);

#endif
