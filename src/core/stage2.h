/* Stage-2 translation tables (VMSAv8-64, 4 KiB granule) for one VM.
 * Pure table building: tables are reached through their physical address,
 * which elvisor identity-maps and host tests use as plain pointers. */
#ifndef ELVISOR_CORE_STAGE2_H
#define ELVISOR_CORE_STAGE2_H

#include <stdbool.h>
#include <stdint.h>

#define PAGE_SHIFT      12
#define PAGE_SIZE       (1ULL << PAGE_SHIFT)

enum s2_prot {
    S2_READ   = 1 << 0,
    S2_WRITE  = 1 << 1,
    S2_EXEC   = 1 << 2,
    S2_DEVICE = 1 << 3,     /* Device-nGnRE, never executable */
};

/* Stage-2 descriptor fields */
#define S2_DESC_VALID       (1ULL << 0)
#define S2_DESC_TABLE       (1ULL << 1)     /* at levels 0-2; at level 3 means page */
#define S2_MEMATTR_SHIFT    2
#define S2_MEMATTR_NORMAL_WB (0xfULL << S2_MEMATTR_SHIFT)
#define S2_MEMATTR_DEV_nGnRE (0x1ULL << S2_MEMATTR_SHIFT)
#define S2_AP_R             (1ULL << 6)
#define S2_AP_W             (1ULL << 7)
#define S2_SH_INNER         (3ULL << 8)
#define S2_AF               (1ULL << 10)
#define S2_XN               (2ULL << 53)
#define S2_ADDR_MASK        0x0000fffffffff000ULL

enum s2_change {
    S2_MAPPED,
    S2_UNMAPPED,
};

/* Hears about every change to a stage 2 once it is in the tables: an IOMMU
 * that walks the same tables for a device (the SMMU's stage 2) caches
 * translations and must be told, as no broadcast TLB maintenance reaches
 * it. Called on the CPU that made the change, with the caller's locks. */
struct stage2_observer {
    void (*changed)(void *ctx, uint64_t ipa, uint64_t size, enum s2_change what);
    void *ctx;
};

struct stage2 {
    uint64_t root;          /* physical address of the start-level table */
    unsigned start_level;   /* 0 or 1 */
    unsigned ipa_bits;
    void *(*alloc_table)(void);     /* a zeroed, 4 KiB aligned page, or NULL */
    const struct stage2_observer *observer;     /* or NULL */
};

/* VTCR_EL2.SL0/T0SZ follow from ipa_bits: 32..48 bits. */
/* No observer: attach one by setting s2->observer after init. */
int stage2_init(struct stage2 *s2, unsigned ipa_bits, void *(*alloc_table)(void));
unsigned stage2_vtcr_sl0(const struct stage2 *s2);

/* Maps [ipa, ipa + size) to [pa, pa + size), page aligned, using 1 GiB and
 * 2 MiB blocks where alignment allows. Fails (negative) on overlap with an
 * existing mapping, misalignment, IPA out of range, PA beyond 48 bits or
 * table exhaustion. */
int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot);

/* Removes the mappings of [ipa, ipa + size), page aligned. Each block or
 * page in the range must lie wholly inside it (no block is split) and be
 * mapped; fails (negative) otherwise, before changing anything. The tables
 * stay allocated. The caller does the CPU's TLB maintenance; the observer
 * is told. */
int stage2_unmap(struct stage2 *s2, uint64_t ipa, uint64_t size);

/* Walks the tables like the MMU: true and the output address and
 * permissions when ipa is mapped. */
bool stage2_lookup(const struct stage2 *s2, uint64_t ipa, uint64_t *pa, unsigned *prot);

#define S2_ERR_ALIGN    -1
#define S2_ERR_RANGE    -2
#define S2_ERR_NOMEM    -3
#define S2_ERR_OVERLAP  -4
#define S2_ERR_NOMAP    -5      /* unmap of a hole, or of part of a block */

#endif
