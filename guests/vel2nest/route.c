/* vel2nest: where its own interrupts go while its guest runs (Arm ARM,
 * HCR_EL2.FMO/IMO, GICv3 without security: group 0 is signalled as FIQ,
 * group 1 as IRQ). With FMO its group 0 interrupt pending as its guest is
 * entered is taken by EL2 at VBAR_EL2 + 0x500 (the guest's PSTATE.F does
 * not mask it); with IMO alone it is not EL2's: the guest, FIQs masked,
 * runs to its hvc #5 and the interrupt is still pending afterwards. Bare
 * QEMU's EL2 is the oracle. */
#include "guest.h"
#include "nest.h"

#include "lib/string.h"

#define HCR_FMO                 BIT(3)
#define HCR_AMO                 BIT(5)
#define HCR_VF                  BIT(6)
#define HCR_VI                  BIT(7)
#define HCR_VSE                 BIT(8)
#define VSESR_VALUE             (BIT(24) | 0x1234UL)    /* IDS, an IMPLEMENTATION DEFINED syndrome */
#define ESR_EC_SERROR           0x2f
#define PFR0_RAS(v)             FIELD(v, 28, 4)
#define FIQ_SGI                 6
#define SPIN_ROUNDS             20000
#define GICR_ISPENDR0           0x0200

void l2_spin_payload(void);
void l2_serror_payload(void);
void l2_virq_payload(void);

void nest_fiq_exit(struct exc_frame *f)
{
    seen.fiq = true;
    seen.fiq_elr = f->elr;
    seen.fiq_iar = read_sysreg(icc_iar0_el1);
    if (guest_gic_iar_intid(seen.fiq_iar) < GIC_INTID_SPECIAL_FIRST)
        write_sysreg(seen.fiq_iar, icc_eoir0_el1);
    isb();
}

static void mmio_set_bit(uintptr_t reg, unsigned bit, bool set)
{
    uint32_t val = mmio_read32(reg);

    mmio_write32(reg, set ? val | BIT(bit) : val & ~(uint32_t)BIT(bit));
}

/* Runs the spinning payload with routing route and SGI FIQ_SGI in group
 * 0, made pending just before; returns whether it is pending after. */
static bool run_with_group0_pending(uint64_t route)
{
    uintptr_t sgi = guest_gic_sgi_base(), dist = guest_gic_dist_base();
    uint64_t igrpen0 = read_sysreg(icc_igrpen0_el1);
    uint32_t ctlr = mmio_read32(dist + GICD_CTLR);
    struct nest_saved saved;
    bool pending;

    memset(&seen, 0, sizeof(seen));
    mmio_set_bit(sgi + GICR_IGROUPR0, FIQ_SGI, false);
    mmio_write32(dist + GICD_CTLR, ctlr | GICD_CTLR_ENABLE_GRP0);
    while (mmio_read32(dist + GICD_CTLR) & GICD_CTLR_RWP)
        ;
    write_sysreg(1, icc_igrpen0_el1);
    guest_gic_enable_private(FIQ_SGI);
    nest_setup(&saved, NEST_HCR_QUIET | HCR_FMO, route);
    mmio_write32(sgi + GICR_ISPENDR0, BIT(FIQ_SGI));
    dsb(sy);
    isb();
    nest_run(l2_spin_payload, SPIN_ROUNDS);
    nest_restore(&saved);
    pending = guest_gic_private_pending(FIQ_SGI);
    guest_gic_disable_private(FIQ_SGI);
    guest_gic_clear_pending_private(FIQ_SGI);
    write_sysreg(igrpen0, icc_igrpen0_el1);
    mmio_write32(dist + GICD_CTLR, ctlr);
    while (mmio_read32(dist + GICD_CTLR) & GICD_CTLR_RWP)
        ;
    mmio_set_bit(sgi + GICR_IGROUPR0, FIQ_SGI, true);
    dsb(sy);
    isb();
    return pending;
}

void check_fmo_routing(void)
{
    bool pending;

    if (guest_gic_version() != 3)
        return;
    run_with_group0_pending(HCR_FMO);
    if (test_check(seen.fiq, "fmo_fiq_at_0x500", "%u exits, irq %d, hvc #5 %s", seen.n, seen.irq,
                   seen.ended ? "reached" : "not reached")) {
        test_expect_eq("fmo_fiq_intid", guest_gic_iar_intid(seen.fiq_iar), FIQ_SGI);
        test_expect_eq("fmo_fiq_elr", seen.fiq_elr, (uint64_t)(uintptr_t)l2_spin_payload);
    }
    test_check(!seen.irq, "fmo_no_irq", "an IRQ exit, IAR 0x%lx", seen.irq_iar);

    pending = run_with_group0_pending(HCR_IMO);
    test_check(seen.ended && !seen.irq && !seen.fiq && !seen.unexpected, "imo_group0_stays_out",
               "%u exits, irq %d (IAR 0x%lx), fiq %d", seen.n, seen.irq, seen.irq_iar, seen.fiq);
    test_check(pending, "imo_group0_still_pending", "SGI %u not pending after the run", FIQ_SGI);
}

/* Its virtual SError (Arm ARM, HCR_EL2.VSE): with AMO its guest takes it
 * at its own VBAR_EL1 + 0x380 once it unmasks PSTATE.A, ESR_EL1 EC 0x2F
 * with VSESR_EL2's syndrome (FEAT_RAS), and HCR_EL2.VSE reads 0 after;
 * without AMO nothing is taken and VSE stays set. Bare QEMU's EL2 is the
 * oracle. */
static uint64_t run_serror_payload(uint64_t hcr_bits)
{
    struct nest_saved saved;
    uint64_t after;

    memset(&seen, 0, sizeof(seen));
    if (PFR0_RAS(read_sysreg(id_aa64pfr0_el1)))
        write_sysreg(VSESR_VALUE, S3_4_C5_C2_3)     /* VSESR_EL2 */;
    nest_setup(&saved, NEST_HCR_QUIET | HCR_FMO | HCR_AMO | HCR_VSE, hcr_bits);
    nest_run(l2_serror_payload, 0);
    after = read_sysreg(hcr_el2);
    nest_restore(&saved);
    return after;
}

void check_vse(void)
{
    bool ras = PFR0_RAS(read_sysreg(id_aa64pfr0_el1)) != 0;
    uint64_t after = run_serror_payload(HCR_AMO | HCR_VSE);

    if (test_check(seen.ended && !seen.unexpected, "vse_l2_ran", "%u exits, ESR 0x%lx at 0x%lx", seen.n,
                   seen.bad_esr, seen.bad_elr)) {
        test_expect_eq("vse_taken_by_l2", seen.l2_id, 1);
        test_expect_eq("vse_l2_esr_ec", ESR_EC(seen.l2_probe), ESR_EC_SERROR);
        if (ras)
            test_expect_eq("vse_l2_esr_iss", ESR_ISS(seen.l2_probe), VSESR_VALUE);
    }
    test_check(!(after & HCR_VSE), "vse_cleared_when_taken", "HCR_EL2 0x%lx", after);

    after = run_serror_payload(HCR_VSE);
    if (test_check(seen.ended && !seen.unexpected, "vse_no_amo_l2_ran", "%u exits, ESR 0x%lx at 0x%lx",
                   seen.n, seen.bad_esr, seen.bad_elr))
        test_expect_eq("vse_no_amo_not_taken", seen.l2_id, 0);
    test_check(after & HCR_VSE, "vse_no_amo_still_set", "HCR_EL2 0x%lx", after);
}

/* Its virtual IRQ and FIQ (Arm ARM, HCR_EL2.VI, VF): with IMO (FMO) its
 * guest takes it at its own VBAR_EL1 + 0x280 (+ 0x300) once it unmasks
 * PSTATE.I (F); without the routing bit nothing is taken. Bare QEMU's EL2
 * is the oracle. */
static void run_virq_payload(uint64_t hcr_bits)
{
    memset(&seen, 0, sizeof(seen));
    nest_run_with(NEST_HCR_QUIET | HCR_FMO | HCR_AMO | HCR_VSE | HCR_VI | HCR_VF, hcr_bits, l2_virq_payload, 0);
}

void check_vi_vf(void)
{
    static const struct {
        const char *name;
        uint64_t hcr;
        uint64_t irqs, fiqs;
    } cases[] = {
        { "vi_imo", HCR_IMO | HCR_VI, 1, 0 },
        { "vf_fmo", HCR_FMO | HCR_VF, 0, 1 },
        { "vi_vf_no_routing", HCR_VI | HCR_VF, 0, 0 },
        { "vi_fmo_only", HCR_FMO | HCR_VI, 0, 0 },
    };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_virq_payload(cases[i].hcr);
        if (!test_check(seen.ended && !seen.unexpected && !seen.irq && !seen.fiq, cases[i].name,
                        "%u exits, ESR 0x%lx at 0x%lx, irq %d, fiq %d", seen.n, seen.bad_esr, seen.bad_elr,
                        seen.irq, seen.fiq))
            continue;
        test_expect_eq("l2_virtual_irqs", seen.l2_id, cases[i].irqs);
        test_expect_eq("l2_virtual_fiqs", seen.l2_probe, cases[i].fiqs);
    }
}
