/* The VMID allocator (core/vmid_alloc.c): VMIDs never run out, a rollover
 * flushes every TLB exactly when a generation is used up, VMIDs a CPU runs
 * are kept across it, and no VMID ever reaches two translation regimes
 * between two flushes (the property a VMID-tagged TLB needs: otherwise one
 * regime hits the other's entries). The last is checked against a model of
 * the TLB: the regimes each VMID has run since the last flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/vmid_alloc.c"

#define MAX_CTX     64

/* The TLB model: which regime (context and incarnation) each VMID has run
 * on any CPU since the last flush; a second one is a leak. */
struct tlb_model {
    unsigned flushes;
    unsigned owner[1u << VMID_MAX_BITS];        /* regime + 1, 0: none */
    /* At each flush, no context may hold an id of the new generation yet. */
    struct vmid_ctx *ctx;
    unsigned nr_ctx;
    struct vmid_space *space;
    unsigned early;
    /* What each CPU's hardware runs: it goes on making entries after a
     * flush, so the flush leaves it as the owner of its VMID. */
    unsigned cpu_regime[VMID_MAX_CPUS];        /* regime + 1, 0: idle */
    uint16_t cpu_vmid[VMID_MAX_CPUS];
};

static void model_flush(void *arg)
{
    struct tlb_model *m = arg;

    m->flushes++;
    memset(m->owner, 0, sizeof(m->owner));
    for (unsigned c = 0; c < VMID_MAX_CPUS; c++)
        if (m->cpu_regime[c])
            m->owner[m->cpu_vmid[c]] = m->cpu_regime[c];
    for (unsigned i = 0; i < m->nr_ctx; i++)
        if (m->ctx[i].id && !((m->ctx[i].id ^ m->space->generation) >> m->space->bits))
            m->early++;
}

static struct tlb_model model;
static struct vmid_space space;

static void setup(unsigned bits, unsigned cpus, struct vmid_ctx *ctx, unsigned nr_ctx)
{
    memset(&model, 0, sizeof(model));
    model.ctx = ctx;
    model.nr_ctx = nr_ctx;
    model.space = &space;
    memset(ctx, 0, nr_ctx * sizeof(*ctx));
    vmid_space_init(&space, bits, cpus, model_flush, &model);
}

/* What a CPU does on vCPU load: the fast path, else the slow one. */
static uint16_t use(struct vmid_ctx *c, unsigned cpu)
{
    uint16_t vmid;

    if (vmid_try_fast(&space, c, cpu, &vmid))
        return vmid;
    return vmid_update_locked(&space, c, cpu);
}

/* use() plus the TLB model: regime `regime` runs under the VMID given. */
static uint16_t run(struct vmid_ctx *c, unsigned cpu, unsigned regime)
{
    uint16_t vmid = use(c, cpu);

    assert_true(vmid != 0 && vmid < (1u << space.bits));
    if (model.owner[vmid] == 0)
        model.owner[vmid] = regime + 1;
    else if (model.owner[vmid] != regime + 1)
        fail_msg("VMID %u runs regime %u on CPU %u but regime %u ran it since the last flush",
                 vmid, regime, cpu, model.owner[vmid] - 1);
    model.cpu_regime[cpu] = regime + 1;
    model.cpu_vmid[cpu] = vmid;
    return vmid;
}

/* vCPU put: the CPU runs no guest. */
static void idle(unsigned cpu)
{
    vmid_cpu_idle(&space, cpu);
    model.cpu_regime[cpu] = 0;
}

static void test_first_generation_distinct(void **state)
{
    struct vmid_ctx ctx[7];
    bool seen[8] = { false };

    (void)state;
    setup(3, 1, ctx, 7);
    for (unsigned i = 0; i < 7; i++) {
        uint16_t v = run(&ctx[i], 0, i);
        assert_false(seen[v]);
        seen[v] = true;
    }
    /* 7 VMIDs of 3 bits handed out, VMID 0 never: no rollover yet. */
    assert_int_equal(model.flushes, 0);
    assert_int_equal(space.rollovers, 0);
    assert_int_equal(space.handed_out, 7);
    /* Loading them again is the fast path and changes nothing. */
    for (unsigned i = 0; i < 7; i++) {
        uint16_t v;
        assert_true(vmid_try_fast(&space, &ctx[i], 0, &v));
        assert_int_equal(v, vmid_ctx_last(&space, &ctx[i]));
    }
    assert_int_equal(space.handed_out, 7);
}

static void test_flush_exactly_at_rollover(void **state)
{
    struct vmid_ctx ctx[MAX_CTX];

    (void)state;
    setup(3, 1, ctx, MAX_CTX);
    for (unsigned i = 0; i < 7; i++)
        run(&ctx[i], 0, i);
    assert_int_equal(model.flushes, 0);
    /* The eighth context: none left, a new generation, one flush before
     * its VMID is handed out. */
    run(&ctx[7], 0, 7);
    assert_int_equal(model.flushes, 1);
    assert_int_equal(space.rollovers, 1);
    assert_int_equal(model.early, 0);
    /* CPU 0 ran ctx[6] when it rolled over: kept; 6 VMIDs were free, one
     * went to ctx[7], so 5 more fresh contexts fit before the next one. */
    for (unsigned i = 8; i < 13; i++)
        run(&ctx[i], 0, i);
    assert_int_equal(model.flushes, 1);
    run(&ctx[13], 0, 13);
    assert_int_equal(model.flushes, 2);
    /* Many more: one flush per rollover, never one between. */
    for (unsigned i = 14; i < MAX_CTX; i++)
        run(&ctx[i], 0, i);
    assert_int_equal(model.flushes, space.rollovers);
    assert_true(space.rollovers >= 9);
    assert_int_equal(model.early, 0);
}

/* CPUs 0 and 1 keep running A and B (vCPUs that stay loaded) while CPU 2
 * churns through contexts for many generations: A's and B's VMIDs are
 * never handed out, and A and B keep them when next loaded. */
static void test_running_vmids_kept(void **state)
{
    struct vmid_ctx ctx[MAX_CTX];
    struct vmid_ctx *a = &ctx[0], *b = &ctx[1];

    (void)state;
    setup(3, 3, ctx, MAX_CTX);
    uint16_t va = run(a, 0, 0), vb = run(b, 1, 1);
    for (unsigned round = 0; round < 20; round++) {
        for (unsigned i = 2; i < MAX_CTX; i++) {
            vmid_ctx_renew(&ctx[i]);        /* recreated: a fresh VMID each time */
            uint16_t v = run(&ctx[i], 2, round * MAX_CTX + i);
            assert_true(v != va && v != vb);
        }
    }
    assert_true(space.rollovers > 50);
    /* A vCPU of A loaded on CPU 1 now (another vCPU of the same VM), then
     * A again on CPU 0: the same VMID, the one its translations have. */
    assert_int_equal(run(a, 1, 0), va);
    assert_int_equal(run(a, 0, 0), va);
    assert_int_equal(run(b, 1, 1), vb);
    assert_int_equal(model.early, 0);
}

/* A rollover by another CPU takes this CPU's active VMID away: its fast
 * path must fail even for a context of the current generation, so it
 * re-registers under the lock (the race KVM's cmpxchg closes). */
static void test_fast_path_sees_rollover(void **state)
{
    struct vmid_ctx ctx[MAX_CTX];
    uint16_t v;

    (void)state;
    setup(2, 2, ctx, MAX_CTX);              /* VMIDs 1..3 */
    run(&ctx[0], 0, 0);
    run(&ctx[1], 1, 1);
    run(&ctx[2], 1, 2);
    run(&ctx[3], 1, 3);                     /* rollover: CPU 0's slot is now 0 */
    assert_int_equal(space.rollovers, 1);
    assert_int_equal(space.active[0], 0);
    /* ctx[3] is of the current generation, yet CPU 0 may not take it on
     * the fast path. */
    assert_false(vmid_try_fast(&space, &ctx[3], 0, &v));
    assert_int_equal(vmid_update_locked(&space, &ctx[3], 0), vmid_ctx_last(&space, &ctx[3]));
    assert_true(vmid_try_fast(&space, &ctx[3], 0, &v));
}

/* A CPU that goes idle (vCPU put) does not keep its VMID at a rollover. */
static void test_idle_cpu_keeps_nothing(void **state)
{
    struct vmid_ctx ctx[8];

    (void)state;
    setup(2, 2, ctx, 8);
    uint16_t v0 = run(&ctx[0], 0, 0);
    idle(0);
    run(&ctx[1], 1, 1);
    run(&ctx[2], 1, 2);
    run(&ctx[3], 1, 3);                     /* rollover: only ctx[2] (CPU 1) kept */
    assert_int_equal(space.rollovers, 1);
    assert_int_equal(space.map[0], 1u | (1u << vmid_ctx_last(&space, &ctx[2])) |
                                        (1u << vmid_ctx_last(&space, &ctx[3])));
    /* ctx[0] ran before the flush: it may get its old VMID back only if
     * nothing took it in this generation. */
    uint16_t again = run(&ctx[0], 0, 0);
    assert_true(again == v0 || again != vmid_ctx_last(&space, &ctx[3]));
}

/* Random loads, puts and recreations on 4 CPUs with 3-bit VMIDs: the TLB
 * model never sees a VMID run two regimes between flushes, and every
 * rollover flushed. */
static void test_random_never_shared(void **state)
{
    enum { CPUS = 4, CTX = 24, STEPS = 200000 };
    struct vmid_ctx ctx[CTX];
    unsigned incarnation[CTX] = { 0 };
    int running[CPUS];
    unsigned seed = 12345;

    (void)state;
    setup(3, CPUS, ctx, CTX);
    for (unsigned c = 0; c < CPUS; c++)
        running[c] = -1;
    for (unsigned step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = (seed >> 8) % 100, cpu = (seed >> 20) % CPUS, i = (seed >> 4) % CTX;
        if (r < 70) {
            running[cpu] = (int)i;
            run(&ctx[i], cpu, i * 100000 + incarnation[i]);
        } else if (r < 85) {
            running[cpu] = -1;
            idle(cpu);
        } else {
            bool busy = false;
            for (unsigned c = 0; c < CPUS; c++)
                busy |= running[c] == (int)i;
            if (!busy) {                    /* a VM is recreated only when stopped */
                vmid_ctx_renew(&ctx[i]);
                incarnation[i]++;
            }
        }
    }
    assert_true(space.rollovers > 1000);
    assert_int_equal(model.flushes, space.rollovers);
    assert_int_equal(model.early, 0);
}

/* The CPU's 16-bit VMIDs: a whole generation before the first rollover. */
static void test_16_bit(void **state)
{
    static struct vmid_ctx ctx[70000];

    (void)state;
    setup(16, 2, ctx, 0);
    for (unsigned i = 0; i < 65535; i++)
        assert_int_equal(use(&ctx[i], 0), i + 1);
    assert_int_equal(space.rollovers, 0);
    use(&ctx[65535], 0);
    assert_int_equal(space.rollovers, 1);
    assert_int_equal(model.flushes, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_generation_distinct),
        cmocka_unit_test(test_flush_exactly_at_rollover),
        cmocka_unit_test(test_running_vmids_kept),
        cmocka_unit_test(test_fast_path_sees_rollover),
        cmocka_unit_test(test_idle_cpu_keeps_nothing),
        cmocka_unit_test(test_random_never_shared),
        cmocka_unit_test(test_16_bit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
