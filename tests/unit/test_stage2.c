/* Stage-2 table building (VMSAv8-64, 4 KiB granule). Tables are host pages
 * from aligned_alloc; descriptors hold host pointers as output addresses.
 * Besides stage2_lookup(), an independent walker written from the Arm ARM
 * (D8.3 "Translation table descriptor formats", stage 2) checks every
 * descriptor the code writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "core/stage2.c"

/* ---- Arm ARM descriptor layout, written out independently ---- */

#define D_VALID         (1ULL << 0)
#define D_TYPE          (1ULL << 1)         /* table (levels 0-2) / page (level 3) */
#define D_MEMATTR(d)    (((d) >> 2) & 0xf)
#define D_S2AP(d)       (((d) >> 6) & 0x3)
#define D_SH(d)         (((d) >> 8) & 0x3)
#define D_AF            (1ULL << 10)
#define D_CONTIG        (1ULL << 52)
#define D_XN(d)         (((d) >> 53) & 0x3)
#define D_OA(d)         ((d) & 0x0000fffffffff000ULL)
/* Stage-2 table descriptors carry no attributes: bits 63:48 and 11:2 unused. */
#define D_TABLE_ATTRS   (0xffff000000000ffcULL)

#define MEMATTR_NORMAL_WB   0xfu    /* Outer WB, Inner WB */
#define MEMATTR_DEV_NGNRE   0x1u
#define SH_INNER            0x3u
#define XN_NONE             0x0u
#define XN_ALL              0x2u

#define KiB4    0x1000ULL
#define MiB2    0x200000ULL
#define GiB1    0x40000000ULL

static unsigned level_shift(unsigned level)
{
    return 12 + 9 * (3 - level);
}

/* ---- Counting allocator with a budget ---- */

#define POOL_MAX 4096
static void *pool[POOL_MAX];
static unsigned pool_used;
static unsigned pool_budget;

static void *test_alloc(void)
{
    void *p;

    if (pool_used >= pool_budget || pool_used >= POOL_MAX)
        return NULL;
    p = aligned_alloc(4096, 4096);
    assert_non_null(p);
    memset(p, 0, 4096);
    pool[pool_used++] = p;
    return p;
}

static bool in_pool(uint64_t pa)
{
    for (unsigned i = 0; i < pool_used; i++)
        if ((uint64_t)(uintptr_t)pool[i] == pa)
            return true;
    return false;
}

static int setup(void **state)
{
    (void)state;
    pool_used = 0;
    pool_budget = POOL_MAX;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned i = 0; i < pool_used; i++)
        free(pool[i]);
    pool_used = 0;
    return 0;
}

/* ---- Independent walker ---- */

struct walk {
    bool mapped;
    unsigned level;     /* level of the leaf */
    uint64_t desc, pa;
};

static unsigned walker_start_level(const struct stage2 *s2)
{
    /* VTCR_EL2.SL0 with a 4 KiB granule: 0 = level 2, 1 = level 1, 2 = level 0. */
    unsigned sl0 = stage2_vtcr_sl0(s2);

    assert_true(sl0 <= 2);
    return 2 - sl0;
}

static struct walk walk(const struct stage2 *s2, uint64_t ipa)
{
    struct walk w = { 0 };
    const uint64_t *table = (const uint64_t *)(uintptr_t)s2->root;

    if (ipa >> s2->ipa_bits)
        return w;
    for (unsigned l = walker_start_level(s2); l <= 3; l++) {
        uint64_t d = table[(ipa >> level_shift(l)) & 511];
        if (!(d & D_VALID))
            return w;
        if (l < 3 && (d & D_TYPE)) {
            assert_true((d & D_TABLE_ATTRS) == 0);
            assert_true(in_pool(D_OA(d)));
            table = (const uint64_t *)(uintptr_t)D_OA(d);
            continue;
        }
        /* Level-0 blocks and level-3 "blocks" are reserved encodings. */
        assert_true(l == 1 || l == 2 || (l == 3 && (d & D_TYPE)));
        uint64_t size = 1ULL << level_shift(l);
        assert_true((D_OA(d) & (size - 1)) == 0);   /* block OA low bits are RES0 */
        w.mapped = true;
        w.level = l;
        w.desc = d;
        w.pa = D_OA(d) | (ipa & (size - 1));
        return w;
    }
    return w;
}

/* The leaf attributes elvisor promises for each protection. */
static void check_leaf_attrs(uint64_t d, unsigned prot)
{
    assert_true(d & D_AF);
    assert_false(d & D_CONTIG);
    assert_int_equal(D_S2AP(d), ((prot & S2_READ) ? 1 : 0) | ((prot & S2_WRITE) ? 2 : 0));
    if (prot & S2_DEVICE) {
        assert_int_equal(D_MEMATTR(d), MEMATTR_DEV_NGNRE);
        assert_int_equal(D_XN(d), XN_ALL);
    } else {
        assert_int_equal(D_MEMATTR(d), MEMATTR_NORMAL_WB);
        assert_int_equal(D_SH(d), SH_INNER);
        assert_int_equal(D_XN(d), (prot & S2_EXEC) ? XN_NONE : XN_ALL);
    }
    /* Bits 11 and 51:48 are RES0 in stage-2 leaves; 63:55 unused here. */
    assert_true((d & ((1ULL << 11) | (0xfULL << 48) | (0x1ffULL << 55))) == 0);
}

static unsigned expected_prot(unsigned prot)
{
    return (prot & S2_DEVICE) ? (prot & ~S2_EXEC) : prot;
}

/* Both walkers agree that ipa maps to pa at `level` with prot. */
static void expect_mapped(const struct stage2 *s2, uint64_t ipa, uint64_t pa, unsigned level,
                          unsigned prot)
{
    struct walk w = walk(s2, ipa);
    uint64_t got_pa = 0;
    unsigned got_prot = 0;

    if (!w.mapped || w.pa != pa || w.level != level)
        print_error("ipa %#llx: mapped %d pa %#llx level %u, want pa %#llx level %u\n",
                    (unsigned long long)ipa, w.mapped, (unsigned long long)w.pa, w.level,
                    (unsigned long long)pa, level);
    assert_true(w.mapped);
    assert_true(w.pa == pa);
    assert_int_equal(w.level, level);
    check_leaf_attrs(w.desc, prot);
    assert_true(stage2_lookup(s2, ipa, &got_pa, &got_prot));
    assert_true(got_pa == pa);
    assert_int_equal(got_prot, expected_prot(prot));
}

static void expect_unmapped(const struct stage2 *s2, uint64_t ipa)
{
    uint64_t pa = 0x1234;
    unsigned prot = 0x55;

    assert_false(walk(s2, ipa).mapped);
    assert_false(stage2_lookup(s2, ipa, &pa, &prot));
}

static void init(struct stage2 *s2, unsigned ipa_bits)
{
    assert_int_equal(stage2_init(s2, ipa_bits, test_alloc), 0);
    assert_int_equal(pool_used, 1);
    assert_true(s2->root == (uint64_t)(uintptr_t)pool[0]);
}

#define RW   (S2_READ | S2_WRITE)
#define RWX  (S2_READ | S2_WRITE | S2_EXEC)

/* ---- Tests ---- */

static void test_init_levels(void **state)
{
    (void)state;
    for (unsigned bits = 32; bits <= 48; bits++) {
        struct stage2 s2;
        init(&s2, bits);
        unsigned start = walker_start_level(&s2);
        assert_int_equal(start, s2.start_level);
        assert_int_equal(s2.ipa_bits, bits);
        /* One root table resolves the bits above the start level: at least
         * one and at most nine of them (no concatenated tables). */
        int top = (int)bits - (int)level_shift(start);
        assert_true(top >= 1 && top <= 9);
        /* And the architecture's rule for a valid SL0/T0SZ pair holds. */
        assert_true(start == (bits > 39 ? 0u : 1u));
        teardown(NULL);
    }
}

static void test_init_errors(void **state)
{
    struct stage2 s2;

    (void)state;
    assert_int_equal(stage2_init(&s2, 31, test_alloc), S2_ERR_RANGE);
    assert_int_equal(stage2_init(&s2, 49, test_alloc), S2_ERR_RANGE);
    assert_int_equal(stage2_init(&s2, 0, test_alloc), S2_ERR_RANGE);
    assert_int_equal(pool_used, 0);
    pool_budget = 0;
    assert_int_equal(stage2_init(&s2, 40, test_alloc), S2_ERR_NOMEM);
}

static void test_gib_block(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, GiB1, 0x80000000ULL, GiB1, RWX), 0);
    assert_int_equal(pool_used, 2);         /* root (L0) + one L1 table */
    expect_mapped(&s2, GiB1, 0x80000000ULL, 1, RWX);
    expect_mapped(&s2, GiB1 + 0x12345678, 0x80000000ULL + 0x12345678, 1, RWX);
    expect_mapped(&s2, 2 * GiB1 - 1, 0x80000000ULL + GiB1 - 1, 1, RWX);
    expect_unmapped(&s2, GiB1 - 1);
    expect_unmapped(&s2, 2 * GiB1);
    expect_unmapped(&s2, 0);
}

static void test_mib_block_and_pages(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 39);                          /* starts at level 1 */
    assert_int_equal(stage2_map(&s2, 0x40200000ULL, 0x90200000ULL, MiB2, RW), 0);
    assert_int_equal(pool_used, 2);         /* root (L1) + L2 */
    expect_mapped(&s2, 0x40200000ULL, 0x90200000ULL, 2, RW);
    expect_mapped(&s2, 0x403fffffULL, 0x903fffffULL, 2, RW);
    expect_unmapped(&s2, 0x40400000ULL);
    expect_unmapped(&s2, 0x401fffffULL);

    assert_int_equal(stage2_map(&s2, 0x09000000ULL, 0x09000000ULL, KiB4, RW | S2_DEVICE), 0);
    assert_int_equal(pool_used, 4);         /* + L2 for the first GiB + L3 */
    expect_mapped(&s2, 0x09000000ULL, 0x09000000ULL, 3, RW | S2_DEVICE);
    expect_mapped(&s2, 0x09000ffcULL, 0x09000ffcULL, 3, RW | S2_DEVICE);
    expect_unmapped(&s2, 0x09001000ULL);
    expect_unmapped(&s2, 0x08fff000ULL);

    /* A second page in the same 2 MiB reuses the level-3 table. */
    assert_int_equal(stage2_map(&s2, 0x09010000ULL, 0x7000000000ULL, KiB4, S2_READ), 0);
    assert_int_equal(pool_used, 4);
    expect_mapped(&s2, 0x09010abcULL, 0x7000000abcULL, 3, S2_READ);
}

/* A range that is not block aligned is covered by pages up to the first
 * block boundary, then the largest blocks, then pages again. */
static void test_mixed_range(void **state)
{
    struct stage2 s2;
    const uint64_t ipa = GiB1 - 2 * KiB4, pa = 0x100000000ULL - 2 * KiB4;
    const uint64_t size = 2 * KiB4 + GiB1 + MiB2 + 3 * KiB4;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, ipa, pa, size, RWX), 0);
    expect_unmapped(&s2, ipa - 1);
    expect_mapped(&s2, ipa, pa, 3, RWX);
    expect_mapped(&s2, ipa + KiB4, pa + KiB4, 3, RWX);
    expect_mapped(&s2, GiB1, pa + 2 * KiB4, 1, RWX);
    expect_mapped(&s2, 2 * GiB1 - 1, pa + 2 * KiB4 + GiB1 - 1, 1, RWX);
    expect_mapped(&s2, 2 * GiB1, pa + 2 * KiB4 + GiB1, 2, RWX);
    expect_mapped(&s2, 2 * GiB1 + MiB2, pa + 2 * KiB4 + GiB1 + MiB2, 3, RWX);
    expect_mapped(&s2, ipa + size - 1, pa + size - 1, 3, RWX);
    expect_unmapped(&s2, ipa + size);

    /* Every page of the range translates linearly. */
    for (uint64_t off = 0; off < size; off += (off < 4 * KiB4 || off > size - 8 * MiB2) ? KiB4 : MiB2) {
        uint64_t got;
        unsigned prot;
        assert_true(stage2_lookup(&s2, ipa + off, &got, &prot));
        assert_true(got == pa + off);
        assert_int_equal(prot, RWX);
    }
}

/* The output address decides the block size too. */
static void test_pa_alignment_limits_blocks(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 40);
    /* IPA 1 GiB aligned, PA only 2 MiB aligned: 512 level-2 blocks. */
    assert_int_equal(stage2_map(&s2, GiB1, 0x80200000ULL, GiB1, RW), 0);
    assert_int_equal(pool_used, 3);
    expect_mapped(&s2, GiB1, 0x80200000ULL, 2, RW);
    expect_mapped(&s2, 2 * GiB1 - KiB4, 0x80200000ULL + GiB1 - KiB4, 2, RW);
    /* PA only page aligned: pages. */
    assert_int_equal(stage2_map(&s2, 4 * GiB1, 0x12345000ULL, 2 * MiB2, RW), 0);
    expect_mapped(&s2, 4 * GiB1, 0x12345000ULL, 3, RW);
    expect_mapped(&s2, 4 * GiB1 + 2 * MiB2 - 1, 0x12345000ULL + 2 * MiB2 - 1, 3, RW);
    /* High output addresses survive (bits up to 47). */
    assert_int_equal(stage2_map(&s2, 8 * GiB1, 0x0000ffffc0000000ULL, GiB1, RW), 0);
    expect_mapped(&s2, 8 * GiB1 + 5, 0x0000ffffc0000005ULL, 1, RW);
}

static void test_prot_combinations(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 36);
    for (unsigned prot = 0; prot < 16; prot++) {
        uint64_t ipa = (uint64_t)prot * MiB2 * 2;
        assert_int_equal(stage2_map(&s2, ipa, ipa + GiB1, MiB2, prot), 0);
        assert_int_equal(stage2_map(&s2, ipa + MiB2, ipa + GiB1 + MiB2, KiB4, prot), 0);
        expect_mapped(&s2, ipa + 8, ipa + GiB1 + 8, 2, prot);
        expect_mapped(&s2, ipa + MiB2 + 8, ipa + GiB1 + MiB2 + 8, 3, prot);
    }
}

static void test_alignment_errors(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, 0x1001, 0x1000, KiB4, RW), S2_ERR_ALIGN);
    assert_int_equal(stage2_map(&s2, 0x1000, 0x1800, KiB4, RW), S2_ERR_ALIGN);
    assert_int_equal(stage2_map(&s2, 0x1000, 0x1000, KiB4 + 1, RW), S2_ERR_ALIGN);
    assert_int_equal(stage2_map(&s2, 0x1000, 0x1000, 0, RW), S2_ERR_ALIGN);
    assert_int_equal(pool_used, 1);         /* nothing allocated on rejection */
    expect_unmapped(&s2, 0x1000);
}

static void test_range_errors(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 32);
    assert_int_equal(stage2_map(&s2, 0xfffff000ULL, 0, KiB4, RW), 0);
    expect_mapped(&s2, 0xffffffffULL, 0xfffULL, 3, RW);
    assert_int_equal(stage2_map(&s2, 0xfffff000ULL, 0, 2 * KiB4, RW), S2_ERR_RANGE);
    assert_int_equal(stage2_map(&s2, 0x100000000ULL, 0, KiB4, RW), S2_ERR_RANGE);
    assert_int_equal(stage2_map(&s2, 0, 0, 0x100001000ULL, RW), S2_ERR_RANGE);
    /* Wrapping around 2^64. */
    assert_int_equal(stage2_map(&s2, 0xfffffffffffff000ULL, 0, 2 * KiB4, RW), S2_ERR_RANGE);
    assert_int_equal(stage2_map(&s2, KiB4, 0, 0xfffffffffffff000ULL, RW), S2_ERR_RANGE);
    expect_unmapped(&s2, 0x100000000ULL);
    expect_unmapped(&s2, 0xfffffffffffff000ULL);
    /* The whole 4 GiB as four 1 GiB blocks fills the 4-entry root. */
    teardown(NULL);
    init(&s2, 32);
    assert_int_equal(stage2_map(&s2, 0, 0x100000000ULL, 4 * GiB1, RW), 0);
    assert_int_equal(pool_used, 1);
    for (unsigned i = 0; i < 4; i++)
        expect_mapped(&s2, i * GiB1 + 0x777, 0x100000000ULL + i * GiB1 + 0x777, 1, RW);
    for (unsigned i = 4; i < 512; i++)
        assert_true(((uint64_t *)(uintptr_t)s2.root)[i] == 0);
}

static void test_top_of_48bit_space(void **state)
{
    struct stage2 s2;
    const uint64_t top = 1ULL << 48;

    (void)state;
    init(&s2, 48);
    assert_int_equal(stage2_map(&s2, top - GiB1, GiB1, GiB1, RW), 0);
    assert_int_equal(stage2_map(&s2, top - 2 * GiB1 + MiB2, 0x200000ULL, MiB2, RW), 0);
    expect_mapped(&s2, top - 1, 2 * GiB1 - 1, 1, RW);
    expect_mapped(&s2, top - 2 * GiB1 + MiB2, 0x200000ULL, 2, RW);
    assert_int_equal(stage2_map(&s2, top, 0, KiB4, RW), S2_ERR_RANGE);
    expect_unmapped(&s2, top);
    expect_unmapped(&s2, ~0ULL);
}

/* Found by tests/fuzz/fuzz_stage2.c: a PA at or past 2^48 (the 48-bit
 * output size the descriptors hold) was accepted and its high bits
 * dropped, mapping the IPA onto another PA (0x8010b000000000 became
 * 0xb000000000). Such a PA can come from the host DTB (the GICv2 GICV
 * frame), so it must be refused. */
static void test_pa_beyond_output_size(void **state)
{
    struct stage2 s2;
    const uint64_t top = 1ULL << 48;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, 0x4000100000ULL, 0x8010b000000000ULL, 16 * MiB2, RW),
                     S2_ERR_RANGE);
    expect_unmapped(&s2, 0x4000100000ULL);
    assert_int_equal(stage2_map(&s2, 0, top, KiB4, RW), S2_ERR_RANGE);
    assert_int_equal(stage2_map(&s2, 0, top - KiB4, 2 * KiB4, RW), S2_ERR_RANGE);
    /* Wrapping around 2^64 in the PA. */
    assert_int_equal(stage2_map(&s2, 0, 0xfffffffffffff000ULL, 2 * KiB4, RW), S2_ERR_RANGE);
    expect_unmapped(&s2, 0);
    /* The last page below 2^48 is fine. */
    assert_int_equal(stage2_map(&s2, 0, top - KiB4, KiB4, RW), 0);
    expect_mapped(&s2, 0x123, top - KiB4 + 0x123, 3, RW);
}

static void test_overlap(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 40);
    /* Same page twice. */
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x1000000ULL, KiB4, RW), 0);
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x2000000ULL, KiB4, RW), S2_ERR_OVERLAP);
    /* A block over an existing page. */
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x2000000ULL, MiB2, RW), S2_ERR_OVERLAP);
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x80000000ULL, GiB1, RW), S2_ERR_OVERLAP);
    expect_mapped(&s2, 0x40000000ULL, 0x1000000ULL, 3, RW);
    /* A page inside an existing 2 MiB and 1 GiB block. */
    assert_int_equal(stage2_map(&s2, 0x80000000ULL, 0x80000000ULL, GiB1, RWX), 0);
    assert_int_equal(stage2_map(&s2, 0x80001000ULL, 0x5000ULL, KiB4, RW), S2_ERR_OVERLAP);
    assert_int_equal(stage2_map(&s2, 0xbfe00000ULL, 0x5000000ULL, MiB2, RW), S2_ERR_OVERLAP);
    assert_int_equal(stage2_map(&s2, 0x40200000ULL, 0x40200000ULL, MiB2, RW), 0);
    assert_int_equal(stage2_map(&s2, 0x40201000ULL, 0x5000ULL, KiB4, RW), S2_ERR_OVERLAP);
    expect_mapped(&s2, 0x80001000ULL, 0x80001000ULL, 1, RWX);
    expect_mapped(&s2, 0x40201000ULL, 0x40201000ULL, 2, RW);
    /* Neighbours are fine. */
    assert_int_equal(stage2_map(&s2, 0x40001000ULL, 0x3000ULL, KiB4, RW), 0);
    assert_int_equal(stage2_map(&s2, 0x7ffff000ULL, 0x3000ULL, KiB4, RW), 0);
    expect_mapped(&s2, 0x40001000ULL, 0x3000ULL, 3, RW);
    expect_mapped(&s2, 0x7ffff000ULL, 0x3000ULL, 3, RW);
    expect_mapped(&s2, 0x40000000ULL, 0x1000000ULL, 3, RW);
}

/* Checks every descriptor reachable from the root: tables come from the
 * allocator, are referenced once, and leaves have the access flag. */
static unsigned check_tree(const uint64_t *table, unsigned level, uint8_t *refs)
{
    unsigned leaves = 0;

    for (unsigned i = 0; i < 512; i++) {
        uint64_t d = table[i];
        if (!(d & D_VALID))
            continue;
        if (level < 3 && (d & D_TYPE)) {
            unsigned idx;
            for (idx = 0; idx < pool_used; idx++)
                if ((uint64_t)(uintptr_t)pool[idx] == D_OA(d))
                    break;
            assert_true(idx < pool_used);
            assert_int_equal(refs[idx], 0);
            refs[idx] = 1;
            leaves += check_tree(pool[idx], level + 1, refs);
        } else {
            assert_true(level == 1 || level == 2 || (d & D_TYPE));
            assert_true(d & D_AF);
            leaves++;
        }
    }
    return leaves;
}

/* Found by tests/fuzz/fuzz_stage2.c: a map that ran out of tables left
 * the tables it had linked in so far, empty, in the tree; a later 1 GiB
 * block over that still free range then failed with S2_ERR_OVERLAP. */
static void test_nomem_leaves_no_empty_table(void **state)
{
    struct stage2 s2;
    uint8_t refs[POOL_MAX];

    (void)state;
    init(&s2, 40);
    /* A page needs a level-1, a level-2 and a level-3 table: room for two. */
    pool_budget = pool_used + 2;
    assert_int_equal(stage2_map(&s2, 0x2000000ULL, 0x2000000ULL, KiB4, RW), S2_ERR_NOMEM);
    expect_unmapped(&s2, 0x2000000ULL);
    memset(refs, 0, sizeof(refs));
    assert_int_equal(check_tree((const uint64_t *)(uintptr_t)s2.root, 1, refs), 0);
    assert_true(((uint64_t *)(uintptr_t)s2.root)[0] == 0);
    /* The whole first GiB is free: a block fits there. */
    pool_budget = POOL_MAX;
    assert_int_equal(stage2_map(&s2, 0, 0x2c00000000ULL, GiB1, RW), 0);
    expect_mapped(&s2, 0x2000000ULL, 0x2c02000000ULL, 1, RW);
}

static void test_nomem(void **state)
{
    struct stage2 s2;
    uint8_t refs[POOL_MAX];
    uint64_t pa;
    unsigned prot;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, 0x09000000ULL, 0x09000000ULL, KiB4, RW | S2_DEVICE), 0);
    assert_int_equal(pool_used, 4);

    /* A page in another GiB needs L1-reuse, a new L2 and a new L3: with one
     * table left the map fails cleanly. */
    pool_budget = pool_used + 1;
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x50000000ULL, KiB4, RW), S2_ERR_NOMEM);
    expect_unmapped(&s2, 0x40000000ULL);
    expect_mapped(&s2, 0x09000000ULL, 0x09000000ULL, 3, RW | S2_DEVICE);
    memset(refs, 0, sizeof(refs));
    assert_int_equal(check_tree((const uint64_t *)(uintptr_t)s2.root, 0, refs), 1);

    /* No table left at all. */
    pool_budget = pool_used;
    assert_int_equal(stage2_map(&s2, 0x100000000ULL, 0, KiB4, RW), S2_ERR_NOMEM);
    /* Blocks in an existing table need no allocation. */
    assert_int_equal(stage2_map(&s2, 0x0a000000ULL, 0x0a000000ULL, MiB2, RW), 0);
    expect_mapped(&s2, 0x0a000000ULL, 0x0a000000ULL, 2, RW);

    /* With memory back, the same map succeeds and reuses what was built. */
    pool_budget = POOL_MAX;
    assert_int_equal(stage2_map(&s2, 0x40000000ULL, 0x50000000ULL, KiB4, RW), 0);
    expect_mapped(&s2, 0x40000000ULL, 0x50000000ULL, 3, RW);

    /* A range across two level-3 tables with room for one: the pages
     * before the failure may stay mapped, but nothing maps wrongly. */
    pool_budget = pool_used + 1;
    const uint64_t ipa = 0x60200000ULL - 2 * KiB4, opa = 0x3000000000ULL;
    assert_int_equal(stage2_map(&s2, ipa, opa, 4 * KiB4, RW), S2_ERR_NOMEM);
    for (uint64_t off = 0; off < 4 * KiB4; off += KiB4) {
        if (stage2_lookup(&s2, ipa + off, &pa, &prot)) {
            assert_true(off < 2 * KiB4);
            assert_true(pa == opa + off);
        }
    }
    expect_unmapped(&s2, ipa + 2 * KiB4);
    memset(refs, 0, sizeof(refs));
    assert_true(check_tree((const uint64_t *)(uintptr_t)s2.root, 0, refs) >= 4);
    assert_int_equal(stage2_map(&s2, ipa + 2 * KiB4, opa + 2 * KiB4, 2 * KiB4, RW), S2_ERR_NOMEM);
}

/* Hand-written reserved encodings are not translations. */
static void test_lookup_reserved_encodings(void **state)
{
    struct stage2 s2;
    uint64_t pa, *root;
    unsigned prot;

    (void)state;
    init(&s2, 40);
    root = (uint64_t *)(uintptr_t)s2.root;
    /* A "block" at level 0. */
    root[1] = (1ULL << 39) | D_AF | (3ULL << 6) | D_VALID;
    assert_false(stage2_lookup(&s2, 1ULL << 39, &pa, &prot));
    root[1] = 0;
    /* A level-3 entry with bit 1 clear. */
    assert_int_equal(stage2_map(&s2, 0x1000, 0x1000, KiB4, RW), 0);
    expect_mapped(&s2, 0x1000, 0x1000, 3, RW);
    uint64_t *l1 = (uint64_t *)(uintptr_t)D_OA(root[0]);
    uint64_t *l2 = (uint64_t *)(uintptr_t)D_OA(l1[0]);
    uint64_t *l3 = (uint64_t *)(uintptr_t)D_OA(l2[0]);
    l3[1] &= ~D_TYPE;
    assert_false(stage2_lookup(&s2, 0x1000, &pa, &prot));
    /* Out-of-range IPAs never index the root. */
    assert_false(stage2_lookup(&s2, 1ULL << 40, &pa, &prot));
}

/* Random non-overlapping mappings against a flat reference list. */
struct ref_map {
    uint64_t ipa, pa, size;
    unsigned prot;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static const struct ref_map *ref_find(const struct ref_map *m, unsigned n, uint64_t ipa)
{
    for (unsigned i = 0; i < n; i++)
        if (ipa >= m[i].ipa && ipa - m[i].ipa < m[i].size)
            return &m[i];
    return NULL;
}

static void test_random_against_reference(void **state)
{
    static struct ref_map maps[200];
    unsigned n = 0;
    struct stage2 s2;

    (void)state;
    init(&s2, 36);
    for (unsigned iter = 0; iter < 400 && n < 200; iter++) {
        static const uint64_t grains[] = { KiB4, MiB2, GiB1 };
        uint64_t g = grains[rnd() % 3];
        uint64_t size = g * (1 + rnd() % 3) + (rnd() % 2) * KiB4 * (1 + rnd() % 5);
        uint64_t ipa = (rnd() % (1ULL << 36)) & ~(g - 1);
        uint64_t pa = ((rnd() % (1ULL << 40)) & ~(g - 1)) + ((rnd() % 4 == 0) ? KiB4 : 0);
        unsigned prot = (unsigned)(rnd() % 16);
        bool overlap = ipa + size > (1ULL << 36);
        for (unsigned i = 0; i < n && !overlap; i++)
            overlap = ipa < maps[i].ipa + maps[i].size && maps[i].ipa < ipa + size;
        if (overlap)
            continue;
        assert_int_equal(stage2_map(&s2, ipa, pa, size, prot), 0);
        maps[n++] = (struct ref_map){ ipa, pa, size, prot };
    }
    assert_true(n > 20);
    /* Probe the edges of every mapping and random addresses. */
    for (unsigned i = 0; i < n; i++) {
        const uint64_t probes[] = { maps[i].ipa, maps[i].ipa + maps[i].size - 1,
                                    maps[i].ipa + maps[i].size / 2, maps[i].ipa - 1,
                                    maps[i].ipa + maps[i].size };
        for (unsigned p = 0; p < 5; p++) {
            uint64_t ipa = probes[p], pa;
            unsigned prot;
            const struct ref_map *r = ref_find(maps, n, ipa);
            bool hit = stage2_lookup(&s2, ipa, &pa, &prot);
            assert_int_equal(hit, r != NULL);
            assert_int_equal(hit, walk(&s2, ipa).mapped);
            if (r) {
                assert_true(pa == r->pa + (ipa - r->ipa));
                assert_int_equal(prot, expected_prot(r->prot));
                check_leaf_attrs(walk(&s2, ipa).desc, r->prot);
            }
        }
    }
    for (unsigned i = 0; i < 2000; i++) {
        uint64_t ipa = rnd() % (1ULL << 36), pa;
        unsigned prot;
        const struct ref_map *r = ref_find(maps, n, ipa);
        assert_int_equal(stage2_lookup(&s2, ipa, &pa, &prot), r != NULL);
        if (r)
            assert_true(pa == r->pa + (ipa - r->ipa));
    }
    uint8_t refs[POOL_MAX];
    memset(refs, 0, sizeof(refs));
    check_tree((const uint64_t *)(uintptr_t)s2.root, 1, refs);
}

/* ---- The observer (an IOMMU sharing the tables) and unmap ---- */

struct heard {
    unsigned n;
    uint64_t ipa, size;
    enum s2_change what;
};

static void record_change(void *ctx, uint64_t ipa, uint64_t size, enum s2_change what)
{
    struct heard *h = ctx;

    h->n++;
    h->ipa = ipa;
    h->size = size;
    h->what = what;
}

static void test_observer_hears_map_and_unmap(void **state)
{
    struct stage2 s2;
    struct heard h = { 0 };
    const struct stage2_observer obs = { record_change, &h };

    (void)state;
    init(&s2, 40);
    assert_null(s2.observer);
    s2.observer = &obs;
    assert_int_equal(stage2_map(&s2, GiB1, 0x80000000ULL, 2 * MiB2 + KiB4, RWX), 0);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.what, S2_MAPPED);
    assert_int_equal(h.ipa, GiB1);
    assert_int_equal(h.size, 2 * MiB2 + KiB4);

    /* Rejected before any table is touched: nothing to hear. */
    assert_int_equal(stage2_map(&s2, GiB1 + 1, 0, KiB4, RWX), S2_ERR_ALIGN);
    assert_int_equal(stage2_unmap(&s2, 5 * GiB1, KiB4), S2_ERR_NOMAP);
    assert_int_equal(h.n, 1);
    /* An overlap may have changed part of the range: heard. */
    assert_int_equal(stage2_map(&s2, GiB1, 0, KiB4, RWX), S2_ERR_OVERLAP);
    assert_int_equal(h.n, 2);

    assert_int_equal(stage2_unmap(&s2, GiB1 + 2 * MiB2, KiB4), 0);
    assert_int_equal(h.n, 3);
    assert_int_equal(h.what, S2_UNMAPPED);
    assert_int_equal(h.ipa, GiB1 + 2 * MiB2);
    assert_int_equal(h.size, KiB4);
    expect_unmapped(&s2, GiB1 + 2 * MiB2);
    expect_mapped(&s2, GiB1 + MiB2, 0x80000000ULL + MiB2, 2, RWX);
}

static void test_unmap_whole_leaves_only(void **state)
{
    struct stage2 s2;

    (void)state;
    init(&s2, 40);
    assert_int_equal(stage2_map(&s2, GiB1, 0x80000000ULL, MiB2 + 2 * KiB4, RWX), 0);
    /* Part of a 2 MiB block: refused, the block stays. */
    assert_int_equal(stage2_unmap(&s2, GiB1, KiB4), S2_ERR_NOMAP);
    expect_mapped(&s2, GiB1, 0x80000000ULL, 2, RWX);
    /* A range running into a hole: refused before anything is cleared. */
    assert_int_equal(stage2_unmap(&s2, GiB1 + MiB2, 3 * KiB4), S2_ERR_NOMAP);
    expect_mapped(&s2, GiB1 + MiB2, 0x80000000ULL + MiB2, 3, RWX);
    assert_int_equal(stage2_unmap(&s2, GiB1, MiB2 + 2 * KiB4), 0);
    expect_unmapped(&s2, GiB1);
    expect_unmapped(&s2, GiB1 + MiB2);
    expect_unmapped(&s2, GiB1 + MiB2 + KiB4);
    /* Mapped again in the same place: no overlap left behind. */
    assert_int_equal(stage2_map(&s2, GiB1, 0x40000000ULL, MiB2, RWX), 0);
    expect_mapped(&s2, GiB1 + 5, 0x40000005ULL, 2, RWX);
    assert_int_equal(stage2_unmap(&s2, 0, 0), S2_ERR_ALIGN);
    assert_int_equal(stage2_unmap(&s2, GiB1 + 1, KiB4), S2_ERR_ALIGN);
    assert_int_equal(stage2_unmap(&s2, (1ULL << 40) - KiB4, 2 * KiB4), S2_ERR_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init_levels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_init_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gib_block, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mib_block_and_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mixed_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pa_alignment_limits_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prot_combinations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alignment_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_top_of_48bit_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pa_beyond_output_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nomem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nomem_leaves_no_empty_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_reserved_encodings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_against_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observer_hears_map_and_unmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmap_whole_leaves_only, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
