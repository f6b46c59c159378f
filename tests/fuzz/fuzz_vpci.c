/* Fuzz target: the virtual PCIe bridge's configuration-space filter
 * (vdev/vpci.c). The input first lays out the physical function's header
 * and capability area (256 bytes: any capability list, looping,
 * overlapping or pointing anywhere), then drives VM accesses of any
 * offset, size and value. Invariants after every operation:
 *  - an access is refused exactly when its size is not 1, 2 or 4, it is
 *    misaligned, or it lies past 4 KiB; the filter's own accesses to the
 *    hardware are always aligned and in range;
 *  - the only hardware writes are to the command register, with memory
 *    decoding on and nothing but MEM, MASTER and INTx-disable;
 *  - the capability list the VM walks ends within 16 entries, lies in
 *    0x40-0xff, and holds only PM, vendor-specific and PCIe capabilities
 *    (never MSI or MSI-X); extended capabilities and the ROM read 0;
 *  - every BAR register reads its fixed address (with its flags) or, after
 *    all ones were written to it, its size mask: never what the VM wrote. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "vdev/vpci.c"

#include "../unit/vpci_fake.h"

static struct fake_cfg hw;
static struct vpci bus;
static uint8_t last_hw[4096];

static void check_hw_writes(void)
{
    for (unsigned i = 0; i < sizeof(hw.b); i++) {
        if (hw.b[i] == last_hw[i])
            continue;
        FUZZ_CHECK(i == 4 || i == 5, "hardware byte %#x written", i);
    }
    uint16_t cmd = (uint16_t)(hw.b[4] | hw.b[5] << 8);
    if (hw.b[4] != last_hw[4] || hw.b[5] != last_hw[5]) {
        FUZZ_CHECK(cmd & 2, "memory decoding turned off: %#x", cmd);
        FUZZ_CHECK((cmd & ~0x406u) == 0, "command %#x", cmd);
    }
    memcpy(last_hw, hw.b, sizeof(hw.b));
    FUZZ_CHECK(hw.bad_accesses == 0, "a bad hardware access");
}

static uint32_t vread(unsigned off, unsigned size)
{
    uint32_t v;

    FUZZ_CHECK(vpci_cfg_read(&bus.f[0], off, size, &v), "read %#x/%u refused", off, size);
    return v;
}

static void check_view(void)
{
    unsigned at = vread(0x34, 1), n = 0;

    while (at) {
        FUZZ_CHECK(n++ < VPCI_MAX_CAPS, "capability list does not end");
        FUZZ_CHECK(at >= 0x40 && at < 0x100, "capability at %#x", at);
        unsigned id = vread(at, 1);
        FUZZ_CHECK(id == 0x01 || id == 0x09 || id == 0x10, "capability %#x visible at %#x", id, at);
        at = vread(at + 1, 1);
    }
    FUZZ_CHECK(vread(0x30, 4) == 0, "ROM visible");
    FUZZ_CHECK(vread(0x100, 4) == 0, "extended capability visible");
    for (unsigned i = 0; i < VPCI_NR_BARS; i++) {
        const struct vpci_func *f = &bus.f[0];
        uint32_t v = vread(0x10 + 4 * i, 4);
        bool upper = i > 0 && f->bar[i - 1].is64 && f->bar[i - 1].size;
        const struct vpci_bar *b = upper ? &f->bar[i - 1] : &f->bar[i];
        uint64_t fixed = b->addr, mask = b->size ? ~(b->size - 1) : 0;
        uint32_t flags = upper || !b->size ? 0 : (b->is64 ? 4u : 0) | (b->prefetch ? 8u : 0);
        uint32_t a = (uint32_t)((upper ? fixed >> 32 : fixed)) | flags;
        uint32_t m = (uint32_t)((upper ? mask >> 32 : mask)) | flags;
        if (!b->size)
            FUZZ_CHECK(v == 0, "BAR%u of nothing reads %#x", i, v);
        else
            FUZZ_CHECK(v == a || v == m, "BAR%u reads %#x (fixed %#x, mask %#x)", i, v, a, m);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct vpci_bar bars[VPCI_NR_BARS] = { { 0 } };

    memset(&hw, 0, sizeof(hw));
    memset(&bus, 0, sizeof(bus));
    for (unsigned i = 0; i < 256; i++)
        hw.b[i] = fuzz_u8(&in);
    /* BARs as elvisor would place them: a 32-bit one, a 64-bit one */
    bars[0] = (struct vpci_bar){ .addr = 0x10000000, .size = 0x100000 };
    bars[2] = (struct vpci_bar){ .addr = 0x10100000, .size = 0x4000, .is64 = true, .prefetch = true };
    FUZZ_CHECK(vpci_add(&bus, 1, 0, &fake_ops, &hw, bars) == 0, "add");
    memcpy(last_hw, hw.b, sizeof(hw.b));
    check_hw_writes();
    check_view();
    while (fuzz_more(&in)) {
        uint8_t op = fuzz_u8(&in);
        unsigned off = fuzz_u16(&in) & 0x1fff;
        unsigned sz = 1u << (op & 3);           /* 1, 2, 4, 8 */
        uint32_t v = fuzz_u32(&in);
        bool ok = (sz == 1 || sz == 2 || sz == 4) && off < 4096 && off % sz == 0;

        if (op & 0x80) {
            FUZZ_CHECK(vpci_cfg_write(&bus.f[0], off, sz, v) == ok, "write %#x/%u", off, sz);
        } else {
            uint32_t r;
            FUZZ_CHECK(vpci_cfg_read(&bus.f[0], off, sz, &r) == ok, "read %#x/%u", off, sz);
        }
        if (op == 0x40)
            vpci_reset(&bus);
        check_hw_writes();
        check_view();
    }
    return 0;
}
