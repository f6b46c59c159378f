/* The vCPU register file (core/vcpu_reg.h) against the fake architecture:
 * vcpu_reg_read()/vcpu_reg_write() find each register where the context
 * puts it, checked against places known independently of its table: the
 * hardware EL1 register by el1_regs.c's name, the VNCR slot by the register
 * database's offset (the Arm ARM's), the EL1 file of a vCPU that is not
 * loaded, and where the hyp <-> nested switch (nested/ctx.c) moves them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"
#include "nested/nested.h"

/* The guest's EL1 registers a guest hypervisor keeps in its VNCR page
 * (Arm ARM, "registers redirected to memory"), by their hardware names. */
static const struct {
    enum vcpu_reg reg, hyp;
    enum el1_reg hw;
    unsigned slot;
} paged[] = {
    { VREG_SCTLR_EL1, VREG_HYP_SCTLR_EL1, EL1_SCTLR, VNCR_SCTLR_EL1 },
    { VREG_CPACR_EL1, VREG_HYP_CPACR_EL1, EL1_CPACR, VNCR_CPACR_EL1 },
    { VREG_TTBR0_EL1, VREG_HYP_TTBR0_EL1, EL1_TTBR0, VNCR_TTBR0_EL1 },
    { VREG_TTBR1_EL1, VREG_HYP_TTBR1_EL1, EL1_TTBR1, VNCR_TTBR1_EL1 },
    { VREG_TCR_EL1, VREG_HYP_TCR_EL1, EL1_TCR, VNCR_TCR_EL1 },
    { VREG_ESR_EL1, VREG_HYP_ESR_EL1, EL1_ESR, VNCR_ESR_EL1 },
    { VREG_AFSR0_EL1, VREG_HYP_AFSR0_EL1, EL1_AFSR0, VNCR_AFSR0_EL1 },
    { VREG_AFSR1_EL1, VREG_HYP_AFSR1_EL1, EL1_AFSR1, VNCR_AFSR1_EL1 },
    { VREG_FAR_EL1, VREG_HYP_FAR_EL1, EL1_FAR, VNCR_FAR_EL1 },
    { VREG_MAIR_EL1, VREG_HYP_MAIR_EL1, EL1_MAIR, VNCR_MAIR_EL1 },
    { VREG_AMAIR_EL1, VREG_HYP_AMAIR_EL1, EL1_AMAIR, VNCR_AMAIR_EL1 },
    { VREG_VBAR_EL1, VREG_HYP_VBAR_EL1, EL1_VBAR, VNCR_VBAR_EL1 },
    { VREG_CONTEXTIDR_EL1, VREG_HYP_CONTEXTIDR_EL1, EL1_CONTEXTIDR, VNCR_CONTEXTIDR_EL1 },
    { VREG_ELR_EL1, VREG_HYP_ELR_EL1, EL1_ELR, VNCR_ELR_EL1 },
    { VREG_SPSR_EL1, VREG_HYP_SPSR_EL1, EL1_SPSR, VNCR_SPSR_EL1 },
    { VREG_SP_EL1, VREG_HYP_SP_EL1, EL1_SP_EL1, VNCR_SP_EL1 },
    { VREG_MDSCR_EL1, VREG_HYP_MDSCR_EL1, EL1_MDSCR, VNCR_MDSCR_EL1 },
};
#define NR_PAGED    (sizeof(paged) / sizeof(paged[0]))

/* The ones both contexts share. */
static const enum el1_reg shared[] = { EL1_SP_EL0, EL1_TPIDR_EL0, EL1_TPIDRRO_EL0, EL1_TPIDR_EL1, EL1_PAR,
                                       EL1_CSSELR };
#define NR_SHARED   (sizeof(shared) / sizeof(shared[0]))

/* The registers whose only home is the VNCR page, each with the database's
 * offset for it; the LRs and active priorities are checked by number. */
static const struct {
    enum vcpu_reg reg;
    unsigned slot;
} vncr_only[] = {
    { VREG_HCR_EL2, VNCR_HCR_EL2 },           { VREG_VTTBR_EL2, VNCR_VTTBR_EL2 },
    { VREG_VTCR_EL2, VNCR_VTCR_EL2 },         { VREG_VPIDR_EL2, VNCR_VPIDR_EL2 },
    { VREG_VMPIDR_EL2, VNCR_VMPIDR_EL2 },     { VREG_CNTVOFF_EL2, VNCR_CNTVOFF_EL2 },
    { VREG_VSESR_EL2, VNCR_VSESR_EL2 },       { VREG_CNTP_CTL_EL0, VNCR_CNTP_CTL_EL0 },
    { VREG_CNTP_CVAL_EL0, VNCR_CNTP_CVAL_EL0 }, { VREG_CNTV_CTL_EL0, VNCR_CNTV_CTL_EL0 },
    { VREG_CNTV_CVAL_EL0, VNCR_CNTV_CVAL_EL0 }, { VREG_ICH_HCR_EL2, VNCR_ICH_HCR_EL2 },
    { VREG_ICH_VMCR_EL2, VNCR_ICH_VMCR_EL2 },
};
#define NR_VNCR_ONLY    (sizeof(vncr_only) / sizeof(vncr_only[0]))
#define NR_LRS          16
#define NR_APRS         4

#define GUEST(i)    (0x6600 + (i))
#define HYP(i)      (0x7700 + (i))

static struct vcpu *v;

static int setup_plain(void **state)
{
    v = fake_one_vcpu("plain", false);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    return 0;
}

static int setup_l1(void **state)
{
    v = fake_one_vcpu("l1", true);
    assert_int_equal(fake_loop(0), FAKE_STOP_NO_EXIT);
    assert_true(nested_in_hyp(v));
    return 0;
}

/* A plain guest's EL1 registers: the hardware while loaded, the EL1 file
 * while not, and vcpu_load/vcpu_put move one into the other. */
static void test_a_plain_guests_registers_are_in_the_hardware_or_its_el1_file(void **state)
{
    assert_true(v->loaded);
    for (unsigned r = 0; r < EL1_NR_REGS; r++) {
        vcpu_reg_write(v, (enum vcpu_reg)r, GUEST(r));
        assert_int_equal(el1_read((enum el1_reg)r), GUEST(r));
    }
    vcpu_put(v);
    for (unsigned r = 0; r < EL1_NR_REGS; r++) {
        assert_int_equal(v->sysreg[r], GUEST(r));
        assert_int_equal(vcpu_reg_read(v, (enum vcpu_reg)r), GUEST(r));
        vcpu_reg_write(v, (enum vcpu_reg)r, HYP(r));
        el1_write((enum el1_reg)r, 0);          /* someone else's */
    }
    vcpu_load(v);
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        assert_int_equal(el1_read((enum el1_reg)r), HYP(r));
}

/* In hyp context its guest's registers are VNCR slots, its own are the
 * hardware; in nested context the other way round, its own in cells that
 * the switch fills; shared ones stay in the hardware. */
static void test_a_guest_hypervisors_registers_follow_its_context(void **state)
{
    for (unsigned i = 0; i < NR_PAGED; i++) {
        vcpu_reg_write(v, paged[i].reg, GUEST(i));
        vcpu_reg_write(v, paged[i].hyp, HYP(i));
        assert_int_equal(vncr_read(v, paged[i].slot), GUEST(i));
        assert_int_equal(el1_read(paged[i].hw), HYP(i));
    }
    for (unsigned i = 0; i < NR_SHARED; i++) {
        vcpu_reg_write(v, (enum vcpu_reg)shared[i], GUEST(40 + i));
        assert_int_equal(el1_read(shared[i]), GUEST(40 + i));
    }
    nested_enter_l2(v, HCR_EL2_VM, v->vm->s2.root, &v->vm->l2_vmid, 0x1000, PSR_MODE_EL1h);
    for (unsigned i = 0; i < NR_PAGED; i++) {
        assert_int_equal(el1_read(paged[i].hw), GUEST(i));
        assert_int_equal(vcpu_reg_read(v, paged[i].reg), GUEST(i));
        assert_int_equal(vcpu_reg_read(v, paged[i].hyp), HYP(i));
        /* Written now, each goes where the next switch takes it from. */
        vcpu_reg_write(v, paged[i].reg, GUEST(20 + i));
        vcpu_reg_write(v, paged[i].hyp, HYP(20 + i));
        assert_int_equal(el1_read(paged[i].hw), GUEST(20 + i));
    }
    for (unsigned i = 0; i < NR_SHARED; i++)
        assert_int_equal(vcpu_reg_read(v, (enum vcpu_reg)shared[i]), GUEST(40 + i));
    nested_irq_to_vel2(v);
    for (unsigned i = 0; i < NR_PAGED; i++) {
        assert_int_equal(vncr_read(v, paged[i].slot), GUEST(20 + i));
        assert_int_equal(vcpu_reg_read(v, paged[i].reg), GUEST(20 + i));
        if (paged[i].hw == EL1_ELR || paged[i].hw == EL1_SPSR)
            continue;   /* the IRQ's return address and PSTATE */
        assert_int_equal(el1_read(paged[i].hw), HYP(20 + i));
    }
}

/* CNTKCTL_EL1 has no VNCR slot: its guest's (CNTKCTL_EL12 to the guest
 * hypervisor) is a cell in hyp context and the hardware in nested context;
 * the hardware one holds the guest hypervisor's CNTHCTL_EL2 bits in hyp
 * context. */
static void test_its_guests_cntkctl_is_a_cell_then_the_hardware(void **state)
{
    vcpu_reg_write(v, VREG_CNTKCTL_EL12, 0x22);
    vcpu_reg_write(v, VREG_HYP_CNTKCTL_EL1, 0x11);
    assert_int_equal(vcpu_reg_read(v, VREG_CNTKCTL_EL1), 0x22);
    assert_int_equal(el1_read(EL1_CNTKCTL), 0x11);
    nested_enter_l2(v, HCR_EL2_VM, v->vm->s2.root, &v->vm->l2_vmid, 0x1000, PSR_MODE_EL1h);
    assert_int_equal(el1_read(EL1_CNTKCTL), 0x22);
    assert_int_equal(vcpu_reg_read(v, VREG_CNTKCTL_EL12), 0x22);
    assert_int_equal(vcpu_reg_read(v, VREG_HYP_CNTKCTL_EL1), 0x11);
    el1_write(EL1_CNTKCTL, 0x33);               /* its guest writes its own */
    nested_irq_to_vel2(v);
    assert_int_equal(vcpu_reg_read(v, VREG_CNTKCTL_EL12), 0x33);
    assert_int_equal(el1_read(EL1_CNTKCTL), 0x11);
}

/* While the vCPU is not loaded, a hyp-context value that lives in the
 * hardware is in the EL1 file, where vcpu_load takes it from. */
static void test_an_unloaded_guest_hypervisors_own_registers_are_in_its_el1_file(void **state)
{
    vcpu_put(v);
    vcpu_reg_write(v, VREG_HYP_VBAR_EL1, 0x40200000);
    vcpu_reg_write(v, VREG_VBAR_EL1, 0x80000);
    assert_int_equal(v->sysreg[VREG_VBAR_EL1], 0x40200000);
    assert_int_equal(vncr_read(v, VNCR_VBAR_EL1), 0x80000);
    vcpu_load(v);
    assert_int_equal(el1_read(EL1_VBAR), 0x40200000);
}

/* The trapped EL2 registers' kept bits are cells in both contexts; a
 * plain guest has none of the nested registers. */
static void test_kept_cells_and_what_a_plain_guest_lacks(void **state)
{
    vcpu_reg_write(v, VREG_HPFAR_EL2, 0x1230);
    nested_enter_l2(v, HCR_EL2_VM, v->vm->s2.root, &v->vm->l2_vmid, 0x1000, PSR_MODE_EL1h);
    assert_int_equal(vcpu_reg_read(v, VREG_HPFAR_EL2), 0x1230);
    /* vcpu_cell_read() relies on it for every kept register. */
#define KEPT_(r) VREG_##r,
    static const enum vcpu_reg kept[] = { VCPU_EL2_KEPT(KEPT_) };
    for (unsigned i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        for (unsigned c = 0; c < VCPU_CTX_NR; c++) {
            assert_int_equal(vcpu_reg_loc[kept[i]][c].kind, c == VCPU_CTX_PLAIN ? VCPU_LOC_NONE : VCPU_LOC_CELL);
            if (c != VCPU_CTX_PLAIN)
                assert_int_equal(vcpu_reg_loc[kept[i]][c].at, kept[i]);
        }
    }
    for (unsigned r = EL1_NR_REGS; r < VCPU_NR_REGS; r++)
        assert_int_equal(vcpu_reg_loc[r][VCPU_CTX_PLAIN].kind, VCPU_LOC_NONE);
    for (unsigned r = 0; r < EL1_NR_REGS; r++) {
        assert_int_equal(vcpu_reg_loc[r][VCPU_CTX_PLAIN].kind, VCPU_LOC_EL1);
        assert_int_equal(vcpu_reg_loc[r][VCPU_CTX_PLAIN].at, r);
    }
}

/* Whether a guest hypervisor runs itself is its register context alone:
 * both hyp contexts (VHE and not) and no other, and the switch and the
 * exit back set it. */
static void test_the_context_says_whether_it_is_in_hyp(void **state)
{
    for (unsigned c = 0; c < VCPU_CTX_NR; c++)
        assert_int_equal(vcpu_ctx_is_hyp((enum vcpu_ctx)c), c == VCPU_CTX_HYP || c == VCPU_CTX_HYP_NVHE);
    assert_int_equal(v->reg_ctx, VCPU_CTX_HYP);
    assert_true(nested_in_hyp(v));
    nested_enter_l2(v, HCR_EL2_VM, v->vm->s2.root, &v->vm->l2_vmid, 0x1000, PSR_MODE_EL1h);
    assert_int_equal(v->reg_ctx, VCPU_CTX_NESTED);
    assert_false(nested_in_hyp(v));
    nested_irq_to_vel2(v);
    assert_int_equal(v->reg_ctx, VCPU_CTX_HYP);
    assert_true(nested_in_hyp(v));
}

static void assert_vncr_only(enum vcpu_reg r, unsigned slot)
{
    for (unsigned c = 0; c < VCPU_CTX_NR; c++) {
        assert_int_equal(vcpu_reg_loc[r][c].kind, c == VCPU_CTX_PLAIN ? VCPU_LOC_NONE : VCPU_LOC_VNCR);
        if (c != VCPU_CTX_PLAIN)
            assert_int_equal(vcpu_reg_loc[r][c].at, slot);
    }
    assert_ptr_equal(vncr_reg_slot(v, r), &v->vncr[slot / sizeof(uint64_t)]);
}

/* The VNCR-only registers: the database's slot in every nested context,
 * none for a plain guest; the LRs and active priorities in a row (the
 * nested vGIC indexes them from the first); every row after the cells is
 * one of them; and a value written in one context is read in the other. */
static void test_vncr_only_registers_are_their_slot_in_every_context(void **state)
{
    unsigned seen = 0;

    for (unsigned i = 0; i < NR_VNCR_ONLY; i++, seen++)
        assert_vncr_only(vncr_only[i].reg, vncr_only[i].slot);
    for (unsigned n = 0; n < NR_LRS; n++, seen++)
        assert_vncr_only((enum vcpu_reg)(VREG_ICH_LR0_EL2 + n), 0x400 + 8 * n);
    for (unsigned n = 0; n < NR_APRS; n++, seen += 2) {
        assert_vncr_only((enum vcpu_reg)(VREG_ICH_AP0R0_EL2 + n), 0x480 + 8 * n);
        assert_vncr_only((enum vcpu_reg)(VREG_ICH_AP1R0_EL2 + n), 0x4A0 + 8 * n);
    }
    assert_int_equal(seen, VCPU_NR_REGS - VCPU_NR_CELLS);

    for (unsigned i = 0; i < NR_VNCR_ONLY; i++)
        vcpu_reg_write(v, vncr_only[i].reg, GUEST(i));
    nested_enter_l2(v, HCR_EL2_VM, v->vm->s2.root, &v->vm->l2_vmid, 0x1000, PSR_MODE_EL1h);
    for (unsigned i = 0; i < NR_VNCR_ONLY; i++) {
        assert_int_equal(vncr_read(v, vncr_only[i].slot), GUEST(i));
        assert_int_equal(vcpu_reg_read(v, vncr_only[i].reg), GUEST(i));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_a_plain_guests_registers_are_in_the_hardware_or_its_el1_file, setup_plain),
        cmocka_unit_test_setup(test_a_guest_hypervisors_registers_follow_its_context, setup_l1),
        cmocka_unit_test_setup(test_its_guests_cntkctl_is_a_cell_then_the_hardware, setup_l1),
        cmocka_unit_test_setup(test_an_unloaded_guest_hypervisors_own_registers_are_in_its_el1_file, setup_l1),
        cmocka_unit_test_setup(test_kept_cells_and_what_a_plain_guest_lacks, setup_l1),
        cmocka_unit_test_setup(test_vncr_only_registers_are_their_slot_in_every_context, setup_l1),
        cmocka_unit_test_setup(test_the_context_says_whether_it_is_in_hyp, setup_l1),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
