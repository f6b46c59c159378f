/* The fake architecture's own model, against the architecture text, so
 * that the host tests built on it test elvisor as the hardware would run
 * it. VHE (Arm ARM D8, "Virtualization Host Extensions"): at EL2 with
 * HCR_EL2.E2H = 1 the EL1 register names reach their EL2 counterparts
 * (SCTLR_EL1 -> SCTLR_EL2, CPACR_EL1 -> CPTR_EL2, CNTV_CVAL_EL0 ->
 * CNTHV_CVAL_EL2, ...) and the _EL12/_EL02 encodings (op1 = 5) reach the
 * EL1/EL0 registers, which are UNDEFINED at EL2 with E2H = 0. The GICv3
 * virtual CPU interface (GICv3 architecture specification, ICH_LR<n>_EL2,
 * ICH_HCR_EL2, ICH_VMCR_EL2, ICH_ELRSR/EISR/MISR_EL2 and the ICV_IAR,
 * ICV_EOIR and ICV_DIR descriptions): a pending LR is acknowledged when its
 * priority is above the priority mask and the running priority and its
 * group is enabled, becomes active, and sets its active priority bit; EOI
 * drops that priority and, with EOImode 0, deactivates; DIR deactivates
 * with EOImode 1; HW = 1 deactivates the physical INTID; a deactivation
 * that matches no LR counts in EOIcount; the maintenance interrupt is
 * asserted while En = 1 and a condition of ICH_MISR_EL2 holds. The last
 * test holds the model against nested/vgic_calc.c, which computes the same
 * three registers for a guest hypervisor. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "nested/nested.h"
#include "vdev/vgic.h"

#define ICH_HCR         S3_4_C12_C11_0
#define ICH_MISR        S3_4_C12_C11_2
#define ICH_EISR        S3_4_C12_C11_3
#define ICH_ELRSR       S3_4_C12_C11_5
#define ICH_VMCR        S3_4_C12_C11_7
#define ICH_AP1R0       S3_4_C12_C9_0
#define SCTLR_EL12      S3_5_C1_C0_0
#define CPACR_EL12      S3_5_C1_C0_2
#define SCTLR_EL1_ENC   S3_0_C1_C0_0
#define CNTV_CVAL_EL02_ENC S3_5_C14_C3_2

/* ICH_LR<n>_EL2 fields, transcribed from the GICv3 specification. */
#define LR_STATE_PENDING    (1ULL << 62)
#define LR_STATE_ACTIVE     (1ULL << 63)
#define LR_HW_BIT           (1ULL << 61)
#define LR_GROUP1           (1ULL << 60)
#define LR_EOI_BIT          (1ULL << 41)
#define VMCR_ENG1           (1ULL << 1)
#define VMCR_ENG0           (1ULL << 0)
#define VMCR_EOIM           (1ULL << 9)
#define VMCR_PMR(p)         ((uint64_t)(p) << 24)
#define HCR_EN              (1ULL << 0)
#define HCR_UIE             (1ULL << 1)
#define HCR_LRENPIE         (1ULL << 2)
#define HCR_NPIE            (1ULL << 3)
#define HCR_VGRP1DIE        (1ULL << 7)
#define EOICOUNT(hcr)       (((hcr) >> 27) & 0x1f)

static int reset(void **state)
{
    fake_arch_reset();
    return 0;
}

static uint64_t lr(uint32_t intid, unsigned prio, uint64_t state)
{
    return intid | (uint64_t)prio << 48 | LR_GROUP1 | state;
}

static uint64_t hw_lr(uint32_t intid, uint32_t pintid, unsigned prio, uint64_t state)
{
    return lr(intid, prio, state) | LR_HW_BIT | (uint64_t)pintid << 32;
}

/* A guest with group 1 on and every priority unmasked. */
static void interface_open(uint64_t extra_vmcr)
{
    write_sysreg(ICH_VMCR, VMCR_ENG1 | VMCR_PMR(0xff) | extra_vmcr);
    write_sysreg(ICH_HCR, HCR_EN);
}

/* ---- VHE ---------------------------------------------------------------- */

static void test_e2h_sends_el1_names_to_el2_and_el12_names_to_el1(void **state)
{
    assert_true(fake_e2h());
    write_sysreg(sctlr_el1, 0x1111);
    write_sysreg(SCTLR_EL12, 0x2222);
    assert_int_equal(fake_reg(sctlr_el2), 0x1111);
    assert_int_equal(fake_reg(sctlr_el1), 0x2222);
    /* The encoding of the EL1 name is the same access as the name. */
    assert_int_equal(read_sysreg(SCTLR_EL1_ENC), 0x1111);
    /* Counterparts with other names: CPACR -> CPTR, the EL0 timers -> CNTH*. */
    write_sysreg(cpacr_el1, 0x300000);
    write_sysreg(CPACR_EL12, 0x100000);
    assert_int_equal(fake_reg(cptr_el2), 0x300000);
    assert_int_equal(fake_reg(cpacr_el1), 0x100000);
    write_sysreg(cntv_cval_el0, 77);
    write_sysreg(CNTV_CVAL_EL02_ENC, 88);
    assert_int_equal(fake_reg(cnthv_cval_el2), 77);
    assert_int_equal(fake_reg(cntv_cval_el0), 88);
    /* Registers E2H leaves alone. */
    write_sysreg(tpidr_el1, 5);
    assert_int_equal(fake_reg(tpidr_el1), 5);
}

static void test_without_e2h_el1_names_reach_el1(void **state)
{
    fake_set_vhe(false);
    assert_false(hyp_vhe);
    assert_false(fake_e2h());
    write_sysreg(sctlr_el1, 0x1111);
    write_sysreg(cntv_cval_el0, 77);
    assert_int_equal(fake_reg(sctlr_el1), 0x1111);
    assert_int_equal(fake_reg(SCTLR_EL12), 0x1111);
    assert_int_equal(fake_reg(sctlr_el2), 0);
    assert_int_equal(fake_reg(cntv_cval_el0), 77);
    assert_int_equal(fake_reg(cnthv_cval_el2), 0);
}

/* The hardware takes an Undefined Instruction exception to EL2: the fake
 * ends the program, which a child process shows. */
static void test_el12_names_are_undefined_without_e2h(void **state)
{
    pid_t pid;
    int status;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fake_set_vhe(false);
        close(2);
        write_sysreg(SCTLR_EL12, 1);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* CNTHV counts the physical count (no CNTVOFF); CNTV, reached by
 * CNTV_*_EL02, counts it minus CNTVOFF_EL2. */
static void test_the_el2_virtual_timer_under_e2h_has_no_offset(void **state)
{
    fake_reg(cntpct_el0) = 1000;
    fake_reg(cntvoff_el2) = 500;
    write_sysreg(cntv_cval_el0, 900);
    write_sysreg(cntv_ctl_el0, 1);
    write_sysreg(CNTV_CVAL_EL02, 900);
    write_sysreg(CNTV_CTL_EL02, 1);
    assert_int_equal(read_sysreg(cntv_ctl_el0), 1 | 4);
    assert_int_equal(read_sysreg(CNTV_CTL_EL02), 1);
}

/* ---- GICv3 virtual CPU interface ------------------------------------------ */

static void test_ack_takes_the_most_urgent_pending_lr_and_eoi_ends_it(void **state)
{
    *fake_lr(0) = lr(40, 0xa0, LR_STATE_PENDING);
    *fake_lr(1) = lr(41, 0x80, LR_STATE_PENDING);
    interface_open(0);
    assert_int_equal(fake_guest_ack(1), 41);
    assert_int_equal(*fake_lr(1) & (LR_STATE_PENDING | LR_STATE_ACTIVE), LR_STATE_ACTIVE);
    assert_int_equal(fake_reg(ICH_AP1R0), 1u << (0x80 >> 3));
    /* 0xa0 does not preempt the running priority 0x80. */
    assert_int_equal(fake_guest_ack(1), 1023);
    fake_guest_eoi(1, 41);
    assert_int_equal(*fake_lr(1) & (LR_STATE_PENDING | LR_STATE_ACTIVE), 0);
    assert_int_equal(fake_reg(ICH_AP1R0), 0);
    assert_int_equal(fake_guest_ack(1), 40);
    assert_int_equal(read_sysreg(ICH_ELRSR), 0xe);     /* LR0 active */
}

static void test_mask_group_enable_and_en_gate_the_ack(void **state)
{
    *fake_lr(0) = lr(40, 0x80, LR_STATE_PENDING);
    write_sysreg(ICH_VMCR, VMCR_ENG1 | VMCR_PMR(0x80));
    write_sysreg(ICH_HCR, HCR_EN);
    assert_int_equal(fake_guest_ack(1), 1023);      /* priority not below PMR */
    write_sysreg(ICH_VMCR, VMCR_PMR(0xff));
    assert_int_equal(fake_guest_ack(1), 1023);      /* group 1 off */
    write_sysreg(ICH_VMCR, VMCR_ENG1 | VMCR_PMR(0xff));
    write_sysreg(ICH_HCR, 0);
    assert_int_equal(fake_guest_ack(1), 1023);      /* interface off */
    assert_int_equal(fake_guest_ack(0), 1023);      /* not a group 0 interrupt */
    write_sysreg(ICH_HCR, HCR_EN);
    assert_int_equal(fake_guest_ack(1), 40);
}

static void test_eoimode1_splits_drop_and_deactivation(void **state)
{
    *fake_lr(0) = lr(40, 0x80, LR_STATE_PENDING);
    interface_open(VMCR_EOIM);
    assert_int_equal(fake_guest_ack(1), 40);
    fake_guest_eoi(1, 40);
    assert_int_equal(fake_reg(ICH_AP1R0), 0);
    assert_true(*fake_lr(0) & LR_STATE_ACTIVE);
    fake_guest_dir(40);
    assert_false(*fake_lr(0) & LR_STATE_ACTIVE);
}

static void test_hw_lr_deactivates_the_physical_interrupt(void **state)
{
    gic_set_private_active(1u << 27, 1u << 27);
    *fake_lr(0) = hw_lr(27, 27, 0xa0, LR_STATE_PENDING);
    interface_open(0);
    assert_int_equal(fake_guest_ack(1), 27);
    assert_true(fake_gic_private_active() & (1u << 27));
    fake_guest_eoi(1, 27);
    assert_false(fake_gic_private_active() & (1u << 27));
    assert_true(fake_log_find("gic hw deactivate 27", 0) >= 0);
    assert_int_equal(read_sysreg(ICH_ELRSR), 0xf);
    assert_int_equal(read_sysreg(ICH_EISR), 0);
}

static void test_eoi_bit_asks_for_maintenance_until_the_lr_is_cleared(void **state)
{
    *fake_lr(2) = lr(5, 0xa0, LR_STATE_PENDING) | LR_EOI_BIT;
    interface_open(0);
    assert_false(fake_maintenance_asserted());
    fake_guest_eoi(1, fake_guest_ack(1));
    assert_int_equal(read_sysreg(ICH_EISR), 1u << 2);
    assert_int_equal(read_sysreg(ICH_ELRSR), 0xb);
    assert_true(read_sysreg(ICH_MISR) & ICH_MISR_EL2_EOI);
    assert_true(fake_maintenance_asserted());
    /* Read-only: the hypervisor's write does not change it. */
    write_sysreg(ICH_EISR, 0);
    assert_int_equal(read_sysreg(ICH_EISR), 1u << 2);
    *fake_lr(2) = 0;
    assert_false(fake_maintenance_asserted());
}

static void test_unmatched_deactivation_counts_in_eoicount(void **state)
{
    *fake_lr(0) = lr(40, 0x80, LR_STATE_PENDING);
    interface_open(0);
    write_sysreg(ICH_HCR, HCR_EN | HCR_LRENPIE);
    assert_int_equal(fake_guest_ack(1), 40);
    *fake_lr(0) = 0;        /* the hypervisor took it out while active */
    fake_guest_eoi(1, 40);
    assert_int_equal(EOICOUNT(read_sysreg(ICH_HCR)), 1);
    assert_true(read_sysreg(ICH_MISR) & ICH_MISR_EL2_LRENP);
    assert_true(fake_maintenance_asserted());
    /* An EOI with no active priority does nothing; LPIs never count. */
    fake_guest_eoi(1, 41);
    assert_int_equal(EOICOUNT(read_sysreg(ICH_HCR)), 1);
    *fake_lr(0) = lr(8192, 0x80, LR_STATE_PENDING);
    fake_guest_ack(1);
    *fake_lr(0) = 0;
    fake_guest_eoi(1, 8192);
    assert_int_equal(EOICOUNT(read_sysreg(ICH_HCR)), 1);
}

static void test_underflow_and_no_pending_conditions(void **state)
{
    *fake_lr(0) = lr(40, 0x80, LR_STATE_PENDING);
    *fake_lr(1) = lr(41, 0x90, LR_STATE_PENDING);
    interface_open(0);
    write_sysreg(ICH_HCR, HCR_EN | HCR_UIE | HCR_NPIE);
    assert_int_equal(read_sysreg(ICH_MISR), 0);
    assert_int_equal(fake_guest_ack(1), 40);
    /* Two valid, none pending... */
    assert_int_equal(read_sysreg(ICH_MISR), 0);
    /* (41 was pending: now that 40 is active, 41 is the one pending.) */
    fake_guest_eoi(1, 40);
    assert_int_equal(read_sysreg(ICH_MISR), ICH_MISR_EL2_U);
    assert_int_equal(fake_guest_ack(1), 41);
    assert_int_equal(read_sysreg(ICH_MISR), ICH_MISR_EL2_U | ICH_MISR_EL2_NP);
    /* Pending and active is not "pending" for NP (State 0b01 only). */
    *fake_lr(0) = lr(41, 0x90, LR_STATE_PENDING | LR_STATE_ACTIVE);
    *fake_lr(1) = 0;
    assert_int_equal(read_sysreg(ICH_MISR), ICH_MISR_EL2_U | ICH_MISR_EL2_NP);
    write_sysreg(ICH_HCR, HCR_VGRP1DIE);
    assert_int_equal(read_sysreg(ICH_MISR), 0);
    write_sysreg(ICH_VMCR, VMCR_PMR(0xff));
    assert_int_equal(read_sysreg(ICH_MISR), ICH_MISR_EL2_VGrp1D);
    assert_false(fake_maintenance_asserted());      /* En = 0 */
}

/* The model and nested/vgic_calc.c compute ELRSR, EISR and MISR from the
 * same LR images: the hardware's answer is what L1 must read (MISR.NP
 * included: a pending-and-active LR is not "pending" for it). */
static void test_the_nested_vgic_computes_what_the_hardware_does(void **state)
{
    uint64_t imgs[4];
    unsigned seed = 1;

    for (unsigned round = 0; round < 2000; round++) {
        uint64_t hcr, vmcr;

        for (unsigned n = 0; n < 4; n++) {
            seed = seed * 1103515245u + 12345u;
            imgs[n] = (uint64_t)(seed >> 16 & 3) << 62 | ((seed >> 18) & 1 ? LR_HW_BIT : 0) |
                      ((seed >> 19) & 1 ? LR_EOI_BIT : 0) | (40 + n);
            *fake_lr(n) = imgs[n];
        }
        seed = seed * 1103515245u + 12345u;
        hcr = (seed >> 8 & 0xff) | (uint64_t)(seed >> 20 & 3) << 27;
        vmcr = seed >> 4 & 3;
        write_sysreg(ICH_HCR, hcr);
        write_sysreg(ICH_VMCR, vmcr);
        assert_int_equal(read_sysreg(ICH_ELRSR), nested_ich_elrsr(imgs, 4));
        assert_int_equal(read_sysreg(ICH_EISR), nested_ich_eisr(imgs, 4));
        assert_int_equal(read_sysreg(ICH_MISR), nested_ich_misr(hcr, vmcr, imgs, 4));
        assert_int_equal(fake_maintenance_asserted(), nested_mi_level(hcr, vmcr, imgs, 4));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_e2h_sends_el1_names_to_el2_and_el12_names_to_el1, reset),
        cmocka_unit_test_setup(test_without_e2h_el1_names_reach_el1, reset),
        cmocka_unit_test_setup(test_el12_names_are_undefined_without_e2h, reset),
        cmocka_unit_test_setup(test_the_el2_virtual_timer_under_e2h_has_no_offset, reset),
        cmocka_unit_test_setup(test_ack_takes_the_most_urgent_pending_lr_and_eoi_ends_it, reset),
        cmocka_unit_test_setup(test_mask_group_enable_and_en_gate_the_ack, reset),
        cmocka_unit_test_setup(test_eoimode1_splits_drop_and_deactivation, reset),
        cmocka_unit_test_setup(test_hw_lr_deactivates_the_physical_interrupt, reset),
        cmocka_unit_test_setup(test_eoi_bit_asks_for_maintenance_until_the_lr_is_cleared, reset),
        cmocka_unit_test_setup(test_unmatched_deactivation_counts_in_eoicount, reset),
        cmocka_unit_test_setup(test_underflow_and_no_pending_conditions, reset),
        cmocka_unit_test_setup(test_the_nested_vgic_computes_what_the_hardware_does, reset),
    };
    return cmocka_run_group_tests_name("the fake arch's VHE and GICv3 virtual CPU interface", tests, NULL, NULL);
}
