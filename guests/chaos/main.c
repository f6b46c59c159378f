/* chaos: a guest that does random things a hostile or broken guest could
 * do, seeded and bounded, and counts what it did and which exceptions it
 * took. It checks nothing of elvisor itself: the other VMs beside it do
 * (tests/integration/configs/chaos.dts), and the runner checks elvisor's log
 * stays short. Bootargs: `chaos.ops=N` operations per vCPU (default
 * 20000), `chaos.seed=S` (default 1). Every vCPU runs the loop with its own
 * seed, interrupts masked. Each operation is one of:
 *   mrs     a read of a random system register (op0 = 3), run from a code
 *           buffer written at run time;
 *   msr     a write of a random value to one, except those that would take
 *           the guest's own execution away (SCTLR_EL1 and the rest of CRn
 *           1, PSTATE and the exception registers (CRn 4), VBAR_EL1,
 *           TPIDR_EL1 (the CPU index), ICC_SRE_EL1);
 *   hvc/smc a random function number (PSCI's range left out: CPU_OFF or
 *           SYSTEM_OFF would end the run) with random arguments;
 *   dev     a load or store of 1, 2, 4 or 8 bytes at a random offset of the
 *           distributor or this vCPU's redistributor, or a load from the
 *           UART (a store could turn its transmitter off and lose the
 *           report);
 *   far     a load or store at a random IPA outside RAM and the device
 *           window;
 *   cmo     DC CIVAC in RAM, DC CISW with a random set/way, IC IALLUIS,
 *           TLBI VMALLE1IS, AT S1E1R of a random VA;
 *   wfe     WFE.
 * Any synchronous exception is recorded and the instruction skipped.
 * Checks: `ops_done` (every vCPU finished its operations), `ram_intact` (a
 * 64 KiB pattern written first is unchanged). */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "chaos";

enum op { OP_MRS, OP_MSR, OP_HVC, OP_SMC, OP_DEV, OP_FAR, OP_CMO, OP_WFE, OP_NR };

#define OPS_DEFAULT     20000
#define PATTERN_WORDS   8192
#define EC_COUNTED      64

static volatile uint64_t pattern[PATTERN_WORDS];
static uint64_t nr_ops;
static uint64_t seed0 = 1;
static uint64_t ram_base, ram_size;
/* One instruction and a RET per vCPU, rewritten for each MRS/MSR. */
static uint32_t code[MAX_CPUS][16] __attribute__((aligned(64)));

struct cpu_stats {
    uint64_t ops[OP_NR];
    uint64_t ec[EC_COUNTED];
    volatile bool done;
};
static struct cpu_stats stats[MAX_CPUS];

static uint64_t rnd(uint64_t *s)
{
    /* xorshift64*: a seeded sequence, the same on every run */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t arg_u64(const char *key, uint64_t dflt)
{
    char buf[24];
    uint64_t v = 0;

    if (!bootarg_get(dtb_bootargs(guest_dtb), key, buf, sizeof(buf)))
        return dflt;
    for (const char *c = buf; *c >= '0' && *c <= '9'; c++)
        v = v * 10 + (uint64_t)(*c - '0');
    return v ? v : dflt;
}

static void record(struct cpu_stats *st, const struct sync_record *rec)
{
    st->ec[ESR_EC(rec->esr) % EC_COUNTED]++;
}

/* MRS/MSR Xt with encoding (3, op1, CRn, CRm, op2) and Rt = x0. */
#define A64_SYSREG(l, op1, crn, crm, op2) \
    (0xD5000000U | (l) << 21 | 3U << 19 | (op1) << 16 | (crn) << 12 | (crm) << 8 | (op2) << 5)
#define A64_RET 0xD65F03C0U

static bool msr_allowed(unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    if (op1 != 0 && op1 != 3)
        return true;        /* EL2/EL3 registers: UNDEFINED at EL1, harmless */
    if (crn == 1 || crn == 4)
        return false;       /* SCTLR/CPACR..., PSTATE, ELR/SPSR, SP_EL0 */
    if (op1 == 0 && crn == 12 && crm == 0 && op2 == 0)
        return false;       /* VBAR_EL1 */
    if (op1 == 0 && crn == 12 && crm == 12 && op2 == 5)
        return false;       /* ICC_SRE_EL1 */
    if (op1 == 0 && crn == 13 && crm == 0 && op2 == 4)
        return false;       /* TPIDR_EL1 */
    return true;
}

static uint64_t run_code(uint32_t *buf, uint64_t x0)
{
    uint64_t (*fn)(uint64_t) = (uint64_t (*)(uint64_t))(uintptr_t)buf;

    __asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" : : "r"(buf) : "memory");
    return fn(x0);
}

static void op_sysreg(uint64_t *s, struct cpu_stats *st, bool write)
{
    unsigned op1 = rnd(s) & 7, crn = rnd(s) & 15, crm = rnd(s) & 15, op2 = rnd(s) & 7;
    uint32_t *buf = code[cpu_index()];
    struct sync_record rec;

    if (write && !msr_allowed(op1, crn, crm, op2))
        write = false;
    buf[0] = A64_SYSREG(write ? 0U : 1U, op1, crn, crm, op2);
    buf[1] = A64_RET;
    exc_expect_sync();
    run_code(buf, rnd(s));
    if (exc_take_sync(&rec))
        record(st, &rec);
    st->ops[write ? OP_MSR : OP_MRS]++;
}

static bool psci_range(uint32_t fid)
{
    return (fid & 0xBFFFFF00U) == 0x84000000U;
}

static void op_call(uint64_t *s, struct cpu_stats *st, bool smc)
{
    uint32_t fid;
    struct sync_record rec;

    do
        fid = (uint32_t)rnd(s);
    while (psci_range(fid));
    exc_expect_sync();
    if (smc)
        smccc_smc(fid, rnd(s), rnd(s), rnd(s));
    else
        smccc_hvc(fid, rnd(s), rnd(s), rnd(s));
    if (exc_take_sync(&rec))
        record(st, &rec);
    st->ops[smc ? OP_SMC : OP_HVC]++;
}

static void access(uintptr_t addr, unsigned size, bool write, uint64_t val)
{
    switch (size) {
    case 1:
        if (write) *(volatile uint8_t *)addr = (uint8_t)val; else (void)*(volatile uint8_t *)addr;
        break;
    case 2:
        if (write) *(volatile uint16_t *)addr = (uint16_t)val; else (void)*(volatile uint16_t *)addr;
        break;
    case 4:
        if (write) *(volatile uint32_t *)addr = (uint32_t)val; else (void)*(volatile uint32_t *)addr;
        break;
    default:
        if (write) *(volatile uint64_t *)addr = val; else (void)*(volatile uint64_t *)addr;
        break;
    }
}

static void op_dev(uint64_t *s, struct cpu_stats *st)
{
    unsigned size = 1U << (rnd(s) % 4), which = rnd(s) % 3;
    bool write = rnd(s) & 1;
    uintptr_t base, span;
    struct sync_record rec;

    if (which == 0) {
        base = GICD_BASE;
        span = 0x10000;
    } else if (which == 1 && guest_gic_version() == 3) {
        base = GICR_BASE + GICR_STRIDE * cpu_index();
        span = GICR_STRIDE;
    } else {
        base = UART_BASE;
        span = 0x1000;
    }
    uintptr_t off = (uintptr_t)(rnd(s) % span) & ~(uintptr_t)(size - 1);
    if (base == UART_BASE)
        write = false;      /* its reports must reach the console intact */
    exc_expect_sync();
    access(base + off, size, write, rnd(s));
    if (exc_take_sync(&rec))
        record(st, &rec);
    st->ops[OP_DEV]++;
}

static void op_far(uint64_t *s, struct cpu_stats *st)
{
    uintptr_t addr;
    struct sync_record rec;

    do
        addr = (uintptr_t)(rnd(s) & ((1ULL << 40) - 1)) & ~7UL;
    while ((addr >= 0x08000000 && addr < 0x0C000000) || (addr >= ram_base && addr - ram_base < ram_size));
    exc_expect_sync();
    access(addr, 8, rnd(s) & 1, rnd(s));
    if (exc_take_sync(&rec))
        record(st, &rec);
    st->ops[OP_FAR]++;
}

static void op_cmo(uint64_t *s, struct cpu_stats *st)
{
    uintptr_t ram = (uintptr_t)(ram_base + (rnd(s) % ram_size)) & ~63UL;
    uint64_t r = rnd(s);
    struct sync_record rec;

    exc_expect_sync();
    switch (r % 5) {
    case 0:
        __asm__ volatile("dc civac, %0" : : "r"(ram) : "memory");
        break;
    case 1:
        __asm__ volatile("dc cisw, %0" : : "r"(r & 0xfffffffeULL) : "memory");
        break;
    case 2:
        __asm__ volatile("ic ialluis" : : : "memory");
        break;
    case 3:
        __asm__ volatile("tlbi vmalle1is\n\tdsb ish" : : : "memory");
        break;
    default:
        __asm__ volatile("at s1e1r, %0" : : "r"(rnd(s)) : "memory");
        break;
    }
    if (exc_take_sync(&rec))
        record(st, &rec);
    st->ops[OP_CMO]++;
}

static void chaos(uint64_t seed)
{
    struct cpu_stats *st = &stats[cpu_index()];
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;

    irq_disable();
    for (uint64_t i = 0; i < nr_ops; i++) {
        switch ((enum op)(rnd(&s) % OP_NR)) {
        case OP_MRS: op_sysreg(&s, st, false); break;
        case OP_MSR: op_sysreg(&s, st, true); break;
        case OP_HVC: op_call(&s, st, false); break;
        case OP_SMC: op_call(&s, st, true); break;
        case OP_DEV: op_dev(&s, st); break;
        case OP_FAR: op_far(&s, st); break;
        case OP_CMO: op_cmo(&s, st); break;
        default:
            __asm__ volatile("wfe");
            st->ops[OP_WFE]++;
            break;
        }
    }
    __atomic_store_n(&st->done, true, __ATOMIC_RELEASE);
}

static void secondary(uint64_t arg)
{
    chaos(seed0 + arg);
}

void guest_main(void)
{
    unsigned cpus = smp_num_cpus();
    uint64_t total = 0;
    bool all_done = true;

    nr_ops = arg_u64("chaos.ops", OPS_DEFAULT);
    seed0 = arg_u64("chaos.seed", 1);
    if (dtb_memory(guest_dtb, &ram_base, &ram_size) < 0) {
        test_fail("setup", "no memory node in the DTB");
        return;
    }
    for (unsigned i = 0; i < PATTERN_WORDS; i++)
        pattern[i] = 0xC4A05000000000ULL | i;
    test_note("chaos: %lu operations on each of %u vCPUs, seed %lu", (unsigned long)nr_ops, cpus,
              (unsigned long)seed0);
    for (unsigned c = 1; c < cpus && c < MAX_CPUS; c++)
        smp_cpu_on(c, secondary, c, 0);
    chaos(seed0);
    for (unsigned c = 0; c < cpus && c < MAX_CPUS; c++) {
        bool done = WAIT_UNTIL(__atomic_load_n(&stats[c].done, __ATOMIC_ACQUIRE), 600000000);
        all_done &= done;
        for (unsigned k = 0; k < OP_NR; k++)
            total += stats[c].ops[k];
        test_note("cpu%u: mrs %lu msr %lu hvc %lu smc %lu dev %lu far %lu cmo %lu wfe %lu", c,
                  (unsigned long)stats[c].ops[OP_MRS], (unsigned long)stats[c].ops[OP_MSR],
                  (unsigned long)stats[c].ops[OP_HVC], (unsigned long)stats[c].ops[OP_SMC],
                  (unsigned long)stats[c].ops[OP_DEV], (unsigned long)stats[c].ops[OP_FAR],
                  (unsigned long)stats[c].ops[OP_CMO], (unsigned long)stats[c].ops[OP_WFE]);
        for (unsigned ec = 0; ec < EC_COUNTED; ec++)
            if (stats[c].ec[ec])
                test_note("cpu%u: %lu exceptions with EC 0x%x", c, (unsigned long)stats[c].ec[ec], ec);
    }
    test_check(all_done && total == nr_ops * cpus, "ops_done", "%lu of %lu operations done",
               (unsigned long)total, (unsigned long)(nr_ops * cpus));
    unsigned bad = 0;
    for (unsigned i = 0; i < PATTERN_WORDS; i++)
        bad += pattern[i] != (0xC4A05000000000ULL | i);
    test_check(bad == 0, "ram_intact", "%u of %u pattern words changed", bad, PATTERN_WORDS);
}
