/* platform: the VM has the shape it was asked for. The launcher's request
 * comes on the kernel command line, "expect.cpus=N expect.mem=SIZE" (SIZE
 * in bytes or with a K/M/G suffix), so one image checks any --smp/--mem.
 * The DTB is compared with it, and so is the machine itself: every CPU the
 * DTB lists starts with CPU_ON and none exists beyond them; the last word of
 * RAM holds a value and the first byte past it aborts. Without both
 * expectations the guest fails rather than pass on nothing. With "dtb.dump"
 * on the command line it also prints the blob it was given, as lines of
 * "DTB-HEX <bytes in hex>", so that a test can compare it with the DTB the
 * host tool says this VM gets (elvisor-config dtb). */
#include "guest.h"

#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "platform";

#define MAX_MEM_RANGES      4
#define PROBE_PATTERN       0x5A5AA5A5C3C33C3CUL
#define CTX_TAG             0x9A7UL
#define KIB_SHIFT           10
#define MIB_SHIFT           20
#define GIB_SHIFT           30
#define DUMP_BYTES_PER_LINE 32
#define FDT_TOTALSIZE_OFF   4
#define DUMP_MAX_BYTES      (64 * 1024)

struct expectations {
    bool have_cpus, have_mem;
    uint64_t cpus, mem;
};

static volatile uint64_t cpu_mpidr_seen[MAX_CPUS];

/* The value after "key" in the space-separated words of args. */
static const char *find_word(const char *args, const char *key)
{
    size_t klen = strlen(key);

    for (const char *p = args; *p;) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, klen) == 0)
            return p + klen;
        while (*p && *p != ' ')
            p++;
    }
    return NULL;
}

/* Decimal number, optionally followed by K, M or G; the word must end there. */
static bool parse_size(const char *s, uint64_t *out, bool allow_suffix)
{
    uint64_t v = 0;
    const char *p = s;

    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (p == s)
        return false;
    if (allow_suffix) {
        switch (*p) {
        case 'K': case 'k': v <<= KIB_SHIFT; p++; break;
        case 'M': case 'm': v <<= MIB_SHIFT; p++; break;
        case 'G': case 'g': v <<= GIB_SHIFT; p++; break;
        default: break;
        }
    }
    if (*p && *p != ' ')
        return false;
    *out = v;
    return true;
}

static struct expectations read_expectations(const char *args)
{
    struct expectations e = { 0 };
    const char *v;

    if ((v = find_word(args, "expect.cpus=")))
        e.have_cpus = parse_size(v, &e.cpus, false);
    if ((v = find_word(args, "expect.mem=")))
        e.have_mem = parse_size(v, &e.mem, true);
    return e;
}

static void secondary_main(uint64_t arg)
{
    cpu_mpidr_seen[cpu_index()] = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    dsb(sy);
}

static void check_cpus(const struct expectations *e)
{
    uint64_t regs[MAX_CPUS];
    int n = dtb_cpu_regs(guest_dtb, regs, MAX_CPUS);

    test_check(n >= 0 && (uint64_t)n == e->cpus, "dtb_cpus", "the DTB lists %d CPUs, want %lu",
               n, e->cpus);

    /* The DTB's CPUs must exist: each one starts and reports its MPIDR. */
    unsigned started = 1;
    for (unsigned cpu = 1; cpu < smp_num_cpus(); cpu++) {
        int64_t r = smp_cpu_on(cpu, secondary_main, 0, CTX_TAG);
        if (r != PSCI_RET_SUCCESS) {
            test_fail("cpus_start", "CPU_ON of CPU %u (MPIDR 0x%lx) = %ld", cpu,
                      smp_cpu_mpidr(cpu), (long)r);
            return;
        }
        if (!smp_wait_booted(cpu, 0, WAIT_TIMEOUT_US) ||
            !WAIT_UNTIL(cpu_mpidr_seen[cpu] == smp_cpu_mpidr(cpu), WAIT_TIMEOUT_US)) {
            test_fail("cpus_start", "CPU %u (MPIDR 0x%lx) did not run", cpu, smp_cpu_mpidr(cpu));
            return;
        }
        started++;
    }
    test_check(started == e->cpus, "cpus_start", "%u CPUs ran, want %lu", started, e->cpus);

    /* Nor may one more exist: vCPU N has Aff0 = N on elvisor and on virt. */
    int64_t r = psci_affinity_info(e->cpus);
    test_check(r == PSCI_RET_INVALID_PARAMS, "no_cpu_beyond",
               "AFFINITY_INFO(MPIDR 0x%lx) = %ld, want INVALID_PARAMETERS", e->cpus, (long)r);
}

static void probe_ram_word(uintptr_t addr)
{
    volatile uint64_t *p = (volatile uint64_t *)addr;
    struct sync_record rec;

    /* Only the first access may abort: the handler is armed for one. */
    exc_expect_sync();
    uint64_t old = *p;
    if (exc_take_sync(&rec)) {
        test_fail("ram_last_word", "a load from 0x%lx aborted (ESR 0x%lx)", (unsigned long)addr,
                  rec.esr);
        return;
    }
    *p = PROBE_PATTERN;
    uint64_t got = *p;
    *p = old;
    test_check(got == PROBE_PATTERN, "ram_last_word", "0x%lx read back 0x%lx, wrote 0x%lx",
               (unsigned long)addr, got, PROBE_PATTERN);
}

static void probe_ram_end(uintptr_t addr)
{
    struct sync_record rec;

    exc_expect_sync();
    (void)mmio_read8(addr);
    if (!exc_take_sync(&rec))
        test_fail("ram_end_aborts", "a load from 0x%lx (RAM end) did not abort", (unsigned long)addr);
    else
        test_check(ESR_EC(rec.esr) == ESR_EC_DABT_CUR && ESR_DABT_DFSC(rec.esr) == DFSC_SEA &&
                       rec.far == addr,
                   "ram_end_aborts", "ESR 0x%lx FAR 0x%lx, want a synchronous external abort at 0x%lx",
                   rec.esr, rec.far, (unsigned long)addr);
}

static void check_memory(const struct expectations *e)
{
    uint64_t base[MAX_MEM_RANGES], size[MAX_MEM_RANGES];
    int n = dtb_memory_ranges(guest_dtb, base, size, MAX_MEM_RANGES);

    for (int i = 0; i < n && i < MAX_MEM_RANGES; i++)
        test_note("DTB memory: 0x%lx + 0x%lx (%lu MiB)", base[i], size[i], size[i] >> MIB_SHIFT);
    if (test_check(n == 1, "dtb_memory_one_range", "the DTB has %d memory ranges, want 1", n)) {
        test_check(base[0] == RAM_BASE, "dtb_memory_base", "base 0x%lx, want 0x%lx", base[0],
                   RAM_BASE);
        test_check(size[0] == e->mem, "dtb_memory_size", "size 0x%lx (%lu MiB), want 0x%lx (%lu MiB)",
                   size[0], size[0] >> MIB_SHIFT, e->mem, e->mem >> MIB_SHIFT);
    }
    /* What the DTB says must also be what stage 2 (or the board) maps. */
    uintptr_t end = RAM_BASE + e->mem;
    probe_ram_word(end - sizeof(uint64_t));
    probe_ram_end(end);
}

/* The header's totalsize (big-endian) bytes of the blob, in hex. */
static void dump_dtb(void)
{
    const uint8_t *b = guest_dtb;
    uint32_t total = 0;

    for (unsigned i = 0; i < 4; i++)
        total = total << 8 | b[FDT_TOTALSIZE_OFF + i];
    if (!test_check(total > 0 && total <= DUMP_MAX_BYTES, "dtb_dump", "totalsize %u", total))
        return;
    for (uint32_t off = 0; off < total; off += DUMP_BYTES_PER_LINE) {
        gprintf("DTB-HEX ");
        for (uint32_t i = off; i < total && i < off + DUMP_BYTES_PER_LINE; i++)
            gprintf("%02x", b[i]);
        gprintf("\n");
    }
}

void guest_main(void)
{
    const char *args = dtb_bootargs(guest_dtb);

    test_note("bootargs: \"%s\"", args ? args : "(none)");
    if (args && find_word(args, "dtb.dump"))
        dump_dtb();
    struct expectations e = read_expectations(args ? args : "");
    if (!test_check(e.have_cpus && e.have_mem && e.cpus >= 1 && e.cpus <= MAX_CPUS && e.mem > 0 &&
                        e.mem % sizeof(uint64_t) == 0,
                    "expectations",
                    "bootargs need expect.cpus=1..%u and expect.mem=SIZE (e.g. expect.mem=128M)",
                    MAX_CPUS))
        return;
    check_cpus(&e);
    check_memory(&e);
}
