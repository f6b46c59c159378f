/* The SMMUv3 in front of the PCIe root complex, driven in stage-2 mode
 * only: a stream is either aborted (every stream, once elvisor enables the
 * SMMU) or translated through a stage 2 the caller names. The driver knows
 * streams, VMIDs and tables, never VMs: core/passthrough.c decides which
 * stream gets which VM's stage 2. Register layouts: smmuv3_regs.h; the
 * encodings: smmuv3_enc.h; facts about QEMU's model:
 * docs/device-assignment.md. */
#ifndef ELVISOR_ARCH_SMMUV3_H
#define ELVISOR_ARCH_SMMUV3_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/smmuv3_enc.h"
#include "lib/spinlock.h"

struct smmu {
    uint64_t base;
    uint32_t idr0, idr1, idr5;
    unsigned oas_bits;
    bool vmid16;
    bool stage2;                /* can translate a stage 2 (smmu_no_stage2_why()) */
    bool enabled;

    uint64_t *strtab;           /* linear: STE_DWORDS per stream */
    unsigned sid_bits;

    spinlock_t cmdq_lock;
    uint64_t *cmdq;
    unsigned cmdq_log2;
    uint32_t cmdq_prod;
    unsigned long long cmd_errors;

    uint64_t *evtq;
    unsigned evtq_log2;
    uint32_t evtq_cons;
};

/* Zeroed memory of size bytes aligned to align, or NULL. */
typedef void *(*smmu_alloc_fn)(uint64_t size, uint64_t align);

/* Resets the SMMU at base and turns it on with every stream of a linear
 * table of 2^sid_bits entries aborted (streams beyond it abort too,
 * reported as C_BAD_STREAMID): with or without stage 2, no device behind
 * it can DMA until a stream is given a stage 2. Negative with a reason in
 * *why when it does not answer or memory runs out. */
int smmu_init(struct smmu *s, uint64_t base, unsigned sid_bits, smmu_alloc_fn alloc,
              const char **why);

/* Why the SMMU cannot translate a VM's stage 2 (no S2P, no AArch64 tables,
 * no 4 KiB granule), or NULL when it can. */
const char *smmu_no_stage2_why(const struct smmu *s);

/* Stream sid through stage 2 c: its STE written and its cached copy
 * dropped, then completed (CMD_SYNC). Negative when sid is beyond the
 * table, c cannot be encoded, or the command queue fails. */
int smmu_stream_s2(struct smmu *s, uint32_t sid, const struct smmu_s2_cfg *c);
/* Stream sid aborts again, and nothing of vmid stays in the SMMU's TLBs. */
int smmu_stream_abort(struct smmu *s, uint32_t sid, uint16_t vmid);

/* After a change to the stage 2 of vmid at [ipa, ipa + size): the SMMU's
 * TLB entries dropped (page by page for a few pages, else the whole VMID),
 * completed before it returns. */
int smmu_tlbi_s2(struct smmu *s, uint16_t vmid, uint64_t ipa, uint64_t size);

/* The event queue's new records, each handed to fn; returns how many. */
unsigned smmu_drain_events(struct smmu *s, void (*fn)(void *ctx, const struct smmu_event *e),
                           void *ctx);
/* The global errors raised since the last call (GERROR bits), acknowledged. */
uint32_t smmu_take_gerror(struct smmu *s);

#endif
