/* A physical function's configuration space in memory, for the vPCI
 * filter's tests and fuzzer: every access the filter makes is checked to
 * be aligned and in range, and every write is counted by register. */
#ifndef ELVISOR_TEST_VPCI_FAKE_H
#define ELVISOR_TEST_VPCI_FAKE_H

#include <stdint.h>
#include <string.h>

#include "vdev/vpci.h"

struct fake_cfg {
    uint8_t b[4096];
    unsigned writes;
    unsigned bad_accesses;
};

static uint32_t fake_read(void *hw, unsigned off, unsigned size)
{
    struct fake_cfg *c = hw;
    uint32_t v = 0;

    if (off >= 4096 || off % size || (size != 1 && size != 2 && size != 4)) {
        c->bad_accesses++;
        return 0;
    }
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)c->b[off + i] << (8 * i);
    return v;
}

static void fake_write(void *hw, unsigned off, unsigned size, uint32_t v)
{
    struct fake_cfg *c = hw;

    if (off >= 4096 || off % size || (size != 1 && size != 2 && size != 4)) {
        c->bad_accesses++;
        return;
    }
    c->writes++;
    for (unsigned i = 0; i < size; i++)
        c->b[off + i] = (uint8_t)(v >> (8 * i));
}

static const struct vpci_hw_ops fake_ops = { fake_read, fake_write };

static void put16(struct fake_cfg *c, unsigned off, uint16_t v)
{
    c->b[off] = (uint8_t)v;
    c->b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(struct fake_cfg *c, unsigned off, uint32_t v)
{
    put16(c, off, (uint16_t)v);
    put16(c, off + 2, (uint16_t)(v >> 16));
}

#endif
