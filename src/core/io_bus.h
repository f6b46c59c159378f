/* A VM's emulated device regions: sorted by base, never overlapping, at
 * most IO_BUS_MAX of them. Devices register here when the VM is built; the
 * data-abort path finds the region an IPA falls in (trap/exit.c). Pure:
 * host-tested in tests/unit/test_io_bus.c. */
#ifndef ELVISOR_CORE_IO_BUS_H
#define ELVISOR_CORE_IO_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "vdev/mmio.h"

#define IO_BUS_MAX  16

struct io_bus {
    struct mmio_region r[IO_BUS_MAX];   /* unused entries are all zero */
    unsigned n;
    /* The region the last lookup found: a guest's exits come in runs on
     * one device (a console line, a driver's setup). Only a hint, checked
     * before use (an add may have moved another region there), so vCPUs
     * read and write it relaxed. NULL: r[0]. */
    const struct mmio_region *last;
};

enum io_bus_err {
    IO_BUS_OK = 0,
    IO_BUS_FULL = -1,       /* IO_BUS_MAX regions already */
    IO_BUS_EMPTY = -2,      /* size 0, or base + size wraps */
    IO_BUS_OVERLAP = -3,    /* shares an address with a region already there */
};

/* Adds a region, keeping the bus sorted. */
enum io_bus_err io_bus_add(struct io_bus *bus, const struct mmio_region *r);
const char *io_bus_strerror(enum io_bus_err e);

/* Up to this many regions a scan in address order is cheaper than a
 * binary search (the MMIO exit path pays for it). A VM has four today
 * (GICD, GICR on GICv3, the PL011, the virtio-mmio window), five with
 * assigned PCIe functions (their ECAM bridge). */
#define IO_BUS_SCAN_MAX 4

static inline const struct mmio_region *io_bus_search(const struct io_bus *bus, uint64_t ipa)
{
    unsigned lo = 0, hi = bus->n;

    if (bus->n <= IO_BUS_SCAN_MAX) {
        for (unsigned i = 0; i < bus->n; i++) {
            const struct mmio_region *r = &bus->r[i];
            if (ipa < r->base)
                return NULL;        /* sorted: no later region holds it */
            if (ipa - r->base < r->size)
                return r;
        }
        return NULL;
    }

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const struct mmio_region *r = &bus->r[mid];
        if (ipa < r->base)
            hi = mid;
        else if (ipa - r->base >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

/* The region ipa falls in, or NULL. */
static inline const struct mmio_region *io_bus_find(struct io_bus *bus, uint64_t ipa)
{
    const struct mmio_region *r = __atomic_load_n(&bus->last, __ATOMIC_RELAXED);

    if (r && ipa - r->base < r->size)
        return r;
    r = io_bus_search(bus, ipa);
    if (r)
        __atomic_store_n(&bus->last, r, __ATOMIC_RELAXED);
    return r;
}

#endif
