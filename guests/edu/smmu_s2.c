/* "edu.smmu=s2" with "edu.role=msi-its" (bare QEMU): before the ITS, the
 * guest turns the machine's SMMU on itself, with elvisor's STE encoder
 * (arch/arm64/smmuv3_enc.c), so that the edu's DMA and its MSI write are
 * translated by a stage 2 rather than passed by the SMMU's bypass: the
 * fact the MSI design needs from a translating SMMU (the requester ID,
 * the ITS's DeviceID, kept) is then checked by the same MSI checks.
 * The stage 2 (4 KiB granule, 39-bit IPA, level-1 blocks): IPA 0-1 GiB
 * -> the same PA as device memory (the ITS's doorbell), 1-2 GiB -> the
 * same PA as RAM, 2-3 GiB -> RAM again, at 1 GiB (an alias that only
 * translation makes reach RAM). */
#include "guest.h"

#include "arch/arm64/smmuv3_enc.c"
#include "edu.h"

#define SMMU_BASE           0x09050000UL
#define SMMU_SID_LOG2       8
#define S2_BLOCK            1ULL
#define S2_MEMATTR_DEVICE   (0x0ULL << 2)   /* Device-nGnRnE */
#define S2_MEMATTR_WB       (0xfULL << 2)   /* Normal, inner and outer write-back */
#define S2_AP_RW            (3ULL << 6)
#define S2_SH_INNER         (3ULL << 8)
#define S2_AF               (1ULL << 10)
#define GIB                 0x40000000ULL

static uint64_t strtab[(1u << SMMU_SID_LOG2) * STE_DWORDS] __attribute__((aligned(16384)));
static uint64_t s2_level1[512] __attribute__((aligned(4096)));

bool edu_smmu_s2_on(unsigned sid)
{
    const uint64_t ram = S2_BLOCK | S2_AF | S2_AP_RW | S2_SH_INNER | S2_MEMATTR_WB;
    struct smmu_s2_cfg c = { .ttb = (uint64_t)(uintptr_t)s2_level1, .vmid = 1, .ipa_bits = 39,
                             .start_level = 1, .pa_bits = 44 };

    s2_level1[0] = 0 | S2_BLOCK | S2_AF | S2_AP_RW | S2_MEMATTR_DEVICE;
    s2_level1[1] = GIB | ram;
    s2_level1[2] = GIB | ram;
    for (unsigned i = 0; i < 1u << SMMU_SID_LOG2; i++)
        smmu_ste_abort(&strtab[i * STE_DWORDS]);
    if (smmu_ste_s2(&strtab[sid * STE_DWORDS], &c) < 0)
        return false;
    dsb(sy);
    mmio_write64(SMMU_BASE + SMMU_STRTAB_BASE, (uint64_t)(uintptr_t)strtab);
    mmio_write32(SMMU_BASE + SMMU_STRTAB_BASE_CFG, (uint32_t)STRTAB_CFG_LINEAR(SMMU_SID_LOG2));
    mmio_write32(SMMU_BASE + SMMU_CR1, (uint32_t)CR1_WB_INNER_SHAREABLE);
    mmio_write32(SMMU_BASE + SMMU_CR0, (uint32_t)CR0_SMMUEN);
    return WAIT_UNTIL(mmio_read32(SMMU_BASE + SMMU_CR0ACK) & CR0_SMMUEN, 100000);
}

uint64_t edu_smmu_alias_offset(void)
{
    return GIB;
}
