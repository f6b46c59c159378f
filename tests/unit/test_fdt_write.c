/* FDT writer: round trips through our reader and dtc, string
 * deduplication, overflow at every buffer size, and misuse. */
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

static int build_sample(void *buf, size_t size)
{
    static const char *const compat[] = { "arm,pl011", "arm,primecell" };
    static const uint32_t reg[] = { 0, 0x9000000, 0, 0x1000 };
    static const uint8_t raw[] = { 1, 2, 3, 4, 5 };
    struct fdt_writer w;

    fdt_w_begin(&w, buf, size);
    fdt_w_begin_node(&w, "");
    fdt_w_prop_string(&w, "compatible", "linux,dummy-virt");
    fdt_w_prop_u32(&w, "#address-cells", 2);
    fdt_w_prop_u32(&w, "#size-cells", 2);
    fdt_w_begin_node(&w, "chosen");
    fdt_w_prop_string(&w, "bootargs", "console=ttyAMA0");
    fdt_w_prop_u64(&w, "linux,initrd-start", 0x48000000);
    fdt_w_end_node(&w);
    fdt_w_begin_node(&w, "pl011@9000000");
    fdt_w_prop_stringlist(&w, "compatible", compat, 2);
    fdt_w_prop_cells(&w, "reg", reg, 4);
    fdt_w_prop(&w, "blob", raw, sizeof(raw));
    fdt_w_prop_empty(&w, "dma-coherent");
    fdt_w_prop_stringlist(&w, "empty-list", NULL, 0);
    fdt_w_end_node(&w);
    fdt_w_begin_node(&w, "a");
    fdt_w_begin_node(&w, "b");
    fdt_w_prop_u32(&w, "cells", 7);   /* suffix of "#size-cells": shared string */
    fdt_w_end_node(&w);
    fdt_w_end_node(&w);
    fdt_w_end_node(&w);
    return fdt_w_finish(&w);
}

static void test_writer_round_trip(void **state)
{
    uint8_t buf[1024];
    int total = build_sample(buf, sizeof(buf));
    uint8_t *blob;
    struct fdt f;
    int node, plen;
    uint64_t a, s, v64;
    uint32_t v32;
    const char *str;
    const uint8_t *data;
    char *dts, *errs;

    assert_true(total > 0);
    blob = malloc((size_t)total);
    memcpy(blob, buf, (size_t)total);
    assert_int_equal(fdt_open(&f, blob, (size_t)total), 0);
    /* Deduplication: compatible, #address-cells, #size-cells, bootargs,
     * linux,initrd-start, reg, blob, dma-coherent, empty-list once each. */
    assert_int_equal(f.strings_size, sizeof("compatible") + sizeof("#address-cells") +
                     sizeof("#size-cells") + sizeof("bootargs") + sizeof("linux,initrd-start") +
                     sizeof("reg") + sizeof("blob") + sizeof("dma-coherent") + sizeof("empty-list"));

    node = fdt_path(&f, "/chosen");
    assert_int_equal(fdt_prop_string(&f, node, "bootargs", &str), 0);
    assert_string_equal(str, "console=ttyAMA0");
    assert_int_equal(fdt_prop_u64(&f, node, "linux,initrd-start", &v64), 0);
    assert_int_equal(v64, 0x48000000);
    node = fdt_next_compatible(&f, -1, "arm,primecell");
    assert_int_equal(node, fdt_path(&f, "/pl011"));
    assert_int_equal(fdt_get_reg(&f, node, 0, &a, &s), 0);
    assert_int_equal(a, 0x9000000);
    assert_int_equal(s, 0x1000);
    data = fdt_getprop(&f, node, "blob", &plen);
    assert_int_equal(plen, 5);
    assert_memory_equal(data, "\1\2\3\4\5", 5);
    assert_non_null(fdt_getprop(&f, node, "dma-coherent", &plen));
    assert_int_equal(plen, 0);
    assert_non_null(fdt_getprop(&f, node, "empty-list", &plen));
    assert_int_equal(plen, 0);
    assert_int_equal(fdt_prop_u32(&f, fdt_path(&f, "/a/b"), "cells", &v32), 0);
    assert_int_equal(v32, 7);
    assert_int_equal(fdt_mem_rsv(&f, 0, &a, &s), FDT_ERR_NOTFOUND);

    assert_int_equal(dtc_decompile(blob, (size_t)total, &dts, &errs), 0);
    assert_string_equal(errs, "");
    assert_non_null(strstr(dts, "compatible = \"arm,pl011\\0arm,primecell\";"));
    assert_non_null(strstr(dts, "linux,initrd-start = <0x00 0x48000000>;"));
    free(dts);
    free(errs);
    free(blob);
}

static void test_writer_overflow(void **state)
{
    enum { CANARY = 32 };
    uint8_t ref[1024];
    int total = build_sample(ref, sizeof(ref));

    /* Every size below the needed one reports NOSPACE and writes nothing
     * beyond the size it was given. */
    for (int size = 0; size <= total; size++) {
        uint8_t *buf = malloc((size_t)size + CANARY);
        int r;

        memset(buf, 0xa5, (size_t)size + CANARY);
        r = build_sample(buf, (size_t)size);
        if (size < total)
            assert_int_equal(r, FDT_ERR_NOSPACE);
        else
            assert_int_equal(r, total);
        for (int i = 0; i < CANARY; i++)
            assert_int_equal(buf[size + i], 0xa5);
        free(buf);
    }
}

static void test_writer_misuse(void **state)
{
    uint8_t buf[512];
    struct fdt_writer w;

    assert_int_equal(fdt_w_begin(NULL, buf, sizeof(buf)), FDT_ERR_BADPARAM);
    assert_int_equal(fdt_w_begin(&w, NULL, sizeof(buf)), FDT_ERR_BADPARAM);
    assert_int_equal(fdt_w_begin_node(&w, ""), FDT_ERR_BADPARAM);   /* sticky */

    fdt_w_begin(&w, buf, sizeof(buf));
    assert_int_equal(fdt_w_prop_u32(&w, "x", 1), FDT_ERR_BADSTATE);   /* no node yet */
    assert_int_equal(fdt_w_finish(&w), FDT_ERR_BADSTATE);

    fdt_w_begin(&w, buf, sizeof(buf));
    assert_int_equal(fdt_w_begin_node(&w, "named-root"), FDT_ERR_BADSTATE);
    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_begin_node(&w, ""), FDT_ERR_BADSTATE);
    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_begin_node(&w, "a/b"), FDT_ERR_BADPARAM);

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    fdt_w_begin_node(&w, "child");
    fdt_w_end_node(&w);
    assert_int_equal(fdt_w_prop_u32(&w, "late", 1), FDT_ERR_BADSTATE);

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_prop_u32(&w, "", 1), FDT_ERR_BADPARAM);
    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_prop(&w, "x", NULL, 4), FDT_ERR_BADPARAM);
    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_prop_string(&w, "x", NULL), FDT_ERR_BADPARAM);

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    assert_int_equal(fdt_w_finish(&w), FDT_ERR_BADSTATE);   /* root still open */

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    fdt_w_end_node(&w);
    assert_int_equal(fdt_w_end_node(&w), FDT_ERR_BADSTATE);

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    fdt_w_end_node(&w);
    assert_int_equal(fdt_w_begin_node(&w, ""), FDT_ERR_BADSTATE);   /* second root */

    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    for (int d = 1; d < FDT_MAX_DEPTH; d++)
        assert_int_equal(fdt_w_begin_node(&w, "d"), 0);
    assert_int_equal(fdt_w_begin_node(&w, "d"), FDT_ERR_DEPTH);

    /* A finished writer refuses more work; a minimal tree is valid. */
    fdt_w_begin(&w, buf, sizeof(buf));
    fdt_w_begin_node(&w, "");
    fdt_w_end_node(&w);
    assert_true(fdt_w_finish(&w) > 0);
    assert_int_equal(fdt_w_finish(&w), FDT_ERR_BADSTATE);
    {
        struct fdt f;
        assert_int_equal(fdt_open(&f, buf, sizeof(buf)), 0);
        assert_int_equal(fdt_root(&f), 0);
        assert_int_equal(fdt_first_child(&f, 0), FDT_ERR_NOTFOUND);
        assert_int_equal(fdt_first_prop(&f, 0), FDT_ERR_NOTFOUND);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_round_trip),
        cmocka_unit_test(test_writer_overflow),
        cmocka_unit_test(test_writer_misuse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
