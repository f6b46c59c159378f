/* The virtio-mmio window of the guest platform contract: 32 transport slots
 * of 0x200 bytes from IPA 0x0A00_0000, as on QEMU's virt board. No slot has
 * a device yet; each answers as virt does for an empty slot with its modern
 * transport (QEMU's virtio-mmio.force-legacy=false): MagicValue "virt",
 * Version 2, DeviceID 0 (no device), VendorID "QEMU", every other offset
 * zero; writes are ignored. A driver probing a slot reads DeviceID 0 and
 * leaves it alone. Accesses of 1, 2 or 4 bytes read the low bytes of the
 * register at their offset (zero where none starts there); 8 bytes read two
 * registers, as QEMU splits them. Pure device logic. */
#ifndef ELVISOR_VDEV_VIRTIO_MMIO_H
#define ELVISOR_VDEV_VIRTIO_MMIO_H

#include <stdbool.h>

#include "vdev/mmio.h"

#define VIRTIO_MMIO_BASE        0x0A000000ULL
#define VIRTIO_MMIO_SLOTS       32u
#define VIRTIO_MMIO_SLOT_SIZE   0x200ULL
#define VIRTIO_MMIO_SIZE        (VIRTIO_MMIO_SLOTS * VIRTIO_MMIO_SLOT_SIZE)

#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION     0x004
#define VIRTIO_MMIO_DEVICE_ID   0x008
#define VIRTIO_MMIO_VENDOR_ID   0x00c

#define VIRTIO_MMIO_MAGIC       0x74726976u     /* "virt" */
#define VIRTIO_MMIO_MODERN      2u
#define VIRTIO_MMIO_VENDOR_QEMU 0x554d4551u     /* "QEMU": what virt's empty slots say */

/* mmio_handler_fn for the whole window (dev unused). False only for an
 * access outside it or of another size than 1, 2, 4 or 8 bytes. */
bool virtio_mmio_empty(void *dev, unsigned vcpu_id, struct mmio_access *acc);

#endif
