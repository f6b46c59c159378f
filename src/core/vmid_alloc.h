/* The VMID allocator, after KVM/arm64's (arch/arm64/kvm/vmid.c): VMIDs
 * that never run out. A context's id is generation | VMID: the generation
 * counts in the bits above the VMID, so one compare tells whether a VMID
 * was handed out in the current generation. Within a generation a VMID is
 * handed out once (a bitmap); when none is left a new generation starts:
 * the bitmap is emptied except for the VMIDs some CPU is running (they are
 * kept, "reserved", so a running guest never changes VMID under its
 * translations), and every VMID's TLB entries on every CPU are flushed
 * before any CPU runs a VMID of the new generation. So a VMID that reaches
 * a CPU either was never used since that flush or is the one its context
 * had all along.
 *
 * Pure: no hardware access, no lock. The caller serializes the slow path
 * (vmid_update_locked) with one lock and supplies the flush (core/vmid.c);
 * the fast path (vmid_try_fast) is lock-free against it. Host unit test:
 * tests/unit/test_vmid_alloc.c. */
#ifndef ELVISOR_CORE_VMID_ALLOC_H
#define ELVISOR_CORE_VMID_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

#define VMID_MAX_BITS   16u
#define VMID_MIN_BITS   2u
#define VMID_MAX_CPUS   8u

/* What a translation regime of a guest holds: 0 until its first use. */
struct vmid_ctx {
    uint64_t id;                /* atomic: generation | VMID */
};

struct vmid_space {
    unsigned bits;              /* VMIDs 1 .. (1 << bits) - 1; 0 is never handed out */
    unsigned nr_cpus;
    uint64_t generation;        /* atomic: a multiple of 1 << bits, the first being 1 << bits */
    uint64_t map[(1u << VMID_MAX_BITS) / 64];  /* VMIDs taken in this generation */
    unsigned next;              /* where the search for a free VMID goes on */
    /* The id each CPU runs, VMID_ACTIVE_NONE when it runs no guest, 0 when
     * a rollover took it away (the CPU then goes through the slow path). */
    uint64_t active[VMID_MAX_CPUS];
    uint64_t reserved[VMID_MAX_CPUS];          /* kept by the last rollover */
    uint64_t rollovers;         /* generations started after the first */
    uint64_t handed_out;        /* VMIDs given to a context (kept ones not counted) */
    /* Every VMID's TLB entries on every CPU, complete on return. */
    void (*flush_all)(void *arg);
    void *flush_arg;
};

/* Generation 1, VMID 0: a CPU that runs no guest. Not 0, so that the fast
 * path's compare-and-swap still sees a rollover; VMID 0 is never handed
 * out, so reserving it costs nothing. */
static inline uint64_t vmid_active_none(const struct vmid_space *s)
{
    return 1ull << s->bits;
}

void vmid_space_init(struct vmid_space *s, unsigned bits, unsigned nr_cpus,
                     void (*flush_all)(void *arg), void *flush_arg);

/* The VMID of an id (a context's or a CPU's active one). */
static inline uint16_t vmid_number(const struct vmid_space *s, uint64_t id)
{
    return (uint16_t)(id & ((1ull << s->bits) - 1));
}

/* Lock-free: when c's VMID belongs to the current generation and no
 * rollover is taking this CPU's active VMID away, makes it the CPU's active
 * one, sets *vmid and returns true. Otherwise the caller takes its lock and
 * calls vmid_update_locked. */
bool vmid_try_fast(struct vmid_space *s, struct vmid_ctx *c, unsigned cpu, uint16_t *vmid);

/* Under the caller's lock: gives c a VMID of the current generation (the
 * one it had when that is still free or kept for it, a new one otherwise,
 * starting a new generation when none is left) and makes it cpu's active
 * VMID. Returns the VMID. */
uint16_t vmid_update_locked(struct vmid_space *s, struct vmid_ctx *c, unsigned cpu);

/* cpu runs no guest any more: its VMID need not be kept at a rollover. */
void vmid_cpu_idle(struct vmid_space *s, unsigned cpu);

/* c takes a VMID never used in the current generation at its next use; no
 * CPU may be running it. Its old VMID stays taken until the next rollover,
 * which flushes its TLB entries. */
static inline void vmid_ctx_renew(struct vmid_ctx *c)
{
    __atomic_store_n(&c->id, 0, __ATOMIC_RELEASE);
}

/* The VMID c last had (0: none yet), for TLB maintenance by VMID: entries
 * of c, if any, are tagged with it. */
static inline uint16_t vmid_ctx_last(const struct vmid_space *s, const struct vmid_ctx *c)
{
    return vmid_number(s, __atomic_load_n(&c->id, __ATOMIC_ACQUIRE));
}

#endif
