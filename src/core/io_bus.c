#include "core/io_bus.h"

enum io_bus_err io_bus_add(struct io_bus *bus, const struct mmio_region *r)
{
    unsigned at = 0;

    if (r->size == 0 || r->base + r->size - 1 < r->base)
        return IO_BUS_EMPTY;
    if (bus->n == IO_BUS_MAX)
        return IO_BUS_FULL;
    while (at < bus->n && bus->r[at].base < r->base)
        at++;
    /* Sorted and disjoint, so only the neighbours can overlap it. */
    if (at > 0 && bus->r[at - 1].base + bus->r[at - 1].size - 1 >= r->base)
        return IO_BUS_OVERLAP;
    if (at < bus->n && r->base + r->size - 1 >= bus->r[at].base)
        return IO_BUS_OVERLAP;
    for (unsigned i = bus->n; i > at; i--)
        bus->r[i] = bus->r[i - 1];
    bus->r[at] = *r;
    bus->n++;
    bus->last = NULL;
    return IO_BUS_OK;
}

const char *io_bus_strerror(enum io_bus_err e)
{
    switch (e) {
    case IO_BUS_OK:
        return "no error";
    case IO_BUS_FULL:
        return "too many device regions";
    case IO_BUS_EMPTY:
        return "empty or wrapping device region";
    case IO_BUS_OVERLAP:
        return "device region overlaps another";
    }
    return "unknown error";
}
