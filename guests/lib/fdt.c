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
#define MAX_DEPTH           16      /* deeper nodes are walked but not tracked */

#define DEFAULT_ADDR_CELLS  2       /* devicetree spec defaults */
#define DEFAULT_SIZE_CELLS  1

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint32_t align4(uint32_t v) { return (v + 3) & ~3U; }

/* Reads a cells-wide big-endian number (1 or 2 cells). */
static bool read_cells(const uint8_t *p, unsigned cells, uint64_t *out)
{
    if (cells == 1)
        *out = be32(p);
    else if (cells == 2)
        *out = ((uint64_t)be32(p) << 32) | be32(p + 4);
    else
        return false;
    return true;
}

/* One pass over the structure block; the callbacks see every node and
 * property, depth 1 being the root node. */
struct fdt_visitor {
    void (*begin_node)(void *ctx, int depth, const char *name);
    void (*prop)(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len);
    void (*end_node)(void *ctx, int depth);
    void *ctx;
};

static int fdt_walk(const void *dtb, const struct fdt_visitor *v)
{
    const uint8_t *b = dtb;

    if (!b || be32(b) != FDT_MAGIC)
        return -1;
    uint32_t size = be32(b + FDT_HDR_TOTALSIZE);
    uint32_t strings = be32(b + FDT_HDR_OFF_STRINGS);
    if (size < FDT_HDR_SIZE || size > FDT_MAX_SIZE || strings >= size)
        return -1;

    uint32_t off = be32(b + FDT_HDR_OFF_STRUCT);
    int depth = 0;

    while (off + 4 <= size) {
        uint32_t tok = be32(b + off);
        off += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)b + off;
            size_t n = strnlen(name, size - off);
            if (off + n >= size)
                return -1;
            depth++;
            v->begin_node(v->ctx, depth, name);
            off = align4(off + (uint32_t)n + 1);
        } else if (tok == FDT_END_NODE) {
            if (depth < 1)
                return -1;
            v->end_node(v->ctx, depth);
            depth--;
        } else if (tok == FDT_PROP) {
            if (off + 8 > size)
                return -1;
            uint32_t len = be32(b + off);
            uint32_t nameoff = be32(b + off + 4);
            off += 8;
            if (len > size - off || nameoff >= size - strings)
                return -1;
            const char *name = (const char *)b + strings + nameoff;
            if (strnlen(name, size - strings - nameoff) == size - strings - nameoff)
                return -1;
            v->prop(v->ctx, depth, name, b + off, len);
            off = align4(off + len);
        } else if (tok == FDT_NOP) {
            continue;
        } else if (tok == FDT_END) {
            return 0;
        } else {
            return -1;
        }
    }
    return -1;
}

/* --- /cpus/cpu@N reg ------------------------------------------------------ */

struct cpu_walk {
    uint64_t *regs;
    unsigned max;
    int found;
    unsigned addr_cells;
    bool in_cpus;
    bool node_is_cpu;
    bool node_has_reg;
    uint64_t node_reg;
};

static void cpu_begin(void *ctx, int depth, const char *name)
{
    struct cpu_walk *w = ctx;

    if (depth == CPUS_NODE_DEPTH)
        w->in_cpus = strcmp(name, "cpus") == 0;
    if (depth == CPU_NODE_DEPTH) {
        w->node_is_cpu = false;
        w->node_has_reg = false;
    }
}

static void cpu_prop(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    struct cpu_walk *w = ctx;

    if (!w->in_cpus)
        return;
    if (depth == CPUS_NODE_DEPTH && strcmp(name, "#address-cells") == 0 && len == 4) {
        w->addr_cells = be32(val);
    } else if (depth == CPU_NODE_DEPTH && strcmp(name, "device_type") == 0) {
        w->node_is_cpu = len >= 4 && memcmp(val, "cpu", 4) == 0;
    } else if (depth == CPU_NODE_DEPTH && strcmp(name, "reg") == 0) {
        if (len >= 4 * w->addr_cells && read_cells(val, w->addr_cells, &w->node_reg))
            w->node_has_reg = true;
    }
}

static void cpu_end(void *ctx, int depth)
{
    struct cpu_walk *w = ctx;

    if (depth == CPU_NODE_DEPTH && w->in_cpus && w->node_is_cpu && w->node_has_reg) {
        if ((unsigned)w->found < w->max)
            w->regs[w->found] = w->node_reg;
        w->found++;
    }
    if (depth == CPUS_NODE_DEPTH)
        w->in_cpus = false;
}

int fdt_cpu_regs(const void *dtb, uint64_t *regs, unsigned max)
{
    struct cpu_walk w = { .regs = regs, .max = max, .addr_cells = DEFAULT_ADDR_CELLS };
    struct fdt_visitor v = { cpu_begin, cpu_prop, cpu_end, &w };

    return fdt_walk(dtb, &v) < 0 ? -1 : w.found;
}

/* --- the GIC node ------------------------------------------------------- */

static const struct {
    const char *compatible;
    unsigned version;
} gic_compatibles[] = {
    { "arm,gic-v3", 3 },
    { "arm,cortex-a15-gic", 2 },
    { "arm,gic-400", 2 },
    { "arm,cortex-a7-gic", 2 },
};

struct gic_walk {
    struct fdt_gic *out;
    bool found;
    /* #address-cells/#size-cells each tracked node declares for its children. */
    unsigned addr_cells[MAX_DEPTH + 1];
    unsigned size_cells[MAX_DEPTH + 1];
    /* The node being read (properties come before subnodes, so a node's own
     * properties are complete when its first child begins or it ends). */
    unsigned version;
    bool is_intc;
    const uint8_t *reg;
    uint32_t reg_len;
    int reg_depth;
};

static unsigned gic_version_of(const uint8_t *val, uint32_t len)
{
    /* compatible is a list of NUL-terminated strings. */
    uint32_t i = 0;

    while (i < len) {
        const char *s = (const char *)val + i;
        size_t n = strnlen(s, len - i);
        if (n == len - i)
            break;
        for (size_t k = 0; k < sizeof(gic_compatibles) / sizeof(gic_compatibles[0]); k++)
            if (strcmp(s, gic_compatibles[k].compatible) == 0)
                return gic_compatibles[k].version;
        i += (uint32_t)n + 1;
    }
    return 0;
}

/* Judges the node at depth once its properties are all seen. */
static void gic_finish_node(struct gic_walk *w, int depth)
{
    if (w->found || w->reg_depth != depth)
        return;
    w->reg_depth = 0;
    if (!w->version || !w->is_intc || depth < 2 || depth > MAX_DEPTH)
        return;

    unsigned ac = w->addr_cells[depth - 1], sc = w->size_cells[depth - 1];
    unsigned entry = 4 * (ac + sc);
    struct fdt_gic *g = w->out;

    g->version = w->version;
    g->nregs = 0;
    if (w->reg && entry && (ac == 1 || ac == 2) && (sc == 1 || sc == 2)) {
        for (uint32_t off = 0; off + entry <= w->reg_len && g->nregs < FDT_GIC_MAX_REGS;
             off += entry) {
            read_cells(w->reg + off, ac, &g->base[g->nregs]);
            read_cells(w->reg + off + 4 * ac, sc, &g->size[g->nregs]);
            g->nregs++;
        }
    }
    w->found = true;
}

static void gic_begin(void *ctx, int depth, const char *name)
{
    struct gic_walk *w = ctx;

    (void)name;
    gic_finish_node(w, depth - 1);      /* the parent's properties are done */
    if (depth <= MAX_DEPTH) {
        w->addr_cells[depth] = DEFAULT_ADDR_CELLS;
        w->size_cells[depth] = DEFAULT_SIZE_CELLS;
    }
    w->version = 0;
    w->is_intc = false;
    w->reg = NULL;
    w->reg_len = 0;
    w->reg_depth = depth;
}

static void gic_prop(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    struct gic_walk *w = ctx;

    if (depth > MAX_DEPTH)
        return;
    if (strcmp(name, "#address-cells") == 0 && len == 4)
        w->addr_cells[depth] = be32(val);
    else if (strcmp(name, "#size-cells") == 0 && len == 4)
        w->size_cells[depth] = be32(val);
    if (w->reg_depth != depth)
        return;
    if (strcmp(name, "compatible") == 0) {
        w->version = gic_version_of(val, len);
    } else if (strcmp(name, "interrupt-controller") == 0) {
        w->is_intc = true;
    } else if (strcmp(name, "reg") == 0) {
        w->reg = val;
        w->reg_len = len;
    }
}

static void gic_end(void *ctx, int depth)
{
    gic_finish_node(ctx, depth);
}

int fdt_find_gic(const void *dtb, struct fdt_gic *gic)
{
    struct gic_walk w = { .out = gic };
    struct fdt_visitor v = { gic_begin, gic_prop, gic_end, &w };

    if (fdt_walk(dtb, &v) < 0)
        return -1;
    return w.found ? 1 : 0;
}

/* --- memory nodes and /chosen ---------------------------------------------- */

#define TOP_NODE_DEPTH  2           /* children of the root */

struct mem_walk {
    uint64_t *base, *size;
    unsigned max;
    int found;
    bool bad_cells;
    unsigned addr_cells, size_cells;    /* the root's, for its children */
    bool node_is_memory;
    const uint8_t *reg;
    uint32_t reg_len;
};

static void mem_begin(void *ctx, int depth, const char *name)
{
    struct mem_walk *w = ctx;

    (void)name;
    if (depth == TOP_NODE_DEPTH) {
        w->node_is_memory = false;
        w->reg = NULL;
        w->reg_len = 0;
    }
}

static void mem_prop(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    struct mem_walk *w = ctx;

    if (depth == 1 && strcmp(name, "#address-cells") == 0 && len == 4) {
        w->addr_cells = be32(val);
    } else if (depth == 1 && strcmp(name, "#size-cells") == 0 && len == 4) {
        w->size_cells = be32(val);
    } else if (depth == TOP_NODE_DEPTH && strcmp(name, "device_type") == 0) {
        w->node_is_memory = len == sizeof("memory") && memcmp(val, "memory", len) == 0;
    } else if (depth == TOP_NODE_DEPTH && strcmp(name, "reg") == 0) {
        w->reg = val;
        w->reg_len = len;
    }
}

static void mem_end(void *ctx, int depth)
{
    struct mem_walk *w = ctx;

    if (depth != TOP_NODE_DEPTH || !w->node_is_memory || !w->reg)
        return;
    if (w->addr_cells < 1 || w->addr_cells > 2 || w->size_cells < 1 || w->size_cells > 2) {
        w->bad_cells = true;
        return;
    }
    unsigned entry = 4 * (w->addr_cells + w->size_cells);
    for (uint32_t off = 0; off + entry <= w->reg_len; off += entry) {
        if ((unsigned)w->found < w->max) {
            read_cells(w->reg + off, w->addr_cells, &w->base[w->found]);
            read_cells(w->reg + off + 4 * w->addr_cells, w->size_cells, &w->size[w->found]);
        }
        w->found++;
    }
}

int fdt_memory_ranges(const void *dtb, uint64_t *base, uint64_t *size, unsigned max)
{
    struct mem_walk w = { .base = base, .size = size, .max = max,
                          .addr_cells = DEFAULT_ADDR_CELLS, .size_cells = DEFAULT_SIZE_CELLS };
    struct fdt_visitor v = { mem_begin, mem_prop, mem_end, &w };

    if (fdt_walk(dtb, &v) < 0 || w.bad_cells)
        return -1;
    return w.found;
}

/* A string property of a node right below the root (/chosen, /psci). */
struct top_string_walk {
    const char *node, *prop;
    bool in_node;
    const char *value;
};

static void top_string_begin(void *ctx, int depth, const char *name)
{
    struct top_string_walk *w = ctx;

    if (depth == TOP_NODE_DEPTH)
        w->in_node = strcmp(name, w->node) == 0;
}

static void top_string_prop(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    struct top_string_walk *w = ctx;

    if (w->in_node && depth == TOP_NODE_DEPTH && strcmp(name, w->prop) == 0 && len > 0 &&
        val[len - 1] == '\0')
        w->value = (const char *)val;
}

static void top_string_end(void *ctx, int depth)
{
    struct top_string_walk *w = ctx;

    if (depth == TOP_NODE_DEPTH)
        w->in_node = false;
}

static const char *top_string(const void *dtb, const char *node, const char *prop)
{
    struct top_string_walk w = { node, prop, false, NULL };
    struct fdt_visitor v = { top_string_begin, top_string_prop, top_string_end, &w };

    return fdt_walk(dtb, &v) < 0 ? NULL : w.value;
}

const char *fdt_bootargs(const void *dtb)
{
    return top_string(dtb, "chosen", "bootargs");
}

const char *fdt_psci_method(const void *dtb)
{
    return top_string(dtb, "psci", "method");
}

/* --- any node's reg --------------------------------------------------------- */

/* Calls fn for every reg entry of every node below the root, with the
 * parent's #address-cells/#size-cells (bus ranges are not translated), once
 * the node's properties are all seen. */
struct reg_walk {
    void (*fn)(void *ctx, const char *node, bool is_memory, uint64_t base, uint64_t size);
    void *ctx;
    unsigned addr_cells[MAX_DEPTH + 1];
    unsigned size_cells[MAX_DEPTH + 1];
    const char *name;
    bool is_memory;
    const uint8_t *reg;
    uint32_t reg_len;
    int node_depth;         /* depth of the node being read, 0 once judged */
};

static void reg_finish_node(struct reg_walk *w, int depth)
{
    if (w->node_depth != depth)
        return;
    w->node_depth = 0;
    if (!w->reg || depth < 2 || depth > MAX_DEPTH)
        return;

    unsigned ac = w->addr_cells[depth - 1], sc = w->size_cells[depth - 1];
    uint32_t entry = 4 * (ac + sc);

    if ((ac != 1 && ac != 2) || (sc != 1 && sc != 2))
        return;
    for (uint32_t off = 0; off + entry <= w->reg_len; off += entry) {
        uint64_t base, size;
        read_cells(w->reg + off, ac, &base);
        read_cells(w->reg + off + 4 * ac, sc, &size);
        w->fn(w->ctx, w->name, w->is_memory, base, size);
    }
}

static void reg_begin(void *ctx, int depth, const char *name)
{
    struct reg_walk *w = ctx;

    reg_finish_node(w, depth - 1);
    if (depth <= MAX_DEPTH) {
        w->addr_cells[depth] = DEFAULT_ADDR_CELLS;
        w->size_cells[depth] = DEFAULT_SIZE_CELLS;
    }
    w->name = name;
    w->is_memory = false;
    w->reg = NULL;
    w->reg_len = 0;
    w->node_depth = depth;
}

static void reg_prop(void *ctx, int depth, const char *name, const uint8_t *val, uint32_t len)
{
    struct reg_walk *w = ctx;

    if (depth > MAX_DEPTH)
        return;
    if (strcmp(name, "#address-cells") == 0 && len == 4)
        w->addr_cells[depth] = be32(val);
    else if (strcmp(name, "#size-cells") == 0 && len == 4)
        w->size_cells[depth] = be32(val);
    if (w->node_depth != depth)
        return;
    if (strcmp(name, "device_type") == 0)
        w->is_memory = len == sizeof("memory") && memcmp(val, "memory", len) == 0;
    else if (strcmp(name, "reg") == 0) {
        w->reg = val;
        w->reg_len = len;
    }
}

static void reg_end(void *ctx, int depth)
{
    reg_finish_node(ctx, depth);
}

static int fdt_for_each_reg(const void *dtb,
                            void (*fn)(void *, const char *, bool, uint64_t, uint64_t), void *ctx)
{
    struct reg_walk w = { .fn = fn, .ctx = ctx };
    struct fdt_visitor v = { reg_begin, reg_prop, reg_end, &w };

    return fdt_walk(dtb, &v);
}

int fdt_memory(const void *dtb, uint64_t *base, uint64_t *size)
{
    int n = fdt_memory_ranges(dtb, base, size, 1);

    return n < 0 ? -1 : n > 0;
}

struct reg_cover {
    uint64_t addr;
    const char *node;
};

static void cover_cb(void *ctx, const char *node, bool is_memory, uint64_t base, uint64_t size)
{
    struct reg_cover *c = ctx;

    (void)is_memory;
    if (!c->node && c->addr >= base && c->addr - base < size)
        c->node = node;
}

const char *fdt_reg_node_at(const void *dtb, uint64_t addr)
{
    struct reg_cover c = { .addr = addr };

    if (fdt_for_each_reg(dtb, cover_cb, &c) < 0)
        return NULL;
    return c.node;
}
