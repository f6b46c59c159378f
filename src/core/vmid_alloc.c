/* The VMID allocator's logic (vmid_alloc.h). Ordering: the fast path and a
 * rollover meet on a CPU's active slot. The rollover swaps every CPU's
 * active id to 0 and keeps what it found; a fast path swaps the slot from
 * the value it read to the context's id, so it fails if a rollover came in
 * between and its CPU goes through the slow path. A fast path that wins
 * the race had its id seen by the rollover (kept) or ran entirely before
 * it. Sequentially consistent atomics throughout: the fast path runs only
 * when a CPU loads a vCPU or switches a nested regime, not on every exit. */
#include "core/vmid_alloc.h"

static unsigned map_words(const struct vmid_space *s)
{
    return ((1u << s->bits) + 63u) / 64u;
}

static bool map_test_and_set(struct vmid_space *s, unsigned idx)
{
    uint64_t bit = 1ull << (idx % 64u);
    bool was = s->map[idx / 64u] & bit;

    s->map[idx / 64u] |= bit;
    return was;
}

/* The first VMID from `from` on that no context took in this generation,
 * or 1 << bits when none is left. */
static unsigned map_find_free(const struct vmid_space *s, unsigned from)
{
    unsigned n = 1u << s->bits;

    for (unsigned i = from; i < n; i++) {
        if (i % 64u == 0 && s->map[i / 64u] == ~0ull) {
            i += 63u;       /* a full word: the loop's ++ makes it the next one */
            continue;
        }
        if (!(s->map[i / 64u] & (1ull << (i % 64u))))
            return i;
    }
    return n;
}

static bool gen_match(const struct vmid_space *s, uint64_t id, uint64_t generation)
{
    return id != 0 && !((id ^ generation) >> s->bits);
}

void vmid_space_init(struct vmid_space *s, unsigned bits, unsigned nr_cpus,
                     void (*flush_all)(void *arg), void *flush_arg)
{
    s->bits = bits;
    s->nr_cpus = nr_cpus;
    s->generation = 1ull << bits;
    for (unsigned i = 0; i < sizeof(s->map) / sizeof(s->map[0]); i++)
        s->map[i] = 0;
    s->map[0] = 1;              /* VMID 0: no guest */
    s->next = 1;
    for (unsigned c = 0; c < VMID_MAX_CPUS; c++) {
        s->active[c] = vmid_active_none(s);
        s->reserved[c] = 0;
    }
    s->rollovers = 0;
    s->handed_out = 0;
    s->flush_all = flush_all;
    s->flush_arg = flush_arg;
}

/* A new generation: only the VMIDs some CPU runs stay taken. A CPU whose
 * slot is already 0 has not loaded anything since the last rollover: what
 * it runs is what that rollover kept for it. */
static void rollover(struct vmid_space *s)
{
    __atomic_add_fetch(&s->generation, 1ull << s->bits, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < map_words(s); i++)
        s->map[i] = 0;
    s->map[0] = 1;
    for (unsigned c = 0; c < s->nr_cpus; c++) {
        uint64_t id = __atomic_exchange_n(&s->active[c], 0, __ATOMIC_SEQ_CST);
        if (id == 0)
            id = s->reserved[c];
        s->reserved[c] = id;
        map_test_and_set(s, vmid_number(s, id));
    }
    s->rollovers++;
    /* Before any context gets a VMID of the new generation: it may be one
     * an older generation left entries for. */
    s->flush_all(s->flush_arg);
}

/* A kept VMID moves into the current generation with its context: every
 * CPU that kept it (several, if vCPUs of one VM ran on several) now keeps
 * the new id, so the next rollover finds it again. */
static bool update_reserved(struct vmid_space *s, uint64_t id, uint64_t new_id)
{
    bool hit = false;

    for (unsigned c = 0; c < s->nr_cpus; c++) {
        if (s->reserved[c] == id) {
            s->reserved[c] = new_id;
            hit = true;
        }
    }
    return hit;
}

static uint64_t new_vmid(struct vmid_space *s, uint64_t id)
{
    uint64_t generation = __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST);
    unsigned vmid;

    if (id != 0) {
        uint64_t again = generation | vmid_number(s, id);
        /* Kept by a rollover because a CPU runs it: the same VMID. */
        if (update_reserved(s, id, again))
            return again;
        /* Its VMID is still free in this generation: nothing else has been
         * tagged with it since the rollover's flush, so keep it. */
        if (!map_test_and_set(s, vmid_number(s, id)))
            return again;
    }
    vmid = map_find_free(s, s->next);
    if (vmid == 1u << s->bits) {
        rollover(s);
        generation = __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST);
        vmid = map_find_free(s, 1);
    }
    map_test_and_set(s, vmid);
    s->next = vmid;
    s->handed_out++;
    return generation | vmid;
}

bool vmid_try_fast(struct vmid_space *s, struct vmid_ctx *c, unsigned cpu, uint16_t *vmid)
{
    uint64_t old = __atomic_load_n(&s->active[cpu], __ATOMIC_SEQ_CST);
    uint64_t id = __atomic_load_n(&c->id, __ATOMIC_SEQ_CST);

    if (old == 0 || !gen_match(s, id, __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST)))
        return false;
    if (!__atomic_compare_exchange_n(&s->active[cpu], &old, id, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return false;
    *vmid = vmid_number(s, id);
    return true;
}

uint16_t vmid_update_locked(struct vmid_space *s, struct vmid_ctx *c, unsigned cpu)
{
    uint64_t id = __atomic_load_n(&c->id, __ATOMIC_SEQ_CST);

    /* Another CPU may have renewed it since this one's fast path failed. */
    if (!gen_match(s, id, __atomic_load_n(&s->generation, __ATOMIC_SEQ_CST))) {
        id = new_vmid(s, id);
        __atomic_store_n(&c->id, id, __ATOMIC_SEQ_CST);
    }
    __atomic_store_n(&s->active[cpu], id, __ATOMIC_SEQ_CST);
    return vmid_number(s, id);
}

void vmid_cpu_idle(struct vmid_space *s, unsigned cpu)
{
    __atomic_store_n(&s->active[cpu], vmid_active_none(s), __ATOMIC_SEQ_CST);
}
