/* The vCPU switch between two VMs that share one physical CPU
 * ("bench.switch=measure" and "bench.switch=partner" in the bootargs of two
 * one-vCPU VMs pinned on the same CPU: tests/integration/configs/
 * bench-switch.dts, run by tools/bench.sh).
 *
 * Both vCPUs spin reading the counter, so the hypervisor's round robin
 * gives each a time slice in turn. Between two reads of the measuring vCPU
 * lies, when its slice has ended, the partner's whole slice and what the
 * two switches cost it:
 *
 *   vm_switch                 the gap minus the slice (bench.slice_us, the
 *                             hypervisor's round-robin slice): the partner's
 *                             slice-end interrupt to this vCPU's next
 *                             instruction (exit, the scheduler, the partner
 *                             out, this vCPU in, entry) plus this vCPU's own
 *                             exit at the end of its slice up to the point
 *                             where the partner's slice starts
 *   fp_after_vm_switch        the first FP/SIMD instruction after such a
 *                             gap: the partner used the registers during its
 *                             slice (it touches them on every read), so with
 *                             lazy switching they move back here
 *
 * Under -icount shift=0 every tick is one emulated instruction. A gap is
 * anything longer than half a slice; the partner stops once it has seen no
 * gap for SILENT_SLICES slices (the measuring VM powered off). */
#include "guest.h"
#include "bench.h"
#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"

#define SILENT_SLICES   4
#define WAIT_SLICES     20      /* a sample that sees no gap in this long failed */

static uint64_t slice_ticks;

static inline void fp_touch(void)
{
    __asm__ volatile(".arch_extension fp\n\tfmov d0, xzr" ::: "memory");
}

/* Spins until the counter jumps by more than half a slice; gives the
 * reading before the jump and the one after. False after WAIT_SLICES. */
static bool wait_gap(uint64_t *before, uint64_t *after)
{
    uint64_t start = cntvct(), prev = start, t;

    for (;;) {
        t = cntvct();
        if (t - prev > slice_ticks / 2) {
            *before = prev;
            *after = t;
            return true;
        }
        if (t - start > WAIT_SLICES * slice_ticks)
            return false;
        prev = t;
    }
}

static bool sample_vm_switch(uint64_t *ticks)
{
    uint64_t before, after;

    if (!wait_gap(&before, &after))
        return false;
    *ticks = after - before - slice_ticks;
    return true;
}

static bool sample_fp_after_switch(uint64_t *ticks)
{
    uint64_t before, after, t0;

    if (!wait_gap(&before, &after))
        return false;
    t0 = cntvct();
    fp_touch();
    *ticks = cntvct() - t0;
    return true;
}

/* Spins with the FP/SIMD registers in use until the measuring VM has gone. */
static void partner(void)
{
    uint64_t prev = cntvct(), last_gap = prev, t;
    unsigned gaps = 0;

    for (;;) {
        t = cntvct();
        fp_touch();
        if (t - prev > slice_ticks / 2) {
            gaps++;
            last_gap = t;
        }
        if (t - last_gap > SILENT_SLICES * slice_ticks)
            break;
        prev = t;
    }
    test_check(gaps > 0, "switch_partner", "never switched out: is the other VM on this CPU?");
}

void bench_switch(const char *role)
{
    char arg[16];
    uint64_t us = 0;

    if (bootarg_get(dtb_bootargs(guest_dtb), "bench.slice_us", arg, sizeof(arg)))
        for (const char *c = arg; *c >= '0' && *c <= '9'; c++)
            us = us * 10 + (uint64_t)(*c - '0');
    if (us == 0 || us > 1000000) {
        test_fail("vm_switch", "bench.slice_us (the hypervisor's time slice) missing or out of range");
        return;
    }
    slice_ticks = cntfrq() * us / 1000000;
    fp_enable();
    if (strcmp(role, "partner") == 0) {
        partner();
        return;
    }
    test_note("two VMs on one CPU, slice %lu ticks: figures are what a switch costs beyond it",
              slice_ticks);
    bench("vm_switch", sample_vm_switch);
    bench("fp_after_vm_switch", sample_fp_after_switch);
}
