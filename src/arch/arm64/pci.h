/* The PCIe functions behind the machine's ECAM host bridge: found at boot,
 * their BARs placed in the bridge's 32-bit window (nobody else did: QEMU
 * started with -kernel runs no firmware), their memory decoding on, bus
 * mastering off until a VM's driver turns it on. Bus 0 only (no bridges
 * are followed). Knows nothing of VMs: core/passthrough.c hands functions
 * to them. BAR placement (pci_bars_place) is pure and host-tested. */
#ifndef ELVISOR_ARCH_PCI_H
#define ELVISOR_ARCH_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/platform.h"

/* Type 0 configuration header */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_STATUS          0x06
#define PCI_CLASS_REV       0x08
#define PCI_HEADER_TYPE     0x0e
#define PCI_BAR0            0x10
#define PCI_CAP_PTR         0x34
#define PCI_INT_LINE        0x3c
#define PCI_INT_PIN         0x3d
#define PCI_CFG_SIZE        0x1000      /* ECAM: 4 KiB per function */
#define PCI_CFG_HDR_SIZE    0x40

#define PCI_CMD_IO          (1u << 0)
#define PCI_CMD_MEM         (1u << 1)
#define PCI_CMD_MASTER      (1u << 2)
#define PCI_CMD_INTX_OFF    (1u << 10)
#define PCI_STATUS_CAPS     (1u << 4)
#define PCI_HDR_MULTI_FN    0x80
#define PCI_HDR_TYPE(h)     ((h) & 0x7f)

#define PCI_BAR_IO          (1u << 0)
#define PCI_BAR_MEM64       (2u << 1)
#define PCI_BAR_PREFETCH    (1u << 3)

/* Capabilities */
#define PCI_CAP_ID_EXP      0x10
#define PCI_CAP_ID_MSI      0x05
#define PCI_EXP_DEVCAP      0x04
#define PCI_EXP_DEVCTL      0x08
#define PCI_EXP_DEVCAP_FLR  (1u << 28)
#define PCI_EXP_DEVCTL_FLR  (1u << 15)

#define PCI_NR_BARS         6
#define PCI_MAX_FUNCS       32

struct pci_bar {
    uint64_t addr, size;    /* size 0: not implemented */
    bool is64;              /* takes this BAR and the next */
    bool io;                /* I/O space: never placed */
    bool prefetch;
};

struct pci_func {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint32_t class_rev;
    uint8_t header_type;
    uint8_t int_pin;        /* 1..4 for INTA..INTD, 0: none */
    unsigned intid;         /* its INTx's GIC INTID, 0: none */
    uint32_t sid;           /* its StreamID at the SMMU */
    uint64_t cfg;           /* its 4 KiB of ECAM */
    struct pci_bar bar[PCI_NR_BARS];
};

struct pci_host {
    const struct platform_pci *plat;
    unsigned nr;
    struct pci_func f[PCI_MAX_FUNCS];
};

/* Finds the functions on bus 0 and places their memory BARs. Returns how
 * many were found, or negative when there is no ECAM bridge. */
int pci_host_init(struct pci_host *h, const struct platform_pci *plat);
struct pci_func *pci_find(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn);

uint32_t pci_cfg_read(const struct pci_func *f, unsigned off, unsigned size);
void pci_cfg_write(const struct pci_func *f, unsigned off, unsigned size, uint32_t v);
/* The offset of capability id in f's list, or 0. Bounded: a looping list
 * (a broken device) ends after 48 entries. */
unsigned pci_find_cap(const struct pci_func *f, unsigned id);
/* Bus mastering and INTx off; a function-level reset where the function
 * has one (PCIe FLR), else 200 ms with mastering off so that what it had
 * started is dropped; then its BARs and memory decoding back. Blocks the
 * calling CPU meanwhile. */
void pci_quiesce(struct pci_func *f);

/* Places each memory BAR (size a power of two, given at least 4 KiB here
 * so that a BAR never shares a page with another: a VM gets whole pages)
 * naturally aligned in [base, base + size), largest first; a 32-bit BAR
 * below 4 GiB. Returns 0, or negative when one does not fit: that one gets
 * size 0 and stays disabled. I/O BARs and empty ones are skipped. */
int pci_bars_place(struct pci_bar *bars[], unsigned n, uint64_t base, uint64_t size);

#endif
