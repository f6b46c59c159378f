/* virtio: the virtio-mmio window of the guest platform contract (0x0A00_0000,
 * 32 slots of 0x200) answers as QEMU's virt board does for a slot with no
 * device behind it, with its modern transport (bare runs add
 * -global virtio-mmio.force-legacy=false; QEMU's default says version 1):
 * magic "virt", version 2, device ID 0, vendor ID "QEMU", every other
 * register zero, writes ignored; a byte, halfword and doubleword read of the
 * magic. Bare QEMU is the oracle: the same checks pass there. */
#include "guest.h"

const char guest_name[] = "virtio";

#define VIRTIO_BASE         0x0A000000UL
#define VIRTIO_SLOTS        32
#define VIRTIO_SLOT_SIZE    0x200UL
#define VIRTIO_MAGIC        0x74726976U         /* "virt", little-endian */
#define VIRTIO_VERSION      2U
#define REG_MAGIC           0x000
#define REG_VERSION         0x004
#define REG_DEVICE_ID       0x008
#define REG_VENDOR_ID       0x00c
#define VIRTIO_VENDOR_QEMU  0x554d4551U         /* "QEMU" */
#define REG_STATUS          0x070

static uintptr_t slot(unsigned n) { return VIRTIO_BASE + n * VIRTIO_SLOT_SIZE; }

static uint32_t expected(unsigned off)
{
    switch (off) {
    case REG_MAGIC:
        return VIRTIO_MAGIC;
    case REG_VERSION:
        return VIRTIO_VERSION;
    case REG_VENDOR_ID:
        return VIRTIO_VENDOR_QEMU;
    default:
        return 0;       /* device ID 0: no device */
    }
}

/* Every 32-bit register of every slot. */
static void check_registers(void)
{
    unsigned bad = 0, first_slot = 0, first_off = 0;
    uint32_t first_val = 0;

    for (unsigned n = 0; n < VIRTIO_SLOTS; n++) {
        for (unsigned off = 0; off < VIRTIO_SLOT_SIZE; off += 4) {
            uint32_t v = mmio_read32(slot(n) + off);
            if (v != expected(off) && bad++ == 0) {
                first_slot = n;
                first_off = off;
                first_val = v;
            }
        }
    }
    test_check(bad == 0, "empty_slot_registers",
               "%u registers differ; first: slot %u +0x%x = 0x%x (want 0x%x)", bad, first_slot,
               first_off, first_val, expected(first_off));
}

/* A driver probing a slot writes STATUS (reset) and reads it back. */
static void check_writes_ignored(void)
{
    mmio_write32(slot(0) + REG_STATUS, 0xff);
    mmio_write32(slot(31) + REG_MAGIC, 0);
    test_check(mmio_read32(slot(0) + REG_STATUS) == 0 &&
                   mmio_read32(slot(31) + REG_MAGIC) == VIRTIO_MAGIC,
               "empty_slot_writes_ignored", "STATUS reads 0x%x, slot 31 magic 0x%x after writes",
               mmio_read32(slot(0) + REG_STATUS), mmio_read32(slot(31) + REG_MAGIC));
}

static void check_sizes(void)
{
    uint8_t b0 = mmio_read8(slot(5)), b1 = mmio_read8(slot(5) + 1);
    uint16_t h0 = mmio_read16(slot(5));
    uint64_t d0 = mmio_read64(slot(5));

    test_check(b0 == 0x76 && b1 == 0 && h0 == 0x6976 && d0 == ((uint64_t)VIRTIO_VERSION << 32 | VIRTIO_MAGIC),
               "empty_slot_access_sizes", "byte 0 0x%x, byte 1 0x%x, halfword 0x%x, doubleword 0x%lx", b0,
               b1, h0, (unsigned long)d0);
}

void guest_main(void)
{
    test_note("slot 0: magic 0x%x version %u device %u vendor 0x%x", mmio_read32(slot(0) + REG_MAGIC),
              mmio_read32(slot(0) + REG_VERSION), mmio_read32(slot(0) + REG_DEVICE_ID),
              mmio_read32(slot(0) + 0x00c));
    check_registers();
    check_writes_ignored();
    check_sizes();
}
