/* dbgregs: the self-hosted debug registers are this vCPU's own. Every
 * breakpoint and watchpoint value and control register the CPU has
 * (DBGBVR<n>/DBGBCR<n>_EL1 for n < ID_AA64DFR0_EL1.BRPs + 1,
 * DBGWVR<n>/DBGWCR<n>_EL1 for n < WRPs + 1), the OS double lock
 * (OSDLR_EL1.DLK), the OS lock (OSLAR_EL1 / OSLSR_EL1.OSLK) and the claim
 * tags (DBGCLAIMSET/CLR_EL1) must
 *
 * - read their reset values when the guest starts (`reset_*`): 0, except
 *   OSLK, which is 1 after a cold reset; under elvisor that means no other
 *   VM's values, which a second VM on the same physical CPU would see if
 *   elvisor neither trapped nor switched these registers;
 * - hold the pattern this guest writes (`stored_*`), derived from the tag
 *   in its bootargs (`dbgregs.tag=N`, 1..255, default 1) so that two VMs
 *   write different values: only writable fields are set (BCR/WCR with E = 0,
 *   so nothing fires; MDSCR_EL1.MDE is 0 anyway), and addresses below 2^36;
 * - still read that pattern, re-read in a loop for `dbgregs.ms=N` ms of
 *   counter time (default 200), long enough under multi-VM runs to be
 *   switched out for the other VM and back many times (`kept_*`; the first
 *   difference is reported).
 *
 * With `dbgregs.shared` (tests/integration/configs/dbgregs-share.dts, two
 * VMs on one physical CPU) `preempted` also requires the loop to have seen
 * at least PREEMPT_JUMPS_MIN jumps of half elvisor's 10 ms time slice (the
 * counter jumps while another vCPU runs), so that the checks above really
 * span world switches. `dbgregs.delay-ms=N` waits N ms of counter time
 * (touching no debug register) before the reset check, so that the VM
 * started second reads them after the first has written its patterns. On a CPU whose DLK or claim tags are RAZ/WI the
 * pattern is 0 and those checks show nothing; a `#` line says so. */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "lib/printf.h"
#include "preempt.h"

const char guest_name[] = "dbgregs";

#define ARG_LEN             16
#define TAG_DEFAULT         1
#define TAG_MAX             255
#define MS_DEFAULT          200
#define MS_MAX              60000
#define US_PER_MS           1000

/* ID_AA64DFR0_EL1: number of breakpoints/watchpoints minus one. */
#define DFR0_BRPS(v)        FIELD(v, 12, 4)
#define DFR0_WRPS(v)        FIELD(v, 20, 4)
#define MAX_POINTS          16

/* DBGBCR<n>_EL1: PMC [2:1], BAS [8:5] (AArch64 takes 0b0011, 0b1100, 0b1111). */
#define BCR_PMC_SHIFT       1
#define BCR_BAS_SHIFT       5
/* DBGWCR<n>_EL1: PAC [2:1], LSC [4:3], BAS [12:5]. */
#define WCR_PAC_SHIFT       1
#define WCR_LSC_SHIFT       3
#define WCR_BAS_SHIFT       5
#define OSDLR_DLK           BIT(0)
#define OSLAR_OSLK          BIT(0)
#define OSLSR_OSLK          BIT(1)
#define CLAIM_MASK          0xffUL      /* CLAIM[7:0]; the rest is RES0 */

enum kind { K_BVR, K_BCR, K_WVR, K_WCR, K_OSDLR, K_OSLK, K_CLAIM, NR_KINDS };

/* One check group per kind of state; value and control registers of a
 * breakpoint or watchpoint go together. */
enum group { G_BREAKPOINTS, G_WATCHPOINTS, G_OS_DOUBLE_LOCK, G_OS_LOCK, G_CLAIM, NR_GROUPS };

static const enum group kind_group[NR_KINDS] = {
    G_BREAKPOINTS, G_BREAKPOINTS, G_WATCHPOINTS, G_WATCHPOINTS, G_OS_DOUBLE_LOCK, G_OS_LOCK, G_CLAIM,
};
static const char *const group_name[NR_GROUPS] = {
    "breakpoints", "watchpoints", "os_double_lock", "os_lock", "claim_tags",
};
/* Breakpoint and watchpoint registers are named with their number. */
static const char *const kind_name[NR_KINDS] = {
    "DBGBVR", "DBGBCR", "DBGWVR", "DBGWCR", "OSDLR_EL1.DLK", "OSLSR_EL1.OSLK", "DBGCLAIM",
};

#define POINT_CASE(prefix, n)                                                   \
    case n:                                                                     \
        if (is_read)                                                            \
            return read_sysreg(prefix##n##_el1);                                \
        write_sysreg(v, prefix##n##_el1);                                       \
        return 0;
#define POINT_CASES(prefix)                                                     \
    POINT_CASE(prefix, 0) POINT_CASE(prefix, 1) POINT_CASE(prefix, 2)           \
    POINT_CASE(prefix, 3) POINT_CASE(prefix, 4) POINT_CASE(prefix, 5)           \
    POINT_CASE(prefix, 6) POINT_CASE(prefix, 7) POINT_CASE(prefix, 8)           \
    POINT_CASE(prefix, 9) POINT_CASE(prefix, 10) POINT_CASE(prefix, 11)         \
    POINT_CASE(prefix, 12) POINT_CASE(prefix, 13) POINT_CASE(prefix, 14)        \
    POINT_CASE(prefix, 15)

/* The register number is part of the instruction: one case per number. */
static uint64_t point_access(enum kind k, unsigned n, bool is_read, uint64_t v)
{
    switch (k) {
    case K_BVR:
        switch (n) { POINT_CASES(dbgbvr) }
        break;
    case K_BCR:
        switch (n) { POINT_CASES(dbgbcr) }
        break;
    case K_WVR:
        switch (n) { POINT_CASES(dbgwvr) }
        break;
    case K_WCR:
        switch (n) { POINT_CASES(dbgwcr) }
        break;
    default:
        break;
    }
    return 0;
}

static uint64_t reg_read(enum kind k, unsigned n)
{
    switch (k) {
    case K_OSDLR:
        return read_sysreg(osdlr_el1) & OSDLR_DLK;
    case K_OSLK:
        return (read_sysreg(oslsr_el1) & OSLSR_OSLK) ? 1 : 0;
    case K_CLAIM:
        return read_sysreg(dbgclaimclr_el1) & CLAIM_MASK;
    default:
        return point_access(k, n, true, 0);
    }
}

static void reg_write(enum kind k, unsigned n, uint64_t v)
{
    switch (k) {
    case K_OSDLR:
        write_sysreg(v, osdlr_el1);
        break;
    case K_OSLK:
        write_sysreg(v ? OSLAR_OSLK : 0, oslar_el1);
        break;
    case K_CLAIM:
        write_sysreg(CLAIM_MASK, dbgclaimclr_el1);
        write_sysreg(v, dbgclaimset_el1);
        break;
    default:
        point_access(k, n, false, v);
        break;
    }
    isb();
}

/* This guest's value for register n of kind k: every field differs between
 * tags 1 and 2 (the two VMs of dbgregs-share) and from the reset value. */
static uint64_t pattern(enum kind k, unsigned n, unsigned tag)
{
    static const uint64_t bcr_bas[] = { 0x3, 0xc, 0xf };
    static const uint64_t wcr_bas[] = { 0x0f, 0xf0, 0xff };
    unsigned r = (tag + n) % 3;

    switch (k) {
    case K_BVR:
        return ((uint64_t)tag << 28) | ((uint64_t)(n + 1) << 16) | 0xc0;
    case K_WVR:
        return ((uint64_t)tag << 28) | ((uint64_t)(n + 1) << 16) | 0x1f8;
    case K_BCR:
        return ((uint64_t)(r + 1) << BCR_PMC_SHIFT) | (bcr_bas[r] << BCR_BAS_SHIFT);
    case K_WCR:
        return ((uint64_t)(r + 1) << WCR_PAC_SHIFT) | ((uint64_t)((r + 1) % 3 + 1) << WCR_LSC_SHIFT) |
               (wcr_bas[r] << WCR_BAS_SHIFT);
    case K_OSDLR:
    case K_OSLK:
        return tag & 1;
    case K_CLAIM:
        return (tag * 0x25UL) & CLAIM_MASK;
    default:
        return 0;
    }
}

struct reg {
    enum kind k;
    unsigned n;
    uint64_t want;      /* what it read back right after the write */
};

static struct reg regs[4 * MAX_POINTS + 3];
static unsigned nr_regs;

static void reg_name(const struct reg *r, char *buf, size_t len)
{
    if (r->k <= K_WCR)
        elv_snprintf(buf, len, "%s%u_EL1", kind_name[r->k], r->n);
    else
        elv_snprintf(buf, len, "%s", kind_name[r->k]);
}

static void add_regs(unsigned brps, unsigned wrps)
{
    for (unsigned n = 0; n < brps; n++) {
        regs[nr_regs++] = (struct reg){ K_BVR, n, 0 };
        regs[nr_regs++] = (struct reg){ K_BCR, n, 0 };
    }
    for (unsigned n = 0; n < wrps; n++) {
        regs[nr_regs++] = (struct reg){ K_WVR, n, 0 };
        regs[nr_regs++] = (struct reg){ K_WCR, n, 0 };
    }
    regs[nr_regs++] = (struct reg){ K_OSDLR, 0, 0 };
    regs[nr_regs++] = (struct reg){ K_OSLK, 0, 0 };
    regs[nr_regs++] = (struct reg){ K_CLAIM, 0, 0 };
}

/* The first register of each group whose value is not `expect(r)`. */
struct diff {
    bool seen;
    char name[24];
    uint64_t got, want;
};

static void record(struct diff *d, const struct reg *r, uint64_t got, uint64_t want)
{
    if (d->seen)
        return;
    d->seen = true;
    reg_name(r, d->name, sizeof(d->name));
    d->got = got;
    d->want = want;
}

static void report(const char *prefix, const struct diff *d, const char *what)
{
    char check[40];

    for (unsigned g = 0; g < NR_GROUPS; g++) {
        elv_snprintf(check, sizeof(check), "%s_%s", prefix, group_name[g]);
        test_check(!d[g].seen, check, "%s reads 0x%lx, %s 0x%lx", d[g].name, d[g].got, what,
                   d[g].want);
    }
}

static void check_reset(void)
{
    struct diff d[NR_GROUPS] = { 0 };

    for (unsigned i = 0; i < nr_regs; i++) {
        uint64_t want = regs[i].k == K_OSLK ? 1 : 0;
        uint64_t got = reg_read(regs[i].k, regs[i].n);
        if (got != want)
            record(&d[kind_group[regs[i].k]], &regs[i], got, want);
    }
    report("reset", d, "reset value");
}

static void write_patterns(unsigned tag)
{
    struct diff d[NR_GROUPS] = { 0 };
    bool zero[NR_GROUPS] = { false };

    for (unsigned i = 0; i < nr_regs; i++)
        reg_write(regs[i].k, regs[i].n, pattern(regs[i].k, regs[i].n, tag));
    for (unsigned i = 0; i < nr_regs; i++) {
        struct reg *r = &regs[i];
        uint64_t want = pattern(r->k, r->n, tag);
        r->want = reg_read(r->k, r->n);
        if (r->want != want)
            record(&d[kind_group[r->k]], r, r->want, want);
        if (want && !r->want)
            zero[kind_group[r->k]] = true;
    }
    report("stored", d, "written");
    for (unsigned g = 0; g < NR_GROUPS; g++)
        if (zero[g])
            test_note("dbgregs: %s read as zero on this CPU: their checks show nothing", group_name[g]);
}

static void check_kept(unsigned ms, bool shared)
{
    uint64_t target = ticks_from_us((uint64_t)ms * US_PER_MS);
    struct preempt_watch watch;
    unsigned long rounds = 0, bad = 0;
    struct diff d[NR_GROUPS] = { 0 };
    uint64_t now;

    test_note("dbgregs: patterns written, re-reading them for %u ms", ms);
    preempt_watch_start(&watch);
    do {
        for (unsigned i = 0; i < nr_regs; i++) {
            uint64_t got = reg_read(regs[i].k, regs[i].n);
            if (got != regs[i].want) {
                bad++;
                record(&d[kind_group[regs[i].k]], &regs[i], got, regs[i].want);
            }
        }
        rounds++;
        now = preempt_watch_step(&watch);
    } while (now - watch.start < target);
    test_note("dbgregs: done, %lu rounds, %lu counter jumps of >= %u us, %lu reads differed",
              rounds, watch.jumps, PREEMPT_JUMP_US, bad);
    report("kept", d, "its own");
    if (shared)
        preempt_watch_check(&watch);
}

void guest_main(void)
{
    uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
    unsigned brps = (unsigned)DFR0_BRPS(dfr0) + 1, wrps = (unsigned)DFR0_WRPS(dfr0) + 1;
    const char *args = dtb_bootargs(guest_dtb);
    unsigned tag = bootarg_num(args, "dbgregs.tag", TAG_DEFAULT, TAG_MAX);
    unsigned ms = bootarg_num(args, "dbgregs.ms", MS_DEFAULT, MS_MAX);
    unsigned delay_ms = bootarg_num(args, "dbgregs.delay-ms", 0, MS_MAX);
    char flag[ARG_LEN];
    bool shared = bootarg_get(args, "dbgregs.shared", flag, sizeof(flag));

    test_note("dbgregs: %u breakpoints, %u watchpoints, tag %u", brps, wrps, tag);
    add_regs(brps, wrps);
    if (delay_ms) {
        uint64_t until = cntvct() + ticks_from_us((uint64_t)delay_ms * US_PER_MS);
        while (cntvct() < until)
            cpu_relax();
    }
    test_note("dbgregs: reading the reset values");
    check_reset();
    write_patterns(tag);
    check_kept(ms, shared);
}
