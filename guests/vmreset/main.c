/* vmreset: PSCI SYSTEM_RESET restarts the calling VM and nothing else. Runs
 * as two VMs (tests/integration/configs/vm-reset.dts), the role in bootargs:
 *
 * "vmreset.role=reset" resets itself once. On the second boot it checks that
 * it started afresh at its entry point (bss cleared, .data reloaded from the
 * image, the DTB address in x0), that the rest of its RAM kept what it wrote
 * before the reset (a record and a pattern), and that its virtual counter
 * did not go back. Its "# SYSTEM_RESET" line comes RESET_DELAY_US after
 * boot, so the other VM is already running (the runner checks the order).
 *
 * "vmreset.role=steady" works on until the runner types 'g' on the console,
 * which it does once the resetting VM has finished: a loop counter kept in
 * RAM, a RAM pattern and the virtual counter must show uninterrupted
 * progress, and the VM must never boot a second time (RAM survives a reset,
 * so a second boot finds the first boot's record).
 *
 * "vmreset.role=churn" resets many times (churn.c).
 *
 * "vmreset.role=echo" reports every character it receives on its console
 * ("# echo: 0x67 'g'") until it reads 'q', then powers off: the operator's
 * console test (tests/integration/monitor.exp) checks with it which VM
 * gets console input and that a reset VM boots again. */
#include "guest.h"

#include "bootargs.h"
#include "churn.h"
#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "vmreset";

/* Survive a reset: RAM is kept, only the images and the DTB are reloaded,
 * and these lie well past the image, its bss and stacks. */
#define RECORD_ADDR         (RAM_BASE + 0x1000000UL)
#define PATTERN_ADDR        (RAM_BASE + 0x1100000UL)
#define PATTERN_WORDS       (0x100000UL / 8)
#define PATTERN_STEP        0x9E3779B97F4A7C15UL    /* odd: every word differs */

#define RESET_MAGIC         0x766D52534554UL        /* "vmRSET" */
#define STEADY_MAGIC        0x766D53544459UL        /* "vmSTDY" */
#define DATA_INITIAL        0xDA7A0001UL
#define DATA_CHANGED        0xDA7A0002UL
#define BSS_CHANGED         0xB550001UL

#define RESET_DELAY_US      2000000     /* the steady VM reaches its loop first */
#define STEADY_NOTE_US      500000      /* after both VMs' boot lines */
#define GO_CHAR             'g'
#define GO_TIMEOUT_US       600000000   /* the runner's own timeout ends it first */
#define GO_POLL_EVERY       4096        /* loop iterations between console reads */
#define US_PER_S            1000000UL

struct record {
    uint64_t magic;
    uint64_t boots;
    uint64_t passed, failed;
    uint64_t dtb;
    uint64_t cntvct_before;
    uint64_t seed;
    uint64_t iterations;
};

static volatile uint64_t image_data = DATA_INITIAL;
static volatile uint64_t bss_word;

static volatile struct record *const rec = (volatile struct record *)RECORD_ADDR;

static void fill_pattern(uint64_t seed)
{
    volatile uint64_t *p = (volatile uint64_t *)PATTERN_ADDR;

    for (uint64_t i = 0; i < PATTERN_WORDS; i++)
        p[i] = seed + i * PATTERN_STEP;
    dsb(sy);
}

/* Words that differ from the pattern; *first gets the first one's address. */
static uint64_t pattern_damage(uint64_t seed, uint64_t *first)
{
    volatile uint64_t *p = (volatile uint64_t *)PATTERN_ADDR;
    uint64_t bad = 0;

    for (uint64_t i = 0; i < PATTERN_WORDS; i++)
        if (p[i] != seed + i * PATTERN_STEP && bad++ == 0)
            *first = (uint64_t)(uintptr_t)&p[i];
    return bad;
}

static void reset_second_boot(void)
{
    uint64_t first = 0, bad;
    uint64_t now = cntvct();

    test_set_counts((unsigned)rec->passed, (unsigned)rec->failed);
    test_note("second boot: the record written before SYSTEM_RESET is still in RAM");
    test_check(rec->boots == 1, "reset_once", "record says %lu boots, want 1", rec->boots);
    test_check(bss_word == 0, "reset_bss_cleared", "bss word is 0x%lx: not a fresh start", bss_word);
    test_check(image_data == DATA_INITIAL, "reset_image_reloaded",
               ".data word is 0x%lx, want the image's 0x%lx", image_data, DATA_INITIAL);
    test_check((uint64_t)(uintptr_t)guest_dtb == rec->dtb &&
                   *(const volatile uint32_t *)guest_dtb == __builtin_bswap32(FDT_MAGIC),
               "reset_dtb_in_x0", "x0 = %p at entry, first boot had 0x%lx", guest_dtb, rec->dtb);
    bad = pattern_damage(rec->seed, &first);
    test_check(bad == 0, "reset_ram_kept", "%lu of %lu pattern words changed, the first at 0x%lx",
               bad, PATTERN_WORDS, first);
    test_check(now > rec->cntvct_before, "reset_counter_continues",
               "CNTVCT 0x%lx after the reset, 0x%lx before", now, rec->cntvct_before);
    rec->magic = 0;
    dsb(sy);
}

static void role_reset(void)
{
    if (rec->magic == RESET_MAGIC) {
        reset_second_boot();
        return;
    }
    image_data = DATA_CHANGED;
    bss_word = BSS_CHANGED;
    uint64_t seed = cntvct();
    fill_pattern(seed);

    uint64_t until = cntvct() + ticks_from_us(RESET_DELAY_US);
    while (cntvct() < until)
        cpu_relax();

    rec->boots = 1;
    rec->passed = test_passed();
    rec->failed = test_failed();
    rec->dtb = (uint64_t)(uintptr_t)guest_dtb;
    rec->seed = seed;
    rec->cntvct_before = cntvct();
    rec->magic = RESET_MAGIC;
    dsb(sy);
    test_note("SYSTEM_RESET");
    int64_t r = psci_system_reset();
    rec->magic = 0;
    test_fail("reset_once", "SYSTEM_RESET returned %ld", (long)r);
}

static void role_steady(void)
{
    if (rec->magic == STEADY_MAGIC) {
        test_fail("steady_not_reset", "booted again after %lu loop iterations: this VM was "
                  "restarted although only the other VM asked for a reset", rec->iterations);
        rec->magic = 0;
        return;
    }
    uint64_t seed = cntvct();
    rec->magic = STEADY_MAGIC;
    rec->iterations = 0;
    fill_pattern(seed);

    uint64_t start = cntvct(), last = start, max_gap = 0, backwards = 0, n = 0;
    uint64_t deadline = start + ticks_from_us(GO_TIMEOUT_US);
    bool noted = false, go = false;

    while (!go && last < deadline) {
        uint64_t now = cntvct();
        if (now < last)
            backwards++;
        else if (now - last > max_gap)
            max_gap = now - last;
        last = now;
        rec->iterations = ++n;
        if (n % GO_POLL_EVERY)
            continue;
        if (!noted && now - start >= ticks_from_us(STEADY_NOTE_US)) {
            test_note("steady: loop started");
            noted = true;
        }
        go = console_getc_nonblock() == GO_CHAR;
    }
    dsb(sy);

    uint64_t first = 0, bad = pattern_damage(seed, &first);
    test_pass("steady_not_reset");
    test_check(go, "steady_go_received", "no '%c' on the console within %lu s", GO_CHAR,
               GO_TIMEOUT_US / US_PER_S);
    test_check(backwards == 0, "steady_counter_monotonic", "CNTVCT went back %lu times", backwards);
    test_check(rec->iterations == n && n > GO_POLL_EVERY && last > start, "steady_progress",
               "%lu iterations in RAM, %lu counted; CNTVCT 0x%lx -> 0x%lx", rec->iterations, n,
               start, last);
    test_check(bad == 0, "steady_ram_intact", "%lu of %lu pattern words changed, the first at 0x%lx",
               bad, PATTERN_WORDS, first);
    test_note("%lu iterations over %lu ms, longest gap between two %lu us", n,
              (last - start) / ticks_from_us(1000), max_gap / ticks_from_us(1));
    rec->magic = 0;
    dsb(sy);
}

/* Polls (no receive interrupt): the test needs only what arrives, in order.
 * Its virtual timer's interrupt is held pending for the operator's `irqs`
 * to show: enabled at the GIC, the timer expired and unmasked, IRQs masked
 * at the CPU, so it is never taken. */
static void role_echo(void)
{
    int c;

    irq_disable();
    guest_gic_enable_private(INTID_EL1_VTIMER);
    vtimer_set_cval(0);
    vtimer_set_ctl(CNT_CTL_ENABLE);
    test_note("echo: ready");
    while ((c = console_getc_nonblock()) != 'q') {
        if (c < 0)
            continue;
        if (c >= 0x20 && c < 0x7f)
            test_note("echo: 0x%02x '%c'", c, c);
        else
            test_note("echo: 0x%02x", c);
    }
    test_pass("echo_quit");
}

void guest_main(void)
{
    char role[16];

    if (!bootarg_get(dtb_bootargs(guest_dtb), "vmreset.role", role, sizeof(role)))
        test_fail("role", "bootargs name no vmreset.role: run it with tests/integration/configs/vm-reset.dts");
    else if (strcmp(role, "reset") == 0)
        role_reset();
    else if (strcmp(role, "steady") == 0)
        role_steady();
    else if (strcmp(role, "echo") == 0)
        role_echo();
    else if (strcmp(role, "churn") == 0)
        role_churn(dtb_bootargs(guest_dtb));
    else
        test_fail("role", "unknown vmreset.role=%s", role);
}
