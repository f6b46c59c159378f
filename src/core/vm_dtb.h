/* The device tree a VM boots with: the QEMU `virt` board layout (memory,
 * cpus, PSCI, architected timer, GICv2 or GICv3, PL011 and its clock,
 * /chosen), generated from the VM's configuration. */
#ifndef ELVISOR_CORE_VM_DTB_H
#define ELVISOR_CORE_VM_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Phandles the generated tree uses (other code emitting nodes into the same
 * tree, e.g. virtio-mmio slots, refers to the GIC by this value). */
#define VM_DTB_PHANDLE_CLK24MHZ  1u
#define VM_DTB_PHANDLE_GIC       2u
#define VM_DTB_PHANDLE_V2M       3u

#define VM_DTB_GICV2_MAX_CPUS    8u   /* GICv2 targets at most 8 CPUs */
#define VM_DTB_GICV3_REDIST_FRAME 0x20000u   /* RD_base + SGI_base frames per vCPU */
#define VM_DTB_MAX_VCPUS         512u

#define VM_DTB_MAX_PCI           4u

/* A PCIe host bridge with some functions on bus 0 (ECAM, 32-bit window). */
struct vm_dtb_pci_fn {
    uint8_t dev, fn;
    uint8_t pin;                    /* 1..4 INTA..INTD, 0: none */
    unsigned spi;                   /* its INTx SPI number */
};

struct vm_dtb_pci {
    uint64_t ecam_base, ecam_size;  /* bus 0 only: 1 MiB */
    uint64_t mmio_base, mmio_size;
    unsigned nr;
    struct vm_dtb_pci_fn fn[VM_DTB_MAX_PCI];
    /* A GICv2m-style MSI frame under the GIC, the bridge's msi-parent
     * (0: none, the functions use INTx). */
    uint64_t msi_frame_base, msi_frame_size;
};

struct vm_dtb_params {
    uint64_t ram_base, ram_size;
    unsigned nr_vcpus;
    const uint64_t *vcpu_mpidr;     /* reg value of each cpu node (affinity bits) */
    unsigned gic_version;           /* 2 or 3 */
    uint64_t gicd_base, gicd_size;
    uint64_t gicr_base, gicr_size;  /* v3: one 0x20000 frame per vCPU */
    uint64_t gicc_base, gicc_size;  /* v2: CPU interface */
    uint64_t uart_base, uart_size;  unsigned uart_spi;  /* SPI number, e.g. 1 */
    const char *bootargs;           /* may be NULL */
    uint64_t initrd_start, initrd_end; /* both 0 when no initrd */
    const char *psci_method;        /* "hvc" (NULL means "hvc") */
    /* The guest has virtual EL2: list the EL2 virtual timer PPI and (GICv3)
     * the GIC maintenance interrupt, as QEMU does with virtualization=on. */
    bool virt_el2;
    /* Optional entropy for the guest (/chosen/kaslr-seed, /chosen/rng-seed). */
    uint64_t kaslr_seed;            /* 0: omitted */
    const void *rng_seed;           /* NULL: omitted */
    uint32_t rng_seed_len;
    const struct vm_dtb_pci *pci;   /* NULL: no PCIe bridge */
    /* room for virtio-mmio slots later */
};

/* Writes the DTB into buf; returns its size or a negative FDT_ERR_* code
 * (FDT_ERR_NOSPACE if buf is too small, FDT_ERR_BADPARAM for bad params). */
int vm_dtb_build(const struct vm_dtb_params *p, void *buf, size_t size);

#endif
