/* Fuzz target: the FDT reader (QEMU's DTB and the VM bundle are blobs
 * elvisor does not trust). The input is the blob. After fdt_open()
 * accepts it, every node and property is visited with every accessor, and
 * the answers must agree with each other and stay inside the blob:
 *  - the handle's blocks lie inside [blob, blob + totalsize), totalsize <=
 *    the input size; a refused blob leaves no block in the handle;
 *  - depth-first order: offsets strictly increase, depth steps by at most
 *    +1, stays within 1..FDT_MAX_DEPTH below the root; fdt_parent() is
 *    the node one level up in that walk, fdt_first_child() the next node
 *    when it is one level deeper, fdt_next_sibling() the next node at the
 *    same depth before the walk climbs above it;
 *  - names and property values lie inside the structure block, property
 *    names inside the strings block and NUL-terminated there;
 *  - fdt_getprop() finds the first property of that name; the typed
 *    readers succeed exactly when the length (and for strings the
 *    terminator) says they should;
 *  - fdt_subnode() with a child's own name finds a child of that name;
 *    fdt_path() of the root is the root; reg entries decode as counted. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "lib/fdt_read.c"

#define MAX_NODES   4096    /* the blob is small; bounds the check's own work */

static const uint8_t *blob_lo, *blob_hi;

static void in_blob(const void *p, size_t len, const char *what)
{
    const uint8_t *b = p;

    FUZZ_CHECK(b >= blob_lo && b <= blob_hi && len <= (size_t)(blob_hi - b),
               "%s at %p+%zu outside the blob [%p, %p)", what, p, len, (const void *)blob_lo,
               (const void *)blob_hi);
}

static void check_props(const struct fdt *f, int node)
{
    int prop, last = node;

    for (prop = fdt_first_prop(f, node); prop >= 0; prop = fdt_next_prop(f, prop)) {
        const char *name;
        int len, glen;
        const void *val = fdt_prop_at(f, prop, &name, &len);

        FUZZ_CHECK(prop > last, "property offsets must increase (%d after %d)", prop, last);
        last = prop;
        FUZZ_CHECK(val && len >= 0, "fdt_prop_at(%d) failed: %d", prop, len);
        in_blob(val, (size_t)len, "property value");
        FUZZ_CHECK((const uint8_t *)val >= f->structs &&
                   (size_t)((const uint8_t *)val - f->structs) + (size_t)len <= f->struct_size,
                   "value outside the structure block");
        FUZZ_CHECK(name >= f->strings && name < f->strings + f->strings_size,
                   "property name outside the strings block");
        FUZZ_CHECK(memchr(name, '\0', (size_t)(f->strings + f->strings_size - name)),
                   "property name not terminated in the strings block");

        /* The first property of this name, which fdt_getprop() must find. */
        int first = fdt_first_prop(f, node);
        const char *fname;
        int flen;
        const void *fval = NULL;
        for (; first >= 0; first = fdt_next_prop(f, first)) {
            fval = fdt_prop_at(f, first, &fname, &flen);
            if (fval && strcmp(fname, name) == 0)
                break;
        }
        FUZZ_CHECK(first >= 0 && first <= prop, "first property named '%s' not found", name);
        const void *g = fdt_getprop(f, node, name, &glen);
        FUZZ_CHECK(g == fval && glen == flen, "fdt_getprop('%s') = %p/%d, expected %p/%d", name,
                   g, glen, fval, flen);
        FUZZ_CHECK(fdt_has_prop(f, node, name), "fdt_has_prop('%s') false", name);

        uint32_t u32 = 0;
        uint64_t u64 = 0;
        const char *s = NULL;
        int rc = fdt_prop_u32(f, node, name, &u32);
        FUZZ_CHECK((rc == 0) == (glen == 4), "fdt_prop_u32 rc %d for length %d", rc, glen);
        if (rc == 0)
            FUZZ_CHECK(u32 == fdt_be32(g), "u32 value");
        rc = fdt_prop_u64(f, node, name, &u64);
        FUZZ_CHECK((rc == 0) == (glen == 4 || glen == 8), "fdt_prop_u64 rc %d for length %d", rc,
                   glen);
        rc = fdt_prop_string(f, node, name, &s);
        bool terminated = glen > 0 && memchr(g, '\0', (size_t)glen) != NULL;
        FUZZ_CHECK((rc == 0) == terminated, "fdt_prop_string rc %d", rc);
        if (rc == 0)
            FUZZ_CHECK(s == g && strlen(s) < (size_t)glen, "string value");
        /* Any entry of the list must be found by the list search. */
        if (terminated)
            FUZZ_CHECK(fdt_stringlist_contains(g, glen, g), "first list entry not contained");
    }
    FUZZ_CHECK(prop == FDT_ERR_NOTFOUND, "property walk ended with %d", prop);
}

static void check_reg(const struct fdt *f, int node, int parent)
{
    int ac = fdt_address_cells(f, parent), sc = fdt_size_cells(f, parent), len;
    const void *reg = fdt_getprop(f, node, "reg", &len);
    uint64_t a, s;

    if (ac < 0 || sc < 0 || !reg) {
        FUZZ_CHECK(fdt_get_reg(f, node, 0, &a, &s) < 0, "reg decoded without cells or reg");
        return;
    }
    FUZZ_CHECK(ac <= (int)FDT_MAX_NCELLS && sc <= (int)FDT_MAX_NCELLS, "cells %d/%d", ac, sc);
    unsigned entry = (unsigned)(ac + sc) * FDT_CELL_SIZE;
    unsigned count = entry && len % (int)entry == 0 ? (unsigned)len / entry : 0;
    for (unsigned i = 0; i < count && i < 8; i++) {
        int rc = fdt_get_reg(f, node, i, &a, &s);
        FUZZ_CHECK(rc == 0 || rc == FDT_ERR_BADVALUE, "reg entry %u of %u: %d", i, count, rc);
    }
    if (entry && len % (int)entry == 0)
        FUZZ_CHECK(fdt_get_reg(f, node, count, &a, &s) == FDT_ERR_NOTFOUND, "reg past the end");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt f;
    int stack[FDT_MAX_DEPTH + 2];
    int node, prev = -1, depth = 0, prev_depth = 0, nodes = 0;
    uint32_t total;

    blob_lo = data;
    blob_hi = data + size;
    if (size >= 8)
        (void)fdt_peek_totalsize(data, &total);
    int rc = fdt_open(&f, data, size);
    if (rc < 0) {
        /* Usable means blocks to read: the accessors test those. */
        FUZZ_CHECK(!f.blob && !f.structs && !f.strings, "refused blob (%d) left a usable handle",
                   rc);
        FUZZ_CHECK(fdt_root(&f) < 0, "root of a refused blob");
        FUZZ_CHECK(fdt_path(&f, "/") < 0, "path on a refused blob");
        return 0;
    }
    FUZZ_CHECK(rc == 0, "fdt_open returned %d", rc);
    FUZZ_CHECK(f.totalsize <= size, "totalsize %u > input %zu", f.totalsize, size);
    in_blob(f.structs, f.struct_size, "structure block");
    in_blob(f.strings, f.strings_size, "strings block");

    for (unsigned i = 0; i < 64; i++) {
        uint64_t a, s;
        rc = fdt_mem_rsv(&f, i, &a, &s);
        if (rc < 0) {
            FUZZ_CHECK(rc == FDT_ERR_NOTFOUND, "validated reservation map: %d", rc);
            break;
        }
    }

    int root = fdt_root(&f);
    FUZZ_CHECK(root >= 0, "validated blob without a root: %d", root);
    FUZZ_CHECK(fdt_path(&f, "/") == root, "fdt_path(\"/\")");
    FUZZ_CHECK(fdt_parent(&f, root) == FDT_ERR_NOTFOUND, "root has a parent");

    for (node = fdt_next_node(&f, -1, &depth); node >= 0 && nodes < MAX_NODES;
         node = fdt_next_node(&f, node, &depth), nodes++) {
        size_t len;
        const char *name = fdt_node_name(&f, node, &len);

        FUZZ_CHECK(node > prev, "node offsets must increase (%d after %d)", node, prev);
        FUZZ_CHECK(depth >= 0 && depth <= FDT_MAX_DEPTH, "depth %d", depth);
        FUZZ_CHECK(prev < 0 || depth <= prev_depth + 1, "depth jumped %d -> %d", prev_depth, depth);
        FUZZ_CHECK((depth == 0) == (node == root), "depth 0 is the root only");
        FUZZ_CHECK(name && len == strlen(name), "node name");
        in_blob(name, len + 1, "node name");
        stack[depth] = node;
        if (prev >= 0 && depth == prev_depth + 1)
            FUZZ_CHECK(fdt_first_child(&f, prev) == node, "first child of %d", prev);
        else if (prev >= 0)
            FUZZ_CHECK(fdt_first_child(&f, prev) == FDT_ERR_NOTFOUND, "leaf %d has a child", prev);
        if (depth > 0) {
            int parent = stack[depth - 1];
            FUZZ_CHECK(fdt_parent(&f, node) == parent, "parent of %d", node);
            /* The parent's children must include this node by its own name. */
            int found = fdt_subnode(&f, parent, name, len);
            size_t flen;
            const char *fname = fdt_node_name(&f, found, &flen);
            /* Exactly that name, or (a name without '@') that name plus a
             * unit address: "memory" also finds "memory@40000000". */
            bool same = fname && flen == len && memcmp(fname, name, len) == 0;
            bool unit = fname && !memchr(name, '@', len) && flen > len &&
                        memcmp(fname, name, len) == 0 && fname[len] == '@';
            FUZZ_CHECK(found >= 0 && found <= node && (same || unit), "fdt_subnode('%s') = %d",
                       name, found);
            check_reg(&f, node, parent);
        }
        /* The sibling, if any, is the next node at this depth. */
        int sib = fdt_next_sibling(&f, node);
        FUZZ_CHECK(sib == FDT_ERR_NOTFOUND || sib > node, "sibling %d of %d", sib, node);
        {
            int d = depth, n = node;
            while ((n = fdt_next_node(&f, n, &d)) >= 0 && d > depth)
                ;
            if (n >= 0 && d == depth)
                FUZZ_CHECK(sib == n, "sibling %d, the walk says %d", sib, n);
            else
                FUZZ_CHECK(sib == FDT_ERR_NOTFOUND, "sibling %d, the walk says none", sib);
        }
        check_props(&f, node);
        (void)fdt_node_is_compatible(&f, node, "arm,gic-v3");
        prev = node;
        prev_depth = depth;
    }
    FUZZ_CHECK(node == FDT_ERR_NOTFOUND || nodes == MAX_NODES, "node walk ended with %d", node);
    if (nodes < MAX_NODES && prev >= 0)
        FUZZ_CHECK(fdt_first_child(&f, prev) == FDT_ERR_NOTFOUND, "last node has a child");

    /* Compatible iteration visits increasing offsets and ends. */
    for (node = -1, prev = -1, nodes = 0; nodes < MAX_NODES; nodes++, prev = node) {
        node = fdt_next_compatible(&f, node, "arm,pl011");
        if (node < 0)
            break;
        FUZZ_CHECK(node > prev, "fdt_next_compatible went back");
    }
    (void)fdt_path(&f, "/vms/linux");
    (void)fdt_path(&f, "/chosen");
    (void)fdt_path(&f, "//cpus/cpu@0/");
    return 0;
}
