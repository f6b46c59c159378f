/* The guest hypervisor's stage 2 (nested/s2_walk.c): the walker over a
 * fake guest memory, permissions and attributes of the shadow descriptor,
 * the fault syndrome the guest hypervisor gets, the shadow pool's LRU and
 * its VMIDs. Descriptor and syndrome encodings are written out from the
 * Arm ARM (VMSAv8-64 stage-2 descriptors, ESR_ELx DFSC, HPFAR_EL2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nested/s2_walk.c"

/* ---- Arm ARM encodings ---- */
#define A_VALID     (1ULL << 0)
#define A_TABLE     (1ULL << 1)
#define A_PAGE      (1ULL << 1)
#define A_S2AP_R    (1ULL << 6)
#define A_S2AP_W    (1ULL << 7)
#define A_SH_ISH    (3ULL << 8)
#define A_AF        (1ULL << 10)
#define A_XN        (2ULL << 53)
#define A_ATTR_WB   (0xfULL << 2)
#define A_ATTR_NC   (0x5ULL << 2)
#define A_ATTR_DEV_nGnRnE (0x0ULL << 2)
#define A_RW        (A_S2AP_R | A_S2AP_W)
#define A_LEAF      (A_VALID | A_AF | A_ATTR_WB | A_SH_ISH)

#define A_FSC_ADDR(l)   (0x00u + (l))
#define A_FSC_TRANS(l)  (0x04u + (l))
#define A_FSC_AF(l)     (0x08u + (l))
#define A_FSC_PERM(l)   (0x0cu + (l))
#define A_FSC_SEA_PTW(l) (0x14u + (l))

/* VTCR_EL2: T0SZ [5:0], SL0 [7:6], TG0 [15:14] (0 = 4 KiB), PS [18:16]. */
#define A_VTCR(t0sz, sl0, ps)   ((uint64_t)(t0sz) | ((uint64_t)(sl0) << 6) | ((uint64_t)(ps) << 16))
#define A_VTCR_TG0_64K          (1ULL << 14)

/* ---- A fake guest RAM: L1 IPA [MEM_BASE, MEM_BASE + MEM_SIZE) ---- */
#define MEM_BASE    0x40000000ULL
#define MEM_PAGES   16u
#define MEM_SIZE    (MEM_PAGES * 4096ULL)

static uint64_t mem[MEM_PAGES][512];
static unsigned reads;

static bool fake_read(void *ctx, uint64_t a, uint64_t *d)
{
    (void)ctx;
    reads++;
    if (a < MEM_BASE || a >= MEM_BASE + MEM_SIZE || (a & 7))
        return false;
    *d = mem[(a - MEM_BASE) / 4096][((a - MEM_BASE) % 4096) / 8];
    return true;
}

static uint64_t page(unsigned i)
{
    return MEM_BASE + i * 4096ULL;
}

static void set(unsigned pg, unsigned idx, uint64_t d)
{
    mem[pg][idx] = d;
}

static const struct ns2_access RD = { false, false, false };
static const struct ns2_access WR = { true, false, false };
static const struct ns2_access X1 = { false, true, false };
static const struct ns2_access X0 = { false, true, true };

static void walk(const struct ns2_cfg *c, uint64_t ipa, const struct ns2_access *a, struct ns2_walk *w)
{
    ns2_walk(c, ipa, a, fake_read, NULL, w);
}

/* 40-bit IPA, start level 1 with two concatenated tables (SL0 = 1, T0SZ 24),
 * root at page 0 (8 KiB: pages 0 and 1), level 2 at page 2, level 3 at 3. */
static void build_l1(struct ns2_cfg *c)
{
    memset(mem, 0, sizeof(mem));
    ns2_cfg_decode(A_VTCR(24, 1, 2), page(0) | (5ULL << 48) | 1 /* CnP */, 48, c);
    /* IPA 0x80_4000_0000: level-1 index 0x201 -> entry 1 of the second table. */
    set(1, 1, page(2) | A_TABLE | A_VALID);
    set(2, 0, page(3) | A_TABLE | A_VALID);
    set(3, 0, 0x12345000ULL | A_PAGE | A_LEAF | A_RW);                 /* RW page */
    set(3, 1, 0x12346000ULL | A_PAGE | A_LEAF | A_S2AP_R);             /* read-only */
    set(3, 2, 0x12347000ULL | A_PAGE | A_VALID | A_ATTR_WB | A_RW);    /* AF clear */
    set(3, 3, 0x12348000ULL | A_VALID | A_LEAF);                       /* level-3 bit 1 clear */
    set(3, 4, 0x12349000ULL | A_PAGE | A_LEAF | A_RW | A_XN);
    set(3, 5, 0x1234a000ULL | A_PAGE | A_LEAF | A_RW | (1ULL << 53));  /* XNX: EL0 only */
    set(2, 1, 0x80000000ULL | A_LEAF | A_RW);                          /* 2 MiB block */
    set(2, 2, 0x1ULL << 41 | A_LEAF | A_RW);                           /* beyond PS = 40 bits */
    set(2, 3, page(200) | A_TABLE | A_VALID);                          /* table outside RAM */
    set(0, 0, 0x40000000ULL | A_LEAF | A_RW);                          /* 1 GiB block at IPA 0 */
}

#define IPA_L3  0x8040000000ULL

static void test_cfg_decode(void **state)
{
    (void)state;
    struct ns2_cfg c;

    ns2_cfg_decode(A_VTCR(24, 1, 2), 0x40003001ULL | (7ULL << 48), 48, &c);
    assert_false(c.bad);
    assert_int_equal(c.start_level, 1);
    assert_int_equal(c.ia_bits, 40);
    assert_int_equal(c.oa_bits, 40);
    /* Two concatenated tables are 8 KiB aligned: BADDR bit 12 reads as 0;
     * CnP and VMID are not address. */
    assert_int_equal(c.root, 0x40002000ULL);
    ns2_cfg_decode(A_VTCR(16, 2, 5), 0x40001000ULL, 44, &c);
    assert_false(c.bad);
    assert_int_equal(c.start_level, 0);
    assert_int_equal(c.oa_bits, 44);            /* capped by the VM */
    ns2_cfg_decode(A_VTCR(32, 0, 0), 0, 48, &c);
    assert_false(c.bad);
    assert_int_equal(c.start_level, 2);
    assert_int_equal(c.oa_bits, 32);
    /* Inconsistent or unsupported: 64 KiB granule, SL0 = 3, 48 bits from
     * level 1 (would need 512 tables), 33 bits from level 0, T0SZ 40. */
    ns2_cfg_decode(A_VTCR(24, 1, 2) | A_VTCR_TG0_64K, 0, 48, &c);
    assert_true(c.bad);
    ns2_cfg_decode(A_VTCR(24, 3, 2), 0, 48, &c);
    assert_true(c.bad);
    ns2_cfg_decode(A_VTCR(16, 1, 5), 0, 48, &c);
    assert_true(c.bad);
    ns2_cfg_decode(A_VTCR(31, 2, 5), 0, 48, &c);
    assert_true(c.bad);
    ns2_cfg_decode(A_VTCR(40, 0, 5), 0, 48, &c);
    assert_true(c.bad);
}

static void test_walk_pages_and_blocks(void **state)
{
    (void)state;
    struct ns2_cfg c;
    struct ns2_walk w;

    build_l1(&c);
    walk(&c, IPA_L3 + 0x123, &RD, &w);
    assert_true(w.ok);
    assert_int_equal(w.level, 3);
    assert_int_equal(w.oa, 0x12345123ULL);
    assert_int_equal(w.perm, NS2_R | NS2_W | NS2_X_EL1 | NS2_X_EL0);
    assert_int_equal(w.memattr, 0xf);
    assert_int_equal(w.sh, 3);
    walk(&c, IPA_L3 + 0x200000 + 0x1ff008, &WR, &w);
    assert_true(w.ok);
    assert_int_equal(w.level, 2);
    assert_int_equal(w.oa, 0x801ff008ULL);
    walk(&c, 0x3fffeff0ULL, &RD, &w);          /* level-1 block, first table */
    assert_true(w.ok);
    assert_int_equal(w.level, 1);
    assert_int_equal(w.oa, 0x7fffeff0ULL);
}

static void test_walk_faults(void **state)
{
    (void)state;
    struct ns2_cfg c;
    struct ns2_walk w;

    build_l1(&c);
    walk(&c, IPA_L3 + 6 * 4096, &RD, &w);        /* empty level-3 entry */
    assert_false(w.ok);
    assert_int_equal(w.fsc, A_FSC_TRANS(3));
    walk(&c, IPA_L3 + 0x800000, &RD, &w);        /* empty level-2 entry */
    assert_int_equal(w.fsc, A_FSC_TRANS(2));
    walk(&c, 0x4000000000ULL, &RD, &w);          /* empty level-1 entry (first table) */
    assert_int_equal(w.fsc, A_FSC_TRANS(1));
    walk(&c, 1ULL << 40, &RD, &w);               /* beyond T0SZ */
    assert_int_equal(w.fsc, A_FSC_TRANS(0));
    walk(&c, IPA_L3 + 3 * 4096, &RD, &w);        /* reserved level-3 encoding */
    assert_int_equal(w.fsc, A_FSC_TRANS(3));
    walk(&c, IPA_L3 + 2 * 4096, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_AF(3));
    walk(&c, IPA_L3 + 0x400000, &RD, &w);        /* block beyond PS */
    assert_int_equal(w.fsc, A_FSC_ADDR(2));
    /* The level-3 table is not in the VM's RAM: its lookup aborts. */
    walk(&c, IPA_L3 + 0x600000, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_SEA_PTW(3));
    /* A table address beyond PS is an address size fault of the level that
     * points at it, before any read of it. */
    set(2, 4, (1ULL << 42) | A_TABLE | A_VALID);
    reads = 0;
    walk(&c, IPA_L3 + 0x800000, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_ADDR(2));
    assert_int_equal(reads, 2);
    struct ns2_cfg bad;
    ns2_cfg_decode(A_VTCR(24, 3, 2), page(0), 48, &bad);
    walk(&bad, IPA_L3, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_TRANS(0));
    /* The same tables with PS = 32 bits: a page at 8 GiB is beyond it. */
    set(3, 8, (1ULL << 33) | A_PAGE | A_LEAF | A_RW);
    walk(&c, IPA_L3 + 8 * 4096, &RD, &w);
    assert_true(w.ok);
    ns2_cfg_decode(A_VTCR(24, 1, 0), page(0), 48, &bad);
    walk(&bad, IPA_L3 + 8 * 4096, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_ADDR(3));
    walk(&bad, IPA_L3, &RD, &w);
    assert_true(w.ok);
}

static void test_walk_permissions(void **state)
{
    (void)state;
    struct ns2_cfg c;
    struct ns2_walk w;

    build_l1(&c);
    walk(&c, IPA_L3 + 4096, &RD, &w);
    assert_true(w.ok);
    walk(&c, IPA_L3 + 4096 + 8, &WR, &w);
    assert_false(w.ok);
    assert_int_equal(w.fsc, A_FSC_PERM(3));
    walk(&c, IPA_L3 + 4 * 4096, &X1, &w);
    assert_int_equal(w.fsc, A_FSC_PERM(3));
    walk(&c, IPA_L3 + 4 * 4096, &X0, &w);
    assert_int_equal(w.fsc, A_FSC_PERM(3));
    walk(&c, IPA_L3 + 5 * 4096, &X0, &w);
    assert_true(w.ok);
    walk(&c, IPA_L3 + 5 * 4096, &X1, &w);
    assert_int_equal(w.fsc, A_FSC_PERM(3));
    /* Instruction fetches need no read permission at stage 2. */
    set(3, 7, 0x1234c000ULL | A_PAGE | A_LEAF);
    walk(&c, IPA_L3 + 7 * 4096, &X1, &w);
    assert_true(w.ok);
    walk(&c, IPA_L3 + 7 * 4096, &RD, &w);
    assert_int_equal(w.fsc, A_FSC_PERM(3));
    /* Every XN encoding round-trips. */
    for (uint64_t xn = 0; xn < 4; xn++) {
        uint64_t d = A_S2AP_R | (xn << 53);
        assert_int_equal(ns2_perm_to_desc(ns2_desc_perm(d)), d);
    }
}

static void test_shadow_desc(void **state)
{
    (void)state;
    struct ns2_walk w = { .ok = true, .level = 3, .oa = 0x12345000ULL,
                          .perm = NS2_R | NS2_X_EL1, .memattr = 0xf, .sh = 3 };

    /* The intersection: L1 read-only and EL1-exec, L0 RW no exec. */
    uint64_t d = ns2_shadow_desc(&w, S2_READ | S2_WRITE, 0x8765f000ULL);
    assert_int_equal(d & 0x0000fffffffff000ULL, 0x8765f000ULL);
    assert_true((d & (A_VALID | A_PAGE | A_AF)) == (A_VALID | A_PAGE | A_AF));
    assert_true(d & A_S2AP_R);
    assert_false(d & A_S2AP_W);
    assert_int_equal((d >> 53) & 3, 2);
    assert_int_equal((d >> 2) & 0xf, 0xf);
    assert_int_equal((d >> 8) & 3, 3);
    /* L1 RW-exec over L0 RW-exec keeps everything. */
    w.perm = NS2_R | NS2_W | NS2_X_EL1 | NS2_X_EL0;
    d = ns2_shadow_desc(&w, S2_READ | S2_WRITE | S2_EXEC, 0x1000);
    assert_true((d & A_RW) == A_RW);
    assert_int_equal((d >> 53) & 3, 0);
    /* L1's Device and Non-cacheable attributes win over L0's Write-back;
     * Device is never executable. */
    w.memattr = 0x0;
    d = ns2_shadow_desc(&w, S2_READ | S2_WRITE | S2_EXEC, 0x1000);
    assert_int_equal((d >> 2) & 0xf, 0x0);
    assert_int_equal((d >> 53) & 3, 2);
    w.memattr = 0x5;
    w.sh = 2;
    d = ns2_shadow_desc(&w, S2_READ | S2_WRITE | S2_EXEC, 0x1000);
    assert_int_equal((d >> 2) & 0xf, 0x5);
    assert_int_equal((d >> 8) & 3, 2);
    /* L0's device mapping wins over L1's Normal. */
    w.memattr = 0xf;
    d = ns2_shadow_desc(&w, S2_READ | S2_WRITE | S2_DEVICE, 0x1000);
    assert_int_equal((d >> 2) & 0xf, 0x1);
    /* The combination is the stronger of the two, symmetric. */
    assert_int_equal(ns2_memattr_combine(0xf, 0xa), 0xa);   /* WB vs WT */
    assert_int_equal(ns2_memattr_combine(0xe, 0xb), 0xa);   /* outer WB/inner WT vs outer WT/inner WB */
    assert_int_equal(ns2_memattr_combine(0x1, 0x3), 0x1);   /* nGnRE vs GRE */
    for (unsigned a = 0; a < 16; a++)
        for (unsigned b = 0; b < 16; b++)
            assert_int_equal(ns2_memattr_combine(a, b), ns2_memattr_combine(b, a));
    assert_int_equal(ns2_sh_combine(0, 3), 3);
    assert_int_equal(ns2_sh_combine(3, 2), 2);
    assert_int_equal(ns2_sh_combine(0, 0), 0);
}

static void test_fault_esr(void **state)
{
    (void)state;
    /* A write by L2 with a valid syndrome (ISV, SAS 3, SRT 5, SF, WnR)
     * that elvisor took as its own translation fault at level 3. */
    uint64_t hw = (0x24ULL << 26) | (1ULL << 25) | (1ULL << 24) | (3ULL << 22) | (5ULL << 16) |
                  (1ULL << 15) | (1ULL << 6) | 0x07;
    uint64_t e = ns2_fault_esr(hw, A_FSC_TRANS(2));
    assert_int_equal(e >> 26, 0x24);
    assert_int_equal(e & 0x3f, 0x06);
    assert_true(e & (1ULL << 6));
    assert_true(e & (1ULL << 24));
    assert_int_equal((e >> 16) & 0x1f, 5);
    assert_int_equal(e & ~0x3fULL, hw & ~0x3fULL);
    e = ns2_fault_esr(hw | (1ULL << 9) | (1ULL << 13), A_FSC_PERM(3));
    assert_int_equal(e & 0x3f, 0x0f);
    assert_false(e & (1ULL << 9));
    assert_false(e & (1ULL << 13));
    uint64_t ia = (0x20ULL << 26) | (1ULL << 25) | 0x05;
    assert_int_equal(ns2_fault_esr(ia, A_FSC_AF(1)), (0x20ULL << 26) | (1ULL << 25) | 0x09);
    /* HPFAR_EL2.FIPA [43:4] holds IPA[51:12]. */
    assert_int_equal(ns2_hpfar(0x8040001234ULL), 0x8040001ULL << 4);
    assert_int_equal(ns2_hpfar(0xfffffffffffffULL), 0xffffffffffULL << 4);
}

/* AT S12E*'s PAR_EL1 (Arm ARM: PAR_EL1 layout; "Combining the stage 1 and
 * stage 2 attributes" with FWB off), written out here: ATTR [63:56] in the
 * MAIR encoding, PA [51:12], RES1 [11], NS [9], SH [8:7]; a fault F [0],
 * FST [6:1], S [9], RES1 [11]. */
static uint64_t s1_ok(unsigned attr, unsigned sh, uint64_t ipa)
{
    return ((uint64_t)attr << 56) | (ipa & 0xffffffffff000ULL) | (1ULL << 11) | (1ULL << 9) |
           ((uint64_t)sh << 7);
}

static struct ns2_walk s2_ok(unsigned memattr, unsigned sh, uint64_t oa)
{
    return (struct ns2_walk){ .ok = true, .oa = oa, .memattr = memattr, .sh = sh, .perm = NS2_R | NS2_W };
}

/* A table of stage 1's PAR (ATTR, SH) and stage 2's walk (MemAttr, SH):
 * the PAR of both, with stage 2's output address. */
static void test_par_s12(void **state)
{
    const uint64_t ipa = 0x80001000ULL, oa = 0x4008e000ULL;
    static const struct {
        const char *what;
        unsigned s1_attr, s1_sh;        /* stage 1's PAR: ATTR, SH */
        unsigned s2_memattr, s2_sh;     /* stage 2's descriptor: MemAttr, SH */
        unsigned attr, sh;              /* the combined PAR */
    } cases[] = {
        { "Normal WB RW-allocate both, inner shareable at stage 1 only: WB inner shareable",
          0xff, 3, 0xf, 0, 0xff, 3 },
        { "stage 2 Write-Through: WT with stage 1's allocation hints, both halves", 0xfe, 3, 0xa, 3, 0xba, 3 },
        { "stage 2 inner Non-cacheable, outer WB: inner NC", 0xff, 3, 0xd, 3, 0xf4, 3 },
        { "both Non-cacheable: outer shareable whatever the stages say", 0x44, 0, 0x5, 0, 0x44, 2 },
        { "stage 2 outer shareable wins over stage 1 inner", 0xff, 3, 0xf, 2, 0xff, 2 },
        { "Device-nGnRE at stage 2 over Normal: Device-nGnRE, outer shareable", 0xff, 3, 0x1, 3, 0x04, 2 },
        { "Device at both: the stronger type, nGnRnE over GRE", 0x00, 2, 0x3, 3, 0x00, 2 },
        { "Device-GRE at stage 1 over Normal WB: stage 1's type", 0x0c, 2, 0xf, 3, 0x0c, 2 },
    };
    struct ns2_walk w;

    (void)state;
    assert_true(ns2_par_ipa(s1_ok(0xff, 3, ipa), 0x1234567abcULL) == (ipa | 0xabc));
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* the walk's OA within the page is not the PAR's business */
        w = s2_ok(cases[i].s2_memattr, cases[i].s2_sh, oa + 0x40);
        uint64_t got = ns2_par_s12(s1_ok(cases[i].s1_attr, cases[i].s1_sh, ipa), &w);
        if (got != s1_ok(cases[i].attr, cases[i].sh, oa))
            fail_msg("%s: PAR 0x%llx, want 0x%llx", cases[i].what, (unsigned long long)got,
                     (unsigned long long)s1_ok(cases[i].attr, cases[i].sh, oa));
    }
    /* A fault of stage 2: F, FST, S, RES1 only. */
    w = (struct ns2_walk){ .ok = false, .fsc = NS2_FSC_PERM | 3 };
    assert_true(ns2_par_s12(s1_ok(0xff, 3, ipa), &w) == (1ULL | (0x0fULL << 1) | (1ULL << 9) | (1ULL << 11)));
    /* A fault of stage 1 stays as stage 1 gave it. */
    assert_true(ns2_par_s12(0x80fULL, &w) == 0x80fULL);
}

static void test_pool_lru(void **state)
{
    (void)state;
    struct ns2_slot s[NS2_POOL_SLOTS];
    bool hit, rec;
    uint64_t now = 1;

    memset(s, 0, sizeof(s));
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++) {
        assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x1000 * (i + 1), 1, now++, &hit, &rec), i);
        assert_false(hit);
        assert_false(rec);
    }
    /* Hits keep their slot and refresh it; the key includes the VMID. */
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x1000, 1, now++, &hit, &rec), 0);
    assert_true(hit);
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x3000, 1, now++, &hit, &rec), 2);
    assert_true(hit);
    /* Full: a new key recycles the least recently used (slot 1), then 3, 4. */
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x1000, 2, now++, &hit, &rec), 1);
    assert_false(hit);
    assert_true(rec);
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x9000, 1, now++, &hit, &rec), 3);
    assert_true(rec);
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0x2000, 1, now++, &hit, &rec), 4);
    assert_false(hit);
    assert_true(rec);
    /* A freed slot is taken before any recycling. */
    s[2].used = false;
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0xa000, 1, now++, &hit, &rec), 2);
    assert_false(rec);
    /* A slot a vCPU runs on is never recycled, however old; with every
     * slot held there is none. */
    unsigned lru = 4;
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
        if (s[i].last_use < s[lru].last_use)
            lru = i;
    s[lru].users = 1;
    unsigned got = ns2_pool_select(s, NS2_POOL_SLOTS, 0xb000, 1, now++, &hit, &rec);
    assert_true(rec);
    assert_int_not_equal(got, lru);
    assert_true(got < NS2_POOL_SLOTS);
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
        s[i].users = 1;
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0xc000, 1, now++, &hit, &rec), NS2_POOL_SLOTS);
    assert_int_equal(ns2_pool_select(s, NS2_POOL_SLOTS, 0xb000, 1, now++, &hit, &rec), got);
    assert_true(hit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg_decode),
        cmocka_unit_test(test_walk_pages_and_blocks),
        cmocka_unit_test(test_walk_faults),
        cmocka_unit_test(test_walk_permissions),
        cmocka_unit_test(test_shadow_desc),
        cmocka_unit_test(test_fault_esr),
        cmocka_unit_test(test_pool_lru),
        cmocka_unit_test(test_par_s12),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
