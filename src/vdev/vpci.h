/* A VM's virtual PCIe host bridge: an ECAM region in which only the VM's
 * assigned functions answer, each seen through a configuration-space
 * filter. The filter passes identification and capability contents
 * through, and virtualizes what would let a VM reach beyond what it was
 * given: the BARs (fixed where elvisor placed them: sizing works, moving
 * does not), the command register (memory decoding, bus mastering and
 * INTx masking only), the capability list (MSI-X hidden; MSI hidden
 * unless offered with vpci_offer_msi(), then virtualized: the VM's
 * address, data and enable bit are kept here and handed to a hook, never
 * written to the hardware; extended capabilities hidden), the expansion
 * ROM (none).
 * Every other write is dropped. Pure: the physical configuration space is
 * reached through the hooks given, and host tests and a fuzzer drive it. */
#ifndef ELVISOR_VDEV_VPCI_H
#define ELVISOR_VDEV_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/mmio.h"

#define VPCI_MAX_FUNCS      4
#define VPCI_NR_BARS        6
#define VPCI_MAX_CAPS       16

/* The physical function's configuration space (naturally aligned 1, 2 or
 * 4 bytes at off < 4096). */
struct vpci_hw_ops {
    uint32_t (*read)(void *hw, unsigned off, unsigned size);
    void (*write)(void *hw, unsigned off, unsigned size, uint32_t v);
};

/* The VM's MSI settings after each write to its MSI capability: the
 * hook decides what the hardware gets (core/passthrough.c). */
struct vpci_msi_ops {
    void (*changed)(void *ctx, bool enabled, uint64_t addr, uint32_t data);
};

struct vpci_bar {
    uint64_t addr, size;        /* size 0: not offered */
    bool is64, prefetch;
};

struct vpci_func {
    uint8_t dev, fn;            /* on the VM's bus 0 */
    const struct vpci_hw_ops *ops;
    void *hw;
    struct vpci_bar bar[VPCI_NR_BARS];
    /* What the VM wrote to each BAR register, for sizing: all ones reads
     * back the size mask, anything else the fixed address. */
    uint32_t bar_written[VPCI_NR_BARS];
    uint16_t command;           /* the VM's view */
    uint8_t int_line;
    uint8_t cap_off[VPCI_MAX_CAPS], cap_len[VPCI_MAX_CAPS];
    unsigned nr_caps;
    /* MSI, once offered (msi_off != 0): the VM's view of it. */
    const struct vpci_msi_ops *msi_ops;
    void *msi_ctx;
    uint8_t msi_off;
    bool msi_64;                /* the hardware's 64-bit address bit */
    bool msi_enabled;
    uint64_t msi_addr;
    uint16_t msi_data;
};

struct vpci {
    unsigned nr;
    struct vpci_func f[VPCI_MAX_FUNCS];
};

/* Adds a function: reads its capability list through ops and keeps the
 * capabilities the VM may see. bars[] as elvisor placed them. Negative
 * when the bus is full or dev/fn is taken. */
int vpci_add(struct vpci *b, unsigned dev, unsigned fn, const struct vpci_hw_ops *ops, void *hw,
             const struct vpci_bar bars[VPCI_NR_BARS]);

/* Shows f's MSI capability to the VM, virtualized: one vector, no
 * per-vector masking. Negative (MSI stays hidden) when the function has
 * none, or has per-vector masking (not virtualized). */
int vpci_offer_msi(struct vpci_func *f, const struct vpci_msi_ops *ops, void *ctx);

/* One function's configuration space as the VM sees it: reads and writes
 * of 1, 2 or 4 naturally aligned bytes at off < 4096; false otherwise. */
bool vpci_cfg_read(struct vpci_func *f, unsigned off, unsigned size, uint32_t *v);
bool vpci_cfg_write(struct vpci_func *f, unsigned off, unsigned size, uint32_t v);

/* The ECAM region's MMIO handler (dev: the struct vpci): a function that
 * is not there reads all ones and ignores writes, as on real hardware. */
bool vpci_ecam_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);

/* Back to power-on state as the VM sees it (its reset): command 0, BARs
 * not being sized, MSI disabled with address and data 0 (the hook is not
 * called). The physical function is quiesced by the caller. */
void vpci_reset(struct vpci *b);

#endif
