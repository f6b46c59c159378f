/* vel2: a guest that starts at EL2 — under elvisor the virtual EL2 of a VM
 * with `virt-el2` (FEAT_NV2, docs/nested.md §9.5), on bare QEMU
 * (`-M virt,virtualization=on`) the real one, which is the oracle for every
 * behavioural check. Built against the GUEST_EL2 library: it runs as a VHE
 * host would (HCR_EL2.E2H set), takes its exceptions at VBAR_EL2 and calls
 * PSCI by SMC.
 *
 * Bootargs: vel2=WORD[,WORD]: "cost" times VTTBR_EL2 writes (meant for
 * -icount shift=0, where the counter ticks once per instruction);
 * "elvisor" also checks the ID register values elvisor chooses for a vEL2
 * guest (QEMU's own EL2 shows the CPU's). Needs 2 vCPUs. */
#include "guest.h"
#include "bootargs.h"
#include "dtb.h"

#include "lib/printf.h"
#include "lib/string.h"

const char guest_name[] = "vel2";

#define CURRENTEL_EL2_VALUE     0x8

#define HCR_TWI                 BIT(13)
#define HCR_TVM                 BIT(26)
#define HCR_RW                  BIT(31)
#define HCR_E2H                 BIT(34)

#define SCTLR_WXN               BIT(19)
#define CPACR_FPEN_NOTRAP       (3UL << 20)
#define MDCR_TDA                BIT(9)
#define CNTHCTL_EL0PCTEN        BIT(0)
#define CNTHCTL_EL0VCTEN        BIT(1)
#define CNTHCTL_EL1PCTEN        BIT(10)
#define CNTHCTL_EL1PTEN         BIT(11)
#define ICC_SRE_ENABLE          BIT(3)

#define PSR_MODE_MASK           0xfUL
#define PSR_MODE_EL2H           0x9UL
#define ESR_EC_BRK64            0x3c
#define ESR_IL                  BIT(25)
#define ESR_IMM16(esr)          FIELD(esr, 0, 16)
#define VECTOR_CUR_SPX_SYNC     0x200
#define BRK_IMM                 0x2a    /* probe.S */
#define HVC_IMM                 0x4d2   /* probe.S */

/* ID register fields (Arm ARM). */
#define PFR0_EL2(v)             FIELD(v, 8, 4)
#define PFR0_EL3(v)             FIELD(v, 12, 4)
#define MMFR0_TGRAN16_2(v)      FIELD(v, 32, 4)
#define MMFR0_TGRAN64_2(v)      FIELD(v, 36, 4)
#define MMFR0_TGRAN4_2(v)       FIELD(v, 40, 4)
#define MMFR1_VH(v)             FIELD(v, 8, 4)
#define MMFR2_NV(v)             FIELD(v, 24, 4)
#define MMFR4_E2H0(v)           FIELD(v, 24, 4)
#define E2H0_NI_NV1             0xe
#define TGRAN_2_NONE            1
#define TGRAN_2_4K              2
#define ID_SIGNED_NEGATIVE      8       /* a signed 4-bit field below 0 */

/* Redirected to memory under NV2: a loop of writes costs a few
 * instructions each, a trap to the hypervisor hundreds. */
#define COST_WRITES             100
#define COST_MAX_TICKS          20
#define TRAPPED_WRITES          10
/* CNTVOFF_EL2 written far off must not move the guest's own counter. */
#define CNTVOFF_PROBE           0x0000123456789abcUL
#define COUNTER_JUMP_LIMIT      (1UL << 36)

/* GICv3 virtualization interface fields (Arm GICv3 architecture). The
 * LRs, ICH_HCR and ICH_VMCR are VNCR-page slots under elvisor, VTR, MISR,
 * EISR and ELRSR trap. */
#define ICH_VTR_LISTREGS(v)     (FIELD(v, 0, 5) + 1)
#define ICH_VTR_PREBITS(v)      (FIELD(v, 26, 3) + 1)
#define ICH_VTR_PRIBITS(v)      (FIELD(v, 29, 3) + 1)
#define ICH_LR_PENDING          (1UL << 62)
#define ICH_LR_GROUP1           (1UL << 60)
#define ICH_LR_EOI              (1UL << 41)
#define ICH_LR_PRIO(p)          ((uint64_t)(p) << 48)
#define ICH_HCR_UIE             BIT(1)
#define ICH_MISR_EOI            BIT(0)
#define ICH_MISR_U              BIT(1)
#define ICH_LR_PROBE            (ICH_LR_PENDING | ICH_LR_GROUP1 | ICH_LR_PRIO(0xa0) | 40)
#define ESR_EC_UNKNOWN          0x00

uint64_t vel2_hvc_probe(uint64_t x0);
void vel2_brk_probe(void);
void vel2_msr_vttbr_loop(uint64_t value, uint64_t count);
void vel2_msr_vbar_loop(uint64_t value, uint64_t count);
extern char vel2_hvc_after[], vel2_brk_insn[], guest_vectors[];

static bool opt_cost, opt_elvisor;

static uint64_t current_el(void) { return read_sysreg(CurrentEL); }

/* Writes value, reads it back, restores what was there; o is the value
 * found, which `value` may use. */
#define ROUND_TRIP(check, reg, value)                                       \
    do {                                                                    \
        uint64_t o = read_sysreg(reg);                                      \
        uint64_t want__ = (value);                                          \
        write_sysreg(want__, reg);                                          \
        isb();                                                              \
        uint64_t got__ = read_sysreg(reg);                                  \
        write_sysreg(o, reg);                                               \
        isb();                                                              \
        test_expect_eq(check, got__, want__);                               \
    } while (0)

static void parse_options(void)
{
    char val[64];

    if (!bootarg_get(dtb_bootargs(guest_dtb), "vel2", val, sizeof(val)))
        return;
    for (char *w = val; *w;) {
        char *end = w;
        while (*end && *end != ',')
            end++;
        bool more = *end == ',';
        *end = '\0';
        opt_cost |= strcmp(w, "cost") == 0;
        opt_elvisor |= strcmp(w, "elvisor") == 0;
        w = more ? end + 1 : end;
    }
}

static void check_entry(void)
{
    uint64_t mmfr4 = read_sysreg(S3_0_C0_C7_4);

    test_expect_eq("current_el", current_el(), CURRENTEL_EL2_VALUE);
    /* E2H RES1 (negative E2H0) must show in HCR_EL2 as the CPU was entered;
     * with E2H0 >= 0 E2H resets to 0 and the library set it. */
    if (MMFR4_E2H0(mmfr4) >= ID_SIGNED_NEGATIVE)
        test_check(guest_entry_hcr & HCR_E2H, "entry_hcr_e2h",
                   "HCR_EL2 = 0x%lx at entry, E2H clear although ID_AA64MMFR4_EL1.E2H0 = 0x%lx",
                   guest_entry_hcr, MMFR4_E2H0(mmfr4));
    else
        test_note("ID_AA64MMFR4_EL1.E2H0 = %lu: E2H not RES1, entered with HCR_EL2 = 0x%lx",
                  MMFR4_E2H0(mmfr4), guest_entry_hcr);
    test_check(read_sysreg(hcr_el2) & HCR_E2H, "hcr_e2h", "HCR_EL2 = 0x%lx",
               read_sysreg(hcr_el2));

    const char *method = dtb_psci_method(guest_dtb);
    test_check(method && strcmp(method, "smc") == 0, "dtb_psci_smc", "psci method \"%s\"",
               method ? method : "(none)");
    int64_t v = smccc_smc(PSCI_VERSION, 0, 0, 0);
    test_check(VERSION_MAJOR(v) == 1 && VERSION_MINOR(v) >= 1, "psci_version_smc",
               "PSCI_VERSION by SMC returned 0x%lx", (uint64_t)v);
}

static void check_id_registers(void)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
    uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
    uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    uint64_t mmfr2 = read_sysreg(S3_0_C0_C7_2);
    uint64_t mmfr4 = read_sysreg(S3_0_C0_C7_4);

    test_note("PFR0 0x%lx MMFR0 0x%lx MMFR1 0x%lx MMFR2 0x%lx MMFR4 0x%lx", pfr0, mmfr0, mmfr1,
              mmfr2, mmfr4);
    test_check(PFR0_EL2(pfr0) != 0, "pfr0_el2", "ID_AA64PFR0_EL1.EL2 = 0");
    test_expect_eq("mmfr1_vh", MMFR1_VH(mmfr1), 1);
    if (!opt_elvisor)
        return;
    /* elvisor's choices for a guest hypervisor (docs/nested.md §7). */
    test_expect_eq("pfr0_el2_aarch64_only", PFR0_EL2(pfr0), 1);
    test_expect_eq("pfr0_el3_none", PFR0_EL3(pfr0), 0);
    test_expect_eq("mmfr4_e2h0_ni_nv1", MMFR4_E2H0(mmfr4), E2H0_NI_NV1);
    test_expect_eq("mmfr2_nv_none", MMFR2_NV(mmfr2), 0);
    test_expect_eq("mmfr0_tgran4_2", MMFR0_TGRAN4_2(mmfr0), TGRAN_2_4K);
    test_check(MMFR0_TGRAN16_2(mmfr0) == TGRAN_2_NONE && MMFR0_TGRAN64_2(mmfr0) == TGRAN_2_NONE,
               "mmfr0_tgran16_64_2_none", "TGran16_2 %lu, TGran64_2 %lu", MMFR0_TGRAN16_2(mmfr0),
               MMFR0_TGRAN64_2(mmfr0));
}

/* Registers with a VNCR slot: memory under NV2, never the hypervisor's. */
static void check_redirected(void)
{
    ROUND_TRIP("rt_hcr_el2", hcr_el2, o | HCR_TVM | HCR_TWI | HCR_RW | HCR_E2H);
    ROUND_TRIP("rt_vttbr_el2", vttbr_el2, 0x0012000040001000UL);
    ROUND_TRIP("rt_vtcr_el2", vtcr_el2, 0x80023558UL);
    ROUND_TRIP("rt_hstr_el2", hstr_el2, 0x8001UL);
    ROUND_TRIP("rt_tpidr_el2", tpidr_el2, 0xfeedface12345678UL);

    uint64_t mpidr = read_sysreg(mpidr_el1);
    ROUND_TRIP("rt_vmpidr_el2", vmpidr_el2, 0x80000102UL);
    write_sysreg(0x80000103UL, vmpidr_el2);
    isb();
    uint64_t mpidr_after = read_sysreg(mpidr_el1);
    write_sysreg(mpidr, vmpidr_el2);
    isb();
    /* VMPIDR_EL2 is what EL1 below would read, not this EL's MPIDR. */
    test_expect_eq("vmpidr_not_own_mpidr", mpidr_after, mpidr);

    ROUND_TRIP("rt_cntvoff_el2", cntvoff_el2, CNTVOFF_PROBE);
    uint64_t off = read_sysreg(cntvoff_el2);
    uint64_t before = cntvct();
    write_sysreg(CNTVOFF_PROBE, cntvoff_el2);
    isb();
    uint64_t after = cntvct();
    write_sysreg(off, cntvoff_el2);
    isb();
    /* With E2H = 1 EL2's virtual count has no offset. */
    test_check(after >= before && after - before < COUNTER_JUMP_LIMIT, "cntvoff_not_own_counter",
               "CNTVCT_EL0 went from %lu to %lu with CNTVOFF_EL2 = 0x%lx", before, after,
               CNTVOFF_PROBE);
}

/* EL2 registers without a VNCR slot: each access traps to the hypervisor. */
static void check_trapped(void)
{
    ROUND_TRIP("rt_sctlr_el2", sctlr_el2, o | SCTLR_WXN);
    ROUND_TRIP("rt_vbar_el2", vbar_el2, (uint64_t)(uintptr_t)guest_vectors + 0x800);
    test_expect_eq("vbar_el2_vectors", read_sysreg(vbar_el2), (uint64_t)(uintptr_t)guest_vectors);
    ROUND_TRIP("rt_tcr_el2", tcr_el2, 0x0000000280993519UL);
    ROUND_TRIP("rt_ttbr0_el2", ttbr0_el2, 0x0012000040100000UL);
    ROUND_TRIP("rt_ttbr1_el2", S3_4_C2_C0_1 /* TTBR1_EL2 */, 0x0034000040200000UL);
    ROUND_TRIP("rt_mair_el2", mair_el2, 0x00000000004404ffUL);
    ROUND_TRIP("rt_cnthctl_el2", cnthctl_el2,
               CNTHCTL_EL0PCTEN | CNTHCTL_EL0VCTEN | CNTHCTL_EL1PCTEN | CNTHCTL_EL1PTEN);
    ROUND_TRIP("rt_mdcr_el2", mdcr_el2, o ^ MDCR_TDA);
    ROUND_TRIP("rt_cptr_el2", cptr_el2, o | CPACR_FPEN_NOTRAP);
    if (guest_gic_version() == 3) {
        write_sysreg(ICC_SRE_SRE | ICC_SRE_ENABLE, icc_sre_el2);
        isb();
        uint64_t sre = read_sysreg(icc_sre_el2);
        test_check((sre & (ICC_SRE_SRE | ICC_SRE_ENABLE)) == (ICC_SRE_SRE | ICC_SRE_ENABLE),
                   "icc_sre_el2", "ICC_SRE_EL2 = 0x%lx", sre);
    }
}

/* Redirected to the EL1 registers (NV2 under elvisor, E2H at real EL2). */
/* The hypervisor's view of the GICv3 virtualization interface, with the
 * virtual CPU interface disabled (ICH_HCR_EL2.En = 0) so that nothing is
 * signalled: what the status registers compute from the LRs. */
static void check_ich_v3(void)
{
    uint64_t vtr = read_sysreg(ich_vtr_el2);

    test_check(ICH_VTR_LISTREGS(vtr) >= 2 && ICH_VTR_LISTREGS(vtr) <= 16 &&
               ICH_VTR_PREBITS(vtr) >= 5 && ICH_VTR_PRIBITS(vtr) >= ICH_VTR_PREBITS(vtr),
               "ich_vtr", "ICH_VTR_EL2 = 0x%lx", vtr);
    ROUND_TRIP("rt_ich_lr0", ich_lr0_el2, ICH_LR_PROBE);
    write_sysreg(0, ich_hcr_el2);
    write_sysreg(0, ich_lr1_el2);
    write_sysreg(ICH_LR_PROBE, ich_lr0_el2);
    isb();
    uint64_t elrsr = read_sysreg(ich_elrsr_el2);
    test_check((elrsr & 3) == 2, "ich_elrsr_pending", "ICH_ELRSR_EL2 = 0x%lx", elrsr);
    /* A software interrupt deactivated with EOI set: not free until the
     * hypervisor has seen it in EISR. */
    write_sysreg(ICH_LR_EOI | 40, ich_lr0_el2);
    isb();
    uint64_t eisr = read_sysreg(ich_eisr_el2);
    elrsr = read_sysreg(ich_elrsr_el2);
    uint64_t misr = read_sysreg(ich_misr_el2);
    test_check((eisr & 3) == 1 && (elrsr & 3) == 2 && (misr & ICH_MISR_EOI),
               "ich_eisr_eoi", "EISR 0x%lx ELRSR 0x%lx MISR 0x%lx", eisr, elrsr, misr);
    write_sysreg(0, ich_lr0_el2);
    write_sysreg(ICH_HCR_UIE, ich_hcr_el2);
    isb();
    elrsr = read_sysreg(ich_elrsr_el2);
    misr = read_sysreg(ich_misr_el2);
    test_check((elrsr & 3) == 3 && misr == ICH_MISR_U, "ich_misr_underflow",
               "ELRSR 0x%lx MISR 0x%lx", elrsr, misr);
    write_sysreg(0, ich_hcr_el2);
    isb();
}

/* Without a GICv3 there is no ICH_* register: UNDEFINED. */
static void check_ich_v2(void)
{
    struct sync_record r;
    uint64_t v;

    exc_expect_sync();
    v = read_sysreg(ich_vtr_el2);
    if (test_check(exc_take_sync(&r), "ich_vtr_undef_gicv2", "ICH_VTR_EL2 read 0x%lx", v))
        test_expect_eq("ich_vtr_undef_gicv2_ec", ESR_EC(r.esr), ESR_EC_UNKNOWN);
}

static void check_exception_registers(void)
{
    ROUND_TRIP("rt_elr_el2", elr_el2, 0x40081234UL);
    ROUND_TRIP("rt_spsr_el2", spsr_el2, 0x600003c9UL);
    ROUND_TRIP("rt_esr_el2", esr_el2, 0x5600abcdUL);
    ROUND_TRIP("rt_far_el2", far_el2, 0x00000dead0beef00UL);
    uint64_t o = read_sysreg(elr_el2);
    write_sysreg(0x40085678UL, elr_el2);
    isb();
    uint64_t el1_name = read_sysreg(elr_el1);
    write_sysreg(o, elr_el2);
    test_expect_eq("elr_el1_names_elr_el2", el1_name, 0x40085678UL);
}

static void check_sync(const char *what, const struct sync_record *r, uint64_t want_esr,
                       uint64_t want_elr)
{
    char name[32];

    elv_snprintf(name, sizeof(name), "%s_vector", what);
    test_expect_eq(name, r->vector, VECTOR_CUR_SPX_SYNC);
    elv_snprintf(name, sizeof(name), "%s_esr", what);
    test_expect_eq(name, r->esr, want_esr);
    elv_snprintf(name, sizeof(name), "%s_elr", what);
    test_expect_eq(name, r->elr, want_elr);
    elv_snprintf(name, sizeof(name), "%s_spsr_el2h", what);
    test_check((r->spsr & PSR_MODE_MASK) == PSR_MODE_EL2H, name, "SPSR_EL2 = 0x%lx", r->spsr);
}

static void check_exceptions(void)
{
    struct sync_record r;

    exc_expect_sync();
    vel2_brk_probe();
    if (test_check(exc_take_sync(&r), "brk_taken", "no exception"))
        check_sync("brk", &r, ((uint64_t)ESR_EC_BRK64 << 26) | ESR_IL | BRK_IMM,
                   (uint64_t)(uintptr_t)vel2_brk_insn);

    exc_expect_sync_resume((uint64_t)(uintptr_t)vel2_hvc_after);
    uint64_t x0 = vel2_hvc_probe(PSCI_VERSION);
    if (test_check(exc_take_sync(&r), "hvc_taken", "no exception")) {
        check_sync("hvc", &r, ((uint64_t)ESR_EC_HVC64 << 26) | ESR_IL | HVC_IMM,
                   (uint64_t)(uintptr_t)vel2_hvc_after);
        /* Its own EL2 took it: nobody answered a PSCI call. */
        test_expect_eq("hvc_not_psci", x0, PSCI_VERSION);
    }
}

static void check_cost(void)
{
    uint64_t vttbr = read_sysreg(vttbr_el2), vbar = read_sysreg(vbar_el2);

    uint64_t t0 = cntvct();
    vel2_msr_vttbr_loop(vttbr, COST_WRITES);
    uint64_t t1 = cntvct();
    vel2_msr_vbar_loop(vbar, TRAPPED_WRITES);
    uint64_t t2 = cntvct();
    test_note("per write: VTTBR_EL2 %lu ticks, VBAR_EL2 %lu ticks", (t1 - t0) / COST_WRITES,
              (t2 - t1) / TRAPPED_WRITES);
    test_check((t1 - t0) / COST_WRITES < COST_MAX_TICKS, "msr_vttbr_cost",
               "%lu ticks per MSR VTTBR_EL2, limit %u", (t1 - t0) / COST_WRITES, COST_MAX_TICKS);
}

static volatile uint64_t cpu1_el, cpu1_vbar;
static volatile bool cpu1_done;

static void cpu1_main(uint64_t arg)
{
    cpu1_el = current_el();
    cpu1_vbar = read_sysreg(vbar_el2);
    dsb(sy);
    cpu1_done = true;
}

/* CPU_ON by SMC starts the other vCPU at EL2 as well. */
static void check_secondary(void)
{
    if (smp_num_cpus() < 2) {
        test_fail("cpu1_on", "the DTB lists %u CPU", smp_num_cpus());
        return;
    }
    test_expect_eq("cpu1_on", (uint64_t)smp_cpu_on(1, cpu1_main, 0, 1), PSCI_RET_SUCCESS);
    if (!test_check(WAIT_UNTIL(cpu1_done, WAIT_TIMEOUT_US), "cpu1_ran", "vCPU 1 did not run"))
        return;
    test_expect_eq("cpu1_current_el", cpu1_el, CURRENTEL_EL2_VALUE);
    test_expect_eq("cpu1_vbar_el2", cpu1_vbar, (uint64_t)(uintptr_t)guest_vectors);
}

void guest_main(void)
{
    parse_options();
    check_entry();
    check_id_registers();
    check_redirected();
    check_trapped();
    if (guest_gic_version() == 3)
        check_ich_v3();
    else
        check_ich_v2();
    check_exception_registers();
    check_exceptions();
    if (opt_cost)
        check_cost();
    check_secondary();
}
