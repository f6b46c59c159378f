/* The exits of the guest's guest (nested/forward.c, nested_calc.c): which
 * reach the guest hypervisor's vEL2 by its HCR_EL2, CNTHCTL_EL2, MDCR_EL2,
 * ICH_HCR_EL2 and CPTR_EL2, which are UNDEFINED and which elvisor handles.
 * Syndromes and register encodings are written out from the Arm ARM
 * (nested_test_arm.h), independently of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trap/inject.h"
#include "nested/nested_calc.c"
#include "nested/forward.c"
#include "nested_test_arm.h"

static void test_l2_hcr(void **state)
{
    (void)state;
    const uint64_t guest = A_HCR_VM | A_HCR_RW | A_HCR_E2H | A_HCR_IMO;
    for (unsigned n = 0; n < 1000; n++) {
        uint64_t vh = n == 0 ? 0 : n == 1 ? ~0ULL : rnd();
        uint64_t hcr = nested_l2_hcr(guest, vh);
        /* elvisor's own controls stay (stage 2, its interrupts) */
        assert_true((hcr & guest) == guest);
        /* the traps the guest hypervisor asked for are added */
        uint64_t traps = A_HCR_TWI | A_HCR_TWE | A_HCR_TID3 | A_HCR_TSC | A_HCR_TID2 | A_HCR_TIDCP |
                         A_HCR_TACR | A_HCR_TSW | (1ULL << 23) /* TPCP */ | (1ULL << 24) /* TPU */ |
                         A_HCR_TTLB | A_HCR_TVM | A_HCR_TRVM | A_HCR_TLOR | A_HCR_TID1 | A_HCR_TID5;
        assert_true((hcr & (vh & traps)) == (vh & traps));
        /* its virtual SError only under its AMO */
        uint64_t vse = (vh & A_HCR_AMO) ? vh & A_HCR_VSE : 0;
        assert_true((hcr & A_HCR_VSE) == vse);
        /* its virtual IRQ and FIQ only under its IMO and FMO */
        uint64_t vi = (vh & A_HCR_IMO) ? vh & A_HCR_VI : 0, vf = (vh & A_HCR_FMO) ? vh & A_HCR_VF : 0;
        assert_true((hcr & (A_HCR_VI | A_HCR_VF)) == (vi | vf));
        /* its NV, NV2 and AT as they come (nested_vhcr_effective keeps them
         * only for virt-el2-nv2: test_nested_nv2.c), NV1 only with NV
         * ({NV1,NV} = {1,0} is CONSTRAINED UNPREDICTABLE); never its TGE
         * nor anything else of its */
        uint64_t nv = vh & (A_HCR_NV | A_HCR_NV2 | A_HCR_AT);
        if (vh & A_HCR_NV)
            nv |= vh & A_HCR_NV1;
        assert_true((hcr & A_HCR_NV1) == ((vh & A_HCR_NV) ? vh & A_HCR_NV1 : 0));
        assert_true((hcr & ~guest & ~traps & ~vse & ~vi & ~vf & ~nv) == 0);
    }
    /* bits elvisor does not honour yet are reported, the forwarded ones not */
    assert_true(nested_vhcr_unhonoured(A_HCR_TWI | A_HCR_TID3 | A_HCR_RW | A_HCR_E2H | A_HCR_TGE) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_IMO | A_HCR_TWI) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_FMO | A_HCR_TWI) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_AMO | A_HCR_VSE | A_HCR_TWI) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_IMO | A_HCR_VI | A_HCR_FMO | A_HCR_VF | A_HCR_TWI) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_TERR | A_HCR_VI) == A_HCR_TERR);
    assert_true(nested_vhcr_unhonoured(A_HCR_TVM | A_HCR_TRVM | A_HCR_TID2 | A_HCR_TIDCP | A_HCR_TACR |
                                       A_HCR_TSW | A_HCR_TLOR | A_HCR_ATA) == 0);
    /* TID1 and TID5 are forwarded (Linux 7.3's nVHE KVM sets both); FEAT_EVT's
     * traps are RES0 for a VM without EVT, so without effect and never in the
     * hardware's HCR; TID0 (AArch32 registers only) is still reported */
    const uint64_t evt = A_HCR_TID4 | A_HCR_TICAB | A_HCR_TOCU | A_HCR_TTLBIS | A_HCR_TTLBOS;
    assert_true(nested_vhcr_unhonoured(A_HCR_TID1 | A_HCR_TID5 | evt) == 0);
    assert_true((nested_l2_hcr(guest, evt) & evt) == 0);
    assert_true(nested_vhcr_unhonoured(A_HCR_TID0 | A_HCR_TID1) == A_HCR_TID0);
}

/* Each unhonoured bit is reported once per vCPU, however its values
 * alternate (as Linux 7.3's nVHE KVM's TID5, then TID5 | TID1, at every
 * entry, when those were not honoured): two unhonoured bits stand in. */
static void test_vhcr_unhonoured_reported_once(void **state)
{
    (void)state;
    const uint64_t one = A_HCR_TID0, other = 1ull << 37 /* TEA */;
    uint64_t reported = 0;

    assert_true(nested_vhcr_unhonoured(one | other) == (one | other));
    assert_true(nested_vhcr_unreported(one | A_HCR_TWI, &reported) == one);
    assert_true(nested_vhcr_unreported(one | other, &reported) == other);
    for (int i = 0; i < 1000; i++) {
        assert_true(nested_vhcr_unreported(one, &reported) == 0);
        assert_true(nested_vhcr_unreported(one | other, &reported) == 0);
    }
    assert_true(nested_vhcr_unreported(A_HCR_TERR, &reported) == A_HCR_TERR);
    assert_true(reported == (one | other | A_HCR_TERR));
    assert_true(nested_vhcr_unreported(A_HCR_TWI | A_HCR_IMO, &reported) == 0);
}

/* An exit judged with CNTHCTL_EL2 as elvisor resets it (no timer traps). */
static enum nested_l2_exit l2_kind(uint64_t esr, uint64_t hcr)
{
    struct nested_ctls c = { hcr, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    return nested_l2_exit_kind(esr, &c);
}

static void test_l2_exit_kind(void **state)
{
    (void)state;
    const uint64_t wfi = A_EC(A_EC_WFX) | A_ESR_IL, wfe = wfi | 1, wfit = wfi | 2, wfet = wfi | 3;
    const uint64_t mmfr0 = A_SYS(3, 0, 0, 7, 0, 2, 1);      /* MRS x2, ID_AA64MMFR0_EL1 */
    const uint64_t pfr0 = A_SYS(3, 0, 0, 4, 0, 0, 1);
    const uint64_t midr = A_SYS(3, 0, 0, 0, 0, 0, 1);       /* not TID3 (CRm 0) */
    const uint64_t sctlr = A_SYS(3, 0, 1, 0, 0, 0, 0);
    const uint64_t hvc5 = A_EC(A_EC_HVC) | A_ESR_IL | 5, smc = A_EC(A_EC_SMC) | A_ESR_IL;

    assert_int_equal(l2_kind(wfi, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(wfi, A_HCR_TWI), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(wfit, A_HCR_TWI), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(wfi, A_HCR_TWE), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(wfe, A_HCR_TWI), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(wfe, A_HCR_TWE), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(wfet, A_HCR_TWE), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(hvc5, 0), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(hvc5, A_HCR_HCD), NESTED_L2_UNDEF);
    /* Without TSC the firmware (elvisor's PSCI) takes it, as EL3 would. */
    assert_int_equal(l2_kind(smc, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(smc, A_HCR_TSC), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(mmfr0, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(mmfr0, A_HCR_TID3), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(pfr0, A_HCR_TID3), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(midr, A_HCR_TID3), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(sctlr, ~(A_HCR_TVM | A_HCR_TRVM)), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(A_EC(A_EC_DABT_LOW), ~0ULL), NESTED_L2_ELVISOR);
    /* TID3 covers op0 3, op1 0, CRn 0, CRm 1..7 only */
    for (unsigned crm = 0; crm < 16; crm++)
        for (unsigned op1 = 0; op1 < 8; op1++)
            assert_int_equal(l2_kind(A_SYS(3, op1, 0, crm, 3, 1, 1), A_HCR_TID3),
                             op1 == 0 && crm >= 1 && crm <= 7 ? NESTED_L2_TO_VEL2 : NESTED_L2_ELVISOR);
}

/* HCR_EL2.TID1 (Arm ARM): REVIDR_EL1, AIDR_EL1 and, with FEAT_SME,
 * SMIDR_EL1; TID5: GMID_EL1 with FEAT_MTE2. No VM is offered SME or MTE,
 * so their registers are UNDEFINED whatever traps them (reported as
 * FEAT_IDST says: inject_id_space_undef). Neither bit
 * covers its neighbours in op0 3, CRn 0, CRm 0 (MIDR, MPIDR, CTR, CLIDR,
 * DCZID). */
static void test_l2_tid1_tid5_forwarding(void **state)
{
    (void)state;
    const uint64_t revidr = A_SYS(3, 0, 0, 0, 6, 2, 1), aidr = A_SYS(3, 1, 0, 0, 7, 30, 1);
    const uint64_t smidr = A_SYS(3, 1, 0, 0, 6, 3, 1), gmid = A_SYS(3, 1, 0, 0, 4, 4, 1);
    const uint64_t others = A_HCR_TID0 | A_HCR_TID2 | A_HCR_TID3 | A_HCR_TID4;
    static const struct {
        uint32_t op1, op2, crm;
    } not_tid1[] = { { 0, 0, 0 }, { 0, 5, 0 }, { 3, 1, 0 }, { 1, 1, 0 }, { 3, 7, 0 }, { 0, 6, 1 } };
    const struct {
        uint64_t esr, hcr;
        enum nested_l2_exit want;
    } cases[] = {
        { revidr, A_HCR_TID1, NESTED_L2_TO_VEL2 },
        { revidr, 0, NESTED_L2_ELVISOR },
        { revidr, others | A_HCR_TID5, NESTED_L2_ELVISOR },
        { aidr, A_HCR_TID1, NESTED_L2_TO_VEL2 },
        { aidr, A_HCR_TID1 | A_HCR_TID5, NESTED_L2_TO_VEL2 },
        { aidr, others | A_HCR_TID5, NESTED_L2_ELVISOR },
        { smidr, A_HCR_TID1, NESTED_L2_ID_UNDEF },
        { smidr, 0, NESTED_L2_ID_UNDEF },
        { gmid, A_HCR_TID5, NESTED_L2_ID_UNDEF },
        { gmid, A_HCR_TID1 | A_HCR_TID5, NESTED_L2_ID_UNDEF },
    };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(l2_kind(cases[i].esr, cases[i].hcr), cases[i].want);
    for (unsigned i = 0; i < sizeof(not_tid1) / sizeof(not_tid1[0]); i++)
        assert_int_equal(l2_kind(A_SYS(3, not_tid1[i].op1, 0, not_tid1[i].crm, not_tid1[i].op2, 1, 1),
                                 A_HCR_TID1 | A_HCR_TID5),
                         NESTED_L2_ELVISOR);
}

/* The PMU is hidden from every VM: its registers are UNDEFINED in its
 * guest's guest whatever its controls say (PMCR_EL0 read and write,
 * PMCCNTR_EL0, PMUSERENR_EL0, PMEVCNTR0_EL0, PMCCFILTR_EL0,
 * PMINTENSET_EL1); their neighbours are not (DC ZVA's CRn 7, CNTFRQ_EL0 in
 * CRn 14, PAR_EL1 in op1 0 CRn 7, MAIR_EL1 in CRn 10). */
static void test_l2_pmu_undefined(void **state)
{
    (void)state;
    static const struct {
        uint32_t op1, crn, crm, op2, rd;
        enum nested_l2_exit want;
    } cases[] = {
        { 3, 9, 12, 0, 1, NESTED_L2_UNDEF }, { 3, 9, 12, 0, 0, NESTED_L2_UNDEF },
        { 3, 9, 13, 0, 1, NESTED_L2_UNDEF }, { 3, 9, 14, 0, 1, NESTED_L2_UNDEF },
        { 3, 14, 8, 0, 1, NESTED_L2_UNDEF }, { 3, 14, 15, 7, 0, NESTED_L2_UNDEF },
        { 0, 9, 14, 1, 0, NESTED_L2_UNDEF },
        { 3, 14, 0, 0, 1, NESTED_L2_ELVISOR }, { 0, 7, 4, 0, 1, NESTED_L2_ELVISOR },
        { 0, 10, 2, 0, 1, NESTED_L2_ELVISOR }, { 3, 9, 11, 7, 1, NESTED_L2_ELVISOR },
    };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t esr = A_SYS(3, cases[i].op1, cases[i].crn, cases[i].crm, cases[i].op2, 1, cases[i].rd);
        assert_int_equal(l2_kind(esr, 0), cases[i].want);
        if (cases[i].want == NESTED_L2_UNDEF)
            assert_int_equal(l2_kind(esr, ~0ULL), NESTED_L2_UNDEF);
    }
}

/* HCR_EL2's register traps (Arm ARM): TVM the EL1 VM-control registers'
 * writes, TRVM their reads, TID2 the cache ID registers, TACR ACTLR_EL1,
 * TSW the set/way DCs, TLOR the LOR registers, TIDCP op0 1/3 CRn 11/15. */
struct vm_reg {
    unsigned op0, op1, crn, crm, op2;
};

static const struct vm_reg vm_regs[] = {
    { 3, 0, 1, 0, 0 },  /* SCTLR_EL1 */
    { 3, 0, 2, 0, 0 },  /* TTBR0_EL1 */
    { 3, 0, 2, 0, 1 },  /* TTBR1_EL1 */
    { 3, 0, 2, 0, 2 },  /* TCR_EL1 */
    { 3, 0, 5, 1, 0 },  /* AFSR0_EL1 */
    { 3, 0, 5, 1, 1 },  /* AFSR1_EL1 */
    { 3, 0, 5, 2, 0 },  /* ESR_EL1 */
    { 3, 0, 6, 0, 0 },  /* FAR_EL1 */
    { 3, 0, 10, 2, 0 }, /* MAIR_EL1 */
    { 3, 0, 10, 3, 0 }, /* AMAIR_EL1 */
    { 3, 0, 13, 0, 1 }, /* CONTEXTIDR_EL1 */
};

static uint64_t reg_esr(const struct vm_reg *r, bool rd)
{
    return A_SYS(r->op0, r->op1, r->crn, r->crm, r->op2, 7, rd);
}

static void test_l2_hcr_reg_forwarding(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(vm_regs) / sizeof(vm_regs[0]); i++) {
        uint64_t wr = reg_esr(&vm_regs[i], false), rd = reg_esr(&vm_regs[i], true);
        assert_int_equal(l2_kind(wr, A_HCR_TVM), NESTED_L2_TO_VEL2);
        assert_int_equal(l2_kind(rd, A_HCR_TVM), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(rd, A_HCR_TRVM), NESTED_L2_TO_VEL2);
        assert_int_equal(l2_kind(wr, A_HCR_TRVM), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(wr, 0), NESTED_L2_ELVISOR);
    }
    /* Neighbours that are not VM controls: ACTLR_EL1 (TACR's), TCR2_EL1,
     * CPACR_EL1, VBAR_EL1, PAR_EL1. */
    const uint64_t actlr = A_SYS(3, 0, 1, 0, 1, 0, 0), tcr2 = A_SYS(3, 0, 2, 0, 3, 0, 0);
    const uint64_t cpacr = A_SYS(3, 0, 1, 0, 2, 0, 0), vbar = A_SYS(3, 0, 12, 0, 0, 0, 0);
    const uint64_t par = A_SYS(3, 0, 7, 4, 0, 0, 1);
    const uint64_t vm = A_HCR_TVM | A_HCR_TRVM;
    assert_int_equal(l2_kind(actlr, vm), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(tcr2, vm), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(cpacr, vm), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(vbar, vm), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(par, vm), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(actlr, A_HCR_TACR), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(actlr | 1, A_HCR_TACR), NESTED_L2_TO_VEL2);

    /* TID2: CTR_EL0, CCSIDR, CLIDR, CCSIDR2, CSSELR; not AIDR (TID1), MIDR */
    const uint64_t ctr = A_SYS(3, 3, 0, 0, 1, 0, 1), ccsidr = A_SYS(3, 1, 0, 0, 0, 0, 1);
    const uint64_t clidr = A_SYS(3, 1, 0, 0, 1, 0, 1), ccsidr2 = A_SYS(3, 1, 0, 0, 2, 0, 1);
    const uint64_t csselr_w = A_SYS(3, 2, 0, 0, 0, 0, 0), aidr = A_SYS(3, 1, 0, 0, 7, 0, 1);
    const uint64_t dczid = A_SYS(3, 3, 0, 0, 7, 0, 1);
    assert_int_equal(l2_kind(ctr, A_HCR_TID2), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(ccsidr, A_HCR_TID2), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(clidr, A_HCR_TID2), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(ccsidr2, A_HCR_TID2), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(csselr_w, A_HCR_TID2), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(ctr, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(aidr, A_HCR_TID2), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(dczid, A_HCR_TID2), NESTED_L2_ELVISOR);

    /* TSW: DC ISW/CSW/CISW, not DC CIVAC or DC ZVA */
    const uint64_t isw = A_SYS(1, 0, 7, 6, 2, 0, 0), csw = A_SYS(1, 0, 7, 10, 2, 0, 0);
    const uint64_t cisw = A_SYS(1, 0, 7, 14, 2, 0, 0), civac = A_SYS(1, 3, 7, 14, 1, 0, 0);
    const uint64_t ivac = A_SYS(1, 0, 7, 6, 1, 0, 0);
    assert_int_equal(l2_kind(isw, A_HCR_TSW), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(csw, A_HCR_TSW), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(cisw, A_HCR_TSW), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(isw, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(civac, A_HCR_TSW), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(ivac, A_HCR_TSW), NESTED_L2_ELVISOR);

    /* TLOR: LORSA, LOREA, LORN, LORC, LORID; not MAIR/AMAIR's neighbours */
    for (unsigned op2 = 0; op2 < 8; op2++)
        assert_int_equal(l2_kind(A_SYS(3, 0, 10, 4, op2, 0, 1), A_HCR_TLOR), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(A_SYS(3, 0, 10, 4, 7, 0, 1), 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(A_SYS(3, 0, 10, 2, 0, 0, 1), A_HCR_TLOR), NESTED_L2_ELVISOR);
}

static void test_l2_tidcp_forwarding(void **state)
{
    (void)state;
    for (unsigned op0 = 1; op0 < 4; op0++)
        for (unsigned crn = 0; crn < 16; crn++)
            for (unsigned op1 = 0; op1 < 8; op1 += 3)
                for (unsigned crm = 0; crm < 16; crm += 5) {
                    bool impdef = (op0 == 1 || op0 == 3) && (crn == 11 || crn == 15);
                    bool pmu = op0 == 3 && op1 == 3 && crn == 14 && crm >= 8;     /* PMEV*, UNDEFINED */
                    uint64_t esr = A_SYS(op0, op1, crn, crm, 3, 0, op0 == 3);
                    /* other rows (ICC_*, the timers' CRn 14) need other bits */
                    assert_int_equal(l2_kind(esr, A_HCR_TIDCP),
                                     impdef ? NESTED_L2_TO_VEL2 : pmu ? NESTED_L2_UNDEF : NESTED_L2_ELVISOR);
                    if (impdef)
                        assert_int_equal(l2_kind(esr, 0), NESTED_L2_ELVISOR);
                }
}

/* ICH_HCR_EL2's traps of its guest's ICC_* accesses (Arm ARM / GICv3):
 * TC [10] PMR, DIR, RPR, SGI0R/SGI1R/ASGI1R, CTLR; TALL0 [11] IAR0, EOIR0,
 * HPPIR0, BPR0, AP0R<n>, IGRPEN0; TALL1 [12] the Group 1 ones; TDIR [14]
 * DIR. ICC_SRE_EL1 is none of them. */
static enum nested_l2_exit ich_kind(uint64_t esr, uint64_t ich_hcr)
{
    struct nested_ctls c = { 0, NESTED_CNTHCTL_OPEN, 0, ich_hcr, 0, 0 };

    return nested_l2_exit_kind(esr, &c);
}

static void test_l2_ich_hcr_forwarding(void **state)
{
    const uint64_t tc = 1ULL << 10, tall0 = 1ULL << 11, tall1 = 1ULL << 12, tdir = 1ULL << 14;
    const uint64_t pmr = A_SYS(3, 0, 4, 6, 0, 0, 0), dir = A_SYS(3, 0, 12, 11, 1, 0, 0);
    const uint64_t rpr = A_SYS(3, 0, 12, 11, 3, 0, 1), sgi1r = A_SYS(3, 0, 12, 11, 5, 0, 0);
    const uint64_t ctlr = A_SYS(3, 0, 12, 12, 4, 0, 1), sre = A_SYS(3, 0, 12, 12, 5, 0, 1);
    const uint64_t iar0 = A_SYS(3, 0, 12, 8, 0, 0, 1), ap0r3 = A_SYS(3, 0, 12, 8, 7, 0, 1);
    const uint64_t grpen0 = A_SYS(3, 0, 12, 12, 6, 0, 0), ap1r0 = A_SYS(3, 0, 12, 9, 0, 0, 1);
    const uint64_t iar1 = A_SYS(3, 0, 12, 12, 0, 0, 1), bpr1 = A_SYS(3, 0, 12, 12, 3, 0, 0);
    const uint64_t grpen1 = A_SYS(3, 0, 12, 12, 7, 0, 0);

    (void)state;
    const uint64_t common[] = { pmr, dir, rpr, sgi1r, ctlr };
    const uint64_t g0[] = { iar0, ap0r3, grpen0 }, g1[] = { ap1r0, iar1, bpr1, grpen1 };
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(ich_kind(common[i], tc), NESTED_L2_TO_VEL2);
        assert_int_equal(ich_kind(common[i], tall0 | tall1), NESTED_L2_ELVISOR);
    }
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(ich_kind(g0[i], tall0), NESTED_L2_TO_VEL2);
        assert_int_equal(ich_kind(g0[i], tc | tall1 | tdir), NESTED_L2_ELVISOR);
    }
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(ich_kind(g1[i], tall1), NESTED_L2_TO_VEL2);
        assert_int_equal(ich_kind(g1[i], tc | tall0 | tdir), NESTED_L2_ELVISOR);
    }
    assert_int_equal(ich_kind(dir, tdir), NESTED_L2_TO_VEL2);
    assert_int_equal(ich_kind(pmr, tdir), NESTED_L2_ELVISOR);
    assert_int_equal(ich_kind(sre, tc | tall0 | tall1 | tdir), NESTED_L2_ELVISOR);
    assert_int_equal(ich_kind(iar1, 0), NESTED_L2_ELVISOR);
}

/* CNTHCTL_EL2's controls over its guest's timers (Arm ARM, CNTHCTL_EL2
 * with E2H = 1: EL1PCTEN [10], EL1PTEN [11], EL1TVT [13], EL1TVCT [14];
 * with E2H = 0: EL1PCTEN [0], EL1PCEN [1]). */
static void test_l2_cnthctl_forwarding(void **state)
{
    const uint64_t cntpct = A_SYS(3, 3, 14, 0, 1, 2, 1), cntpctss = A_SYS(3, 3, 14, 0, 5, 2, 1);
    const uint64_t cntvct = A_SYS(3, 3, 14, 0, 2, 2, 1), cntfrq = A_SYS(3, 3, 14, 0, 0, 2, 1);
    const uint64_t cntp_tval = A_SYS(3, 3, 14, 2, 0, 2, 0), cntp_cval = A_SYS(3, 3, 14, 2, 2, 2, 1);
    const uint64_t cntv_ctl = A_SYS(3, 3, 14, 3, 1, 2, 1), cntkctl = A_SYS(3, 0, 14, 1, 0, 2, 1);
    struct nested_ctls open = { 0, (1ULL << 10) | (1ULL << 11), 0, 0, 0, 0 }, shut = { 0, 0, 0, 0, 0, 0 };
    struct nested_ctls ecv = { 0, (1ULL << 10) | (1ULL << 11) | (1ULL << 13) | (1ULL << 14), 0, 0, 0, 0 };

    (void)state;
    assert_int_equal(nested_l2_exit_kind(cntpct, &open), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(cntpct, &shut), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntpctss, &shut), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntp_tval, &shut), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntp_cval, &open), NESTED_L2_ELVISOR);
    /* CNTFRQ_EL0 and CNTKCTL_EL1 are nobody's business here. */
    assert_int_equal(nested_l2_exit_kind(cntfrq, &shut), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(cntkctl, &shut), NESTED_L2_ELVISOR);
    /* Only EL1PCTEN clear: the counter, not the timer. */
    struct nested_ctls pct = { 0, 1ULL << 11, 0, 0, 0, 0 };
    assert_int_equal(nested_l2_exit_kind(cntpct, &pct), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntp_cval, &pct), NESTED_L2_ELVISOR);
    /* The virtual counter and timer trap only by ECV's bits. */
    assert_int_equal(nested_l2_exit_kind(cntvct, &shut), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(cntv_ctl, &shut), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(cntvct, &ecv), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntv_ctl, &ecv), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cntpct, &ecv), NESTED_L2_ELVISOR);
    /* The E2H = 0 layout normalized. */
    assert_true(nested_cnthctl_e2h1(3, false) == ((1ULL << 10) | (1ULL << 11)));
    assert_true(nested_cnthctl_e2h1(1, false) == (1ULL << 10));
    assert_true(nested_cnthctl_e2h1((1ULL << 13) | 4, false) == ((1ULL << 13) | 4));
    assert_true(nested_cnthctl_e2h1(0x3ff, true) == 0x3ff);
    assert_true(nested_cnthctl_e2h1(0x300, false) == 0);
}

/* MDCR_EL2's debug traps (Arm ARM): TDA [9] the debug registers (MDSCR_EL1,
 * DBGBVR<n>_EL1, DBGCLAIMSET_EL1, MDCCSR_EL0...), TDOSA [10] the OS lock
 * and power registers (OSLAR/OSLSR/OSDLR/DBGPRCR_EL1), TDRA [11]
 * MDRAR_EL1; TDE [8] all three. */
/* GICv3: EL1's SGI generation writes trap to EL2 under HCR_EL2.IMO (Group
 * 1: SGI1R, ASGI1R) or FMO (Group 0: SGI0R); the other ICC registers
 * reach the virtual interface. */
static void test_l2_sgi_forwarding(void **state)
{
    const uint64_t sgi1r = A_SYS(3, 0, 12, 11, 5, 3, 0), asgi1r = A_SYS(3, 0, 12, 11, 6, 3, 0);
    const uint64_t sgi0r = A_SYS(3, 0, 12, 11, 7, 3, 0), eoir1 = A_SYS(3, 0, 12, 12, 1, 3, 0);
    const uint64_t dir = A_SYS(3, 0, 12, 11, 1, 3, 0);

    (void)state;
    assert_int_equal(l2_kind(sgi1r, 0), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(sgi1r, A_HCR_IMO), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(asgi1r, A_HCR_IMO), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(sgi1r, A_HCR_FMO), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(sgi0r, A_HCR_IMO), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(sgi0r, A_HCR_FMO), NESTED_L2_TO_VEL2);
    assert_int_equal(l2_kind(eoir1, A_HCR_IMO | A_HCR_FMO), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(dir, A_HCR_IMO | A_HCR_FMO), NESTED_L2_ELVISOR);
}

static void test_l2_mdcr_forwarding(void **state)
{
    const uint64_t mdscr = A_SYS(2, 0, 0, 2, 2, 1, 1), dbgbvr5 = A_SYS(2, 0, 0, 5, 4, 1, 0);
    const uint64_t dbgwcr15 = A_SYS(2, 0, 0, 15, 7, 1, 1), claimset = A_SYS(2, 0, 7, 8, 6, 1, 0);
    const uint64_t mdccsr = A_SYS(2, 3, 0, 1, 0, 1, 1), oslsr = A_SYS(2, 0, 1, 1, 4, 1, 1);
    const uint64_t oslar = A_SYS(2, 0, 1, 0, 4, 1, 0), mdrar = A_SYS(2, 0, 1, 0, 0, 1, 1);
    const uint64_t dbgvcr32 = A_SYS(2, 4, 0, 7, 0, 1, 1);
    const uint64_t tda = 1ULL << 9, tdosa = 1ULL << 10, tdra = 1ULL << 11, tde = 1ULL << 8;
    struct nested_ctls c = { 0, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    (void)state;
    const uint64_t tda_regs[] = { mdscr, dbgbvr5, dbgwcr15, claimset, mdccsr };
    for (unsigned i = 0; i < sizeof(tda_regs) / sizeof(tda_regs[0]); i++) {
        c.mdcr = 0;
        assert_int_equal(nested_l2_exit_kind(tda_regs[i], &c), NESTED_L2_ELVISOR);
        c.mdcr = tda;
        assert_int_equal(nested_l2_exit_kind(tda_regs[i], &c), NESTED_L2_TO_VEL2);
        c.mdcr = tdosa | tdra;
        assert_int_equal(nested_l2_exit_kind(tda_regs[i], &c), NESTED_L2_ELVISOR);
        c.mdcr = tde;
        assert_int_equal(nested_l2_exit_kind(tda_regs[i], &c), NESTED_L2_TO_VEL2);
    }
    c.mdcr = tda;
    assert_int_equal(nested_l2_exit_kind(oslsr, &c), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(mdrar, &c), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(dbgvcr32, &c), NESTED_L2_ELVISOR);   /* op1 4: EL2's */
    c.mdcr = tdosa;
    assert_int_equal(nested_l2_exit_kind(oslsr, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(oslar, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(mdrar, &c), NESTED_L2_ELVISOR);
    c.mdcr = tdra;
    assert_int_equal(nested_l2_exit_kind(mdrar, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(oslsr, &c), NESTED_L2_ELVISOR);
    c.mdcr = tde;
    assert_int_equal(nested_l2_exit_kind(oslar, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(mdrar, &c), NESTED_L2_TO_VEL2);
    assert_true(nested_mdcr_traps(tde) == (tda | tdosa | tdra));
    assert_true(nested_mdcr_traps(tda | 0x1f) == tda);
}

/* CPTR_EL2's FP/SIMD traps of its guest: E2H = 1 FPEN [21:20] (0b00 and
 * 0b10 trap EL1 and EL0, 0b01 only EL0 under TGE, 0b11 nothing), E2H = 0
 * TFP [10]; EC 0x07 forwarded only when they trap. */
static void test_l2_fp_forwarding(void **state)
{
    const uint64_t fp_esr = (0x07ULL << 26) | (1ULL << 25) | (1ULL << 24) | (0xeULL << 20);
    struct nested_ctls c = { 0, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    (void)state;
    assert_true(nested_cptr_traps_fp(0, true));
    assert_false(nested_cptr_traps_fp(1ULL << 20, true));
    assert_true(nested_cptr_traps_fp(2ULL << 20, true));
    assert_false(nested_cptr_traps_fp(3ULL << 20, true));
    assert_false(nested_cptr_traps_fp(0x33ff, false));                  /* E2H = 0 RES1 bits, TFP clear */
    assert_true(nested_cptr_traps_fp(0x33ff | (1ULL << 10), false));
    assert_false(nested_cptr_traps_fp(3ULL << 20 | (1ULL << 10), true)); /* bit 10 means nothing with E2H */
    assert_int_equal(nested_l2_exit_kind(fp_esr, &c), NESTED_L2_ELVISOR);
    c.cptr = NESTED_CPTR_TFP;
    assert_int_equal(nested_l2_exit_kind(fp_esr, &c), NESTED_L2_TO_VEL2);
    /* the control is FP's alone: an HVC or a trapped register is unchanged */
    c.hcr = HCR_EL2_HCD;
    assert_int_equal(nested_l2_exit_kind(0x5a000000ULL, &c), NESTED_L2_UNDEF);
}

/* FEAT_MOPS (Arm ARM, HCRX_EL2): MSCEn enables the instructions at EL1
 * and EL0 [11], MCE2 takes their exceptions to EL2 [10]. Its guest gets
 * what both elvisor and its HCRX_EL2 allow, and no other HCRX control; a
 * MOPS exception (EC 0x27) reaches elvisor only under its MCE2 and is
 * always its. */
static void test_l2_mops(void **state)
{
    const uint64_t mscen = 1ULL << 11, mce2 = 1ULL << 10, mops_esr = (0x27ULL << 26) | (1ULL << 25) | 0x1234;
    struct nested_ctls c = { 0, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    (void)state;
    assert_true(nested_l2_hcrx(mscen | mce2, mscen | mce2) == (mscen | mce2));
    assert_true(nested_l2_hcrx(mscen | mce2, mscen) == mscen);
    assert_true(nested_l2_hcrx(mscen | mce2, 0) == 0);
    assert_true(nested_l2_hcrx(0, mscen | mce2) == 0);                 /* no MOPS for the VM */
    assert_true(nested_l2_hcrx(mscen | mce2, ~0ULL) == (mscen | mce2)); /* nothing else */
    assert_int_equal(nested_l2_exit_kind(mops_esr, &c), NESTED_L2_TO_VEL2);
    assert_true(NESTED_FWD_HCR_ONLY(0x27));
}

/* HCR_EL2.TPCP, TPU and TTLB (Arm ARM): cache maintenance by VA to PoC
 * (DC IVAC, CVAC, CVAP, CVADP, CIVAC), to PoU (IC IALLUIS, IALLU, IVAU,
 * DC CVAU), and every TLBI of EL1 (op1 0, CRn 8, nXS CRn 9), each by its
 * own bit; set/way (TSW), DC ZVA (TDZ) and EL2's TLBI (op1 4) are none of
 * theirs. */
static void test_l2_cache_tlb_forwarding(void **state)
{
    const uint64_t tpcp = 1ULL << 23, tpu = 1ULL << 24;
    const uint64_t poc[] = { A_SYS(1, 0, 7, 6, 1, 0, 0), A_SYS(1, 3, 7, 10, 1, 1, 0), A_SYS(1, 3, 7, 12, 1, 2, 0),
                             A_SYS(1, 3, 7, 13, 1, 3, 0), A_SYS(1, 3, 7, 14, 1, 4, 0) };
    const uint64_t pou[] = { A_SYS(1, 0, 7, 1, 0, 31, 0), A_SYS(1, 0, 7, 5, 0, 31, 0), A_SYS(1, 3, 7, 5, 1, 5, 0),
                             A_SYS(1, 3, 7, 11, 1, 6, 0) };
    const uint64_t tlbi[] = { A_SYS(1, 0, 8, 7, 0, 31, 0) /* VMALLE1 */, A_SYS(1, 0, 8, 3, 1, 7, 0) /* VAE1IS */,
                              A_SYS(1, 0, 8, 4, 3, 8, 0) /* RVAAE1 */, A_SYS(1, 0, 9, 7, 0, 31, 0) /* nXS */ };
    const uint64_t dc_isw = A_SYS(1, 0, 7, 6, 2, 0, 0), dc_zva = A_SYS(1, 3, 7, 4, 1, 0, 0);
    const uint64_t tlbi_el2 = A_SYS(1, 4, 8, 7, 0, 31, 0), at = A_SYS(1, 0, 7, 8, 0, 0, 0);

    (void)state;
    for (unsigned i = 0; i < sizeof(poc) / sizeof(poc[0]); i++) {
        assert_int_equal(l2_kind(poc[i], 0), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(poc[i], tpu | A_HCR_TTLB | A_HCR_TSW), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(poc[i], tpcp), NESTED_L2_TO_VEL2);
    }
    for (unsigned i = 0; i < sizeof(pou) / sizeof(pou[0]); i++) {
        assert_int_equal(l2_kind(pou[i], tpcp | A_HCR_TTLB), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(pou[i], tpu), NESTED_L2_TO_VEL2);
    }
    for (unsigned i = 0; i < sizeof(tlbi) / sizeof(tlbi[0]); i++) {
        assert_int_equal(l2_kind(tlbi[i], tpcp | tpu), NESTED_L2_ELVISOR);
        assert_int_equal(l2_kind(tlbi[i], A_HCR_TTLB), NESTED_L2_TO_VEL2);
    }
    const uint64_t all = tpcp | tpu | A_HCR_TTLB;
    assert_int_equal(l2_kind(dc_isw, all), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(dc_zva, all), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(tlbi_el2, all), NESTED_L2_ELVISOR);
    assert_int_equal(l2_kind(at, all), NESTED_L2_ELVISOR);
    assert_true(nested_vhcr_unhonoured(all) == 0);
}

/* CPTR_EL2's TCPAC, TAM and TTA (Arm ARM): CPACR_EL1 reads and writes,
 * the activity monitors (op1 3, CRn 13, CRm 2..15), the System register
 * trace unit (op0 2, op1 1). An absent feature's registers are UNDEFINED
 * rather than trapped: TAM and TTA forward only when the VM offers it. */
static void test_l2_cptr_forwarding(void **state)
{
    const uint64_t cpacr_rd = A_SYS(3, 0, 1, 0, 2, 3, 1), cpacr_wr = A_SYS(3, 0, 1, 0, 2, 3, 0);
    const uint64_t amcr = A_SYS(3, 3, 13, 2, 0, 1, 1), amevtyper1_15 = A_SYS(3, 3, 13, 15, 7, 1, 0);
    const uint64_t trcprgctlr = A_SYS(2, 1, 0, 1, 0, 2, 0), trcidr0 = A_SYS(2, 1, 0, 8, 7, 2, 1);
    const uint64_t tpidr_el0 = A_SYS(3, 3, 13, 0, 2, 1, 1), mdscr = A_SYS(2, 0, 0, 2, 2, 1, 1);
    struct nested_ctls c = { 0, NESTED_CNTHCTL_OPEN, 0, 0, 0, 0 };

    (void)state;
    /* the layouts: TTA at 28 with E2H, 20 without; TAM 30, TCPAC 31 */
    assert_int_equal(nested_cptr_traps(3ULL << 20, true), 0);
    assert_int_equal(nested_cptr_traps((3ULL << 20) | (1ULL << 28) | (1ULL << 30) | (1ULL << 31), true),
                     NESTED_CPTR_TTA | NESTED_CPTR_TAM | NESTED_CPTR_TCPAC);
    assert_int_equal(nested_cptr_traps((3ULL << 20) | (1ULL << 20), true), 0);
    assert_int_equal(nested_cptr_traps(0x33ff | (1ULL << 20), false), NESTED_CPTR_TTA);
    assert_int_equal(nested_cptr_traps(0x33ff | (1ULL << 28) | (1ULL << 31), false), NESTED_CPTR_TCPAC);
    assert_int_equal(nested_cptr_traps(1ULL << 10, false), NESTED_CPTR_TFP);

    assert_int_equal(nested_l2_exit_kind(cpacr_rd, &c), NESTED_L2_ELVISOR);
    c.cptr = NESTED_CPTR_TFP | NESTED_CPTR_TTA | NESTED_CPTR_TAM;
    assert_int_equal(nested_l2_exit_kind(cpacr_wr, &c), NESTED_L2_ELVISOR);
    c.cptr = NESTED_CPTR_TCPAC;
    assert_int_equal(nested_l2_exit_kind(cpacr_rd, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(cpacr_wr, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(amcr, &c), NESTED_L2_ELVISOR);

    c.cptr = NESTED_CPTR_TAM | NESTED_CPTR_TTA;
    assert_int_equal(nested_l2_exit_kind(amcr, &c), NESTED_L2_ELVISOR);       /* not offered */
    assert_int_equal(nested_l2_exit_kind(trcprgctlr, &c), NESTED_L2_ELVISOR);
    c.offered = NESTED_OFFERS_AMU | NESTED_OFFERS_TRACE;
    assert_int_equal(nested_l2_exit_kind(amcr, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(amevtyper1_15, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(trcprgctlr, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(trcidr0, &c), NESTED_L2_TO_VEL2);
    assert_int_equal(nested_l2_exit_kind(tpidr_el0, &c), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(mdscr, &c), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(cpacr_rd, &c), NESTED_L2_ELVISOR);
    c.cptr = NESTED_CPTR_TAM;
    assert_int_equal(nested_l2_exit_kind(trcprgctlr, &c), NESTED_L2_ELVISOR);
    assert_int_equal(nested_l2_exit_kind(amcr, &c), NESTED_L2_TO_VEL2);
}

/* The index behind nested_l2_exit_kind() gives, for every register access
 * of L2 (each op0:op1:CRn:CRm:op2, read and write) and every other EC, the
 * answer a scan of the whole table gives, under controls all clear, all
 * set, and random ones. */
static void test_index_agrees_with_scan(void **state)
{
    struct nested_ctls ctls[6] = {
        { 0, 0, 0, 0, 0, 0 },
        { ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL },
    };

    (void)state;
    for (unsigned i = 2; i < 6; i++)
        ctls[i] = (struct nested_ctls){ rnd(), rnd(), rnd(), rnd(), rnd(), rnd() };
    assert_true(nested_fwd_indexed());
    for (unsigned i = 0; i < 6; i++) {
        for (uint32_t key = 0; key < (1u << 16); key++) {
            for (unsigned rd = 0; rd < 2; rd++) {
                uint64_t esr = A_SYS(key >> 14, (key >> 11) & 7, (key >> 7) & 0xf, (key >> 3) & 0xf, key & 7, 0, rd);
                if (nested_l2_exit_kind(esr, &ctls[i]) != nested_l2_exit_kind_scan(esr, &ctls[i]))
                    fail_msg("key 0x%x %s, controls %u: index and scan disagree", key, rd ? "read" : "write", i);
            }
        }
        for (unsigned ec = 0; ec < EC_NR; ec++) {
            for (unsigned ti = 0; ti < 4; ti++) {
                uint64_t esr = ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | ti;
                if (nested_l2_exit_kind(esr, &ctls[i]) != nested_l2_exit_kind_scan(esr, &ctls[i]))
                    fail_msg("EC 0x%x ISS %u, controls %u: index and scan disagree", ec, ti, i);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l2_hcr),
        cmocka_unit_test(test_vhcr_unhonoured_reported_once),
        cmocka_unit_test(test_l2_exit_kind),
        cmocka_unit_test(test_l2_hcr_reg_forwarding),
        cmocka_unit_test(test_l2_tid1_tid5_forwarding),
        cmocka_unit_test(test_l2_pmu_undefined),
        cmocka_unit_test(test_l2_tidcp_forwarding),
        cmocka_unit_test(test_l2_ich_hcr_forwarding),
        cmocka_unit_test(test_l2_cnthctl_forwarding),
        cmocka_unit_test(test_l2_mdcr_forwarding),
        cmocka_unit_test(test_l2_fp_forwarding),
        cmocka_unit_test(test_l2_mops),
        cmocka_unit_test(test_l2_cache_tlb_forwarding),
        cmocka_unit_test(test_l2_cptr_forwarding),
        cmocka_unit_test(test_l2_sgi_forwarding),
        cmocka_unit_test(test_index_agrees_with_scan),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
