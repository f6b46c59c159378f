#include "vdev/virtio_mmio.h"

/* The 32-bit register of an empty slot at byte offset off of its slot. */
static uint32_t empty_slot_reg(uint64_t off)
{
    switch (off) {
    case VIRTIO_MMIO_MAGIC_VALUE:
        return VIRTIO_MMIO_MAGIC;
    case VIRTIO_MMIO_VERSION:
        return VIRTIO_MMIO_MODERN;
    case VIRTIO_MMIO_VENDOR_ID:
        return VIRTIO_MMIO_VENDOR_QEMU;
    default:
        return 0;       /* DeviceID 0 and everything else */
    }
}

bool virtio_mmio_empty(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    uint64_t off = acc->offset % VIRTIO_MMIO_SLOT_SIZE;

    (void)dev;
    (void)vcpu_id;
    if (acc->offset >= VIRTIO_MMIO_SIZE || acc->offset + acc->size > VIRTIO_MMIO_SIZE)
        return false;
    switch (acc->size) {
    case 1:
    case 2:
    case 4:
        if (!acc->is_write)
            acc->value = empty_slot_reg(off) & (0xffffffffu >> (8 * (4 - acc->size)));
        return true;
    case 8:
        if (!acc->is_write)
            acc->value = empty_slot_reg(off) | (uint64_t)empty_slot_reg(off + 4) << 32;
        return true;
    default:
        return false;
    }
}
