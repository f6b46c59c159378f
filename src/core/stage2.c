#include "core/stage2.h"

#include <stddef.h>

#define LEVEL_SHIFT(l)  (PAGE_SHIFT + 9 * (3 - (l)))
#define LEVEL_SIZE(l)   (1ULL << LEVEL_SHIFT(l))
#define ENTRIES         512

static uint64_t *table_at(uint64_t pa)
{
    return (uint64_t *)(uintptr_t)pa;
}

static unsigned index_at(uint64_t ipa, unsigned level)
{
    return (unsigned)((ipa >> LEVEL_SHIFT(level)) & (ENTRIES - 1));
}

int stage2_init(struct stage2 *s2, unsigned ipa_bits, void *(*alloc_table)(void))
{
    void *root;

    if (ipa_bits < 32 || ipa_bits > 48)
        return S2_ERR_RANGE;
    /* A level-1 start covers 39 bits with one table; beyond that start at
     * level 0 rather than concatenating tables. */
    s2->start_level = ipa_bits > 39 ? 0 : 1;
    s2->ipa_bits = ipa_bits;
    s2->alloc_table = alloc_table;
    s2->observer = NULL;
    root = alloc_table();
    if (!root)
        return S2_ERR_NOMEM;
    s2->root = (uint64_t)(uintptr_t)root;
    return 0;
}

unsigned stage2_vtcr_sl0(const struct stage2 *s2)
{
    /* 4 KiB granule: SL0 = 2 starts at level 0, 1 at level 1. */
    return s2->start_level == 0 ? 2 : 1;
}

static uint64_t leaf_attrs(unsigned prot)
{
    uint64_t d = S2_AF;

    if (prot & S2_READ)
        d |= S2_AP_R;
    if (prot & S2_WRITE)
        d |= S2_AP_W;
    if (prot & S2_DEVICE)
        d |= S2_MEMATTR_DEV_nGnRE | S2_XN;
    else
        d |= S2_MEMATTR_NORMAL_WB | S2_SH_INNER | ((prot & S2_EXEC) ? 0 : S2_XN);
    return d;
}

static int map_one(struct stage2 *s2, uint64_t ipa, uint64_t pa, unsigned level, unsigned prot)
{
    uint64_t *table = table_at(s2->root), *linked = NULL;

    for (unsigned l = s2->start_level; l < level; l++) {
        uint64_t *e = &table[index_at(ipa, l)];

        if (!(*e & S2_DESC_VALID)) {
            void *next = s2->alloc_table();
            if (!next) {
                /* Unlink the empty tables this call added: left in, they
                 * would make a later block over this free range overlap. */
                if (linked)
                    *linked = 0;
                return S2_ERR_NOMEM;
            }
            *e = ((uint64_t)(uintptr_t)next & S2_ADDR_MASK) | S2_DESC_TABLE | S2_DESC_VALID;
            if (!linked)
                linked = e;
        } else if (!(*e & S2_DESC_TABLE)) {
            return S2_ERR_OVERLAP;          /* a block already covers this range */
        }
        table = table_at(*e & S2_ADDR_MASK);
    }
    uint64_t *leaf = &table[index_at(ipa, level)];
    if (*leaf & S2_DESC_VALID)
        return S2_ERR_OVERLAP;
    *leaf = (pa & S2_ADDR_MASK) | leaf_attrs(prot) | S2_DESC_VALID |
            (level == 3 ? S2_DESC_TABLE : 0);
    return 0;
}

static void notify(const struct stage2 *s2, uint64_t ipa, uint64_t size, enum s2_change what)
{
    if (s2->observer)
        s2->observer->changed(s2->observer->ctx, ipa, size, what);
}

static int map_range(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot)
{
    if ((ipa | pa | size) & (PAGE_SIZE - 1) || size == 0)
        return S2_ERR_ALIGN;
    if (ipa + size < ipa || (s2->ipa_bits < 64 && ipa + size > (1ULL << s2->ipa_bits)))
        return S2_ERR_RANGE;
    /* A descriptor holds PA[47:12]: a PA beyond would lose its high bits
     * and map some other memory. */
    if (pa + size < pa || pa + size > S2_ADDR_MASK + PAGE_SIZE)
        return S2_ERR_RANGE;

    while (size) {
        unsigned level = 3;

        /* Blocks exist at levels 1 and 2 with a 4 KiB granule. */
        for (unsigned l = 1; l <= 2; l++) {
            if (l < s2->start_level)
                continue;
            if (((ipa | pa) & (LEVEL_SIZE(l) - 1)) == 0 && size >= LEVEL_SIZE(l)) {
                level = l;
                break;
            }
        }
        int rc = map_one(s2, ipa, pa, level, prot);
        if (rc)
            return rc;
        ipa += LEVEL_SIZE(level);
        pa += LEVEL_SIZE(level);
        size -= LEVEL_SIZE(level);
    }
    return 0;
}

int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot)
{
    int rc = map_range(s2, ipa, pa, size, prot);

    /* A failed map may have left part of the range mapped: the observer
     * hears about the whole range either way. */
    if (rc != S2_ERR_ALIGN && rc != S2_ERR_RANGE)
        notify(s2, ipa, size, S2_MAPPED);
    return rc;
}

/* The leaf entry mapping ipa and its level, or NULL. */
static uint64_t *leaf_of(const struct stage2 *s2, uint64_t ipa, unsigned *level)
{
    uint64_t *table = table_at(s2->root);

    for (unsigned l = s2->start_level; l <= 3; l++) {
        uint64_t *e = &table[index_at(ipa, l)];

        if (!(*e & S2_DESC_VALID))
            return NULL;
        if (l < 3 && (*e & S2_DESC_TABLE)) {
            table = table_at(*e & S2_ADDR_MASK);
            continue;
        }
        if (l == 0 || (l == 3 && !(*e & S2_DESC_TABLE)))
            return NULL;
        *level = l;
        return e;
    }
    return NULL;
}

/* Walks [ipa, ipa + size) leaf by leaf; clears them when clear is set.
 * False when a leaf is missing or sticks out of the range. */
static bool unmap_walk(struct stage2 *s2, uint64_t ipa, uint64_t size, bool clear)
{
    while (size) {
        unsigned level;
        uint64_t *e = leaf_of(s2, ipa, &level);

        if (!e || (ipa & (LEVEL_SIZE(level) - 1)) || size < LEVEL_SIZE(level))
            return false;
        if (clear)
            *e = 0;
        ipa += LEVEL_SIZE(level);
        size -= LEVEL_SIZE(level);
    }
    return true;
}

int stage2_unmap(struct stage2 *s2, uint64_t ipa, uint64_t size)
{
    if ((ipa | size) & (PAGE_SIZE - 1) || size == 0)
        return S2_ERR_ALIGN;
    if (ipa + size < ipa || (s2->ipa_bits < 64 && ipa + size > (1ULL << s2->ipa_bits)))
        return S2_ERR_RANGE;
    if (!unmap_walk(s2, ipa, size, false))
        return S2_ERR_NOMAP;
    unmap_walk(s2, ipa, size, true);
    notify(s2, ipa, size, S2_UNMAPPED);
    return 0;
}

bool stage2_lookup(const struct stage2 *s2, uint64_t ipa, uint64_t *pa, unsigned *prot)
{
    const uint64_t *table = table_at(s2->root);

    if (s2->ipa_bits < 64 && ipa >= (1ULL << s2->ipa_bits))
        return false;
    for (unsigned l = s2->start_level; l <= 3; l++) {
        uint64_t e = table[index_at(ipa, l)];

        if (!(e & S2_DESC_VALID))
            return false;
        if (l < 3 && (e & S2_DESC_TABLE)) {
            table = table_at(e & S2_ADDR_MASK);
            continue;
        }
        if (l == 0 || (l == 3 && !(e & S2_DESC_TABLE)))
            return false;                   /* reserved encodings */
        uint64_t off = ipa & (LEVEL_SIZE(l) - 1);
        *pa = (e & S2_ADDR_MASK & ~(LEVEL_SIZE(l) - 1)) + off;
        unsigned p = 0;
        if (e & S2_AP_R)
            p |= S2_READ;
        if (e & S2_AP_W)
            p |= S2_WRITE;
        if ((e & (0xfULL << S2_MEMATTR_SHIFT)) == S2_MEMATTR_DEV_nGnRE)
            p |= S2_DEVICE;
        else if (!(e & S2_XN))
            p |= S2_EXEC;
        *prot = p;
        return true;
    }
    return false;
}
