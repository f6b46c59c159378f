/* The physical machine as the boot DTB describes it. Pure parsing. */
#ifndef ELVISOR_ARCH_PLATFORM_H
#define ELVISOR_ARCH_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLATFORM_MAX_MEM    4
#define PLATFORM_MAX_CPUS   8

#define PCI_INTX_SLOTS  4       /* interrupt-map-mask 0x1800: slot & 3 */
#define PCI_INTX_PINS   4       /* INTA..INTD */

/* A PCIe host bridge with ECAM (pci-host-ecam-generic), as QEMU's virt has. */
struct platform_pci {
    uint64_t ecam_base, ecam_size;      /* 0: none */
    unsigned bus_first, bus_last;
    uint64_t mmio32_base, mmio32_size;  /* CPU address == PCI address */
    unsigned intx_intid[PCI_INTX_SLOTS][PCI_INTX_PINS];     /* 0: not mapped */
    /* iommu-map to the SMMU: StreamID = requester ID + sid_offset for
     * requester IDs in [rid_base, rid_base + rid_count). */
    bool behind_smmu;
    uint32_t rid_base, rid_count, sid_base;
    /* msi-map to the GICv3 ITS: DeviceID = requester ID - msi_rid_base +
     * msi_devid_base for requester IDs in [msi_rid_base, + msi_rid_count). */
    bool msi_to_its;
    uint32_t msi_rid_base, msi_rid_count, msi_devid_base;
};

struct platform {
    unsigned nr_mem;
    uint64_t mem_base[PLATFORM_MAX_MEM], mem_size[PLATFORM_MAX_MEM];
    unsigned nr_cpus;
    uint64_t cpu_mpidr[PLATFORM_MAX_CPUS];
    unsigned gic_version;
    uint64_t gicd_base, gicd_size;
    uint64_t gicr_base, gicr_size;      /* v3 */
    uint64_t gicc_base, gicc_size;      /* v2 */
    uint64_t gich_base, gicv_base;      /* v2 virtualization frames */
    uint64_t its_base, its_size;        /* a GICv3 ITS (arm,gic-v3-its), or 0 */
    uint64_t uart_base;
    unsigned uart_intid;
    uint64_t status_uart_base;          /* a second PL011, or 0 */
    bool psci_smc;                      /* else HVC */
    uint64_t smmu_base, smmu_size;      /* an SMMUv3, or 0 */
    unsigned smmu_eventq_intid, smmu_gerror_intid;
    struct platform_pci pci;
    const char *bootargs;
    uint64_t initrd_start, initrd_end;
    uint64_t dtb_size;
};

/* Returns 0 or negative with a reason in *why. */
int platform_parse(const void *dtb, struct platform *p, const char **why);

/* True when word appears as a whitespace-separated token of bootargs. */
bool bootargs_has(const char *bootargs, const char *word);

/* The machine elvisor booted on (filled once by the boot CPU). */
extern struct platform platform;

#endif
