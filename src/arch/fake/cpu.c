/* The fake CPU: what elvisor reads about its mode, the world-switch entry
 * that "runs" the guest by taking the next scripted exit, FP/SIMD state in
 * memory, WFI, and the harness that stops code which never returns. */
#include "arch/fake/fake.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/asm_offsets.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"

bool hyp_vhe;
struct cpu_features hyp_features;
bool hyp_ptimer_emulated;
uint64_t hyp_vtcr;
unsigned hyp_ipa_bits;
bool hyp_guest_mops;

#define FAKE_MAX_EXITS  64

static struct fake_exit exits[FAKE_MAX_EXITS];
static unsigned exit_head, exit_tail;
static unsigned nr_entries;
static void *last_entered;

static unsigned maintenance_exits;

static jmp_buf *harness;
static enum fake_stop stop_reason;

void fake_arch_reset(void)
{
    fake_sysreg_reset();
    fake_log_clear();
    fake_gic_reset();
    fake_console_reset();
    exit_head = exit_tail = 0;
    maintenance_exits = 0;
    nr_entries = 0;
    last_entered = NULL;
    fake_set_vhe(true);
    memset(&hyp_features, 0, sizeof(hyp_features));
    hyp_ptimer_emulated = true;     /* as on QEMU (docs/vtimer.md) */
    hyp_ipa_bits = 40;
    hyp_vtcr = 0;
    fake_reg(cntfrq_el0) = 62500000;
}

void fake_exit_push(const struct fake_exit *e)
{
    if (exit_tail - exit_head == FAKE_MAX_EXITS) {
        fprintf(stderr, "fake arch: more than %u exits scripted\n", FAKE_MAX_EXITS);
        abort();
    }
    exits[exit_tail++ % FAKE_MAX_EXITS] = *e;
}

unsigned fake_exits_left(void)
{
    return exit_tail - exit_head;
}

unsigned fake_nr_entries(void)
{
    return nr_entries;
}

void *fake_last_entered(void)
{
    return last_entered;
}

#define PPI_MAINTENANCE         25
/* More maintenance exits in a row than this, with the guest doing nothing
 * in between, is elvisor entering with a condition it never clears. */
#define MAX_MAINTENANCE_EXITS   16

/* The maintenance interrupt is a level (GICv3: asserted while En and a
 * condition of ICH_MISR_EL2 hold): while asserted with a guest running it
 * is pending at the GIC, and the guest exits with it at once. */
static bool maintenance_exit(void)
{
    if (gic_version() != 3 || !fake_maintenance_asserted())
        return false;
    if (++maintenance_exits > MAX_MAINTENANCE_EXITS) {
        for (unsigned i = fake_log_len() > 24 ? fake_log_len() - 24 : 0; i < fake_log_len(); i++)
            fprintf(stderr, "  %s\n", fake_log_at(i));
        fprintf(stderr, "fake arch: maintenance interrupt storm: entered %u times with ICH_MISR_EL2 = 0x%llx\n",
                maintenance_exits, (unsigned long long)read_sysreg(S3_4_C12_C11_2));
        abort();
    }
    if (!fake_gic_is_pending(PPI_MAINTENANCE))
        fake_gic_raise(PPI_MAINTENANCE);
    fake_log("maintenance exit");
    return true;
}

/* One scripted exit per entry. As the exit vector does, a synchronous exit
 * goes to on_sync first: EXIT_REENTER enters the guest again at once (the
 * next scripted exit, counted as an entry), anything else is returned.
 * A maintenance interrupt the entry or the guest's actions assert exits
 * first; the scripted exit then waits for the next entry (without running
 * its guest part again). */
uint64_t guest_enter(void *regs, guest_sync_hook on_sync)
{
    for (;;) {
        struct fake_exit *e;
        uint64_t code;

        nr_entries++;
        last_entered = regs;
        fake_log("guest enter");
        if (maintenance_exit())
            return EXIT_IRQ;
        if (exit_head == exit_tail)
            fake_stop(FAKE_STOP_NO_EXIT);
        e = &exits[exit_head % FAKE_MAX_EXITS];
        if (e->guest) {
            maintenance_exits = 0;
            e->guest(regs, e->arg);
            e->guest = NULL;
            if (maintenance_exit())
                return EXIT_IRQ;
        }
        exit_head++;
        if (e->code == EXIT_IRQ)
            fake_gic_raise(e->intid);
        else {
            fake_reg(esr_el2) = e->esr;
            fake_reg(far_el2) = e->far;
            fake_reg(hpfar_el2) = e->hpfar;
        }
        if (e->code != EXIT_SYNC || !on_sync)
            return e->code;
        code = on_sync(regs);
        if (code != EXIT_REENTER)
            return code;
    }
}

/* The FP/SIMD registers are the vCPU's in memory already: nothing moves. */
struct fpsimd_state;
void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);

void fpsimd_save(struct fpsimd_state *s)
{
    fake_log("fpsimd save");
}

void fpsimd_restore(const struct fpsimd_state *s)
{
    fake_log("fpsimd restore");
}

void hyp_cpu_init(void)
{
}

/* CPTR_EL2 as a value a test can read: the TFP bit (10) when FP/SIMD
 * traps, TCPAC (31) when CPACR_EL1 accesses do. */
void hyp_cptr_trap(bool fp, bool cpacr)
{
    write_sysreg(cptr_el2, (fp ? BIT(10) : 0) | (cpacr ? BIT(31) : 0));
    fake_log("fp trap %s%s", fp ? "on" : "off", cpacr ? ", cpacr trap on" : "");
}

void hyp_fp_trap(bool trap)
{
    hyp_cptr_trap(trap, false);
}

/* The bench floor is never allowed on the fake machine. */
bool hyp_floor_allowed;

void hyp_floor_enter(void)
{
    fake_log("floor enter");
}

void hyp_features_probe(bool want_nvhe)
{
    fake_set_vhe(!want_nvhe);
}

void hyp_check_cntpoff(void)
{
}

void hyp_mmu_build(uint64_t *l1_page, uint64_t ram_base, uint64_t ram_size)
{
}

enum fake_stop fake_run(void (*fn)(void *), void *arg)
{
    jmp_buf here;
    jmp_buf *outer = harness;

    harness = &here;
    if (setjmp(here) == 0) {
        fn(arg);
        stop_reason = FAKE_RETURNED;
    }
    harness = outer;
    return stop_reason;
}

void fake_stop(enum fake_stop why)
{
    if (!harness) {
        fprintf(stderr, "fake arch: stopped (%d) outside fake_run()\n", (int)why);
        abort();
    }
    stop_reason = why;
    longjmp(*harness, 1);
}

/* A CPU waiting for an interrupt that no test will raise would wait for
 * good: the run ends there. */
void fake_wfi(void)
{
    fake_log("wfi");
    if (!fake_gic_has_pending())
        fake_stop(FAKE_STOP_IDLE);
}
