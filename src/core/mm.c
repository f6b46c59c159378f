#include "core/mm.h"

#include "lib/spinlock.h"
#include "lib/string.h"

struct range {
    uint64_t base, size;
};

static struct range free_ranges[MM_MAX_RANGES];
static unsigned nr_free;
static spinlock_t mm_lock = SPINLOCK_INIT;
static uint64_t pool_next, pool_end;

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

void mm_add_ram(uint64_t base, uint64_t size)
{
    if (nr_free < MM_MAX_RANGES && size)
        free_ranges[nr_free++] = (struct range){ base, size };
}

static void reserve_locked(uint64_t base, uint64_t size)
{
    uint64_t end = base + size;

    for (unsigned i = 0; i < nr_free; i++) {
        struct range *r = &free_ranges[i];
        uint64_t rend = r->base + r->size;
        if (end <= r->base || base >= rend)
            continue;
        if (base > r->base && end < rend) {
            /* Split: keep the low part here, add the high part. */
            if (nr_free < MM_MAX_RANGES)
                free_ranges[nr_free++] = (struct range){ end, rend - end };
            r->size = base - r->base;
        } else if (base <= r->base && end >= rend) {
            r->size = 0;
        } else if (base <= r->base) {
            r->size = rend - end;
            r->base = end;
        } else {
            r->size = base - r->base;
        }
    }
}

void mm_reserve(uint64_t base, uint64_t size)
{
    spin_lock(&mm_lock);
    reserve_locked(base, size);
    spin_unlock(&mm_lock);
}

uint64_t ram_alloc(uint64_t size, uint64_t align)
{
    uint64_t best = 0;

    spin_lock(&mm_lock);
    for (unsigned i = 0; i < nr_free; i++) {
        struct range *r = &free_ranges[i];
        if (r->size < size)
            continue;
        uint64_t start = (r->base + r->size - size) & ~(align - 1);
        if (start < r->base)
            continue;
        if (start > best)
            best = start;
    }
    if (best)
        reserve_locked(best, size);
    spin_unlock(&mm_lock);
    return best;
}

int mm_init_hyp_pool(uint64_t size)
{
    uint64_t base = ram_alloc(size, (2ULL << 20));

    if (!base)
        return -1;
    pool_next = base;
    pool_end = base + size;
    return 0;
}

void *hyp_alloc(uint64_t size, uint64_t align)
{
    void *p = NULL;

    spin_lock(&mm_lock);
    uint64_t start = align_up(pool_next, align);
    if (start + size <= pool_end && start + size > start) {
        pool_next = start + size;
        p = (void *)(uintptr_t)start;
    }
    spin_unlock(&mm_lock);
    if (p)
        memset(p, 0, size);
    return p;
}

void *page_alloc(void)
{
    return hyp_alloc(4096, 4096);
}

uint64_t mm_free_bytes(void)
{
    uint64_t n = 0;

    for (unsigned i = 0; i < nr_free; i++)
        n += free_ranges[i].size;
    return n;
}
