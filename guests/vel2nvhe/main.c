/* vel2nvhe: a guest hypervisor that runs with HCR_EL2.E2H = 0, as a non-VHE
 * one (docs/nested.md §9.10): under elvisor the virtual EL2 of a VM with
 * `virt-el2-mode = "nvhe"` (`--el2-nvhe`), on bare QEMU (`--el2`) the real
 * EL2 with E2H left 0, the oracle for every behavioural check. Built
 * against the GUEST_EL2 library with guest_el2_nvhe set (head.S keeps E2H
 * clear and gives SCTLR_EL2 its E2H = 0 RES1 bits).
 *
 * It checks what E2H = 0 means: the EL1-named registers are its guest's,
 * not its own; its EL2 registers have their E2H = 0 layouts; it runs its
 * own EL2 translation regime (TTBR0_EL2, TCR_EL2, SCTLR_EL2, descriptors
 * in the EL2 format: bit 54 is XN); CPTR_EL2.TFP traps its own FP; its
 * EL0 timer names are the EL1 timers, CNTVCT_EL0 subtracts CNTVOFF_EL2;
 * CNTHP works by the _EL2 names; and it ERETs to a guest at EL1 that
 * runs on the EL1 registers it wrote by their EL1 names.
 *
 * Bootarg vel2nvhe=elvisor also checks the ID registers elvisor gives a
 * non-VHE guest hypervisor (no VHE, E2H0 implemented) and that FEAT_VHE's
 * registers are UNDEFINED (bare QEMU's CPU has FEAT_VHE). */
#include "guest.h"
#include "bootargs.h"
#include "dtb.h"
#include "../vel2nest/run.h"
#include "../vel2nest/vel2nest.h"

#include "lib/printf.h"
#include "lib/string.h"

const char guest_name[] = "vel2nvhe";
const bool guest_el2_nvhe = true;

#define CURRENTEL_EL2_VALUE     0x8
#define CURRENTEL_EL1_VALUE     0x4
#define HCR_TWI                 BIT(13)
#define HCR_TID3                BIT(18)
#define HCR_TGE                 BIT(27)
#define HCR_RW                  BIT(31)
#define HCR_E2H                 BIT(34)

#define MMFR1_VH(v)             FIELD(v, 8, 4)
#define MMFR4_E2H0(v)           FIELD(v, 24, 4)
#define PFR0_EL2(v)             FIELD(v, 8, 4)

#define ESR_EC_UNKNOWN          0x00
#define ESR_EC_WFX              0x01
#define ESR_EC_FP               0x07
#define ESR_EC_SYS64            0x18
#define ESR_EC_IABT_CUR         0x21
#define ESR_IL                  BIT(25)
#define ESR_FSC(esr)            FIELD(esr, 0, 6)
#define FSC_PERM_L3             0x0f
#define ESR_SYS_RT(esr)         FIELD(esr, 5, 5)
#define ESR_WFX_COND_MASK       (0x1fUL << 20)
#define HVC_IMM                 5
#define PSR_MODE_MASK           0xfUL
#define PSR_MODE_EL1H           0x5UL
#define VECTOR_CUR_SPX_SYNC     0x200
#define ID_EMULATED             0x0000000012345678UL

/* E2H = 0 layouts (Arm ARM). */
#define SCTLR_M                 BIT(0)
#define SCTLR_C                 BIT(2)
#define SCTLR_I                 BIT(12)
#define SCTLR_WXN               BIT(19)
#define SCTLR_EL2_RES1          0x30c50830UL
#define SCTLR_EL1_RES1          0x30d00800UL
#define CPTR_EL2_RES1           0x32ffUL        /* bits 0-7, 9, 12, 13 */
#define CPTR_TFP                BIT(10)
#define CPTR_TTA                BIT(20)
#define CNTHCTL_EL1PCTEN        BIT(0)
#define CNTHCTL_EL1PCEN         BIT(1)

/* Stage 1, 4 KiB granule, 39-bit VA (walk from level 1). */
#define TT_ENTRIES              512
#define PAGE_SIZE               4096
#define DESC_VALID              BIT(0)
#define DESC_TABLE              (BIT(0) | BIT(1))
#define DESC_PAGE               (BIT(0) | BIT(1))
#define DESC_ATTR(i)            ((uint64_t)(i) << 2)
#define DESC_SH_INNER           (3UL << 8)
#define DESC_AF                 BIT(10)
#define DESC_XN_EL2             BIT(54)         /* EL2 format: XN; EL1 format: UXN */
#define ATTR_DEVICE             0
#define ATTR_NORMAL             1
#define MAIR_VALUE              (0xffUL << 8)
#define GIB                     (1UL << 30)
#define RAM_GIB                 1
#define PROBE_VA                0x80000000UL
#define EXEC_VA                 (PROBE_VA + PAGE_SIZE)
#define EXEC_XN_VA              (PROBE_VA + 2 * PAGE_SIZE)
#define PROBE_L1_INDEX          2
/* TCR_EL1 (its guest's) and TCR_EL2 (E2H = 0: PS [18:16] = 40 bits, RES1
 * bits 23 and 31): T0SZ 25, inner/outer write-back, inner shareable. */
#define TCR_T0SZ_39             25
#define TCR_WALK                ((1UL << 8) | (1UL << 10) | (3UL << 12))
#define TCR_EL1_VALUE           (TCR_T0SZ_39 | TCR_WALK | BIT(23))
#define TCR_EL2_VALUE           (TCR_T0SZ_39 | TCR_WALK | (2UL << 16) | BIT(23) | BIT(31))
#define PAR_F                   BIT(0)
#define PAR_PA(par)             ((par) & 0x0000fffffffff000UL)

#define MARKER_A                0xa1a1a1a1a1a1a1a1UL
#define MARKER_B                0xb2b2b2b2b2b2b2b2UL
#define EXEC_RESULT             0x2a            /* nest.S: vel2nvhe_exec_page */
#define TVAL_AHEAD_US           1000000
#define PAST_TICKS              1000

struct regime_tables {
    uint64_t l1[TT_ENTRIES];
    uint64_t l2[TT_ENTRIES];
    uint64_t l3[TT_ENTRIES];
};

static struct regime_tables tt_l1 __attribute__((aligned(PAGE_SIZE)));
static struct regime_tables tt_l2 __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_a[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_b[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

uint64_t nest_exit_c(struct exc_frame *f, uint64_t esr);
extern char l2_vectors[], l2_mrs_insn[], l2_wfi_insn[], l2_hvc_after[];
extern char vel2nvhe_exec_page[], vel2nvhe_call_after[], vel2nvhe_fp_insn[], guest_vectors[];
void l2_payload(void);
void l2_vtimer_payload(void);
uint64_t vel2nvhe_call(uint64_t fn);
void vel2nvhe_fp_probe(void);

static bool opt_elvisor;

static void build(struct regime_tables *t, volatile uint64_t *page, bool exec_aliases)
{
    const uint64_t normal = DESC_AF | DESC_SH_INNER | DESC_ATTR(ATTR_NORMAL);

    memset(t, 0, sizeof(*t));
    t->l1[0] = 0 | DESC_VALID | DESC_AF | DESC_ATTR(ATTR_DEVICE);
    t->l1[RAM_GIB] = RAM_GIB * GIB | DESC_VALID | normal;
    t->l1[PROBE_L1_INDEX] = (uint64_t)(uintptr_t)t->l2 | DESC_TABLE;
    t->l2[0] = (uint64_t)(uintptr_t)t->l3 | DESC_TABLE;
    t->l3[0] = (uint64_t)(uintptr_t)page | DESC_PAGE | normal;
    if (exec_aliases) {
        uint64_t code = (uint64_t)(uintptr_t)vel2nvhe_exec_page;
        t->l3[1] = code | DESC_PAGE | normal;
        t->l3[2] = code | DESC_PAGE | normal | DESC_XN_EL2;
    }
    dsb(sy);
}

/* What the payload's exits showed (vel2nest's lower-EL entry calls this). */
static struct {
    unsigned n;
    uint64_t id_esr, id_elr, wfi_esr, wfi_elr, hvc_esr, hvc_elr, hvc_spsr;
    uint64_t x2, x3, x4, x5, bad_esr, bad_elr;
    unsigned fp_n;
    uint64_t fp_esr, fp_elr;
    bool ended, unexpected;
} seen;

extern volatile uint64_t nest_irq_flag;

uint64_t nest_exit_c(struct exc_frame *f, uint64_t esr)
{
    seen.n++;
    if (nest_irq_flag) {
        nest_irq_flag = 0;
        seen.unexpected = true;
        return 0;
    }
    switch (ESR_EC(esr)) {
    case ESR_EC_SYS64:
        seen.id_esr = esr;
        seen.id_elr = f->elr;
        if (ESR_SYS_RT(esr) < 31)
            f->x[ESR_SYS_RT(esr)] = ID_EMULATED;
        f->elr += 4;
        return 1;
    case ESR_EC_WFX:
        seen.wfi_esr = esr;
        seen.wfi_elr = f->elr;
        f->elr += 4;
        return 1;
    case ESR_EC_FP:
        /* Its lazy FP switch: TFP off, the instruction runs again. */
        seen.fp_n++;
        seen.fp_esr = esr;
        seen.fp_elr = f->elr;
        write_sysreg(read_sysreg(cptr_el2) & ~CPTR_TFP, cptr_el2);
        isb();
        return 1;
    case ESR_EC_HVC64:
        if (ESR_ISS(esr) != HVC_IMM)
            break;
        seen.hvc_esr = esr;
        seen.hvc_elr = f->elr;
        seen.hvc_spsr = f->spsr;
        seen.x2 = f->x[2];
        seen.x3 = f->x[3];
        seen.x4 = f->x[4];
        seen.x5 = f->x[5];
        seen.ended = true;
        return 0;
    default:
        break;
    }
    seen.unexpected = true;
    seen.bad_esr = ESR_EC(esr) == ESR_EC_HVC64 ? f->x[6] : esr;
    seen.bad_elr = ESR_EC(esr) == ESR_EC_HVC64 ? f->x[7] : f->elr;
    return 0;
}

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
    char val[32];

    opt_elvisor = bootarg_get(dtb_bootargs(guest_dtb), "vel2nvhe", val, sizeof(val)) &&
                  strcmp(val, "elvisor") == 0;
}

static void check_entry(void)
{
    test_expect_eq("current_el", read_sysreg(CurrentEL), CURRENTEL_EL2_VALUE);
    test_check(!(read_sysreg(hcr_el2) & HCR_E2H), "hcr_e2h_clear", "HCR_EL2 = 0x%lx", read_sysreg(hcr_el2));
    test_expect_eq("sctlr_el2_e2h0_res1", read_sysreg(sctlr_el2) & SCTLR_EL2_RES1, SCTLR_EL2_RES1);
    if (!opt_elvisor)
        return;
    uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1), mmfr4 = read_sysreg(S3_0_C0_C7_4);
    test_expect_eq("pfr0_el2", PFR0_EL2(read_sysreg(id_aa64pfr0_el1)), 1);
    test_expect_eq("mmfr1_vh_none", MMFR1_VH(mmfr1), 0);
    test_expect_eq("mmfr4_e2h0_implemented", MMFR4_E2H0(mmfr4), 0);
}

/* The EL1 names are its guest's registers, the EL2 names its own. */
static void check_el1_names(void)
{
    uint64_t vbar2 = read_sysreg(vbar_el2), sctlr2 = read_sysreg(sctlr_el2);

    write_sysreg(0x40123000UL, vbar_el1);
    write_sysreg(SCTLR_EL1_RES1 | SCTLR_WXN, sctlr_el1);
    write_sysreg(0x40456000UL, ttbr0_el1);
    write_sysreg(0x40081234UL, elr_el2);
    write_sysreg(0x40085678UL, elr_el1);
    isb();
    test_expect_eq("vbar_el1_not_el2", read_sysreg(vbar_el2), vbar2);
    test_expect_eq("vbar_el1_own", read_sysreg(vbar_el1), 0x40123000UL);
    test_expect_eq("sctlr_el1_not_el2", read_sysreg(sctlr_el2), sctlr2);
    test_expect_eq("sctlr_el1_own", read_sysreg(sctlr_el1), SCTLR_EL1_RES1 | SCTLR_WXN);
    test_check(read_sysreg(ttbr0_el2) != 0x40456000UL, "ttbr0_el1_not_el2", "TTBR0_EL2 0x%lx",
               read_sysreg(ttbr0_el2));
    test_expect_eq("elr_el2_own", read_sysreg(elr_el2), 0x40081234UL);
    test_expect_eq("elr_el1_own", read_sysreg(elr_el1), 0x40085678UL);
    write_sysreg(SCTLR_EL1_RES1, sctlr_el1);
    isb();
}

/* Its EL2 registers trap to the hypervisor under NV2 and keep their
 * E2H = 0 layouts. */
static void check_trapped(void)
{
    ROUND_TRIP("rt_sctlr_el2", sctlr_el2, o | SCTLR_WXN);
    ROUND_TRIP("rt_tcr_el2", tcr_el2, TCR_EL2_VALUE);
    ROUND_TRIP("rt_ttbr0_el2", ttbr0_el2, 0x0000000040100000UL);
    ROUND_TRIP("rt_mair_el2", mair_el2, 0x00000000004404ffUL);
    ROUND_TRIP("rt_vbar_el2", vbar_el2, (uint64_t)(uintptr_t)guest_vectors + 0x800);
    ROUND_TRIP("rt_cptr_el2", cptr_el2, CPTR_EL2_RES1 | CPTR_TTA);
    ROUND_TRIP("rt_cnthctl_el2", cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
    if (!opt_elvisor)
        return;
    /* FEAT_VHE's registers: TTBR1_EL2, CONTEXTIDR_EL2, CNTHV_CTL_EL2. */
    struct sync_record r;
    exc_expect_sync();
    (void)read_sysreg(S3_4_C2_C0_1);
    if (test_check(exc_take_sync(&r), "ttbr1_el2_undef", "TTBR1_EL2 readable"))
        test_expect_eq("ttbr1_el2_undef_ec", ESR_EC(r.esr), ESR_EC_UNKNOWN);
    exc_expect_sync();
    (void)read_sysreg(S3_4_C14_C3_1);
    test_check(exc_take_sync(&r), "cnthv_ctl_el2_undef", "CNTHV_CTL_EL2 readable");
}

/* CPTR_EL2.TFP traps its own FP/SIMD use to itself. */
static void check_cptr_tfp(void)
{
    struct sync_record r;
    uint64_t cptr = read_sysreg(cptr_el2);

    write_sysreg(cptr | CPTR_TFP, cptr_el2);
    isb();
    exc_expect_sync();
    vel2nvhe_fp_probe();
    bool taken = exc_take_sync(&r);
    write_sysreg(cptr & ~CPTR_TFP, cptr_el2);
    isb();
    if (!test_check(taken, "cptr_tfp_traps_fp", "fmov ran with CPTR_EL2.TFP set"))
        return;
    test_expect_eq("cptr_tfp_ec", ESR_EC(r.esr), ESR_EC_FP);
    test_expect_eq("cptr_tfp_vector", r.vector, VECTOR_CUR_SPX_SYNC);
    test_expect_eq("cptr_tfp_elr", r.elr, (uint64_t)(uintptr_t)vel2nvhe_fp_insn);
    exc_expect_sync();
    vel2nvhe_fp_probe();
    test_check(!exc_take_sync(&r), "cptr_fp_free", "fmov trapped with CPTR_EL2.TFP clear (ESR 0x%lx)", r.esr);
}

/* Its own EL2 regime on, through TTBR0_EL2: the probe VA reads page A;
 * an alias of a code page runs, the same alias with bit 54 (XN in the EL2
 * format, only UXN in the EL1 one) takes a permission fault. */
static void check_own_regime(uint64_t *marker, uint64_t *exec, struct sync_record *xn, bool *xn_taken)
{
    uint64_t sctlr = read_sysreg(sctlr_el2);

    write_sysreg(MAIR_VALUE, mair_el2);
    write_sysreg(TCR_EL2_VALUE, tcr_el2);
    write_sysreg((uint64_t)(uintptr_t)tt_l1.l1, ttbr0_el2);
    isb();
    __asm__ volatile("tlbi alle2" ::: "memory");
    dsb(sy);
    isb();
    write_sysreg(sctlr | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el2);
    isb();
    *marker = *(volatile uint64_t *)PROBE_VA;
    *exec = vel2nvhe_call(EXEC_VA);
    exc_expect_sync_resume((uint64_t)(uintptr_t)vel2nvhe_call_after);
    (void)vel2nvhe_call(EXEC_XN_VA);
    *xn_taken = exc_take_sync(xn);
}

static void run_l2(uint64_t hcr_bits, void (*payload)(void), uint64_t x1)
{
    memset(&seen, 0, sizeof(seen));
    nest_run_with(0, hcr_bits, payload, x1);
}

static uint64_t at_pa(bool el2)
{
    if (el2)
        __asm__ volatile("at s1e2r, %0" ::"r"(PROBE_VA));
    else
        __asm__ volatile("at s1e1r, %0" ::"r"(PROBE_VA));
    isb();
    return read_sysreg(par_el1);
}

/* Its guest's EL1&0 regime through the EL1 names (E2H = 0), then its own
 * regime on, the guest run with TID3 and TWI, its own regime read again. */
static void l2_and_own_regime(void)
{
    uint64_t sctlr2 = read_sysreg(sctlr_el2), tcr2 = read_sysreg(tcr_el2), ttbr2 = read_sysreg(ttbr0_el2);
    uint64_t marker = 0, exec = 0;
    struct sync_record xn;
    bool xn_taken = false;

    page_a[0] = MARKER_A;
    page_b[0] = MARKER_B;
    build(&tt_l1, page_a, true);
    build(&tt_l2, page_b, false);
    write_sysreg(MAIR_VALUE, mair_el1);
    write_sysreg(TCR_EL1_VALUE, tcr_el1);
    write_sysreg((uint64_t)(uintptr_t)tt_l2.l1, ttbr0_el1);
    write_sysreg((uint64_t)(uintptr_t)l2_vectors, vbar_el1);
    write_sysreg(SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el1);
    isb();
    /* TGE = 0: an EL1 TLBI from EL2 is for the guest's EL1&0 regime. */
    __asm__ volatile("tlbi vmalle1" ::: "memory");
    dsb(sy);
    isb();

    check_own_regime(&marker, &exec, &xn, &xn_taken);
    run_l2(HCR_TID3 | HCR_TWI, l2_payload, PROBE_VA);
    uint64_t after = *(volatile uint64_t *)PROBE_VA;
    uint64_t par_l2 = at_pa(false), par_l1 = at_pa(true);

    write_sysreg(sctlr2, sctlr_el2);
    isb();
    write_sysreg(tcr2, tcr_el2);
    write_sysreg(ttbr2, ttbr0_el2);
    write_sysreg(SCTLR_EL1_RES1, sctlr_el1);
    isb();

    test_expect_eq("own_regime_probe", marker, MARKER_A);
    test_expect_eq("own_regime_exec", exec, EXEC_RESULT);
    if (test_check(xn_taken, "own_regime_xn_el2_format", "code ran from a page with bit 54 (XN) set"))
        test_check(ESR_EC(xn.esr) == ESR_EC_IABT_CUR && ESR_FSC(xn.esr) == FSC_PERM_L3 &&
                   xn.elr == EXEC_XN_VA && xn.vector == VECTOR_CUR_SPX_SYNC,
                   "own_regime_xn_fault", "ESR 0x%lx ELR 0x%lx vector 0x%lx", xn.esr, xn.elr, xn.vector);
    if (!test_check(!seen.unexpected, "l2_no_unexpected_exit", "ESR 0x%lx at 0x%lx", seen.bad_esr,
                    seen.bad_elr))
        return;
    test_check(seen.ended, "l2_ran_to_hvc", "%u exits, no hvc #5", seen.n);
    test_expect_eq("l2_exits", seen.n, 3);
    test_expect_eq("id_ec", ESR_EC(seen.id_esr), ESR_EC_SYS64);
    test_expect_eq("id_elr", seen.id_elr, (uint64_t)(uintptr_t)l2_mrs_insn);
    test_expect_eq("l2_id_emulated", seen.x2, ID_EMULATED);
    test_expect_eq("wfi_esr", seen.wfi_esr & ~ESR_WFX_COND_MASK, ((uint64_t)ESR_EC_WFX << 26) | ESR_IL);
    test_expect_eq("wfi_elr", seen.wfi_elr, (uint64_t)(uintptr_t)l2_wfi_insn);
    test_expect_eq("hvc_esr", seen.hvc_esr, ((uint64_t)ESR_EC_HVC64 << 26) | ESR_IL | HVC_IMM);
    test_expect_eq("hvc_elr", seen.hvc_elr, (uint64_t)(uintptr_t)l2_hvc_after);
    test_expect_eq("hvc_spsr_el1h", seen.hvc_spsr & PSR_MODE_MASK, PSR_MODE_EL1H);
    test_expect_eq("l2_current_el", seen.x5, CURRENTEL_EL1_VALUE);
    test_expect_eq("l2_sctlr_el1", seen.x4, SCTLR_EL1_RES1 | SCTLR_M | SCTLR_C | SCTLR_I);
    test_expect_eq("l2_own_page", seen.x3, MARKER_B);
    test_expect_eq("own_regime_after_l2", after, MARKER_A);
    test_check(!(par_l2 & PAR_F) && PAR_PA(par_l2) == (uint64_t)(uintptr_t)page_b, "at_s1e1r_l2_regime",
               "PAR 0x%lx, page B 0x%lx", par_l2, (uint64_t)(uintptr_t)page_b);
    test_check(!(par_l1 & PAR_F) && PAR_PA(par_l1) == (uint64_t)(uintptr_t)page_a, "at_s1e2r_own_regime",
               "PAR 0x%lx, page A 0x%lx", par_l1, (uint64_t)(uintptr_t)page_a);
}

/* With E2H = 0 its EL0 timer names are the EL1 timers (its guest's) and
 * CNTVCT_EL0 is the physical count minus CNTVOFF_EL2 (D12.2.4.1); its
 * guest then runs on what it wrote. */
static void check_el1_timers(void)
{
    uint64_t voff = cntpct() / 2, ahead = ticks_from_us(TVAL_AHEAD_US);

    write_sysreg(voff, cntvoff_el2);
    isb();
    uint64_t p0 = cntpct(), v = cntvct(), p1 = cntpct();
    test_check(v >= p0 - voff && v <= p1 - voff, "cntvct_minus_cntvoff", "CNTVCT %lu outside [%lu, %lu]", v,
               p0 - voff, p1 - voff);

    write_sysreg(0, cntv_ctl_el0);
    uint64_t before = cntpct() - voff;
    write_sysreg(ahead, cntv_tval_el0);
    uint64_t after = cntpct() - voff, cval = read_sysreg(cntv_cval_el0);
    test_check(cval >= before + ahead && cval <= after + ahead, "el1_vtimer_tval_sets_cval",
               "CVAL %lu outside [%lu, %lu]", cval, before + ahead, after + ahead);
    write_sysreg(cntpct() - voff - PAST_TICKS, cntv_cval_el0);
    write_sysreg(CNT_CTL_ENABLE | CNT_CTL_IMASK, cntv_ctl_el0);
    isb();
    int64_t tval = (int32_t)read_sysreg(cntv_tval_el0);
    test_check(tval <= -PAST_TICKS, "el1_vtimer_past_tval_negative", "TVAL %ld", (long)tval);
    test_check(read_sysreg(cntv_ctl_el0) & CNT_CTL_ISTATUS, "el1_vtimer_past_istatus", "CTL 0x%lx",
               read_sysreg(cntv_ctl_el0));
    write_sysreg(0, cntv_ctl_el0);

    write_sysreg(0, cntp_ctl_el0);
    before = cntpct();
    write_sysreg(ahead, cntp_tval_el0);
    after = cntpct();
    cval = read_sysreg(cntp_cval_el0);
    test_check(cval >= before + ahead && cval <= after + ahead, "el1_ptimer_tval_sets_cval",
               "CVAL %lu outside [%lu, %lu]", cval, before + ahead, after + ahead);

    /* Its guest's own view: the counter with CNTVOFF_EL2, CVAL and CTL. */
    uint64_t l2_cval = cntpct() - voff + ahead;
    write_sysreg(l2_cval, cntv_cval_el0);
    write_sysreg(CNT_CTL_ENABLE | CNT_CTL_IMASK, cntv_ctl_el0);
    isb();
    before = cntpct();
    run_l2(0, l2_vtimer_payload, 0);
    after = cntpct();
    write_sysreg(0, cntv_ctl_el0);
    write_sysreg(0, cntvoff_el2);
    isb();
    if (!test_check(seen.ended && !seen.unexpected, "l2_vtimer_payload_ran", "%u exits", seen.n))
        return;
    test_check(seen.x2 >= before - voff && seen.x2 <= after - voff, "l2_cntvct_offset",
               "CNTVCT %lu outside [%lu, %lu]", seen.x2, before - voff, after - voff);
    test_expect_eq("l2_cntv_cval", seen.x3, l2_cval);
    test_expect_eq("l2_cntv_ctl", seen.x4 & (CNT_CTL_ENABLE | CNT_CTL_IMASK), CNT_CTL_ENABLE | CNT_CTL_IMASK);
}

/* Its CPTR_EL2.TFP over its guest (docs/nested.md §9.18): set, its
 * guest's first FP instruction comes to it (EC 0x07 at + 0x400, ELR = the
 * instruction), which clears TFP and lets it run again; clear, none does.
 * Its guest's CPACR_EL1 (the EL1 name with E2H = 0) lets it use them. */
#define FP_PROBE                0x123456789abcdef0UL
#define CPACR_FPEN_ALL          (3UL << 20)

void l2_fp_payload(void);
extern char l2_fp_insn[];

static void check_l2_tfp(void)
{
    static const bool traps[] = { true, false };
    uint64_t cptr = read_sysreg(cptr_el2), cpacr = read_sysreg(cpacr_el1);

    write_sysreg(cpacr | CPACR_FPEN_ALL, cpacr_el1);
    for (unsigned i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
        bool trap = traps[i];
        write_sysreg(trap ? cptr | CPTR_TFP : cptr & ~CPTR_TFP, cptr_el2);
        isb();
        run_l2(0, l2_fp_payload, FP_PROBE);
        if (!test_check(seen.ended && !seen.unexpected, trap ? "l2_tfp_l2_ran" : "l2_fp_open_l2_ran",
                        "%u exits, ESR 0x%lx", seen.n, seen.bad_esr))
            continue;
        if (trap && test_expect_eq("l2_tfp_trapped", seen.fp_n, 1)) {
            test_expect_eq("l2_tfp_ec", ESR_EC(seen.fp_esr), ESR_EC_FP);
            test_expect_eq("l2_tfp_elr", seen.fp_elr, (uint64_t)(uintptr_t)l2_fp_insn);
        }
        if (!trap)
            test_expect_eq("l2_fp_open_no_trap", seen.fp_n, 0);
        test_expect_eq(trap ? "l2_tfp_value" : "l2_fp_open_value", seen.x2, FP_PROBE);
    }
    write_sysreg(cptr, cptr_el2);
    write_sysreg(cpacr, cpacr_el1);
    isb();
}

void guest_main(void)
{
    parse_options();
    check_entry();
    check_el1_names();
    check_trapped();
    check_cptr_tfp();
    l2_and_own_regime();
    check_el1_timers();
    check_l2_tfp();
    check_el2_timers(false);
}
