#include "dtb.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/string.h"

/* A guest holds only a pointer to its DTB: trust at most this much of it. */
#define DTB_MAX_SIZE    0x200000U

static bool dtb_open(const void *dtb, struct fdt *f)
{
    uint32_t size;

    return dtb && fdt_peek_totalsize(dtb, &size) == 0 && size <= DTB_MAX_SIZE &&
           fdt_open(f, dtb, size) == 0;
}

/* A node's reg as (base, size) pairs with one- or two-cell fields only. */
static bool small_cells(unsigned addr_cells, unsigned size_cells)
{
    return (addr_cells == 1 || addr_cells == 2) && (size_cells == 1 || size_cells == 2);
}

static bool has_string(const struct fdt *f, int node, const char *name, const char *value)
{
    const char *s;

    return fdt_prop_string(f, node, name, &s) == 0 && strcmp(s, value) == 0;
}

int dtb_cpu_regs(const void *dtb, uint64_t *regs, unsigned max)
{
    struct fdt f;
    int cpus, ac, found = 0;

    if (!dtb_open(dtb, &f))
        return -1;
    cpus = fdt_subnode(&f, fdt_root(&f), "cpus", 4);
    if (cpus < 0)
        return 0;
    ac = fdt_address_cells(&f, cpus);
    if (ac != 1 && ac != 2)
        return 0;
    for (int node = fdt_first_child(&f, cpus); node >= 0; node = fdt_next_sibling(&f, node)) {
        const void *reg;
        int len;
        uint64_t r;

        if (!has_string(&f, node, "device_type", "cpu"))
            continue;
        reg = fdt_getprop(&f, node, "reg", &len);
        if (!reg || len < 4 * ac || fdt_read_cells(reg, (unsigned)ac, &r) < 0)
            continue;
        if ((unsigned)found < max)
            regs[found] = r;
        found++;
    }
    return found;
}

static const struct {
    const char *compatible;
    unsigned version;
} gic_compatibles[] = {
    { "arm,gic-v3", 3 },
    { "arm,cortex-a15-gic", 2 },
    { "arm,gic-400", 2 },
    { "arm,cortex-a7-gic", 2 },
};

static unsigned gic_version_of(const struct fdt *f, int node)
{
    for (size_t k = 0; k < sizeof(gic_compatibles) / sizeof(gic_compatibles[0]); k++)
        if (fdt_node_is_compatible(f, node, gic_compatibles[k].compatible) == 1)
            return gic_compatibles[k].version;
    return 0;
}

int dtb_find_gic(const void *dtb, struct dtb_gic *gic)
{
    struct fdt f;

    if (!dtb_open(dtb, &f))
        return -1;
    for (int node = fdt_next_node(&f, -1, NULL); node >= 0; node = fdt_next_node(&f, node, NULL)) {
        unsigned version = gic_version_of(&f, node);
        int parent, ac, sc, len;
        const void *reg;

        if (!version || !fdt_has_prop(&f, node, "interrupt-controller") || node == fdt_root(&f))
            continue;
        gic->version = version;
        gic->nregs = 0;
        parent = fdt_parent(&f, node);
        ac = fdt_address_cells(&f, parent);
        sc = fdt_size_cells(&f, parent);
        reg = fdt_getprop(&f, node, "reg", &len);
        if (reg && ac >= 0 && sc >= 0 && small_cells((unsigned)ac, (unsigned)sc))
            while (gic->nregs < DTB_GIC_MAX_REGS &&
                   fdt_reg_decode(reg, len, (unsigned)ac, (unsigned)sc, gic->nregs, &gic->base[gic->nregs],
                                  &gic->size[gic->nregs]) == 0)
                gic->nregs++;
        return 1;
    }
    return 0;
}

int dtb_memory_ranges(const void *dtb, uint64_t *base, uint64_t *size, unsigned max)
{
    struct fdt f;
    int root, ac, sc, found = 0;

    if (!dtb_open(dtb, &f))
        return -1;
    root = fdt_root(&f);
    ac = fdt_address_cells(&f, root);
    sc = fdt_size_cells(&f, root);
    for (int node = fdt_first_child(&f, root); node >= 0; node = fdt_next_sibling(&f, node)) {
        const void *reg;
        int len;
        uint64_t b, s;

        if (!has_string(&f, node, "device_type", "memory") || !(reg = fdt_getprop(&f, node, "reg", &len)))
            continue;
        if (ac < 0 || sc < 0 || !small_cells((unsigned)ac, (unsigned)sc))
            return -1;
        for (unsigned i = 0; fdt_reg_decode(reg, len, (unsigned)ac, (unsigned)sc, i, &b, &s) == 0; i++) {
            if ((unsigned)found < max) {
                base[found] = b;
                size[found] = s;
            }
            found++;
        }
    }
    return found;
}

int dtb_memory(const void *dtb, uint64_t *base, uint64_t *size)
{
    int n = dtb_memory_ranges(dtb, base, size, 1);

    return n < 0 ? -1 : n > 0;
}

const char *dtb_reg_node_at(const void *dtb, uint64_t addr)
{
    struct fdt f;

    if (!dtb_open(dtb, &f))
        return NULL;
    for (int node = fdt_next_node(&f, -1, NULL); node >= 0; node = fdt_next_node(&f, node, NULL)) {
        int parent = fdt_parent(&f, node), ac, sc, len;
        const void *reg = fdt_getprop(&f, node, "reg", &len);
        uint64_t b, s;

        if (!reg || parent < 0)
            continue;
        ac = fdt_address_cells(&f, parent);
        sc = fdt_size_cells(&f, parent);
        if (ac < 0 || sc < 0 || !small_cells((unsigned)ac, (unsigned)sc))
            continue;
        for (unsigned i = 0; fdt_reg_decode(reg, len, (unsigned)ac, (unsigned)sc, i, &b, &s) == 0; i++)
            if (addr >= b && addr - b < s)
                return fdt_node_name(&f, node, NULL);
    }
    return NULL;
}

static const char *top_string(const void *dtb, const char *path, const char *prop)
{
    struct fdt f;
    const char *s;
    int node;

    if (!dtb_open(dtb, &f) || (node = fdt_path(&f, path)) < 0 || fdt_prop_string(&f, node, prop, &s) < 0)
        return NULL;
    return s;
}

const char *dtb_bootargs(const void *dtb)
{
    return top_string(dtb, "/chosen", "bootargs");
}

const char *dtb_psci_method(const void *dtb)
{
    return top_string(dtb, "/psci", "method");
}
