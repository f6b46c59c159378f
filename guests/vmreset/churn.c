/* vmreset's "churn" role: SYSTEM_RESET over and over, so that elvisor hands
 * out more VMIDs than its VMID space holds (each reset takes a fresh VMID,
 * as a recreated VM; run with elvisor's `vmid-bits=3`, the multi-VM suite
 * vmid-churn, tests/integration/configs/vmid-churn.dts). Two churning VMs
 * x and y ("vmreset.self=x vmreset.peer=y", and the other way round) share
 * a physical CPU beside an isolation probe VM.
 *
 * Every boot checks that it started afresh (bss cleared, .data reloaded,
 * the counter going on), that the pattern its previous boot left in RAM is
 * still there word for word, and that no word of that region holds what
 * the peer writes at the same place: a VMID handed to a new regime while
 * another regime's translations under it are still cached (a rollover
 * without its TLB flush) would let the new regime's accesses reach the old
 * one's memory at the same IPA. Then it writes a new pattern and the
 * isolation guest's marker (so the probe VM's scan would find it anywhere
 * it does not belong), and resets until vmreset.boots boots are done.
 * Results are kept in RAM across the resets and reported at the end. */
#include "guest.h"

#include "bootargs.h"
#include "churn.h"
#include "lib/string.h"

#define CHURN_ADDR          (RAM_BASE + 0x1000000UL)    /* the record, as role_reset's */
#define CHURN_PATTERN       (RAM_BASE + 0x1100000UL)
#define CHURN_MARKS         (RAM_BASE + 0x1200000UL)
#define CHURN_WORDS         (0x100000UL / 8)
#define CHURN_STEP          0x9E3779B97F4A7C15UL
#define CHURN_MAGIC         0x766D4348524EUL            /* "vmCHRN" */
#define CHURN_DEFAULT_BOOTS 16
#define CHURN_MAX_BOOTS     1000
#define DATA_INITIAL        0xC0DE0001UL
#define DATA_CHANGED        0xC0DE0002UL

/* The isolation guest's marker (guests/isolation/main.c): tag and FNV-1a
 * of the VM's name, computed at run time. */
#define MARKER_TAG          0x1501A7EDUL
#define FNV_OFFSET          0x811C9DC5U
#define FNV_PRIME           0x01000193U

struct churn_record {
    uint64_t magic;
    uint64_t boots;
    uint64_t passed, failed;
    uint64_t cntvct_last;
    uint64_t not_fresh, first_not_fresh_boot;
    uint64_t damaged_words, first_damaged_boot, first_damaged_addr, first_damaged_value;
    uint64_t peer_words, first_peer_boot, first_peer_addr;
    uint64_t counter_back, first_counter_back_boot;
};

static volatile struct churn_record *const rec = (volatile struct churn_record *)CHURN_ADDR;
static volatile uint64_t churn_data = DATA_INITIAL;
static volatile uint64_t churn_bss;

static uint64_t marker(const char *name)
{
    uint32_t h = FNV_OFFSET;

    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * FNV_PRIME;
    return (MARKER_TAG << 32) | h;
}

/* Word i of a VM's pattern: differs per word, per VM and per boot. */
static uint64_t pattern_word(uint64_t mark, uint64_t boot, uint64_t i)
{
    return (mark ^ (boot << 40)) + i * CHURN_STEP;
}

static void check_previous_boot(uint64_t mark_self, uint64_t mark_peer)
{
    volatile uint64_t *p = (volatile uint64_t *)CHURN_PATTERN;
    uint64_t boot = rec->boots, prev = boot - 1;

    if (churn_bss != 0 || churn_data != DATA_INITIAL) {
        if (rec->not_fresh++ == 0)
            rec->first_not_fresh_boot = boot;
    }
    if (cntvct() <= rec->cntvct_last && rec->counter_back++ == 0)
        rec->first_counter_back_boot = boot;
    for (uint64_t i = 0; i < CHURN_WORDS; i++) {
        uint64_t w = p[i];
        if (w == pattern_word(mark_self, prev, i))
            continue;
        /* The peer's boots write the same region of its own RAM. */
        bool peer = false;
        for (uint64_t b = 1; b <= prev + 1 && !peer; b++)
            peer = w == pattern_word(mark_peer, b, i);
        if (peer && rec->peer_words++ == 0) {
            rec->first_peer_boot = boot;
            rec->first_peer_addr = (uint64_t)(uintptr_t)&p[i];
        }
        if (rec->damaged_words++ == 0) {
            rec->first_damaged_boot = boot;
            rec->first_damaged_addr = (uint64_t)(uintptr_t)&p[i];
            rec->first_damaged_value = w;
        }
    }
}

static void fill(uint64_t mark_self)
{
    volatile uint64_t *p = (volatile uint64_t *)CHURN_PATTERN;
    volatile uint64_t *m = (volatile uint64_t *)CHURN_MARKS;

    for (uint64_t i = 0; i < CHURN_WORDS; i++) {
        p[i] = pattern_word(mark_self, rec->boots, i);
        m[i] = mark_self;
    }
    dsb(sy);
}

static void report(uint64_t want)
{
    test_set_counts((unsigned)rec->passed, (unsigned)rec->failed);
    test_check(rec->boots == want, "churn_boots", "%lu boots, want %lu", rec->boots, want);
    test_check(rec->not_fresh == 0, "churn_fresh_start",
               "%lu boots found bss or .data of the boot before, the first boot %lu", rec->not_fresh,
               rec->first_not_fresh_boot);
    test_check(rec->counter_back == 0, "churn_counter_continues",
               "CNTVCT went back across %lu resets, the first before boot %lu", rec->counter_back,
               rec->first_counter_back_boot);
    test_check(rec->peer_words == 0, "churn_peer_absent",
               "%lu words of the peer's pattern in own RAM, the first at 0x%lx on boot %lu",
               rec->peer_words, rec->first_peer_addr, rec->first_peer_boot);
    test_check(rec->damaged_words == 0, "churn_ram_kept",
               "%lu pattern words changed across resets, the first at 0x%lx (0x%lx) on boot %lu",
               rec->damaged_words, rec->first_damaged_addr, rec->first_damaged_value,
               rec->first_damaged_boot);
    rec->magic = 0;
    dsb(sy);
}

void role_churn(const char *args)
{
    char self[16], peer[16], boots_arg[8];
    uint64_t want = CHURN_DEFAULT_BOOTS;

    if (!bootarg_get(args, "vmreset.self", self, sizeof(self)) ||
        !bootarg_get(args, "vmreset.peer", peer, sizeof(peer))) {
        test_fail("churn_role", "vmreset.role=churn needs vmreset.self and vmreset.peer");
        return;
    }
    if (bootarg_get(args, "vmreset.boots", boots_arg, sizeof(boots_arg))) {
        want = 0;
        for (const char *d = boots_arg; *d >= '0' && *d <= '9'; d++)
            want = want * 10 + (uint64_t)(*d - '0');
        if (want < 2 || want > CHURN_MAX_BOOTS)
            want = CHURN_DEFAULT_BOOTS;
    }
    uint64_t mark_self = marker(self), mark_peer = marker(peer);

    if (rec->magic != CHURN_MAGIC) {
        memset((void *)(uintptr_t)CHURN_ADDR, 0, sizeof(struct churn_record));
        rec->magic = CHURN_MAGIC;
    } else {
        test_set_counts((unsigned)rec->passed, (unsigned)rec->failed);
    }
    rec->boots++;
    if (rec->boots > 1)
        check_previous_boot(mark_self, mark_peer);
    churn_data = DATA_CHANGED;
    churn_bss = 1;
    test_note("churn: boot %lu of %lu", rec->boots, want);
    if (rec->boots >= want) {
        report(want);
        return;
    }
    fill(mark_self);
    rec->passed = test_passed();
    rec->failed = test_failed();
    rec->cntvct_last = cntvct();
    dsb(sy);
    int64_t r = psci_system_reset();
    test_fail("churn_boots", "SYSTEM_RESET returned %ld on boot %lu", (long)r, rec->boots);
    rec->magic = 0;
}
