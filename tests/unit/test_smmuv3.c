/* The SMMUv3 driver's pure part (arch/arm64/smmuv3_enc.c): STEs, commands,
 * queue indexes and event records, each checked against the bit positions
 * of Arm IHI 0070 written out here independently (field by field, with
 * shifts, not with the driver's macros). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arch/arm64/smmuv3_enc.c"

static uint64_t bits(uint64_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((hi - lo == 63) ? ~0ULL : ((1ULL << (hi - lo + 1)) - 1));
}

static void test_ste_abort(void **state)
{
    uint64_t ste[8];

    (void)state;
    memset(ste, 0xa5, sizeof(ste));
    smmu_ste_abort(ste);
    assert_int_equal(bits(ste[0], 0, 0), 1);        /* V */
    assert_int_equal(bits(ste[0], 3, 1), 0);        /* Config: abort */
    for (unsigned i = 1; i < 8; i++)
        assert_int_equal(ste[i], 0);
}

static void test_ste_s2_fields(void **state)
{
    uint64_t ste[8];
    /* A 40-bit IPA starting at level 0, as elvisor's stage 2 on -cpu max */
    struct smmu_s2_cfg c = { .ttb = 0x4123456000ULL, .vmid = 0xbeef, .ipa_bits = 40,
                             .start_level = 0, .pa_bits = 44 };

    (void)state;
    assert_int_equal(smmu_ste_s2(ste, &c), 0);
    assert_int_equal(bits(ste[0], 0, 0), 1);        /* V */
    assert_int_equal(bits(ste[0], 3, 1), 6);        /* S1 bypass, S2 translate */
    assert_int_equal(bits(ste[0], 63, 4), 0);       /* no stage-1 context */
    assert_int_equal(bits(ste[1], 45, 44), 1);      /* SHCFG: incoming */
    assert_int_equal(bits(ste[1], 31, 30), 0);      /* STRW: NS-EL1 */
    assert_int_equal(bits(ste[2], 15, 0), 0xbeef);  /* S2VMID */
    assert_int_equal(bits(ste[2], 37, 32), 24);     /* S2T0SZ = 64 - 40 */
    assert_int_equal(bits(ste[2], 39, 38), 2);      /* S2SL0: level 0 with 4 KiB */
    assert_int_equal(bits(ste[2], 41, 40), 1);      /* S2IR0 WBWA */
    assert_int_equal(bits(ste[2], 43, 42), 1);      /* S2OR0 WBWA */
    assert_int_equal(bits(ste[2], 45, 44), 3);      /* S2SH0 inner */
    assert_int_equal(bits(ste[2], 47, 46), 0);      /* S2TG 4 KiB */
    assert_int_equal(bits(ste[2], 50, 48), 4);      /* S2PS 44 bits */
    assert_int_equal(bits(ste[2], 51, 51), 1);      /* S2AA64 */
    assert_int_equal(bits(ste[2], 52, 52), 0);      /* S2ENDI little-endian */
    assert_int_equal(bits(ste[2], 53, 53), 0);      /* S2AFFD: AF faults stay on */
    assert_int_equal(bits(ste[2], 57, 57), 0);      /* S2S: no stall */
    assert_int_equal(bits(ste[2], 58, 58), 1);      /* S2R: record faults */
    assert_int_equal(ste[3], 0x4123456000ULL);      /* S2TTB [51:4] */
    for (unsigned i = 4; i < 8; i++)
        assert_int_equal(ste[i], 0);

    /* A 39-bit IPA starting at level 1 (CPUs with 40-43 PA bits) */
    c.ipa_bits = 39;
    c.start_level = 1;
    c.pa_bits = 40;
    assert_int_equal(smmu_ste_s2(ste, &c), 0);
    assert_int_equal(bits(ste[2], 37, 32), 25);
    assert_int_equal(bits(ste[2], 39, 38), 1);
    assert_int_equal(bits(ste[2], 50, 48), 2);
}

static void test_ste_s2_refused(void **state)
{
    uint64_t ste[8] = { 0 };
    struct smmu_s2_cfg good = { .ttb = 0x40000000ULL, .vmid = 1, .ipa_bits = 40,
                                .start_level = 0, .pa_bits = 48 };
    struct smmu_s2_cfg c;

    (void)state;
    c = good; c.ttb |= 0x800;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);     /* tables are 4 KiB aligned */
    c = good; c.ttb = 1ULL << 52;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);     /* beyond S2TTB */
    c = good; c.ipa_bits = 31;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    c = good; c.ipa_bits = 49;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    c = good; c.start_level = 1;                    /* 40 bits from level 1 needs concatenation */
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    c = good; c.ipa_bits = 39;                      /* 39 bits start at level 1 */
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    c = good; c.start_level = 2;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    c = good; c.pa_bits = 31;
    assert_int_equal(smmu_ste_s2(ste, &c), -1);
    assert_int_equal(ste[0], 0);                    /* untouched when refused */
}

static void test_output_sizes(void **state)
{
    (void)state;
    assert_int_equal(smmu_oas_bits(0), 32);
    assert_int_equal(smmu_oas_bits(4), 44);
    assert_int_equal(smmu_oas_bits(5), 48);
    assert_int_equal(smmu_oas_bits(6), 52);
    assert_int_equal(smmu_ps_of_bits(44), 4);
    assert_int_equal(smmu_ps_of_bits(43), 3);       /* 42 bits: the largest that fits */
    assert_int_equal(smmu_ps_of_bits(52), 5);       /* S2PS 52 bits needs LPA: not offered */
    assert_int_equal(smmu_ps_of_bits(32), 0);
    assert_int_equal(smmu_ps_of_bits(31), -1);
}

static void test_commands(void **state)
{
    uint64_t c[2];

    (void)state;
    smmu_cmd_cfgi_ste(c, 0x0108);
    assert_int_equal(bits(c[0], 7, 0), 0x03);
    assert_int_equal(bits(c[0], 63, 32), 0x0108);   /* StreamID */
    assert_int_equal(bits(c[1], 0, 0), 1);          /* Leaf */

    smmu_cmd_cfgi_all(c);
    assert_int_equal(bits(c[0], 7, 0), 0x04);
    assert_int_equal(bits(c[1], 4, 0), 31);         /* Range: every stream */

    smmu_cmd_tlbi_s12_vmall(c, 0x1234);
    assert_int_equal(bits(c[0], 7, 0), 0x28);
    assert_int_equal(bits(c[0], 47, 32), 0x1234);   /* VMID */
    assert_int_equal(c[1], 0);

    smmu_cmd_tlbi_s2_ipa(c, 7, 0xfedcba987654ULL, true);
    assert_int_equal(bits(c[0], 7, 0), 0x2a);
    assert_int_equal(bits(c[0], 47, 32), 7);
    assert_int_equal(bits(c[0], 24, 12), 0);        /* NUM, SCALE: one address */
    assert_int_equal(bits(c[1], 0, 0), 1);          /* Leaf */
    assert_int_equal(bits(c[1], 11, 8), 0);         /* TTL, TG: no hint */
    assert_int_equal(c[1] & ~1ULL, 0xfedcba987000ULL); /* IPA [51:12] */
    smmu_cmd_tlbi_s2_ipa(c, 7, 0x1000, false);
    assert_int_equal(c[1], 0x1000);

    smmu_cmd_tlbi_nsnh_all(c);
    assert_int_equal(bits(c[0], 7, 0), 0x30);

    smmu_cmd_sync(c);
    assert_int_equal(bits(c[0], 7, 0), 0x46);
    assert_int_equal(bits(c[0], 13, 12), 0);        /* CS: no signal */
    assert_int_equal(c[1], 0);                      /* no MSI */
}

/* A model queue of 2^log2 entries driven through many wrap-arounds: the
 * index helpers must agree with a plain count of what is in it. */
static void test_queue_wrap_around(void **state)
{
    (void)state;
    for (unsigned log2 = 0; log2 <= 8; log2++) {
        uint32_t size = 1u << log2, prod = 0, cons = 0, used = 0;
        unsigned seed = 12345 + log2;

        for (unsigned step = 0; step < 20000; step++) {
            seed = seed * 1103515245u + 12345u;
            bool produce = (seed >> 16) & 1;

            assert_int_equal(smmu_q_empty(prod, cons, log2), used == 0);
            assert_int_equal(smmu_q_full(prod, cons, log2), used == size);
            assert_int_equal(smmu_q_space(prod, cons, log2), size - used);
            assert_true(prod < (2u << log2) && cons < (2u << log2));
            if (produce && used < size) {
                uint32_t at = prod;
                prod = smmu_q_next(prod, log2);
                used++;
                assert_false(smmu_q_consumed(cons, at, log2));
            } else if (used > 0) {
                uint32_t at = cons;
                cons = smmu_q_next(cons, log2);
                used--;
                assert_true(smmu_q_consumed(cons, at, log2));
            }
        }
    }
    /* The wrap bit: index 255 of a 256-entry queue, then 0 with wrap set. */
    assert_int_equal(smmu_q_next(255, 8), 256);
    assert_int_equal(smmu_q_index(256, 8), 0);
    assert_int_equal(smmu_q_wrap(256, 8), 1);
    assert_int_equal(smmu_q_next(511, 8), 0);
    assert_true(smmu_q_full(256, 0, 8));
    assert_true(smmu_q_empty(256, 256, 8));
}

static void test_event_decode(void **state)
{
    struct smmu_event e;
    /* F_TRANSLATION, stream 8, a stage-2 read at IPA 0x1_0000_0040 */
    uint64_t rec[4] = { 0x10 | (8ULL << 32), (1ULL << 39) | (1ULL << 35),
                        0x100000040ULL, 0x100000040ULL };

    (void)state;
    smmu_event_decode(rec, &e);
    assert_int_equal(e.type, EVT_F_TRANSLATION);
    assert_string_equal(smmu_event_name(e.type), "F_TRANSLATION");
    assert_int_equal(e.sid, 8);
    assert_true(e.read);
    assert_true(e.stage2);
    assert_int_equal(e.addr, 0x100000040ULL);
    assert_int_equal(e.ipa, 0x100000040ULL);

    rec[0] = 0x13 | (0xffffULL << 32);
    rec[1] = 0;
    rec[3] = 0xfff0000000000007ULL;                 /* bits outside IPA [51:3] */
    smmu_event_decode(rec, &e);
    assert_string_equal(smmu_event_name(e.type), "F_PERMISSION");
    assert_int_equal(e.sid, 0xffff);
    assert_false(e.read);
    assert_false(e.stage2);
    assert_int_equal(e.ipa, 0);

    rec[0] = 0x02 | (0x10000ULL << 32);
    smmu_event_decode(rec, &e);
    assert_string_equal(smmu_event_name(e.type), "C_BAD_STREAMID");
    assert_int_equal(e.sid, 0x10000);
    assert_int_equal(e.ipa, 0);
    assert_string_equal(smmu_event_name(0x99), "event");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ste_abort),
        cmocka_unit_test(test_ste_s2_fields),
        cmocka_unit_test(test_ste_s2_refused),
        cmocka_unit_test(test_output_sizes),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_queue_wrap_around),
        cmocka_unit_test(test_event_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
