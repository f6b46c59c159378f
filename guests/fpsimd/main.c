/* fpsimd: the FP/SIMD registers are this vCPU's own. The guest writes a
 * pattern derived from the tag in its bootargs (`fpsimd.tag=N`, 1..255) into
 * q0-q31, FPSR and FPCR, then re-reads them in a loop for `fpsimd.ms=N` ms
 * of counter time (default 200), with the other VM's vCPU on the same
 * physical CPU doing the same with its own tag
 * (tests/integration/configs/fpsimd-share.dts): elvisor's time slice
 * switches the CPU between them, and with lazy switching each one's first
 * FP/SIMD use after a switch traps and moves the registers. `kept` fails on
 * the first value that differs; with `fpsimd.shared`, `preempted` requires
 * at least PREEMPT_JUMPS_MIN counter jumps of half a time slice, so that the
 * loop really spanned switches. Without a hypervisor it passes trivially
 * (`kept`), which checks the guest itself. */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "preempt.h"

const char guest_name[] = "fpsimd";

#define ARG_LEN             16
#define NR_WORDS            66          /* q0-q31 as 64-bit halves, FPSR, FPCR */
#define WORD_FPSR           64
#define WORD_FPCR           65
#define TAG_DEFAULT         1
#define TAG_MAX             255
#define MS_DEFAULT          200
#define MS_MAX              10000
#define US_PER_MS           1000
#define FPSR_FLAGS          0x1fUL      /* IOC, DZC, OFC, UFC, IXC */
#define FPCR_DN             (1UL << 25)
#define FPCR_RMODE_SHIFT    22

/* src/arch/arm64/fpsimd.S, elvisor's own: words as struct fpsimd_state
 * lays them out (q0-q31 as 64-bit halves, FPSR, FPCR). */
void fpsimd_save(uint64_t *words);
void fpsimd_restore(const uint64_t *words);

static uint64_t want[NR_WORDS], got[NR_WORDS];

static void make_pattern(unsigned tag)
{
    for (unsigned i = 0; i < 64; i++)
        want[i] = (uint64_t)tag << 56 | (uint64_t)i << 40 | (0x5a5aa5a5c3c3ULL ^ (uint64_t)tag << 8);
    want[WORD_FPSR] = tag & FPSR_FLAGS;
    want[WORD_FPCR] = FPCR_DN | (uint64_t)(tag & 3) << FPCR_RMODE_SHIFT;
}

void guest_main(void)
{
    const char *args = dtb_bootargs(guest_dtb);
    unsigned tag = bootarg_num(args, "fpsimd.tag", TAG_DEFAULT, TAG_MAX);
    unsigned ms = bootarg_num(args, "fpsimd.ms", MS_DEFAULT, MS_MAX);
    char flag[ARG_LEN];
    bool shared = bootarg_get(args, "fpsimd.shared", flag, sizeof(flag));
    uint64_t target = ticks_from_us((uint64_t)ms * US_PER_MS);
    struct preempt_watch watch;
    unsigned long rounds = 0, bad = 0;
    unsigned first_bad = 0;
    uint64_t first_got = 0, now;

    /* CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 and EL0 without a trap to EL1. */
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" ::"r"(read_sysreg(cpacr_el1) | (3UL << 20)));
    make_pattern(tag);
    fpsimd_restore(want);
    test_note("fpsimd: tag %u pattern written, re-reading for %u ms", tag, ms);
    preempt_watch_start(&watch);
    do {
        fpsimd_save(got);
        for (unsigned i = 0; i < NR_WORDS; i++) {
            if (got[i] != want[i] && bad++ == 0) {
                first_bad = i;
                first_got = got[i];
            }
        }
        rounds++;
        now = preempt_watch_step(&watch);
    } while (now - watch.start < target);
    test_note("fpsimd: %lu rounds, %lu counter jumps of >= %u us", rounds, watch.jumps,
              PREEMPT_JUMP_US);
    test_check(bad == 0, "kept", "%lu words differed; first: word %u = 0x%lx, want 0x%lx", bad, first_bad,
               (unsigned long)first_got, (unsigned long)want[first_bad]);
    if (shared)
        preempt_watch_check(&watch);
}
