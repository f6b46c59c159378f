/* Fuzz target: elvisor's own stage-2 table building (core/stage2.c): map
 * sequences against a model. Input: the IPA size, a table budget, then map
 * requests (IPA, PA, size, permissions: page runs, 2 MiB and 1 GiB
 * aligned runs, or raw values that may be misaligned or huge) and lookup
 * probes. The model is the list of IPA ranges mapped so far. Invariants:
 *  - the error is the documented one: ALIGN exactly for a misaligned or
 *    empty request, RANGE exactly for one past the IPA size or wrapping
 *    (or with a PA beyond the 48-bit output size), OVERLAP only when the
 *    request meets a mapped range, success exactly when it meets none and
 *    tables suffice (NOMEM otherwise);
 *  - a failed request may have mapped a prefix of itself, never anything
 *    else; whatever it mapped translates as requested;
 *  - every mapped range translates to its PA with its permissions
 *    (Device: never executable), at its first, last and middle byte;
 *    a probe translates exactly when it lies in a mapped range. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "core/stage2.c"

#define MAX_TABLES  96u
#define MAX_RANGES  256u
#define OA_BITS     48u

static void *tables[MAX_TABLES];
static unsigned nr_tables, budget;

static void *alloc_table(void)
{
    void *p;

    if (nr_tables >= budget || nr_tables >= MAX_TABLES)
        return NULL;
    p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
    FUZZ_CHECK(p, "aligned_alloc");
    memset(p, 0, PAGE_SIZE);
    tables[nr_tables++] = p;
    return p;
}

struct range {
    uint64_t ipa, pa, size;
    unsigned prot;
};
static struct range model[MAX_RANGES];
static unsigned nr_model;

static unsigned expected_prot(unsigned prot)
{
    unsigned p = prot & (S2_READ | S2_WRITE);

    return (prot & S2_DEVICE) ? p | S2_DEVICE : p | (prot & S2_EXEC);
}

static const struct range *model_find(uint64_t ipa)
{
    for (unsigned i = 0; i < nr_model; i++)
        if (ipa - model[i].ipa < model[i].size)
            return &model[i];
    return NULL;
}

static bool model_meets(uint64_t ipa, uint64_t size)
{
    for (unsigned i = 0; i < nr_model; i++)
        if (ipa < model[i].ipa + model[i].size && model[i].ipa < ipa + size)
            return true;
    return false;
}

static void model_add(uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot)
{
    struct range *last = nr_model ? &model[nr_model - 1] : NULL;

    if (last && last->ipa + last->size == ipa && last->pa + last->size == pa && last->prot == prot) {
        last->size += size;
        return;
    }
    FUZZ_CHECK(nr_model < MAX_RANGES, "model full");
    model[nr_model++] = (struct range){ ipa, pa, size, prot };
}

static void check_translate(const struct stage2 *s2, uint64_t ipa, uint64_t want_pa, unsigned prot)
{
    uint64_t pa = 0;
    unsigned p = 0;

    FUZZ_CHECK(stage2_lookup(s2, ipa, &pa, &p), "IPA %#llx not mapped", (unsigned long long)ipa);
    FUZZ_CHECK(pa == want_pa, "IPA %#llx -> PA %#llx, want %#llx", (unsigned long long)ipa,
               (unsigned long long)pa, (unsigned long long)want_pa);
    FUZZ_CHECK(p == expected_prot(prot), "IPA %#llx prot %#x, want %#x", (unsigned long long)ipa, p,
               expected_prot(prot));
}

/* After a failed request: what of it got mapped is a prefix that translates
 * as asked, ending before the first range mapped earlier. Its end is
 * found by bisection over pages (mapped below it, unmapped from it on). */
static void adopt_prefix(const struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size,
                         unsigned prot)
{
    uint64_t limit = size, lo = 0, hi, got;
    unsigned p;

    for (unsigned i = 0; i < nr_model; i++)
        if (model[i].ipa + model[i].size > ipa && model[i].ipa < ipa + limit)
            limit = model[i].ipa > ipa ? model[i].ipa - ipa : 0;
    hi = limit >> PAGE_SHIFT;
    /* Pages [0, lo) known mapped, [hi, ...) known unmapped. */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (stage2_lookup(s2, ipa + (mid << PAGE_SHIFT), &got, &p))
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t len = lo << PAGE_SHIFT;
    if (len < limit) {
        FUZZ_CHECK(!stage2_lookup(s2, ipa + len, &got, &p) &&
                   !stage2_lookup(s2, ipa + limit - 1, &got, &p) &&
                   !stage2_lookup(s2, ipa + len + (limit - len) / 2, &got, &p),
                   "failed request mapped something after a hole");
    }
    if (len)
        model_add(ipa, pa, len, prot);     /* checked with the rest of the model */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct stage2 s2;
    unsigned ipa_bits = 32 + fuzz_u8(&in) % 17;

    nr_tables = 0;
    nr_model = 0;
    budget = 1 + fuzz_u8(&in) % MAX_TABLES;
    if (stage2_init(&s2, ipa_bits, alloc_table) != 0)
        goto out;
    FUZZ_CHECK(s2.start_level <= 1 && (s2.start_level == 0) == (ipa_bits > 39), "start level");

    for (unsigned op = 0; op < 24 && fuzz_more(&in); op++) {
        uint8_t kind = fuzz_u8(&in);
        uint64_t ipa, pa, len;
        unsigned prot = (kind >> 4) & 0xf;

        switch (kind & 3) {
        case 0:     /* a run of pages */
            ipa = (uint64_t)fuzz_u32(&in) << PAGE_SHIFT;
            pa = ipa + ((uint64_t)fuzz_u16(&in) << PAGE_SHIFT);
            len = (1 + fuzz_u8(&in) % 32ULL) << PAGE_SHIFT;
            break;
        case 1:     /* 2 MiB aligned */
            ipa = (uint64_t)fuzz_u16(&in) << 21;
            pa = ipa + ((uint64_t)fuzz_u8(&in) << 21);
            len = (1 + fuzz_u8(&in) % 3ULL) << 21;
            break;
        case 2:     /* 1 GiB aligned */
            ipa = (uint64_t)fuzz_u8(&in) << 30;
            pa = (uint64_t)fuzz_u8(&in) << 30;
            len = 1ULL << 30;
            break;
        default:    /* raw: misaligned, huge, wrapping, beyond the output size */
            ipa = fuzz_u64(&in);
            pa = fuzz_u64(&in);
            len = fuzz_u32(&in);
            if (kind & 4)
                ipa &= ~(PAGE_SIZE - 1);
            if (kind & 8)
                len &= 0x7ff000;
            break;
        }
        prot &= S2_READ | S2_WRITE | S2_EXEC | S2_DEVICE;

        bool misaligned = ((ipa | pa | len) & (PAGE_SIZE - 1)) || len == 0;
        bool out_of_range = ipa + len < ipa || ipa + len > (1ULL << ipa_bits) ||
                            pa + len < pa || pa + len > (1ULL << OA_BITS);
        bool meets = !misaligned && !out_of_range && model_meets(ipa, len);
        int rc = stage2_map(&s2, ipa, pa, len, prot);

        FUZZ_TRACE("map ipa %#llx pa %#llx size %#llx prot %#x: %d (%u tables)\n",
                   (unsigned long long)ipa, (unsigned long long)pa, (unsigned long long)len, prot,
                   rc, nr_tables);

        if (misaligned) {
            FUZZ_CHECK(rc == S2_ERR_ALIGN, "misaligned map gave %d", rc);
            continue;
        }
        if (out_of_range) {
            FUZZ_CHECK(rc == S2_ERR_RANGE, "map of IPA %#llx PA %#llx size %#llx (%u IPA bits) gave %d",
                       (unsigned long long)ipa, (unsigned long long)pa, (unsigned long long)len,
                       ipa_bits, rc);
            continue;
        }
        if (rc == 0) {
            FUZZ_CHECK(!meets, "map over a mapped range succeeded");
            model_add(ipa, pa, len, prot);
        } else {
            FUZZ_CHECK(rc == S2_ERR_OVERLAP || rc == S2_ERR_NOMEM, "map gave %d", rc);
            FUZZ_CHECK(rc != S2_ERR_OVERLAP || meets, "overlap reported for a free range");
            adopt_prefix(&s2, ipa, pa, len, prot);
        }
        for (unsigned i = 0; i < nr_model; i++) {
            const struct range *r = &model[i];
            check_translate(&s2, r->ipa, r->pa, r->prot);
            check_translate(&s2, r->ipa + r->size - 1, r->pa + r->size - 1, r->prot);
            check_translate(&s2, r->ipa + r->size / 2, r->pa + r->size / 2, r->prot);
        }
        uint64_t probe = fuzz_u64(&in) & ((1ULL << (ipa_bits + 1)) - 1), got;
        unsigned p;
        const struct range *r = model_find(probe);
        FUZZ_CHECK(stage2_lookup(&s2, probe, &got, &p) == (r != NULL), "probe %#llx",
                   (unsigned long long)probe);
        if (r)
            check_translate(&s2, probe, r->pa + (probe - r->ipa), r->prot);
    }
out:
    for (unsigned i = 0; i < nr_tables; i++)
        free(tables[i]);
    return 0;
}
