/* The device nodes of a VM's DTB, as QEMU's `virt` writes them (node
 * names, compatibles, interrupt specifiers), each written by the device
 * class that owns the device (core/vm_devices.c) where core/vm_dtb.c's
 * walk has put the writer. Pure: host tools and tests write the same
 * nodes without a VM through vm_dt_virt_devices(). A value no node can
 * carry (an empty register window, an SPI past 1019) fails the whole
 * tree with FDT_ERR_BADPARAM. */
#ifndef ELVISOR_CORE_VM_DT_NODES_H
#define ELVISOR_CORE_VM_DT_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/vm_dtb.h"
#include "lib/fdt.h"

/* Cells of a GIC interrupt specifier: type, number, flags. */
#define VM_DT_IRQ_SPI           0u
#define VM_DT_IRQ_PPI           1u
#define VM_DT_IRQ_CELLS         3u
#define VM_DT_IRQ_LEVEL_HIGH    4u

#define VM_DT_ROOT_CELLS        2u    /* #address-cells and #size-cells at the root */

/* "<prefix><base>@<addr>": a node's unit name ("" prefix) or its path ("/"). */
void vm_dt_unit_name(char *buf, const char *prefix, const char *base, uint64_t addr);
/* A reg entry in the root's 2+2 cell format, and the property of one. */
void vm_dt_put_reg(uint32_t *cells, uint64_t addr, uint64_t size);
void vm_dt_prop_reg(struct fdt_writer *w, uint64_t addr, uint64_t size);
void vm_dt_prop_irq(struct fdt_writer *w, unsigned type, unsigned num, unsigned flags);
/* Flags cell of a PPI specifier on the board's interrupt controller. */
unsigned vm_dt_ppi_flags(const struct vm_dtb_params *p);

/* The interrupt controller, version p->gic_version. */
struct vm_dt_gic {
    uint64_t gicd_base, gicd_size;
    uint64_t gicr_base, gicr_size;  /* v3: one 0x20000 frame per vCPU */
    uint64_t gicc_base, gicc_size;  /* v2: CPU interface */
};
/* Opens its node (VM_DTB_PHANDLE_GIC) and leaves it open for the nodes
 * that live under it (MSI frames); vm_dt_gic_close() ends it. */
void vm_dt_gic_open(struct vm_dt *dt, const struct vm_dt_gic *g);
void vm_dt_gic_close(struct vm_dt *dt);
/* A GICv2m-style MSI frame, under the open GIC node (VM_DTB_PHANDLE_V2M). */
void vm_dt_v2m(struct vm_dt *dt, uint64_t base, uint64_t size);

/* The PL011 and its 24 MHz clock; /chosen names it by vm_dt_pl011_path(). */
struct vm_dt_uart {
    uint64_t base, size;
    unsigned spi;                   /* SPI number, e.g. 1 */
};
void vm_dt_pl011(struct vm_dt *dt, const struct vm_dt_uart *u);
void vm_dt_pl011_path(char path[VM_DTB_PATH_MAX], uint64_t base);

/* A PCIe host bridge with some functions on bus 0 (ECAM, 32-bit window). */
#define VM_DTB_MAX_PCI           4u
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
    /* The MSI frame that is the bridge's msi-parent (0: none, the
     * functions use INTx); its node is the frame's own. */
    uint64_t msi_frame_base, msi_frame_size;
};
void vm_dt_pcie(struct vm_dt *dt, const struct vm_dtb_pci *pci);

/* virt's devices in elvisor's class order (GIC with its MSI frame, PL011,
 * PCIe bridge), for the host tools and tests that describe a VM without
 * building one: a vm_dtb_params.write_devices with this as .devices. */
struct vm_dt_virt {
    struct vm_dt_gic gic;
    struct vm_dt_uart uart;
    const struct vm_dtb_pci *pci;   /* NULL: no bridge */
};
void vm_dt_virt_devices(struct vm_dt *dt, const void *virt);
/* What /chosen says of them: the PL011 is the console, a bridge's BARs
 * are final. */
void vm_dt_virt_chosen(const struct vm_dt_virt *virt, struct vm_dt_chosen *ch);

#endif
