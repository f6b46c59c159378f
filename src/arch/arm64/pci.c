#include "arch/arm64/pci.h"

#include "arch/arm64/sysreg.h"
#include "lib/log.h"
#include "lib/string.h"

#define ECAM_BUS_SHIFT  20
#define ECAM_DEV_SHIFT  15
#define ECAM_FN_SHIFT   12
/* A PCIe FLR completes within 100 ms; polls of the status in between. */
#define FLR_POLLS       100000u
/* A function without FLR can only be told to stop mastering: operations it
 * already started may still want the bus (QEMU's edu writes a DMA out 100
 * ms after its command). Mastering stays off this long before the function
 * can be handed back, so that they are dropped rather than land in the
 * memory's next user. No bound exists in general: this covers edu. */
#define NO_FLR_GRACE_MS 200u

uint32_t pci_cfg_read(const struct pci_func *f, unsigned off, unsigned size)
{
    uintptr_t a = (uintptr_t)(f->cfg + off);

    if (size == 1)
        return *(volatile uint8_t *)a;
    if (size == 2)
        return *(volatile uint16_t *)a;
    return *(volatile uint32_t *)a;
}

void pci_cfg_write(const struct pci_func *f, unsigned off, unsigned size, uint32_t v)
{
    uintptr_t a = (uintptr_t)(f->cfg + off);

    if (size == 1)
        *(volatile uint8_t *)a = (uint8_t)v;
    else if (size == 2)
        *(volatile uint16_t *)a = (uint16_t)v;
    else
        *(volatile uint32_t *)a = v;
    dsb(sy);
}

/* Sizes each BAR the standard way: all ones written, the read-back's
 * writable bits give the size; decoding is off meanwhile. */
static void size_bars(struct pci_func *f)
{
    for (unsigned i = 0; i < PCI_NR_BARS; i++) {
        unsigned off = PCI_BAR0 + 4 * i;
        uint32_t orig = pci_cfg_read(f, off, 4);
        struct pci_bar *b = &f->bar[i];

        pci_cfg_write(f, off, 4, 0xffffffffu);
        uint32_t lo = pci_cfg_read(f, off, 4);
        pci_cfg_write(f, off, 4, orig);
        if (lo == 0)
            continue;
        if (orig & PCI_BAR_IO) {
            b->io = true;
            b->size = (~(lo & ~0x3u) + 1) & 0xffff;
            continue;
        }
        b->prefetch = orig & PCI_BAR_PREFETCH;
        uint64_t mask = lo & ~0xfu;
        if ((orig & 6u) == PCI_BAR_MEM64 && i + 1 < PCI_NR_BARS) {
            uint32_t hi_orig = pci_cfg_read(f, off + 4, 4);
            pci_cfg_write(f, off + 4, 4, 0xffffffffu);
            mask |= (uint64_t)pci_cfg_read(f, off + 4, 4) << 32;
            pci_cfg_write(f, off + 4, 4, hi_orig);
            b->is64 = true;
            b->size = ~mask + 1;
            i++;
        } else {
            b->size = (~mask + 1) & 0xffffffffULL;
        }
    }
}

static void write_bars(const struct pci_func *f)
{
    for (unsigned i = 0; i < PCI_NR_BARS; i++) {
        const struct pci_bar *b = &f->bar[i];
        if (b->io || b->size == 0)
            continue;
        pci_cfg_write(f, PCI_BAR0 + 4 * i, 4, (uint32_t)b->addr | (b->is64 ? PCI_BAR_MEM64 : 0));
        if (b->is64)
            pci_cfg_write(f, PCI_BAR0 + 4 * (i + 1), 4, (uint32_t)(b->addr >> 32));
    }
}

static void probe_func(struct pci_host *h, unsigned dev, unsigned fn, uint64_t cfg)
{
    const struct platform_pci *plat = h->plat;
    struct pci_func *f = &h->f[h->nr];
    uint32_t rid = (dev << 3) | fn;

    memset(f, 0, sizeof(*f));
    f->dev = (uint8_t)dev;
    f->fn = (uint8_t)fn;
    f->cfg = cfg;
    f->vendor = (uint16_t)pci_cfg_read(f, PCI_VENDOR_ID, 2);
    f->device = (uint16_t)pci_cfg_read(f, PCI_DEVICE_ID, 2);
    f->class_rev = pci_cfg_read(f, PCI_CLASS_REV, 4);
    f->header_type = (uint8_t)pci_cfg_read(f, PCI_HEADER_TYPE, 1);
    f->int_pin = (uint8_t)pci_cfg_read(f, PCI_INT_PIN, 1);
    if (f->int_pin >= 1 && f->int_pin <= 4)
        f->intid = plat->intx_intid[dev % PCI_INTX_SLOTS][f->int_pin - 1];
    f->sid = rid - plat->rid_base + plat->sid_base;
    /* Off the bus while its BARs move; masters stay off until a driver. */
    pci_cfg_write(f, PCI_COMMAND, 2, PCI_CMD_INTX_OFF);
    if (PCI_HDR_TYPE(f->header_type) == 0)
        size_bars(f);
    h->nr++;
}

int pci_host_init(struct pci_host *h, const struct platform_pci *plat)
{
    struct pci_bar *bars[PCI_MAX_FUNCS * PCI_NR_BARS];
    unsigned nbars = 0;

    memset(h, 0, sizeof(*h));
    h->plat = plat;
    if (!plat->ecam_base || plat->bus_first != 0)
        return -1;
    for (unsigned dev = 0; dev < 32; dev++) {
        for (unsigned fn = 0; fn < 8 && h->nr < PCI_MAX_FUNCS; fn++) {
            uint64_t cfg = plat->ecam_base + ((uint64_t)dev << ECAM_DEV_SHIFT) + ((uint64_t)fn << ECAM_FN_SHIFT);
            uint16_t vendor = *(volatile uint16_t *)(uintptr_t)(cfg + PCI_VENDOR_ID);
            if (vendor == 0xffff) {
                if (fn == 0)
                    break;
                continue;
            }
            uint8_t hdr = *(volatile uint8_t *)(uintptr_t)(cfg + PCI_HEADER_TYPE);
            probe_func(h, dev, fn, cfg);
            if (fn == 0 && !(hdr & PCI_HDR_MULTI_FN))
                break;
        }
    }
    for (unsigned i = 0; i < h->nr; i++)
        for (unsigned b = 0; b < PCI_NR_BARS; b++)
            if (h->f[i].bar[b].size && !h->f[i].bar[b].io)
                bars[nbars++] = &h->f[i].bar[b];
    if (pci_bars_place(bars, nbars, plat->mmio32_base, plat->mmio32_size) < 0)
        log_warn("PCI: the 32-bit window 0x%llx+0x%llx cannot hold every BAR: some stay disabled",
                 (unsigned long long)plat->mmio32_base, (unsigned long long)plat->mmio32_size);
    for (unsigned i = 0; i < h->nr; i++) {
        struct pci_func *f = &h->f[i];
        if (PCI_HDR_TYPE(f->header_type) != 0)
            continue;
        write_bars(f);
        pci_cfg_write(f, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_INTX_OFF);
    }
    return (int)h->nr;
}

struct pci_func *pci_find(struct pci_host *h, unsigned bus, unsigned dev, unsigned fn)
{
    for (unsigned i = 0; i < h->nr; i++)
        if (h->f[i].bus == bus && h->f[i].dev == dev && h->f[i].fn == fn)
            return &h->f[i];
    return 0;
}

unsigned pci_find_cap(const struct pci_func *f, unsigned id)
{
    if (!(pci_cfg_read(f, PCI_STATUS, 2) & PCI_STATUS_CAPS))
        return 0;
    unsigned at = pci_cfg_read(f, PCI_CAP_PTR, 1) & ~3u;
    for (unsigned n = 0; at >= PCI_CFG_HDR_SIZE && n < 48; n++) {
        if (pci_cfg_read(f, at, 1) == id)
            return at;
        at = pci_cfg_read(f, at + 1, 1) & ~3u;
    }
    return 0;
}

static void wait_ms(unsigned ms)
{
    uint64_t until = read_sysreg(cntpct_el0) + read_sysreg(cntfrq_el0) / 1000 * ms;

    while (read_sysreg(cntpct_el0) < until)
        ;
}

void pci_quiesce(struct pci_func *f)
{
    pci_cfg_write(f, PCI_COMMAND, 2, PCI_CMD_INTX_OFF);
    unsigned exp = pci_find_cap(f, PCI_CAP_ID_EXP);
    if (exp && (pci_cfg_read(f, exp + PCI_EXP_DEVCAP, 4) & PCI_EXP_DEVCAP_FLR)) {
        pci_cfg_write(f, exp + PCI_EXP_DEVCTL, 2,
                      pci_cfg_read(f, exp + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_FLR);
        /* The function answers configuration reads again when done. */
        for (unsigned i = 0; i < FLR_POLLS; i++)
            if (pci_cfg_read(f, PCI_VENDOR_ID, 2) != 0xffff)
                break;
    } else {
        wait_ms(NO_FLR_GRACE_MS);
    }
    write_bars(f);
    pci_cfg_write(f, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_INTX_OFF);
}
