/* An emulated device sees guest loads and stores as plain accesses: the
 * data-abort path has already decoded ESR_EL2 and the register transfer,
 * so devices never look at syndromes or guest registers. */
#ifndef ELVISOR_VDEV_MMIO_H
#define ELVISOR_VDEV_MMIO_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_access {
    uint64_t offset;   /* from the start of the device's region */
    unsigned size;     /* 1, 2, 4 or 8 bytes */
    bool is_write;
    uint64_t value;    /* write: value stored; read: device fills it in */
};

/* Returns false when the access is not one the device accepts (bad offset
 * or size); the caller then injects a synchronous external abort. */
typedef bool (*mmio_handler_fn)(void *dev, unsigned vcpu_id, struct mmio_access *acc);

struct mmio_region {
    const char *name;
    uint64_t base;     /* guest IPA */
    uint64_t size;
    mmio_handler_fn handler;
    void *dev;
};

#endif
