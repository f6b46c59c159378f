/* The GICv3 ITS's pure part (arch/arm64/its_enc.c): commands, GITS_TYPER
 * and queue offsets, checked against the bit positions of Arm IHI 0069
 * written out here field by field, and against the GITS_TYPER QEMU 10.0.13
 * `virt` reads (docs/device-assignment.md, "Facts checked"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/its_enc.c"

static uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((hi - lo == 63) ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1));
}

static void test_typer_qemu(void **state)
{
    struct its_typer t;

    (void)state;
    its_typer_decode(0x0000001f0001efb1ULL, &t);
    assert_true(t.physical);
    assert_int_equal(t.itt_entry_bytes, 12);
    assert_int_equal(t.event_bits, 16);
    assert_int_equal(t.device_bits, 16);
    assert_int_equal(t.collection_bits, 16);
    assert_false(t.pta);
    assert_int_equal(t.hcc, 0);

    /* PTA, HCC, and CIDbits ignored without CIL */
    its_typer_decode((1ULL << 19) | (4ULL << 24) | (0x7ULL << 32) | (0x3ULL << 4), &t);
    assert_false(t.physical);
    assert_int_equal(t.itt_entry_bytes, 4);
    assert_true(t.pta);
    assert_int_equal(t.hcc, 4);
    assert_int_equal(t.collection_bits, 16);
    its_typer_decode((1ULL << 36) | (0x7ULL << 32), &t);
    assert_int_equal(t.collection_bits, 8);
}

static void test_mapd(void **state)
{
    uint64_t c[ITS_CMD_DWORDS];

    (void)state;
    memset(c, 0xa5, sizeof(c));
    assert_int_equal(its_cmd_mapd(c, 0x18, 5, 0xbe020100ULL, true), 0);
    assert_int_equal(bits(c[0], 7, 0), 0x08);
    assert_int_equal(bits(c[0], 31, 8), 0);
    assert_int_equal(bits(c[0], 63, 32), 0x18);
    assert_int_equal(bits(c[1], 4, 0), 4);              /* Size: EventID bits - 1 */
    assert_int_equal(bits(c[1], 63, 5), 0);
    assert_int_equal(bits(c[2], 51, 8) << 8, 0xbe020100ULL);
    assert_int_equal(bits(c[2], 7, 0), 0);
    assert_int_equal(bits(c[2], 62, 52), 0);
    assert_int_equal(bits(c[2], 63, 63), 1);            /* V */
    assert_int_equal(c[3], 0);

    /* unmapping: V clear, no ITT */
    assert_int_equal(its_cmd_mapd(c, 0xffffffffu, 0, 0, false), 0);
    assert_int_equal(bits(c[0], 63, 32), 0xffffffffu);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 0);

    assert_int_equal(its_cmd_mapd(c, 8, 1, 0x1080, true), -1);          /* not 256-byte aligned */
    assert_int_equal(its_cmd_mapd(c, 8, 1, 1ULL << 52, true), -1);     /* above 52 bits */
    assert_int_equal(its_cmd_mapd(c, 8, 0, 0x1000, true), -1);
    assert_int_equal(its_cmd_mapd(c, 8, 33, 0x1000, true), -1);
    assert_int_equal(its_cmd_mapd(c, 8, 32, 0x1000, true), 0);
    assert_int_equal(bits(c[1], 4, 0), 31);
}

static void test_mapc_and_targets(void **state)
{
    uint64_t c[ITS_CMD_DWORDS];

    (void)state;
    /* PTA 0: processor number 3 in RDbase */
    int64_t t = its_target(false, 3);
    assert_true(t > 0);
    assert_int_equal(its_cmd_mapc(c, 0x1234, (uint64_t)t, true), 0);
    assert_int_equal(bits(c[0], 7, 0), 0x09);
    assert_int_equal(bits(c[0], 63, 8), 0);
    assert_int_equal(c[1], 0);
    assert_int_equal(bits(c[2], 15, 0), 0x1234);
    assert_int_equal(bits(c[2], 51, 16), 3);
    assert_int_equal(bits(c[2], 63, 63), 1);
    assert_int_equal(c[3], 0);

    /* PTA 1: the redistributor's PA */
    t = its_target(true, 0x080c0000ULL);
    assert_int_equal(t, 0x080c0000LL);
    assert_int_equal(its_cmd_mapc(c, 1, (uint64_t)t, false), 0);
    assert_int_equal(bits(c[2], 15, 0), 1);
    assert_int_equal(bits(c[2], 63, 16), 0);           /* unmapped: no target, V clear */

    assert_int_equal(its_target(true, 0x080c1000ULL), -1);     /* not 64 KiB aligned */
    assert_int_equal(its_target(true, 1ULL << 52), -1);
    assert_int_equal(its_target(false, 0x10000), -1);
    assert_int_equal(its_cmd_mapc(c, 0, 0x8000, true), -1);

    its_cmd_sync(c, (uint64_t)its_target(false, 1));
    assert_int_equal(bits(c[0], 7, 0), 0x05);
    assert_int_equal(bits(c[2], 51, 16), 1);
    assert_int_equal(bits(c[2], 15, 0), 0);
    assert_int_equal(bits(c[2], 63, 52), 0);
}

static void test_mapti_and_events(void **state)
{
    uint64_t c[ITS_CMD_DWORDS];

    (void)state;
    assert_int_equal(its_cmd_mapti(c, 8, 0, 8192, 2), 0);
    assert_int_equal(bits(c[0], 7, 0), 0x0a);
    assert_int_equal(bits(c[0], 63, 32), 8);
    assert_int_equal(bits(c[1], 31, 0), 0);
    assert_int_equal(bits(c[1], 63, 32), 8192);
    assert_int_equal(bits(c[2], 15, 0), 2);
    assert_int_equal(bits(c[2], 63, 16), 0);
    assert_int_equal(c[3], 0);
    assert_int_equal(its_cmd_mapti(c, 8, 0, 8191, 2), -1);     /* an SPI or below: no LPI */
    assert_int_equal(its_cmd_mapti(c, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffff), 0);
    assert_int_equal(c[0], 0xffffffff0000000aULL);
    assert_int_equal(c[1], 0xffffffffffffffffULL);
    assert_int_equal(c[2], 0xffff);

    static const enum its_cmd_op ops[] = { ITS_CMD_INT, ITS_CMD_CLEAR, ITS_CMD_INV, ITS_CMD_DISCARD };
    static const unsigned numbers[] = { 0x03, 0x04, 0x0c, 0x0f };
    for (unsigned i = 0; i < 4; i++) {
        memset(c, 0xa5, sizeof(c));
        its_cmd_event(c, ops[i], 24, 7);
        assert_int_equal(bits(c[0], 7, 0), numbers[i]);
        assert_int_equal(bits(c[0], 31, 8), 0);
        assert_int_equal(bits(c[0], 63, 32), 24);
        assert_int_equal(c[1], 7);
        assert_int_equal(c[2], 0);
        assert_int_equal(c[3], 0);
    }
    its_cmd_movi(c, 24, 7, 5);
    assert_int_equal(bits(c[0], 7, 0), 0x01);
    assert_int_equal(c[1], 7);
    assert_int_equal(c[2], 5);
    its_cmd_invall(c, 9);
    assert_int_equal(c[0], 0x0d);
    assert_int_equal(c[1], 0);
    assert_int_equal(c[2], 9);
}

static void test_queue_wrap_around(void **state)
{
    const uint64_t size = 4096;     /* 128 commands */

    (void)state;
    assert_int_equal(its_queue_next(0, size), 32);
    assert_int_equal(its_queue_next(size - 32, size), 0);
    assert_false(its_queue_full(0, 0, size));                   /* empty */
    assert_true(its_queue_full(size - 32, 0, size));            /* one slot kept free */
    assert_true(its_queue_full(64, 96, size));
    assert_false(its_queue_full(96, 64, size));
    /* 127 commands fit, the 128th would make it look empty */
    uint64_t w = 0;
    unsigned n = 0;
    while (!its_queue_full(w, 0, size)) {
        w = its_queue_next(w, size);
        n++;
    }
    assert_int_equal(n, 127);
}

/* GITS_BASER0 as QEMU 10.0.13 resets it (devices, 8-byte entries, 64 KiB
 * pages), given a one-page table at a PA like elvisor's pool's. */
static void test_baser(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(its_baser_type(0x0107000000000200ULL), ITS_BASER_DEVICES);
    assert_int_equal(its_baser_type(0x0407000000000200ULL), ITS_BASER_COLLECTIONS);
    assert_int_equal(its_baser_entry_bytes(0x0107000000000200ULL), 8);
    assert_int_equal(its_baser_value(0x0107000000000200ULL, 0xbe021000ULL, 1, &v), 0);
    assert_int_equal(bits(v, 63, 63), 1);               /* Valid */
    assert_int_equal(bits(v, 61, 59), 7);               /* InnerCache: WB */
    assert_int_equal(bits(v, 58, 56), 1);               /* Type kept */
    assert_int_equal(bits(v, 55, 53), 0);               /* OuterCache: as inner */
    assert_int_equal(bits(v, 52, 48), 7);               /* Entry_Size kept */
    assert_int_equal(bits(v, 47, 12) << 12, 0xbe021000ULL);
    assert_int_equal(bits(v, 11, 10), 1);               /* inner shareable */
    assert_int_equal(bits(v, 9, 8), 0);                 /* 4 KiB pages, not the reset's 64 KiB */
    assert_int_equal(bits(v, 7, 0), 0);                 /* Size: pages - 1 */
    assert_int_equal(its_baser_value(0x0107000000000200ULL, 0xbe021000ULL, 256, &v), 0);
    assert_int_equal(bits(v, 7, 0), 255);
    assert_true(its_baser_value(0, 0xbe021800ULL, 1, &v) < 0);     /* not page aligned */
    assert_true(its_baser_value(0, 1ULL << 48, 1, &v) < 0);         /* beyond 48 bits */
    assert_true(its_baser_value(0, 0x1000, 0, &v) < 0);
    assert_true(its_baser_value(0, 0x1000, 257, &v) < 0);

    assert_int_equal(its_table_pages(8, 8), 1);         /* bus 0: 256 DeviceIDs */
    assert_int_equal(its_table_pages(8, 9), 1);
    assert_int_equal(its_table_pages(8, 10), 2);
    assert_int_equal(its_table_pages(8, 16), 128);
    assert_int_equal(its_table_pages(8, 17), 256);
    assert_int_equal(its_table_pages(8, 18), 0);        /* a flat table cannot */
    assert_int_equal(its_itt_bytes(12, 1), 256);        /* 24 bytes, aligned up */
    assert_int_equal(its_itt_bytes(12, 5), 512);        /* 384 -> 512 */
    assert_int_equal(its_itt_bytes(8, 5), 256);
}

static void test_lpi_tables(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(lpi_config_bytes(14), 8192);       /* LPIs 8192-16383 */
    assert_int_equal(lpi_pending_bytes(14), 2048);      /* a bit per INTID from 0 */
    assert_int_equal(lpi_config_bytes(16), 65536 - 8192);
    assert_int_equal(lpi_propbaser(0xbe030000ULL, 14, &v), 0);
    assert_int_equal(bits(v, 4, 0), 13);                /* IDbits - 1 */
    assert_int_equal(bits(v, 9, 7), 7);
    assert_int_equal(bits(v, 11, 10), 1);
    assert_int_equal(bits(v, 51, 12) << 12, 0xbe030000ULL);
    assert_int_equal(bits(v, 63, 52), 0);
    assert_true(lpi_propbaser(0xbe030800ULL, 14, &v) < 0);
    assert_true(lpi_propbaser(0xbe030000ULL, 13, &v) < 0);  /* fewer bits than the first LPI */
    assert_int_equal(lpi_pendbaser(0xbe040000ULL, &v), 0);
    assert_int_equal(bits(v, 62, 62), 1);               /* PTZ */
    assert_int_equal(bits(v, 51, 16) << 16, 0xbe040000ULL);
    assert_int_equal(bits(v, 15, 12), 0);
    assert_int_equal(bits(v, 9, 7), 7);
    assert_int_equal(bits(v, 11, 10), 1);
    assert_true(lpi_pendbaser(0xbe041000ULL, &v) < 0);  /* 64 KiB aligned */
}

/* QEMU's msi-map <0 &its 0 0x10000>, and a shifted row. */
static void test_devid_of_rid(void **state)
{
    (void)state;
    assert_int_equal(its_devid_of_rid(8, 0, 0, 0x10000), 8);
    assert_int_equal(its_devid_of_rid(24, 0, 0, 0x10000), 24);
    assert_int_equal(its_devid_of_rid(0x108, 0x100, 0x20, 0x100), 0x28);
    assert_true(its_devid_of_rid(0x8, 0x100, 0x20, 0x100) < 0);
    assert_true(its_devid_of_rid(0x200, 0x100, 0x20, 0x100) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typer_qemu),
        cmocka_unit_test(test_mapd),
        cmocka_unit_test(test_mapc_and_targets),
        cmocka_unit_test(test_mapti_and_events),
        cmocka_unit_test(test_queue_wrap_around),
        cmocka_unit_test(test_baser),
        cmocka_unit_test(test_lpi_tables),
        cmocka_unit_test(test_devid_of_rid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
