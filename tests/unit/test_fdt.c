/* FDT reader: blobs compiled by dtc, hand-made hostile blobs and a
 * deterministic mutation loop (writer tests: test_fdt_write.c). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "host_support.h"
#include "lib/fdt_read.c"
#include "lib/fdt_write.c"

#include "fdt_test_util.h"

static const char sample_dts[] =
    "/dts-v1/;\n"
    "/memreserve/ 0x48000000 0x100000;\n"
    "/ {\n"
    "  compatible = \"elvisor,config\";\n"
    "  #address-cells = <2>; #size-cells = <2>;\n"
    "  chosen {\n"
    "    bootargs = \"nvhe loglevel=3\";\n"
    "    linux,initrd-start = <0x0 0x48000000>;\n"
    "    linux,initrd-end = <0x48001000>;\n"
    "  };\n"
    "  memory@40000000 { device_type = \"memory\"; reg = <0x0 0x40000000 0x1 0x0>,\n"
    "                    <0x1 0x0 0x0 0x10000000>; };\n"
    "  cpus {\n"
    "    #address-cells = <1>; #size-cells = <0>;\n"
    "    cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\", \"arm,armv8\"; reg = <0>; };\n"
    "    cpu@1 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\", \"arm,armv8\"; reg = <1>; };\n"
    "  };\n"
    "  soc {\n"
    "    #address-cells = <1>; #size-cells = <1>;\n"
    "    uart@9000000 { compatible = \"arm,pl011\", \"arm,primecell\"; reg = <0x9000000 0x1000>; };\n"
    "    bad { reg = <1 2 3>; };\n"
    "  };\n"
    "  vms {\n"
    "    linux {\n"
    "      vcpus = <2>;\n"
    "      memory-size = /bits/ 64 <0x20000000>;\n"
    "      kernel = [de ad be ef 01 02 03];\n"
    "      bootargs = \"console=ttyAMA0\";\n"
    "      unterminated = [41 42 43];\n"
    "      console;\n"
    "    };\n"
    "    test { vcpus = <1>; memory-size = <0x200000>; };\n"
    "  };\n"
    "};\n";

/* ---- Reader on dtc output ---- */

static void check_sample(const struct fdt *f)
{
    int root = fdt_root(f), node, cpus, child, n;
    const char *s, *name;
    uint32_t v32;
    uint64_t v64, a, sz;
    size_t len;
    int plen;
    const uint8_t *data;

    assert_true(root >= 0);
    assert_int_equal(fdt_node_is_compatible(f, root, "elvisor,config"), 1);
    assert_int_equal(fdt_path(f, "/"), root);

    node = fdt_path(f, "/vms/linux");
    assert_true(node > 0);
    name = fdt_node_name(f, node, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(name, "linux", 5);
    assert_int_equal(fdt_prop_u32(f, node, "vcpus", &v32), 0);
    assert_int_equal(v32, 2);
    assert_int_equal(fdt_prop_u64(f, node, "memory-size", &v64), 0);
    assert_int_equal(v64, 0x20000000);
    assert_int_equal(fdt_prop_u32(f, node, "memory-size", &v32), FDT_ERR_BADVALUE);
    data = fdt_getprop(f, node, "kernel", &plen);
    assert_non_null(data);
    assert_int_equal(plen, 7);
    assert_int_equal(data[0], 0xde);
    assert_int_equal(data[6], 0x03);
    assert_int_equal(fdt_prop_string(f, node, "bootargs", &s), 0);
    assert_string_equal(s, "console=ttyAMA0");
    assert_int_equal(fdt_prop_string(f, node, "unterminated", &s), FDT_ERR_BADVALUE);
    assert_true(fdt_has_prop(f, node, "console"));
    data = fdt_getprop(f, node, "console", &plen);
    assert_non_null(data);
    assert_int_equal(plen, 0);
    assert_null(fdt_getprop(f, node, "initrd", &plen));
    assert_int_equal(plen, FDT_ERR_NOTFOUND);
    assert_int_equal(fdt_prop_u32(f, node, "initrd", &v32), FDT_ERR_NOTFOUND);

    /* memory-size given as one cell also reads as u64. */
    node = fdt_path(f, "//vms//test/");
    assert_true(node > 0);
    assert_int_equal(fdt_prop_u64(f, node, "memory-size", &v64), 0);
    assert_int_equal(v64, 0x200000);

    node = fdt_path(f, "/chosen");
    assert_true(node > 0);
    assert_int_equal(fdt_prop_string(f, node, "bootargs", &s), 0);
    assert_string_equal(s, "nvhe loglevel=3");
    assert_int_equal(fdt_prop_u64(f, node, "linux,initrd-start", &v64), 0);
    assert_int_equal(v64, 0x48000000);
    assert_int_equal(fdt_prop_u64(f, node, "linux,initrd-end", &v64), 0);
    assert_int_equal(v64, 0x48001000);

    /* Unit-address-less lookup and reg decoding with the root's 2/2 cells. */
    node = fdt_path(f, "/memory");
    assert_int_equal(node, fdt_path(f, "/memory@40000000"));
    assert_int_equal(fdt_path(f, "/memory@4000000"), FDT_ERR_NOTFOUND);
    name = fdt_node_name(f, node, &len);
    assert_int_equal(fdt_name_base_len(name, len), 6);
    assert_int_equal(fdt_parent(f, node), root);
    assert_int_equal(fdt_address_cells(f, root), 2);
    assert_int_equal(fdt_size_cells(f, root), 2);
    assert_int_equal(fdt_get_reg(f, node, 0, &a, &sz), 0);
    assert_int_equal(a, 0x40000000);
    assert_int_equal(sz, 0x100000000ull);
    assert_int_equal(fdt_get_reg(f, node, 1, &a, &sz), 0);
    assert_int_equal(a, 0x100000000ull);
    assert_int_equal(sz, 0x10000000);
    assert_int_equal(fdt_get_reg(f, node, 2, &a, &sz), FDT_ERR_NOTFOUND);

    node = fdt_path(f, "/soc/uart");
    assert_true(node > 0);
    assert_int_equal(fdt_get_reg(f, node, 0, &a, &sz), 0);
    assert_int_equal(a, 0x9000000);
    assert_int_equal(sz, 0x1000);
    assert_int_equal(fdt_get_reg(f, fdt_path(f, "/soc/bad"), 0, &a, &sz), FDT_ERR_BADVALUE);
    /* A node without cell properties gets the defaults. */
    assert_int_equal(fdt_address_cells(f, node), 2);
    assert_int_equal(fdt_size_cells(f, node), 1);

    /* Children and compatible search. */
    cpus = fdt_path(f, "/cpus");
    n = 0;
    for (child = fdt_first_child(f, cpus); child >= 0; child = fdt_next_sibling(f, child)) {
        assert_int_equal(fdt_parent(f, child), cpus);
        assert_int_equal(fdt_get_reg(f, child, 0, &a, &sz), 0);
        assert_int_equal(a, (uint64_t)n);
        assert_int_equal(sz, 0);
        n++;
    }
    assert_int_equal(child, FDT_ERR_NOTFOUND);
    assert_int_equal(n, 2);
    n = 0;
    for (node = fdt_next_compatible(f, -1, "arm,armv8"); node >= 0;
         node = fdt_next_compatible(f, node, "arm,armv8"))
        n++;
    assert_int_equal(n, 2);
    assert_int_equal(fdt_next_compatible(f, -1, "arm,armv"), FDT_ERR_NOTFOUND);
    assert_true(fdt_next_compatible(f, -1, "arm,primecell") > 0);

    /* Depth-first iteration visits every node with the right depth. */
    {
        static const struct { const char *name; int depth; } want[] = {
            { "", 0 }, { "chosen", 1 }, { "memory@40000000", 1 }, { "cpus", 1 }, { "cpu@0", 2 },
            { "cpu@1", 2 }, { "soc", 1 }, { "uart@9000000", 2 }, { "bad", 2 }, { "vms", 1 },
            { "linux", 2 }, { "test", 2 },
        };
        int depth = 0, i = 0;

        for (node = fdt_next_node(f, -1, &depth); node >= 0; node = fdt_next_node(f, node, &depth), i++) {
            assert_true(i < (int)(sizeof(want) / sizeof(want[0])));
            name = fdt_node_name(f, node, &len);
            assert_int_equal(len, strlen(want[i].name));
            assert_memory_equal(name, want[i].name, len);
            assert_int_equal(depth, want[i].depth);
        }
        assert_int_equal(i, 12);
    }

    assert_int_equal(fdt_mem_rsv(f, 0, &a, &sz), 0);
    assert_int_equal(a, 0x48000000);
    assert_int_equal(sz, 0x100000);
    assert_int_equal(fdt_mem_rsv(f, 1, &a, &sz), FDT_ERR_NOTFOUND);

    assert_int_equal(fdt_path(f, "vms"), FDT_ERR_BADPATH);
    assert_int_equal(fdt_path(f, "/vms/nothere"), FDT_ERR_NOTFOUND);
    assert_int_equal(fdt_first_child(f, 3), FDT_ERR_BADOFFSET);
    assert_int_equal(fdt_first_child(f, -5), FDT_ERR_BADOFFSET);
    assert_int_equal(fdt_first_child(f, 1 << 30), FDT_ERR_TRUNCATED);
}

static void test_reader_dtc_blob(void **state)
{
    size_t len;
    uint8_t *blob = dtc_compile(sample_dts, "", &len);
    struct fdt f;
    uint32_t total;

    assert_int_equal(fdt_peek_totalsize(blob, &total), 0);
    assert_int_equal(total, len);
    assert_int_equal(fdt_open(&f, blob, len), 0);
    assert_int_equal(f.version, 17);
    check_sample(&f);
    free(blob);
}

static void test_reader_v16_blob(void **state)
{
    size_t len;
    uint8_t *blob = dtc_compile(sample_dts, "-V 16", &len);
    struct fdt f;

    assert_int_equal(fdt_open(&f, blob, len), 0);
    assert_int_equal(f.version, 16);
    check_sample(&f);
    free(blob);
}

static void test_props_iteration(void **state)
{
    size_t len;
    uint8_t *blob = dtc_compile(sample_dts, "", &len);
    struct fdt f;
    int node, prop, n = 0, plen;
    const char *name;

    assert_int_equal(fdt_open(&f, blob, len), 0);
    node = fdt_path(&f, "/vms/linux");
    for (prop = fdt_first_prop(&f, node); prop >= 0; prop = fdt_next_prop(&f, prop)) {
        assert_non_null(fdt_prop_at(&f, prop, &name, &plen));
        assert_true(plen >= 0);
        n++;
    }
    assert_int_equal(prop, FDT_ERR_NOTFOUND);
    assert_int_equal(n, 6);
    assert_null(fdt_prop_at(&f, node, &name, &plen));
    assert_int_equal(plen, FDT_ERR_BADOFFSET);
    assert_int_equal(fdt_next_prop(&f, node), FDT_ERR_BADOFFSET);
    free(blob);
}

static void test_stringlist(void **state)
{
    static const char list[] = "arm,pl011\0arm,primecell";   /* both terminated */
    static const char tail[] = { 'a', 0, 'b', 'c' };

    assert_true(fdt_stringlist_contains(list, sizeof(list), "arm,pl011"));
    assert_true(fdt_stringlist_contains(list, sizeof(list), "arm,primecell"));
    assert_false(fdt_stringlist_contains(list, sizeof(list), "arm,prime"));
    assert_false(fdt_stringlist_contains(list, sizeof(list), ""));
    assert_false(fdt_stringlist_contains(list, 5, "arm,pl011"));
    assert_true(fdt_stringlist_contains(tail, sizeof(tail), "a"));
    assert_false(fdt_stringlist_contains(tail, sizeof(tail), "bc"));
    assert_false(fdt_stringlist_contains(list, -1, "arm,pl011"));
    assert_false(fdt_stringlist_contains(NULL, 4, "x"));
}

static void test_cells(void **state)
{
    static const uint8_t c[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
    static const uint8_t reg[] = { 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4 };
    uint64_t v, a, s;

    assert_int_equal(fdt_read_cells(c, 4, &v), FDT_ERR_BADVALUE);
    assert_int_equal(fdt_read_cells(c, 3, &v), 0);
    assert_int_equal(v, 0x0000000112345678ull);
    assert_int_equal(fdt_read_cells(c + 8, 2, &v), 0);
    assert_int_equal(v, 0x123456789abcdef0ull);
    assert_int_equal(fdt_read_cells(c, 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(fdt_read_cells(c, 5, &v), FDT_ERR_BADVALUE);
    assert_int_equal(fdt_be32(c + 8), 0x12345678);
    assert_int_equal(fdt_be64(c + 8), 0x123456789abcdef0ull);

    assert_int_equal(fdt_reg_decode(reg, 16, 1, 1, 1, &a, &s), 0);
    assert_int_equal(a, 3);
    assert_int_equal(s, 4);
    assert_int_equal(fdt_reg_decode(reg, 16, 2, 2, 0, &a, &s), 0);
    assert_int_equal(a, 0x100000002ull);
    assert_int_equal(s, 0x300000004ull);
    assert_int_equal(fdt_reg_decode(reg, 16, 1, 0, 3, &a, &s), 0);
    assert_int_equal(a, 4);
    assert_int_equal(s, 0);
    assert_int_equal(fdt_reg_decode(reg, 16, 2, 1, 0, &a, &s), FDT_ERR_BADVALUE);
    assert_int_equal(fdt_reg_decode(reg, 16, 0, 0, 0, &a, &s), FDT_ERR_BADVALUE);
    assert_int_equal(fdt_reg_decode(reg, 16, 5, 0, 0, &a, &s), FDT_ERR_BADVALUE);
    assert_int_equal(fdt_reg_decode(reg, 16, 2, 2, 1, &a, &s), FDT_ERR_NOTFOUND);
    assert_int_equal(fdt_reg_decode(reg, 16, 1, 1, 0xffffffffu, &a, &s), FDT_ERR_NOTFOUND);
    assert_int_equal(fdt_reg_decode(NULL, 16, 1, 1, 0, &a, &s), FDT_ERR_BADPARAM);
    assert_int_equal(fdt_reg_decode(reg, -4, 1, 1, 0, &a, &s), FDT_ERR_BADPARAM);

    assert_string_equal(fdt_strerror(FDT_ERR_NOSPACE), "FDT_ERR_NOSPACE");
    assert_string_equal(fdt_strerror(FDT_ERR_BADPARAM), "FDT_ERR_BADPARAM");
    assert_string_equal(fdt_strerror(-1000), "FDT_ERR_?");
    assert_string_equal(fdt_strerror(5), "FDT_ERR_?");
}

/* ---- Hand-made hostile blobs ---- */

struct raw {
    uint8_t s[16384];
    size_t len;
};

static void raw_u32(struct raw *r, uint32_t v)
{
    assert_true(r->len + 4 <= sizeof(r->s));
    fdt_put_be32(r->s + r->len, v);
    r->len += 4;
}

static void raw_bytes(struct raw *r, const void *p, size_t n)
{
    assert_true(r->len + n + 3 <= sizeof(r->s));
    memcpy(r->s + r->len, p, n);
    r->len += n;
    while (r->len % 4)
        r->s[r->len++] = 0;
}

static void raw_node(struct raw *r, const char *name)
{
    raw_u32(r, FDT_BEGIN_NODE);
    raw_bytes(r, name, strlen(name) + 1);
}

static void raw_prop(struct raw *r, uint32_t nameoff, const void *data, uint32_t len)
{
    raw_u32(r, FDT_PROP);
    raw_u32(r, len);
    raw_u32(r, nameoff);
    raw_bytes(r, data, len);
}

/* A v17 blob: header, empty reservation map, the raw structure block, the
 * strings. Heap-allocated at its exact size. */
static uint8_t *raw_blob(const struct raw *r, const char *strings, size_t slen, size_t *total)
{
    size_t off_struct = FDT_HEADER_SIZE + FDT_RSV_ENTRY_SIZE;
    size_t off_strings = off_struct + r->len;
    uint8_t *b;

    *total = off_strings + slen;
    b = calloc(1, *total);
    assert_non_null(b);
    fdt_put_be32(b + FDT_HDR_MAGIC, FDT_MAGIC);
    fdt_put_be32(b + FDT_HDR_TOTALSIZE, (uint32_t)*total);
    fdt_put_be32(b + FDT_HDR_OFF_STRUCT, (uint32_t)off_struct);
    fdt_put_be32(b + FDT_HDR_OFF_STRINGS, (uint32_t)off_strings);
    fdt_put_be32(b + FDT_HDR_OFF_RSVMAP, FDT_HEADER_SIZE);
    fdt_put_be32(b + FDT_HDR_VERSION, 17);
    fdt_put_be32(b + FDT_HDR_LAST_COMP, 16);
    fdt_put_be32(b + FDT_HDR_SIZE_STRINGS, (uint32_t)slen);
    fdt_put_be32(b + FDT_HDR_SIZE_STRUCT, (uint32_t)r->len);
    memcpy(b + off_struct, r->s, r->len);
    memcpy(b + off_strings, strings, slen);
    return b;
}

static int open_raw(const struct raw *r, const char *strings, size_t slen)
{
    size_t total;
    uint8_t *b = raw_blob(r, strings, slen, &total);
    struct fdt f;
    int err = fdt_open(&f, b, total);

    free(b);
    return err;
}

static const char raw_strings[] = "compatible\0reg";   /* offsets 0 and 11 */

static void test_hostile_struct(void **state)
{
    struct raw r;
    uint32_t v = 0;
    int d;

    /* Baseline: a valid minimal tree. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_prop(&r, 0, "a", 2);
    raw_u32(&r, FDT_NOP);
    raw_node(&r, "n");
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), 0);

    /* Missing FDT_END. */
    r.len -= 4;
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_TRUNCATED);

    /* Unbalanced: END before the root closes, extra END_NODE, second root. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_u32(&r, FDT_END_NODE);
    raw_node(&r, "");
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    memset(&r, 0, sizeof(r));
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);

    /* Unknown token. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_u32(&r, 7);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);

    /* Property outside any node, and after a subnode. */
    memset(&r, 0, sizeof(r));
    raw_prop(&r, 0, "a", 2);
    raw_node(&r, "");
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_node(&r, "n");
    raw_u32(&r, FDT_END_NODE);
    raw_prop(&r, 0, "a", 2);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);

    /* Property name offset out of the strings block / not terminated in it. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_prop(&r, sizeof(raw_strings), "a", 2);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    assert_int_equal(open_raw(&r, "abc", 3), FDT_ERR_BADSTRUCT);
    r.len = 0;
    raw_node(&r, "");
    raw_prop(&r, 0xfffffff0u, "a", 2);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);

    /* Huge property lengths. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    raw_u32(&r, FDT_PROP);
    raw_u32(&r, 0xfffffffcu);
    raw_u32(&r, 0);
    raw_u32(&r, FDT_END_NODE);
    raw_u32(&r, FDT_END);
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    fdt_put_be32(r.s + 12, 9);   /* runs past the END token */
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);
    fdt_put_be32(r.s + 12, 8);   /* swallows END_NODE and END exactly */
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_TRUNCATED);

    /* Unterminated node name at the end of the structure block. */
    memset(&r, 0, sizeof(r));
    raw_u32(&r, FDT_BEGIN_NODE);
    memcpy(r.s + r.len, "abcdefgh", 8);
    r.len += 8;
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_BADSTRUCT);

    /* Nesting: FDT_MAX_DEPTH levels are fine, one more is refused. */
    for (int extra = 0; extra <= 1; extra++) {
        memset(&r, 0, sizeof(r));
        raw_node(&r, "");
        for (d = 1; d < FDT_MAX_DEPTH + extra; d++)
            raw_node(&r, "d");
        raw_prop(&r, 0, &v, 4);
        for (d = 0; d < FDT_MAX_DEPTH + extra; d++)
            raw_u32(&r, FDT_END_NODE);
        raw_u32(&r, FDT_END);
        assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), extra ? FDT_ERR_DEPTH : 0);
    }
    /* Deep enough to overflow naive recursion, all within one small blob. */
    memset(&r, 0, sizeof(r));
    raw_node(&r, "");
    for (d = 0; d < 900; d++)
        raw_node(&r, "");
    assert_int_equal(open_raw(&r, raw_strings, sizeof(raw_strings)), FDT_ERR_DEPTH);
}

static void test_hostile_header(void **state)
{
    size_t len, i;
    uint8_t *good = dtc_compile(sample_dts, "", &len);
    uint8_t *b = malloc(len);
    struct fdt f;

#define PATCH(off, val) do { memcpy(b, good, len); fdt_put_be32(b + (off), (val)); } while (0)
    PATCH(FDT_HDR_MAGIC, 0xd00dfeee);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADMAGIC);
    assert_int_equal(fdt_peek_totalsize(b, &(uint32_t){ 0 }), FDT_ERR_BADMAGIC);
    PATCH(FDT_HDR_VERSION, 15);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADVERSION);
    PATCH(FDT_HDR_LAST_COMP, 18);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADVERSION);
    PATCH(FDT_HDR_TOTALSIZE, (uint32_t)len + 1);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_TRUNCATED);
    PATCH(FDT_HDR_TOTALSIZE, 0xffffffffu);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_TOTALSIZE, 20);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_OFF_STRUCT, fdt_be32(good + FDT_HDR_OFF_STRUCT) + 2);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_OFF_STRUCT, 0xfffffff0u);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_OFF_STRUCT, 0);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_SIZE_STRUCT, 0xfffffffcu);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_SIZE_STRUCT, 0);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_TRUNCATED);
    PATCH(FDT_HDR_OFF_STRINGS, (uint32_t)len);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_SIZE_STRINGS, 0x80000000u);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_SIZE_STRINGS, 0);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADSTRUCT);
    PATCH(FDT_HDR_OFF_RSVMAP, 44);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    PATCH(FDT_HDR_OFF_RSVMAP, (uint32_t)len - 8);
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_BADLAYOUT);
    /* A reservation map that never terminates runs into the end of the blob. */
    memcpy(b, good, len);
    for (i = fdt_be32(good + FDT_HDR_OFF_RSVMAP); i < len; i++)
        b[i] = 0xff;
    assert_int_equal(fdt_open(&f, b, len), FDT_ERR_TRUNCATED);
#undef PATCH

    /* Every truncation fails: first as-is (totalsize > avail), then with a
     * header rewritten to claim the shorter size, in an exact-size copy. */
    for (i = 0; i < len; i++) {
        uint8_t *t = malloc(i ? i : 1);

        memcpy(t, good, i);
        assert_true(fdt_open(&f, t, i) < 0);
        if (i >= FDT_HEADER_SIZE) {
            fdt_put_be32(t + FDT_HDR_TOTALSIZE, (uint32_t)i);
            assert_true(fdt_open(&f, t, i) < 0);
        }
        free(t);
    }
    assert_int_equal(fdt_open(&f, good, len), 0);
    assert_int_equal(fdt_open(NULL, good, len), FDT_ERR_BADPARAM);
    assert_int_equal(fdt_open(&f, NULL, len), FDT_ERR_BADPARAM);
    free(b);
    free(good);
}

/* ---- Mutation loop ---- */

static volatile unsigned sink;

/* Calls every accessor on every node and touches every byte they hand back,
 * so that ASan sees any out-of-bounds pointer. */
static void exercise(const struct fdt *f)
{
    static const char *const paths[] = { "/", "/vms/linux", "/chosen", "/cpus/cpu@1", "/memory", "/soc/uart" };
    static const char *const names[] = { "reg", "compatible", "bootargs", "vcpus", "memory-size", "kernel" };
    int node = -1, depth = 0, steps = 0;
    uint64_t a, s;

    while ((node = fdt_next_node(f, node, &depth)) >= 0) {
        size_t len;
        const char *name = fdt_node_name(f, node, &len);
        int prop, plen;

        assert_true(++steps < 100000);
        if (name) {
            for (size_t i = 0; i < len; i++)
                sink += (unsigned char)name[i];
            sink += (unsigned)fdt_name_base_len(name, len);
        }
        for (prop = fdt_first_prop(f, node); prop >= 0; prop = fdt_next_prop(f, prop)) {
            const char *pname;
            const uint8_t *data = fdt_prop_at(f, prop, &pname, &plen);

            assert_true(++steps < 100000);
            if (!data)
                break;
            sink += (unsigned)strlen(pname);
            for (int i = 0; i < plen; i++)
                sink += data[i];
            sink += fdt_stringlist_contains(data, plen, "arm,pl011");
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            const char *str;
            uint32_t v32;
            uint64_t v64;

            sink += (unsigned)fdt_prop_u32(f, node, names[i], &v32);
            sink += (unsigned)fdt_prop_u64(f, node, names[i], &v64);
            if (fdt_prop_string(f, node, names[i], &str) == 0)
                sink += (unsigned)strlen(str);
        }
        for (unsigned i = 0; i < 3; i++) {
            if (fdt_get_reg(f, node, i, &a, &s) == 0)
                sink += (unsigned)(a + s);
        }
        sink += (unsigned)fdt_node_is_compatible(f, node, "arm,armv8");
        sink += (unsigned)fdt_parent(f, node) + (unsigned)fdt_first_child(f, node);
        sink += (unsigned)fdt_next_sibling(f, node) + (unsigned)fdt_address_cells(f, node);
        sink += (unsigned)fdt_size_cells(f, node) + (unsigned)fdt_subnode(f, node, "cpu", 3);
    }
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
        sink += (unsigned)fdt_path(f, paths[i]);
    for (node = fdt_next_compatible(f, -1, "arm,armv8"); node >= 0;
         node = fdt_next_compatible(f, node, "arm,armv8"))
        assert_true(++steps < 100000);
    for (unsigned i = 0; fdt_mem_rsv(f, i, &a, &s) == 0; i++)
        assert_true(i < 100000);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rng(void)
{
    /* xorshift64: deterministic across runs and machines. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void mutate(uint8_t *b, size_t len)
{
    static const uint32_t interesting[] = { 0, 1, 2, 3, 4, 9, 0x7fffffff, 0x80000000, 0xffffffff,
                                            0xfffffffc, 0x40, 0x100 };
    unsigned n = 1 + rng() % 4;

    for (unsigned k = 0; k < n; k++) {
        size_t off = rng() % len;

        switch (rng() % 3) {
        case 0:
            b[off] ^= (uint8_t)(1u << (rng() % 8));
            break;
        case 1:
            b[off] = (uint8_t)rng();
            break;
        default:
            off &= ~(size_t)3;
            if (off + 4 <= len)
                fdt_put_be32(b + off, interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))]);
            break;
        }
    }
}

static void test_mutations(void **state)
{
    size_t len;
    uint8_t *good = dtc_compile(sample_dts, "", &len);
    uint8_t *b = malloc(len);
    unsigned accepted = 0;
    struct fdt f;

    assert_int_equal(fdt_open(&f, good, len), 0);
    exercise(&f);
    for (unsigned iter = 0; iter < 20000; iter++) {
        memcpy(b, good, len);
        mutate(b, len);
        if (fdt_open(&f, b, len) == 0) {
            accepted++;
            exercise(&f);
            /* The accessors must stay safe even if the blob changes after
             * validation (they re-check every token they read). */
            mutate(b, len);
            exercise(&f);
        }
    }
    /* Mutations of property values keep the blob valid: both paths ran. */
    assert_true(accepted > 100);
    assert_true(accepted < 20000);
    free(b);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader_dtc_blob),
        cmocka_unit_test(test_reader_v16_blob),
        cmocka_unit_test(test_props_iteration),
        cmocka_unit_test(test_stringlist),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_hostile_struct),
        cmocka_unit_test(test_hostile_header),
        cmocka_unit_test(test_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
