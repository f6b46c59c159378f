#include "vdev/vpci.h"

#include "lib/string.h"

#define CFG_SIZE            0x1000
#define HDR_SIZE            0x40
#define REG_VENDOR          0x00
#define REG_COMMAND         0x04
#define REG_STATUS          0x06
#define REG_BAR0            0x10
#define REG_BAR_END         0x28
#define REG_ROM             0x30
#define REG_CAP_PTR         0x34
#define REG_INT_LINE        0x3c
#define STATUS_CAPS         (1u << 4)
/* The command bits a VM may change; the rest read 0 and are not written. */
#define CMD_ALLOWED         ((1u << 1) | (1u << 2) | (1u << 10))     /* MEM, MASTER, INTX_DISABLE */

#define CAP_PM              0x01
#define CAP_MSI             0x05
/* MSI (PCI Local Bus 6.8.1): control at +2 (enable [0], multiple message
 * capable [3:1] and enable [6:4], 64-bit [7], per-vector masking [8]),
 * address at +4 (and +8 when 64-bit), data after it. */
#define MSI_CTRL            2u
#define MSI_CTRL_ENABLE     (1u << 0)
#define MSI_CTRL_64         (1u << 7)
#define MSI_CTRL_PVM        (1u << 8)
#define MSI_ADDR_LO         4u
#define MSI_LEN_32          0x0cu
#define MSI_LEN_64          0x10u
#define CAP_VENDOR          0x09
#define CAP_EXP             0x10
#define CAP_EXP_LEN         0x3c
#define CAP_PM_LEN          0x08
#define CAP_WALK_MAX        48

#define ECAM_DEV_SHIFT      15
#define ECAM_FN_SHIFT       12

static uint8_t hw_byte(const struct vpci_func *f, unsigned off)
{
    return (uint8_t)f->ops->read(f->hw, off, 1);
}

/* The length of a capability the VM may see, or 0 to hide it. */
static unsigned visible_cap_len(const struct vpci_func *f, unsigned off, unsigned id)
{
    switch (id) {
    case CAP_PM:
        return CAP_PM_LEN;
    case CAP_EXP:
        return CAP_EXP_LEN;
    case CAP_MSI:
        if (off != f->msi_off)
            return 0;
        return f->msi_64 ? MSI_LEN_64 : MSI_LEN_32;
    case CAP_VENDOR: {
        /* virtio finds its structures through these: length at +2 */
        unsigned len = hw_byte(f, off + 2);
        return len >= 3 ? len : 0;
    }
    default:
        return 0;       /* MSI-X and anything not known */
    }
}

static bool cap_listed(const struct vpci_func *f, unsigned at)
{
    for (unsigned i = 0; i < f->nr_caps; i++)
        if (f->cap_off[i] == at)
            return true;
    return false;
}

/* A capability inside another one's bytes would have its next pointer
 * read from the other's contents: such a layout is not offered. */
static bool cap_overlaps(const struct vpci_func *f, unsigned at, unsigned len)
{
    for (unsigned i = 0; i < f->nr_caps; i++)
        if (at < (unsigned)f->cap_off[i] + f->cap_len[i] && f->cap_off[i] < at + len)
            return true;
    return false;
}

static void scan_caps(struct vpci_func *f)
{
    unsigned at, n = 0;

    f->nr_caps = 0;
    if (!(f->ops->read(f->hw, REG_STATUS, 2) & STATUS_CAPS))
        return;
    at = hw_byte(f, REG_CAP_PTR) & ~3u;
    /* A list that loops or leaves the header's neighbourhood ends here. */
    while (at >= HDR_SIZE && at < 0x100 && n++ < CAP_WALK_MAX && f->nr_caps < VPCI_MAX_CAPS) {
        unsigned id = hw_byte(f, at), len = visible_cap_len(f, at, id);
        if (cap_listed(f, at))
            break;                          /* it loops: the VM's list ends */
        if (len && at + len <= 0x100 && !cap_overlaps(f, at, len)) {
            f->cap_off[f->nr_caps] = (uint8_t)at;
            f->cap_len[f->nr_caps] = (uint8_t)len;
            f->nr_caps++;
        }
        at = hw_byte(f, at + 1) & ~3u;
    }
}

int vpci_add(struct vpci *b, unsigned dev, unsigned fn, const struct vpci_hw_ops *ops, void *hw,
             const struct vpci_bar bars[VPCI_NR_BARS])
{
    if (b->nr >= VPCI_MAX_FUNCS || dev > 31 || fn > 7)
        return -1;
    for (unsigned i = 0; i < b->nr; i++)
        if (b->f[i].dev == dev && b->f[i].fn == fn)
            return -1;
    struct vpci_func *f = &b->f[b->nr];
    memset(f, 0, sizeof(*f));
    f->dev = (uint8_t)dev;
    f->fn = (uint8_t)fn;
    f->ops = ops;
    f->hw = hw;
    for (unsigned i = 0; i < VPCI_NR_BARS; i++)
        f->bar[i] = bars[i];
    scan_caps(f);
    b->nr++;
    return 0;
}

static unsigned msi_data_at(const struct vpci_func *f)
{
    return f->msi_64 ? 0x0c : 0x08;
}

int vpci_offer_msi(struct vpci_func *f, const struct vpci_msi_ops *ops, void *ctx)
{
    unsigned at = 0, n = 0;

    if (f->ops->read(f->hw, REG_STATUS, 2) & STATUS_CAPS)
        at = hw_byte(f, REG_CAP_PTR) & ~3u;
    while (at >= HDR_SIZE && at < 0x100 && n++ < CAP_WALK_MAX && hw_byte(f, at) != CAP_MSI)
        at = hw_byte(f, at + 1) & ~3u;
    if (at < HDR_SIZE || at >= 0x100 || n > CAP_WALK_MAX || !ops || !ops->changed)
        return -1;
    uint16_t ctrl = (uint16_t)f->ops->read(f->hw, at + MSI_CTRL, 2);
    if (ctrl & MSI_CTRL_PVM)
        return -1;
    f->msi_off = (uint8_t)at;
    f->msi_64 = ctrl & MSI_CTRL_64;
    f->msi_ops = ops;
    f->msi_ctx = ctx;
    f->msi_enabled = false;
    f->msi_addr = 0;
    f->msi_data = 0;
    scan_caps(f);
    if (cap_listed(f, at))
        return 0;
    f->msi_off = 0;             /* it overlaps another or lies past 0x100 */
    return -1;
}

/* Byte rel of the MSI capability as the VM sees it (rel >= 2). */
static uint8_t msi_byte(const struct vpci_func *f, unsigned rel)
{
    unsigned data = msi_data_at(f);

    if (rel == MSI_CTRL)
        return (uint8_t)((f->msi_enabled ? MSI_CTRL_ENABLE : 0) | (f->msi_64 ? MSI_CTRL_64 : 0));
    if (rel >= MSI_ADDR_LO && rel < MSI_ADDR_LO + (f->msi_64 ? 8u : 4u))
        return (uint8_t)(f->msi_addr >> (8 * (rel - MSI_ADDR_LO)));
    if (rel >= data && rel < data + 2)
        return (uint8_t)(f->msi_data >> (8 * (rel - data)));
    return 0;                   /* control's high byte, extended data */
}

static void msi_write_byte(struct vpci_func *f, unsigned rel, uint8_t b)
{
    unsigned data = msi_data_at(f);

    if (rel == MSI_CTRL) {
        f->msi_enabled = b & MSI_CTRL_ENABLE;       /* one vector: MME stays 0 */
    } else if (rel >= MSI_ADDR_LO && rel < MSI_ADDR_LO + (f->msi_64 ? 8u : 4u)) {
        unsigned sh = 8 * (rel - MSI_ADDR_LO);
        f->msi_addr = (f->msi_addr & ~(0xffULL << sh)) | ((uint64_t)b << sh);
        f->msi_addr &= ~3ULL;                       /* a DWORD address */
    } else if (rel >= data && rel < data + 2) {
        unsigned sh = 8 * (rel - data);
        f->msi_data = (uint16_t)((f->msi_data & ~(0xffu << sh)) | ((unsigned)b << sh));
    }
}

static bool in_msi(const struct vpci_func *f, unsigned off)
{
    unsigned at = f->msi_off;

    return at && off >= at + MSI_CTRL && off < at + (f->msi_64 ? MSI_LEN_64 : MSI_LEN_32);
}

/* The 32-bit BAR register i as the VM reads it. */
static uint32_t bar_reg(const struct vpci_func *f, unsigned i)
{
    const struct vpci_bar *b = &f->bar[i];
    bool sizing = f->bar_written[i] == 0xffffffffu;

    if (i > 0 && f->bar[i - 1].is64 && f->bar[i - 1].size) {
        const struct vpci_bar *lo = &f->bar[i - 1];
        return (uint32_t)((sizing ? ~(lo->size - 1) : lo->addr) >> 32);
    }
    if (!b->size)
        return 0;
    uint32_t flags = (b->is64 ? 4u : 0) | (b->prefetch ? 8u : 0);
    return (uint32_t)(sizing ? ~(b->size - 1) : b->addr) | flags;
}

static int cap_index(const struct vpci_func *f, unsigned off)
{
    for (unsigned i = 0; i < f->nr_caps; i++)
        if (off >= f->cap_off[i] && off < (unsigned)f->cap_off[i] + f->cap_len[i])
            return (int)i;
    return -1;
}

static uint8_t cfg_byte(const struct vpci_func *f, unsigned off)
{
    if (off < REG_COMMAND)
        return hw_byte(f, off);
    if (off < REG_STATUS)
        return (uint8_t)(f->command >> (8 * (off - REG_COMMAND)));
    if (off < REG_BAR0) {
        uint8_t v = hw_byte(f, off);
        /* Status: the capability bit follows the virtual list. */
        if (off == REG_STATUS)
            v = (uint8_t)((v & ~STATUS_CAPS) | (f->nr_caps ? STATUS_CAPS : 0));
        return v;
    }
    if (off < REG_BAR_END)
        return (uint8_t)(bar_reg(f, (off - REG_BAR0) / 4) >> (8 * (off % 4)));
    if (off < REG_ROM)
        return hw_byte(f, off);             /* CardBus CIS, subsystem IDs */
    if (off < REG_CAP_PTR)
        return 0;                           /* no expansion ROM */
    if (off == REG_CAP_PTR)
        return f->nr_caps ? f->cap_off[0] : 0;
    if (off < REG_INT_LINE)
        return 0;
    if (off == REG_INT_LINE)
        return f->int_line;
    if (off < HDR_SIZE)
        return hw_byte(f, off);             /* pin, min grant, max latency */
    int c = cap_index(f, off);
    if (c < 0)
        return 0;                           /* hidden, and every extended capability */
    if (off == (unsigned)f->cap_off[c] + 1)
        return (unsigned)c + 1 < f->nr_caps ? f->cap_off[c + 1] : 0;
    if (in_msi(f, off))
        return msi_byte(f, off - f->msi_off);
    return hw_byte(f, off);
}

static bool access_ok(unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && off < CFG_SIZE && off % size == 0;
}

bool vpci_cfg_read(struct vpci_func *f, unsigned off, unsigned size, uint32_t *v)
{
    if (!access_ok(off, size))
        return false;
    *v = 0;
    for (unsigned i = 0; i < size; i++)
        *v |= (uint32_t)cfg_byte(f, off + i) << (8 * i);
    return true;
}

static void write_command(struct vpci_func *f, unsigned off, unsigned size, uint32_t v)
{
    uint16_t cmd = f->command;

    for (unsigned i = 0; i < size; i++) {
        unsigned at = off + i;
        if (at >= REG_COMMAND && at < REG_STATUS) {
            unsigned sh = 8 * (at - REG_COMMAND);
            cmd = (uint16_t)((cmd & ~(0xffu << sh)) | (((v >> (8 * i)) & 0xff) << sh));
        }
    }
    f->command = cmd & CMD_ALLOWED;
    /* Memory decoding stays on in the hardware: the BARs are mapped in
     * the VM's stage 2 and a VM must not be able to make them decode
     * nothing behind elvisor's back; what it turns off is its own view. */
    f->ops->write(f->hw, REG_COMMAND, 2, (uint32_t)(f->command | (1u << 1)));
}

static void write_bar(struct vpci_func *f, unsigned off, unsigned size, uint32_t v)
{
    unsigned i = (off - REG_BAR0) / 4, sh = 8 * (off % 4);
    uint32_t mask = size == 4 ? 0xffffffffu : ((1u << (8 * size)) - 1) << sh;

    f->bar_written[i] = (f->bar_written[i] & ~mask) | ((v << sh) & mask);
}

bool vpci_cfg_write(struct vpci_func *f, unsigned off, unsigned size, uint32_t v)
{
    if (!access_ok(off, size))
        return false;
    if (off < REG_STATUS && off + size > REG_COMMAND)
        write_command(f, off, size, v);
    else if (off >= REG_BAR0 && off < REG_BAR_END)
        write_bar(f, off, size, v);
    else if (off == REG_INT_LINE)
        f->int_line = (uint8_t)v;
    else if (in_msi(f, off) || in_msi(f, off + size - 1)) {
        for (unsigned i = 0; i < size; i++)
            if (in_msi(f, off + i))
                msi_write_byte(f, off + i - f->msi_off, (uint8_t)(v >> (8 * i)));
        f->msi_ops->changed(f->msi_ctx, f->msi_enabled, f->msi_addr, f->msi_data);
    }
    return true;        /* everything else is dropped */
}

bool vpci_ecam_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vpci *b = dev;
    unsigned bus = (unsigned)(acc->offset >> 20), d = (acc->offset >> ECAM_DEV_SHIFT) & 31,
             fn = (acc->offset >> ECAM_FN_SHIFT) & 7, off = (unsigned)(acc->offset & (CFG_SIZE - 1));
    uint32_t v;

    if (!access_ok(off, acc->size))
        return false;
    for (unsigned i = 0; bus == 0 && i < b->nr; i++) {
        struct vpci_func *f = &b->f[i];
        if (f->dev != d || f->fn != fn)
            continue;
        if (acc->is_write)
            return vpci_cfg_write(f, off, acc->size, (uint32_t)acc->value);
        if (!vpci_cfg_read(f, off, acc->size, &v))
            return false;
        acc->value = v;
        return true;
    }
    if (!acc->is_write)
        acc->value = acc->size == 4 ? 0xffffffffu : (1u << (8 * acc->size)) - 1;
    return true;
}

void vpci_reset(struct vpci *b)
{
    for (unsigned i = 0; i < b->nr; i++) {
        struct vpci_func *f = &b->f[i];
        f->command = 0;
        f->int_line = 0;
        for (unsigned j = 0; j < VPCI_NR_BARS; j++)
            f->bar_written[j] = 0;
        f->msi_enabled = false;
        f->msi_addr = 0;
        f->msi_data = 0;
    }
}
