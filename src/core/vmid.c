/* VMID allocation glue (vmid.h): the pure allocator of vmid_alloc.c with
 * elvisor's lock, per-CPU index, TLB flush and log. */
#include "core/vmid.h"

#include "arch/arm64/tlb.h"
#include "core/pcpu.h"
#include "lib/log.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"

_Static_assert(MAX_PCPUS <= VMID_MAX_CPUS, "the allocator keeps one VMID per CPU");

#define ROLLOVER_LOG_WINDOW_MS  5000
#define ROLLOVER_LOG_BURST      32

static struct vmid_space space;
static spinlock_t lock = SPINLOCK_INIT;
static struct ratelimit rollover_rl;

/* TLBI ALLE1IS: every EL1&0 entry (stage 1 and 2) of every VMID on every
 * CPU of the inner shareable domain, complete when the DSB is. */
static void flush_all(void *arg)
{
    (void)arg;
    tlb_flush_guests_all();
}

unsigned vmid_init(unsigned cpu_bits, unsigned want_bits, unsigned nr_cpus)
{
    unsigned bits = cpu_bits;

    if (want_bits) {
        bits = want_bits < cpu_bits ? want_bits : cpu_bits;
        if (bits < VMID_MIN_BITS)
            bits = VMID_MIN_BITS;
        /* A rollover keeps one VMID per CPU and must still find one free. */
        while ((1u << bits) - 1u <= nr_cpus && bits < cpu_bits)
            bits++;
        if (bits != want_bits)
            log_warn("vmid-bits=%u: using %u-bit VMIDs (the CPU has %u bits, %u CPUs each keep one "
                     "at a rollover)", want_bits, bits, cpu_bits, nr_cpus);
    }
    vmid_space_init(&space, bits, nr_cpus, flush_all, NULL);
    return bits;
}

static void log_rollover(uint64_t rollovers, uint64_t handed_out)
{
    uint64_t now = read_sysreg(cntpct_el0);
    uint64_t window = read_sysreg(cntfrq_el0) / 1000 * ROLLOVER_LOG_WINDOW_MS;
    unsigned dropped;
    bool allow;

    spin_lock(&lock);
    allow = ratelimit_allow(&rollover_rl, now, window, ROLLOVER_LOG_BURST, &dropped);
    spin_unlock(&lock);
    if (dropped)
        log_info("VMIDs: %u more rollover lines held back (at most %u every %u ms)", dropped,
                 ROLLOVER_LOG_BURST, ROLLOVER_LOG_WINDOW_MS);
    if (allow)
        log_info("VMIDs: rollover %llu, new generation after %llu VMIDs handed out (%u-bit VMIDs): "
                 "guest TLBs flushed on every CPU", (unsigned long long)rollovers,
                 (unsigned long long)handed_out, space.bits);
}

uint16_t vmid_use(struct vmid_ctx *c)
{
    unsigned cpu = this_pcpu()->id;
    uint64_t before, after, handed_out;
    uint16_t vmid;

    if (vmid_try_fast(&space, c, cpu, &vmid))
        return vmid;
    spin_lock(&lock);
    before = space.rollovers;
    vmid = vmid_update_locked(&space, c, cpu);
    after = space.rollovers;
    handed_out = space.handed_out;
    spin_unlock(&lock);
    if (after != before)
        log_rollover(after, handed_out);
    return vmid;
}

void vmid_idle(void)
{
    vmid_cpu_idle(&space, this_pcpu()->id);
}

uint16_t vmid_last(const struct vmid_ctx *c)
{
    return vmid_ctx_last(&space, c);
}

void vmid_log_summary(void)
{
    uint64_t rollovers, handed_out;

    spin_lock(&lock);
    rollovers = space.rollovers;
    handed_out = space.handed_out;
    spin_unlock(&lock);
    if (rollovers)
        log_info("VMIDs: %llu rollovers so far, %llu VMIDs handed out (%u-bit VMIDs)",
                 (unsigned long long)rollovers, (unsigned long long)handed_out, space.bits);
}
