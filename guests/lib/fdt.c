#include "fdt.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/string.h"

#define FDT_BEGIN_NODE  1
#define FDT_END_NODE    2
#define FDT_PROP        3
#define FDT_NOP         4
#define FDT_END         9

#define FDT_HDR_TOTALSIZE   4
#define FDT_HDR_OFF_STRUCT  8
#define FDT_HDR_OFF_STRINGS 12
#define FDT_HDR_SIZE        40
#define FDT_MAX_SIZE        0x200000U   /* sanity limit on what we walk */
#define CPUS_NODE_DEPTH     2       /* the root node is depth 1 */
#define CPU_NODE_DEPTH      3

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t align4(uint32_t v) { return (v + 3) & ~3U; }

struct walk {
    const uint8_t *blob;
    uint32_t size;
    uint32_t strings;
    unsigned addr_cells;
    bool in_cpus;
    bool node_is_cpu;
    bool node_has_reg;
    uint64_t node_reg;
};

static void on_prop(struct walk *w, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    if (!w->in_cpus)
        return;
    if (depth == CPUS_NODE_DEPTH && strcmp(name, "#address-cells") == 0 && len == 4) {
        w->addr_cells = be32(val);
    } else if (depth == CPU_NODE_DEPTH && strcmp(name, "device_type") == 0) {
        w->node_is_cpu = len >= 4 && memcmp(val, "cpu", 4) == 0;
    } else if (depth == CPU_NODE_DEPTH && strcmp(name, "reg") == 0) {
        if (w->addr_cells == 1 && len >= 4) {
            w->node_reg = be32(val);
            w->node_has_reg = true;
        } else if (w->addr_cells == 2 && len >= 8) {
            w->node_reg = ((uint64_t)be32(val) << 32) | be32(val + 4);
            w->node_has_reg = true;
        }
    }
}

int fdt_cpu_regs(const void *dtb, uint64_t *regs, unsigned max)
{
    const uint8_t *b = dtb;

    if (!b || be32(b) != FDT_MAGIC)
        return -1;
    struct walk w = { .blob = b, .size = be32(b + FDT_HDR_TOTALSIZE),
                      .strings = be32(b + FDT_HDR_OFF_STRINGS), .addr_cells = 2 };
    if (w.size < FDT_HDR_SIZE || w.size > FDT_MAX_SIZE || w.strings >= w.size)
        return -1;

    uint32_t off = be32(b + FDT_HDR_OFF_STRUCT);
    int depth = 0;
    int found = 0;

    while (off + 4 <= w.size) {
        uint32_t tok = be32(b + off);
        off += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)b + off;
            size_t n = strnlen(name, w.size - off);
            if (off + n >= w.size)
                return -1;
            depth++;
            if (depth == CPUS_NODE_DEPTH)
                w.in_cpus = strcmp(name, "cpus") == 0;
            if (depth == CPU_NODE_DEPTH) {
                w.node_is_cpu = false;
                w.node_has_reg = false;
            }
            off = align4(off + (uint32_t)n + 1);
        } else if (tok == FDT_END_NODE) {
            if (depth == CPU_NODE_DEPTH && w.in_cpus && w.node_is_cpu && w.node_has_reg) {
                if ((unsigned)found < max)
                    regs[found] = w.node_reg;
                found++;
            }
            if (depth == CPUS_NODE_DEPTH)
                w.in_cpus = false;
            if (--depth < 0)
                return -1;
        } else if (tok == FDT_PROP) {
            if (off + 8 > w.size)
                return -1;
            uint32_t len = be32(b + off);
            uint32_t nameoff = be32(b + off + 4);
            off += 8;
            if (len > w.size - off || nameoff >= w.size - w.strings)
                return -1;
            const char *name = (const char *)b + w.strings + nameoff;
            if (strnlen(name, w.size - w.strings - nameoff) == w.size - w.strings - nameoff)
                return -1;
            on_prop(&w, depth, name, b + off, len);
            off = align4(off + len);
        } else if (tok == FDT_NOP) {
            continue;
        } else if (tok == FDT_END) {
            return found;
        } else {
            return -1;
        }
    }
    return -1;
}
