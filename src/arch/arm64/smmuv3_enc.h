/* The pure part of the SMMUv3 driver: stream table entries, commands,
 * queue indexes and event records as the architecture lays them out.
 * Host-tested in tests/unit/test_smmuv3.c. */
#ifndef ELVISOR_ARCH_SMMUV3_ENC_H
#define ELVISOR_ARCH_SMMUV3_ENC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/smmuv3_regs.h"

/* A stage-2 translation as the CPU's VTTBR_EL2/VTCR_EL2 give it: the SMMU
 * walks the same tables (4 KiB granule, AArch64). */
struct smmu_s2_cfg {
    uint64_t ttb;           /* the start-level table (VTTBR_EL2.BADDR) */
    uint16_t vmid;
    unsigned ipa_bits;      /* S2T0SZ = 64 - ipa_bits */
    unsigned start_level;   /* 0 above 39 bits, else 1 (as stage2_init()) */
    unsigned pa_bits;       /* output size, as the SMMU's OAS allows */
};

/* An STE whose stream's transactions all abort (no event recorded). */
void smmu_ste_abort(uint64_t ste[STE_DWORDS]);
/* An STE translating the stream through the stage 2 of c, faults recorded
 * (S2R) and stalls never used. Negative when c cannot be encoded. */
int smmu_ste_s2(uint64_t ste[STE_DWORDS], const struct smmu_s2_cfg *c);

/* The output-size encodings of IDR5.OAS and STE.S2PS (and VTCR_EL2.PS). */
unsigned smmu_oas_bits(unsigned oas);
/* The largest encoding whose size is at most bits, or -1 under 32 bits. */
int smmu_ps_of_bits(unsigned bits);

void smmu_cmd_cfgi_ste(uint64_t cmd[CMD_DWORDS], uint32_t sid);
void smmu_cmd_cfgi_all(uint64_t cmd[CMD_DWORDS]);
void smmu_cmd_tlbi_nsnh_all(uint64_t cmd[CMD_DWORDS]);
void smmu_cmd_tlbi_s12_vmall(uint64_t cmd[CMD_DWORDS], uint16_t vmid);
/* One 4 KiB page of IPA; leaf: only the last-level entry changed. */
void smmu_cmd_tlbi_s2_ipa(uint64_t cmd[CMD_DWORDS], uint16_t vmid, uint64_t ipa, bool leaf);
/* Completion by polling CMDQ_CONS (no interrupt, no MSI). */
void smmu_cmd_sync(uint64_t cmd[CMD_DWORDS]);

/* Queue indexes as PROD/CONS hold them: log2 bits of index, then the wrap
 * bit that tells a full queue from an empty one. */
static inline uint32_t smmu_q_index(uint32_t v, unsigned log2)
{
    return v & ((1u << log2) - 1);
}

static inline uint32_t smmu_q_wrap(uint32_t v, unsigned log2)
{
    return (v >> log2) & 1;
}

static inline bool smmu_q_empty(uint32_t prod, uint32_t cons, unsigned log2)
{
    return smmu_q_index(prod, log2) == smmu_q_index(cons, log2) &&
           smmu_q_wrap(prod, log2) == smmu_q_wrap(cons, log2);
}

static inline bool smmu_q_full(uint32_t prod, uint32_t cons, unsigned log2)
{
    return smmu_q_index(prod, log2) == smmu_q_index(cons, log2) &&
           smmu_q_wrap(prod, log2) != smmu_q_wrap(cons, log2);
}

/* The next index, the wrap bit toggled when the index passes the end. */
static inline uint32_t smmu_q_next(uint32_t v, unsigned log2)
{
    return (v + 1) & ((2u << log2) - 1);
}

/* Entries the producer may still write. */
static inline uint32_t smmu_q_space(uint32_t prod, uint32_t cons, unsigned log2)
{
    uint32_t used = (prod - cons) & ((2u << log2) - 1);
    return (1u << log2) - used;
}

/* Has the consumer passed entry `at` (a producer index)? */
static inline bool smmu_q_consumed(uint32_t cons, uint32_t at, unsigned log2)
{
    return ((cons - at - 1) & ((2u << log2) - 1)) < (1u << log2);
}

struct smmu_event {
    unsigned type;          /* EVT_* */
    uint32_t sid;
    bool read;              /* the faulting access was a read (RnW) */
    bool stage2;            /* a stage-2 fault (S2) */
    uint64_t addr;          /* the input address the device used */
    uint64_t ipa;           /* stage 2's input address, for stage-2 faults */
};

void smmu_event_decode(const uint64_t rec[EVT_DWORDS], struct smmu_event *e);
const char *smmu_event_name(unsigned type);

#endif
