/* The device tree a VM boots with: the QEMU `virt` board layout (memory,
 * cpus, PSCI, architected timer, /chosen), generated from the VM's
 * configuration, with the nodes of its devices written by whoever owns
 * them (elvisor's device classes, core/vm_devices.c; host tools through
 * core/vm_dt_nodes.h) at their place in the tree. */
#ifndef ELVISOR_CORE_VM_DTB_H
#define ELVISOR_CORE_VM_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_writer;

/* Phandles the generated tree uses (device nodes refer to the GIC, the
 * PCIe bridge to its MSI frame, the PL011 to its clock, by these). */
#define VM_DTB_PHANDLE_CLK24MHZ  1u
#define VM_DTB_PHANDLE_GIC       2u
#define VM_DTB_PHANDLE_V2M       3u

#define VM_DTB_GICV2_MAX_CPUS    8u   /* GICv2 targets at most 8 CPUs */
#define VM_DTB_GICV3_REDIST_FRAME 0x20000u   /* RD_base + SGI_base frames per vCPU */
#define VM_DTB_MAX_VCPUS         512u
#define VM_DTB_PATH_MAX          48u

struct vm_dtb_params;

/* What a device's node is written through: the writer, inside the node
 * its node belongs under, and the board it sits on. */
struct vm_dt {
    struct fdt_writer *w;
    const struct vm_dtb_params *p;
};

/* What /chosen says of the devices: it comes before any device node, so
 * the devices tell it first. */
struct vm_dt_chosen {
    char stdout_path[VM_DTB_PATH_MAX];  /* the console's node; "": none (no /aliases either) */
    bool pci_probe_only;                /* a PCIe bridge whose BARs the guest must not move */
};

struct vm_dtb_params {
    uint64_t ram_base, ram_size;
    unsigned nr_vcpus;
    const uint64_t *vcpu_mpidr;     /* reg value of each cpu node (affinity bits) */
    /* The interrupt controller's version, 2 or 3: the format of every PPI
     * specifier (GICv2's carries a CPU mask). */
    unsigned gic_version;
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
    struct vm_dt_chosen chosen;
    /* Writes every device node, in order, after the board's own nodes
     * (NULL: none); devices is its argument. */
    void (*write_devices)(struct vm_dt *dt, const void *devices);
    const void *devices;
};

/* Writes the DTB into buf; returns its size or a negative FDT_ERR_* code
 * (FDT_ERR_NOSPACE if buf is too small, FDT_ERR_BADPARAM for bad params,
 * the board's or a device node's). */
int vm_dtb_build(const struct vm_dtb_params *p, void *buf, size_t size);

#endif
