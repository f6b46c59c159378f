/* The GICv3 ITS as elvisor drives it: the physical end of MSIs of assigned
 * PCIe functions (docs/device-assignment.md, "MSIs", step 3). Flat device
 * and collection tables in elvisor's memory, one 4 KiB command queue,
 * commands submitted and waited for. The driver knows DeviceIDs, EventIDs,
 * collections and LPIs, never a VM: core/passthrough.c decides which
 * function's event becomes which LPI for which VM. Encodings: its_enc.h. */
#ifndef ELVISOR_ARCH_ITS_H
#define ELVISOR_ARCH_ITS_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/its_enc.h"
#include "lib/spinlock.h"

struct its {
    uint64_t base;
    uint64_t typer_raw;
    struct its_typer typer;
    unsigned device_bits;       /* DeviceIDs the device table covers */
    bool enabled;

    spinlock_t cmdq_lock;
    uint64_t *cmdq;
    uint64_t cwriter;           /* byte offset of the next command */
    unsigned long long cmd_errors;
};

/* Zeroed memory of size bytes aligned to align, or NULL. */
typedef void *(*its_alloc_fn)(uint64_t size, uint64_t align);

/* Boot CPU, once, with LPIs on in the redistributors (gicv3_lpis_init()):
 * the device table for device_bits DeviceIDs, the collection table (unless
 * the ITS holds its collections), the command queue, then GITS_CTLR.Enabled.
 * Negative with the reason in *why. */
int its_init(struct its *its, uint64_t base, unsigned device_bits, its_alloc_fn alloc, const char **why);

/* Queues n commands and waits until the ITS has consumed them all (add a
 * SYNC for their effects to be visible at a redistributor). Negative when
 * the ITS stalls on one (logged with the command) or does not progress. */
int its_submit(struct its *its, const uint64_t (*cmds)[ITS_CMD_DWORDS], unsigned n);

#endif
