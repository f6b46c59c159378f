/* The register database (src/arch/arm64/sysreg.db, generated into
 * arch/arm64/sysreg-defs.h) against what elvisor's sources said before they
 * switched to it: the SYSREG_KEY numbers of the trap tables (walked live,
 * by name), the S3_* encodings of the .c files and the VNCR offsets of
 * nested/vncr.h, the hand-written field macros of sysreg.h, vdev/vgic.h and
 * nested/s2_walk.h and the raw shifts of cpu_features.c (all written out
 * here as those files had them; the composites and aliases that remain are
 * checked live too). Then, where the host has LLVM's
 * assembler, every register name against LLVM's own encoding table; and
 * the generator's refusal of broken input, which names the file and line. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "arch/arm64/esr.c"
#include "trap/id_regs.c"
#include "trap/sysreg_emul.c"
#include "nested/el2_regs.c"
#include "nested/vgic_calc.c"
#include "nested/s2_walk.h"
#include "arch/arm64/cpu_features.h"

#ifndef SYSREG_GEN_AWK
#define SYSREG_GEN_AWK "tools/gen-sysreg.awk"
#endif
#ifndef SYSREG_AWK
#define SYSREG_AWK "awk"
#endif
#ifndef SYSREG_LLVM_MC
#define SYSREG_LLVM_MC "llvm-mc"
#endif

/* ---- Test doubles for the trap tables' handlers (never called) ---- */

unsigned hyp_ipa_bits = 40;

uint64_t el1_read(enum el1_reg r) { fail(); return 0; }
void el1_write(enum el1_reg r, uint64_t v) { fail(); }
uint64_t arch_read_id_reg(unsigned crm, unsigned op2) { fail(); return 0; }
void inject_undef(struct vcpu *v) { fail(); }
bool vgic_send_sgi_to_others(struct vgic *g, unsigned src_vcpu, uint64_t icc_sgi1r, uint32_t *gen_before)
{
    fail();
    return false;
}
void log_msg(enum log_level level, const char *fmt, ...) { }
void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...) { }

#define NOT_CALLED_READ(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val) { fail(); return false; }
#define NOT_CALLED_WRITE(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t val) { fail(); return false; }
NOT_CALLED_READ(vtimer_cntpct_read)
NOT_CALLED_READ(vtimer_cntpctss_read)
NOT_CALLED_READ(vtimer_ptimer_tval_read)
NOT_CALLED_WRITE(vtimer_ptimer_tval_write)
NOT_CALLED_READ(vtimer_ptimer_ctl_read)
NOT_CALLED_WRITE(vtimer_ptimer_ctl_write)
NOT_CALLED_READ(vtimer_ptimer_cval_read)
NOT_CALLED_WRITE(vtimer_ptimer_cval_write)

/* ---- The database as a table ---- */

struct db_reg {
    const char *name;
    uint32_t key;
    const char *enc;        /* S<op0>_<op1>_C<n>_C<m>_<op2> */
    unsigned vncr;
};

#define DB_ROW(name, key, enc, vncr) { #name, key, enc, vncr },
static const struct db_reg db[] = { SYSREG_DB_LIST(DB_ROW) };
#define NR_DB (sizeof(db) / sizeof(db[0]))

static const struct db_reg *db_find(const char *name)
{
    for (unsigned i = 0; i < NR_DB; i++)
        if (strcmp(db[i].name, name) == 0)
            return &db[i];
    return NULL;
}

static const struct db_reg *db_must(const char *name)
{
    const struct db_reg *r = db_find(name);

    if (!r)
        fail_msg("%s is not in sysreg.db", name);
    return r;
}

static void enc_of_key(uint32_t key, char *buf, size_t len)
{
    snprintf(buf, len, "S%u_%u_C%u_C%u_%u", (key >> SYSREG_KEY_OP0_SHIFT) & 3,
             (key >> SYSREG_KEY_OP1_SHIFT) & 7, (key >> SYSREG_KEY_CRN_SHIFT) & 15,
             SYSREG_KEY_CRM(key), SYSREG_KEY_OP2(key));
}

/* Names and keys are unique, the assembler name says the key, VNCR slots
 * are distinct 64-bit slots of the page. */
static void test_db_consistent(void **state)
{
    char buf[32];

    assert_int_equal(NR_DB, SYSREG_DB_COUNT);
    for (unsigned i = 0; i < NR_DB; i++) {
        enc_of_key(db[i].key, buf, sizeof(buf));
        assert_string_equal(db[i].enc, buf);
        for (unsigned j = i + 1; j < NR_DB; j++) {
            assert_true(strcmp(db[i].name, db[j].name) != 0);
            assert_true(db[i].key != db[j].key);
            if (db[i].vncr != SYSREG_NO_VNCR)
                assert_true(db[i].vncr != db[j].vncr);
        }
        if (db[i].vncr != SYSREG_NO_VNCR) {
            assert_int_equal(db[i].vncr % 8, 0);
            assert_true(db[i].vncr < VNCR_PAGE_SIZE);
        }
    }
    /* The same facts through the macros users write. */
    assert_int_equal(SYS_ICH_HCR_EL2, SYSREG_KEY(3, 4, 12, 11, 0));
    assert_int_equal(VNCR_ICH_HCR_EL2, 0x4c0);
}

/* ---- SYSREG_KEY numbers: the trap tables, walked by name ---- */

static void check_desc(const struct sysreg_desc *d)
{
    const struct db_reg *r = db_must(d->name);

    if (r->key != d->key)
        fail_msg("%s: table key 0x%x, database 0x%x", d->name, d->key, r->key);
}

static void test_trap_table_keys(void **state)
{
    unsigned n, checked = 0;
    const struct sysreg_desc *t = sysreg_table(&n), *d;

    for (unsigned i = 0; i < n; i++, checked++)
        check_desc(&t[i]);
    for (unsigned i = 0; (d = nested_sysreg_at(i)) != NULL; i++, checked++)
        check_desc(d);
    /* vdev/sysreg_emul.c's 8 and nested/el2_regs.c's 22 today. */
    assert_true(checked >= 30);
}

/* trap/id_regs.c keyed its rules by ID_KEY(CRm, op2); the names are its
 * comments' (the rules now name SYS_ID_*_EL1 themselves). */
#define ID_KEY(crm, op2) SYSREG_KEY(3, 0, 0, crm, op2)
static void test_id_reg_keys(void **state)
{
    static const struct { const char *name; uint32_t key; } ids[] = {
        { "ID_DFR0_EL1", ID_KEY(1, 2) },       { "ID_AA64PFR0_EL1", ID_KEY(4, 0) },
        { "ID_AA64PFR1_EL1", ID_KEY(4, 1) },   { "ID_AA64PFR2_EL1", ID_KEY(4, 2) },
        { "ID_AA64ZFR0_EL1", ID_KEY(4, 4) },   { "ID_AA64SMFR0_EL1", ID_KEY(4, 5) },
        { "ID_AA64FPFR0_EL1", ID_KEY(4, 7) },  { "ID_AA64DFR0_EL1", ID_KEY(5, 0) },
        { "ID_AA64DFR1_EL1", ID_KEY(5, 1) },   { "ID_AA64AFR0_EL1", ID_KEY(5, 4) },
        { "ID_AA64AFR1_EL1", ID_KEY(5, 5) },   { "ID_AA64ISAR1_EL1", ID_KEY(6, 1) },
        { "ID_AA64ISAR2_EL1", ID_KEY(6, 2) },  { "ID_AA64MMFR0_EL1", ID_KEY(7, 0) },
        { "ID_AA64MMFR1_EL1", ID_KEY(7, 1) },  { "ID_AA64MMFR2_EL1", ID_KEY(7, 2) },
        { "ID_AA64MMFR3_EL1", ID_KEY(7, 3) },  { "ID_AA64MMFR4_EL1", ID_KEY(7, 4) },
    };

    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_int_equal(db_must(ids[i].name)->key, ids[i].key);
    /* Every ID register of the database is one arch_read_id_reg() reaches. */
    for (unsigned i = 0; i < NR_DB; i++)
        if (strncmp(db[i].name, "ID_", 3) == 0)
            assert_true(is_id_space(db[i].key));
}

/* ---- S3_* names: the .c files' strings, written out as they are ---- */

static void check_enc(const char *name, const char *enc)
{
    const struct db_reg *r = db_must(name);

    if (strcmp(r->enc, enc) != 0)
        fail_msg("%s: source says %s, database %s", name, enc, r->enc);
}

static void test_s3_names(void **state)
{
    static const struct { const char *name, *enc; } named[] = {
        /* arch/arm64/gicv3.c */
        { "ICC_SRE_EL2", "S3_4_C12_C9_5" },    { "ICC_PMR_EL1", "S3_0_C4_C6_0" },
        { "ICC_BPR1_EL1", "S3_0_C12_C12_3" },  { "ICC_CTLR_EL1", "S3_0_C12_C12_4" },
        { "ICC_IGRPEN1_EL1", "S3_0_C12_C12_7" }, { "ICC_SGI1R_EL1", "S3_0_C12_C11_5" },
        { "ICC_IAR1_EL1", "S3_0_C12_C12_0" },  { "ICC_EOIR1_EL1", "S3_0_C12_C12_1" },
        { "ICC_DIR_EL1", "S3_0_C12_C11_1" },   { "ICH_VTR_EL2", "S3_4_C12_C11_1" },
        /* arch/arm64/hyp.c */
        { "HFGRTR_EL2", "S3_4_C1_C1_4" },      { "HFGWTR_EL2", "S3_4_C1_C1_5" },
        { "HFGITR_EL2", "S3_4_C1_C1_6" },      { "HDFGRTR_EL2", "S3_4_C3_C1_4" },
        { "HDFGWTR_EL2", "S3_4_C3_C1_5" },     { "ID_AA64MMFR2_EL1", "S3_0_C0_C7_2" },
        /* arch/arm64/vgic_hw.c */
        { "ICH_HCR_EL2", "S3_4_C12_C11_0" },   { "ICH_VMCR_EL2", "S3_4_C12_C11_7" },
        /* nested/nested.c: VNCR_EL2 and PAN_REG */
        { "VNCR_EL2", "S3_4_C2_C2_0" },        { "PAN", "S3_0_C4_C2_3" },
        /* arch/arm64/sysreg.h's encoding macros */
        { "ID_AA64MMFR4_EL1", "S3_0_C0_C7_4" }, { "ICH_VTR_EL2", "S3_4_C12_C11_1" },
        { "CNTPOFF_EL2", "S3_4_C14_C0_6" },    { "CNTP_CTL_EL02", "S3_5_C14_C2_1" },
        { "CNTP_CVAL_EL02", "S3_5_C14_C2_2" }, { "CNTV_CTL_EL02", "S3_5_C14_C3_1" },
        { "CNTV_CVAL_EL02", "S3_5_C14_C3_2" },
    };
    /* arch/arm64/el1_regs.c: ALIASED(crn, crm, op2) is S3_0_... for the
     * EL1 name and S3_5_... for the _EL12 one. */
    static const struct { const char *el1, *el12; unsigned crn, crm, op2; } aliased[] = {
        { "SCTLR_EL1", "SCTLR_EL12", 1, 0, 0 },   { "CPACR_EL1", "CPACR_EL12", 1, 0, 2 },
        { "TTBR0_EL1", "TTBR0_EL12", 2, 0, 0 },   { "TTBR1_EL1", "TTBR1_EL12", 2, 0, 1 },
        { "TCR_EL1", "TCR_EL12", 2, 0, 2 },       { "ESR_EL1", "ESR_EL12", 5, 2, 0 },
        { "AFSR0_EL1", "AFSR0_EL12", 5, 1, 0 },   { "AFSR1_EL1", "AFSR1_EL12", 5, 1, 1 },
        { "FAR_EL1", "FAR_EL12", 6, 0, 0 },       { "MAIR_EL1", "MAIR_EL12", 10, 2, 0 },
        { "AMAIR_EL1", "AMAIR_EL12", 10, 3, 0 },  { "VBAR_EL1", "VBAR_EL12", 12, 0, 0 },
        { "CONTEXTIDR_EL1", "CONTEXTIDR_EL12", 13, 0, 1 },
        { "CNTKCTL_EL1", "CNTKCTL_EL12", 14, 1, 0 },
        { "SPSR_EL1", "SPSR_EL12", 4, 0, 0 },     { "ELR_EL1", "ELR_EL12", 4, 0, 1 },
    };
    char buf[64];

    for (unsigned i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        check_enc(named[i].name, named[i].enc);
    for (unsigned i = 0; i < sizeof(aliased) / sizeof(aliased[0]); i++) {
        snprintf(buf, sizeof(buf), "S3_0_C%u_C%u_%u", aliased[i].crn, aliased[i].crm, aliased[i].op2);
        check_enc(aliased[i].el1, buf);
        snprintf(buf, sizeof(buf), "S3_5_C%u_C%u_%u", aliased[i].crn, aliased[i].crm, aliased[i].op2);
        check_enc(aliased[i].el12, buf);
    }
    /* arch/arm64/vgic_hw.c: AP_ACCESS and LR_READ_CASE build these. */
    for (unsigned n = 0; n < 4; n++) {
        snprintf(buf, sizeof(buf), "ICH_AP0R%u_EL2", n);
        char enc[32];
        snprintf(enc, sizeof(enc), "S3_4_C12_C8_%u", n);
        check_enc(buf, enc);
        snprintf(buf, sizeof(buf), "ICH_AP1R%u_EL2", n);
        snprintf(enc, sizeof(enc), "S3_4_C12_C9_%u", n);
        check_enc(buf, enc);
    }
    for (unsigned n = 0; n < 16; n++) {
        char enc[32];
        snprintf(buf, sizeof(buf), "ICH_LR%u_EL2", n);
        snprintf(enc, sizeof(enc), "S3_4_C12_C%u_%u", 12 + n / 8, n % 8);
        check_enc(buf, enc);
    }
}

/* ---- VNCR offsets: nested/vncr.h as it was written by hand ---- */

static void test_vncr_offsets(void **state)
{
    static const struct { const char *name; unsigned off; } slots[] = {
        { "VTTBR_EL2", 0x020 },     { "VTCR_EL2", 0x040 },      { "VMPIDR_EL2", 0x050 },
        { "CNTVOFF_EL2", 0x060 },   { "HCR_EL2", 0x078 },       { "HSTR_EL2", 0x080 },
        { "VPIDR_EL2", 0x088 },     { "TPIDR_EL2", 0x090 },     { "HCRX_EL2", 0x0A0 },
        { "VNCR_EL2", 0x0B0 },      { "ACTLR_EL1", 0x118 },     { "MDSCR_EL1", 0x158 },
        { "SP_EL1", 0x240 },        { "ICH_LR0_EL2", 0x400 },   { "ICH_AP0R0_EL2", 0x480 },
        { "ICH_AP1R0_EL2", 0x4A0 }, { "ICH_HCR_EL2", 0x4C0 },   { "ICH_VMCR_EL2", 0x4C8 },
        { "CPACR_EL1", 0x100 },     { "CONTEXTIDR_EL1", 0x108 }, { "SCTLR_EL1", 0x110 },
        { "TCR_EL1", 0x120 },       { "AFSR0_EL1", 0x128 },     { "AFSR1_EL1", 0x130 },
        { "ESR_EL1", 0x138 },       { "MAIR_EL1", 0x140 },      { "AMAIR_EL1", 0x148 },
        { "SPSR_EL1", 0x160 },      { "CNTV_CVAL_EL0", 0x168 }, { "CNTV_CTL_EL0", 0x170 },
        { "CNTP_CVAL_EL0", 0x178 }, { "CNTP_CTL_EL0", 0x180 },  { "TTBR0_EL1", 0x200 },
        { "TTBR1_EL1", 0x210 },     { "FAR_EL1", 0x220 },       { "ELR_EL1", 0x230 },
        { "VBAR_EL1", 0x250 },      { "VSESR_EL2", 0x508 },
    };
    unsigned with_slot = 0;
    char buf[32];

    for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
        assert_int_equal(db_must(slots[i].name)->vncr, slots[i].off);
    /* vncr.h's "+ 8n" comments: the other LRs and active-priority registers. */
    for (unsigned n = 0; n < 16; n++) {
        snprintf(buf, sizeof(buf), "ICH_LR%u_EL2", n);
        assert_int_equal(db_must(buf)->vncr, 0x400 + 8 * n);
    }
    for (unsigned n = 0; n < 4; n++) {
        snprintf(buf, sizeof(buf), "ICH_AP0R%u_EL2", n);
        assert_int_equal(db_must(buf)->vncr, 0x480 + 8 * n);
        snprintf(buf, sizeof(buf), "ICH_AP1R%u_EL2", n);
        assert_int_equal(db_must(buf)->vncr, 0x4A0 + 8 * n);
    }
    /* No slot the database has that vncr.h did not (37 + 15 LRs + 6 APRs),
     * and VSESR_EL2 (the syndrome of its guest's virtual SError). */
    for (unsigned i = 0; i < NR_DB; i++)
        with_slot += db[i].vncr != SYSREG_NO_VNCR;
    assert_int_equal(with_slot, 37 + 15 + 6 + 1);
}

/* ---- Fields: the hand-written macros, live, against the generated ones ---- */

#define SHIFTED(reg, field, val) ((uint64_t)reg##_##field##_##val << reg##_##field##_SHIFT)

static void test_fields_sysreg_h(void **state)
{
    static const struct { uint64_t hand, gen; } hcr[] = {
        { BIT(0), HCR_EL2_VM },     { BIT(1), HCR_EL2_SWIO },   { BIT(2), HCR_EL2_PTW },
        { BIT(3), HCR_EL2_FMO },    { BIT(4), HCR_EL2_IMO },    { BIT(5), HCR_EL2_AMO },
        { BIT(6), HCR_EL2_VF },     { BIT(7), HCR_EL2_VI },     { BIT(8), HCR_EL2_VSE },
        { BIT(9), HCR_EL2_FB },     { BIT(12), HCR_EL2_DC },    { BIT(13), HCR_EL2_TWI },
        { BIT(14), HCR_EL2_TWE },   { BIT(15), HCR_EL2_TID0 },  { BIT(16), HCR_EL2_TID1 },
        { BIT(17), HCR_EL2_TID2 },  { BIT(18), HCR_EL2_TID3 },  { BIT(19), HCR_EL2_TSC },
        { BIT(20), HCR_EL2_TIDCP }, { BIT(21), HCR_EL2_TACR },  { BIT(22), HCR_EL2_TSW },
        { BIT(23), HCR_EL2_TPCP },  { BIT(24), HCR_EL2_TPU },   { BIT(25), HCR_EL2_TTLB },
        { BIT(26), HCR_EL2_TVM },   { BIT(27), HCR_EL2_TGE },   { BIT(28), HCR_EL2_TDZ },
        { BIT(29), HCR_EL2_HCD },   { BIT(30), HCR_EL2_TRVM },  { BIT(31), HCR_EL2_RW },
        { BIT(32), HCR_EL2_CD },    { BIT(33), HCR_EL2_ID },    { BIT(34), HCR_EL2_E2H },
        { BIT(35), HCR_EL2_TLOR },  { BIT(36), HCR_EL2_TERR },  { BIT(37), HCR_EL2_TEA },
        { BIT(40), HCR_EL2_APK },   { BIT(41), HCR_EL2_API },   { BIT(42), HCR_EL2_NV },
        { BIT(43), HCR_EL2_NV1 },   { BIT(44), HCR_EL2_AT },    { BIT(45), HCR_EL2_NV2 },
        { BIT(46), HCR_EL2_FWB },   { BIT(56), HCR_EL2_ATA },
        { (3ULL << 10), HCR_EL2_BSU_MASK },
        { (1ULL << 10), SHIFTED(HCR_EL2, BSU, IS) },
    };

    for (unsigned i = 0; i < sizeof(hcr) / sizeof(hcr[0]); i++)
        assert_int_equal(hcr[i].hand, hcr[i].gen);

    /* SCTLR_ELx: the common bits in both layouts. */
    assert_int_equal(BIT(0), SCTLR_EL1_M);     assert_int_equal(BIT(0), SCTLR_EL2_M);
    assert_int_equal(BIT(1), SCTLR_EL1_A);     assert_int_equal(BIT(1), SCTLR_EL2_A);
    assert_int_equal(BIT(2), SCTLR_EL1_C);     assert_int_equal(BIT(2), SCTLR_EL2_C);
    assert_int_equal(BIT(3), SCTLR_EL1_SA);   assert_int_equal(BIT(3), SCTLR_EL2_SA);
    assert_int_equal(BIT(12), SCTLR_EL1_I);     assert_int_equal(BIT(12), SCTLR_EL2_I);
    assert_int_equal(BIT(19), SCTLR_EL1_WXN); assert_int_equal(BIT(19), SCTLR_EL2_WXN);
    assert_int_equal(BIT(25), SCTLR_EL1_EE);   assert_int_equal(BIT(25), SCTLR_EL2_EE);
    assert_int_equal(BIT(44), SCTLR_EL1_DSSBS);
    assert_int_equal(BIT(44), SCTLR_EL2_DSSBS);
    assert_int_equal(BIT(23), SCTLR_EL1_SPAN);
    /* The hand-written "RES1" masks also set the fields that read as 1
     * without FEAT_ExS (EIS, EOS), FEAT_CSV2_2 (TSCXT), FEAT_PAN (SPAN)
     * and FEAT_LSMAOC (LSMAOE, nTLSMD): the Armv8.0 reset shape. */
    uint64_t el1_shape = SCTLR_EL1_LSMAOE | SCTLR_EL1_nTLSMD | SCTLR_EL1_SPAN | SCTLR_EL1_EIS |
                         SCTLR_EL1_TSCXT | SCTLR_EL1_EOS;
    uint64_t hand_nvhe = BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) |
                         BIT(29);
    uint64_t hand_vhe = BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29);

    assert_int_equal(hand_nvhe, SCTLR_EL2_RES1 | SCTLR_EL2_EIS | SCTLR_EL2_EOS);
    assert_int_equal(hand_nvhe, SCTLR_EL2_RES1_NVHE);
    assert_int_equal(hand_vhe, el1_shape);
    assert_int_equal(hand_vhe, SCTLR_EL2_RES1_VHE);
    assert_int_equal(hand_vhe, SCTLR_EL1_RESET);

    /* TCR_EL1 layout (also TCR_EL2 with E2H = 1) and TCR_EL2's own. */
    assert_int_equal(0x3fULL, TCR_EL1_T0SZ_MASK);
    assert_int_equal(0x3fULL, TCR_EL2_T0SZ_MASK);
    assert_int_equal((1ULL << 8), SHIFTED(TCR_EL1, IRGN0, WBWA));
    assert_int_equal((1ULL << 8), SHIFTED(TCR_EL2, IRGN0, WBWA));
    assert_int_equal((1ULL << 10), SHIFTED(TCR_EL1, ORGN0, WBWA));
    assert_int_equal((1ULL << 10), SHIFTED(TCR_EL2, ORGN0, WBWA));
    assert_int_equal((3ULL << 12), SHIFTED(TCR_EL1, SH0, INNER));
    assert_int_equal((3ULL << 12), SHIFTED(TCR_EL2, SH0, INNER));
    assert_int_equal((0ULL << 14), SHIFTED(TCR_EL1, TG0, 4K));
    assert_int_equal((0ULL << 14), SHIFTED(TCR_EL2, TG0, 4K));
    assert_int_equal(BIT(23), TCR_EL1_EPD1);
    assert_int_equal(32, TCR_EL1_IPS_SHIFT);
    /* sysreg.h's values before they came from the database. */
    assert_int_equal(TCR_EL2_PS_SHIFT, 16);
    assert_int_equal(TCR_EL2_RES1, (1ULL << 23) | (1ULL << 31));

    /* VTCR_EL2, VTTBR_EL2 */
    assert_int_equal(0x3fULL, VTCR_EL2_T0SZ_MASK);
    assert_int_equal(6, VTCR_EL2_SL0_SHIFT);
    assert_int_equal((1ULL << 8), SHIFTED(VTCR_EL2, IRGN0, WBWA));
    assert_int_equal((1ULL << 10), SHIFTED(VTCR_EL2, ORGN0, WBWA));
    assert_int_equal((3ULL << 12), SHIFTED(VTCR_EL2, SH0, INNER));
    assert_int_equal((0ULL << 14), SHIFTED(VTCR_EL2, TG0, 4K));
    assert_int_equal(16, VTCR_EL2_PS_SHIFT);
    assert_int_equal(BIT(19), VTCR_EL2_VS);
    assert_int_equal(BIT(31), VTCR_EL2_RES1);
    assert_int_equal(48, VTTBR_EL2_VMID_SHIFT);

    /* CNTHCTL_EL2 in both layouts; CNT*_CTL */
    assert_int_equal(BIT(0), CNTHCTL_EL2_EL1PCTEN);
    assert_int_equal(BIT(1), CNTHCTL_EL2_EL1PCEN);
    assert_int_equal(BIT(12), CNTHCTL_EL2_ECV);
    assert_int_equal(BIT(0), CNTHCTL_EL2_E2H1_EL0PCTEN);
    assert_int_equal(BIT(1), CNTHCTL_EL2_E2H1_EL0VCTEN);
    assert_int_equal(BIT(10), CNTHCTL_EL2_E2H1_EL1PCTEN);
    assert_int_equal(BIT(11), CNTHCTL_EL2_E2H1_EL1PTEN);
    assert_int_equal(BIT(12), CNTHCTL_EL2_E2H1_ECV);
    assert_int_equal(BIT(13), CNTHCTL_EL2_EL1TVT);
    assert_int_equal(BIT(14), CNTHCTL_EL2_EL1TVCT);
    assert_int_equal(BIT(13), CNTHCTL_EL2_E2H1_EL1TVT);
    assert_int_equal(BIT(14), CNTHCTL_EL2_E2H1_EL1TVCT);
    assert_int_equal(BIT(0), CNTx_CTL_ENABLE);
    assert_int_equal(BIT(1), CNTx_CTL_IMASK);
    assert_int_equal(BIT(2), CNTx_CTL_ISTATUS);
    assert_int_equal(CNTP_CTL_EL0_RES0, ~(CNTx_CTL_ENABLE | CNTx_CTL_IMASK | CNTx_CTL_ISTATUS));

    /* CPTR_EL2 (E2H = 0; hyp.c sets TSM's bit 12 with the RES1 bits, and
     * writes BIT(8) TZ and BIT(30) TAM), CPACR_EL1 (E2H = 1). */
    assert_int_equal(GENMASK(7, 0) | BIT(9) | GENMASK(13, 12), CPTR_EL2_RES1 | CPTR_EL2_TSM);
    assert_int_equal(GENMASK(7, 0) | BIT(9) | GENMASK(13, 12), CPTR_EL2_RES1_NVHE);
    assert_int_equal(CPTR_EL2_TZ, 1ULL << 8);
    assert_int_equal(CPTR_EL2_TAM, 1ULL << 30);
    assert_int_equal((3ULL << 20), SHIFTED(CPACR_EL1, FPEN, NOTRAP));
    assert_int_equal((3ULL << 16), SHIFTED(CPACR_EL1, ZEN, NOTRAP));

    /* MDCR_EL2, PMCR_EL0.N (hyp.c: ">> 11) & 0x1f") */
    assert_int_equal(BIT(5), MDCR_EL2_TPMCR);
    assert_int_equal(BIT(6), MDCR_EL2_TPM);
    assert_int_equal(BIT(8), MDCR_EL2_TDE);
    assert_int_equal(BIT(9), MDCR_EL2_TDA);
    assert_int_equal(BIT(10), MDCR_EL2_TDOSA);
    assert_int_equal(BIT(11), MDCR_EL2_TDRA);
    assert_int_equal(PMCR_EL0_N_SHIFT, 11);
    assert_int_equal(PMCR_EL0_N_MASK >> PMCR_EL0_N_SHIFT, 0x1f);
    assert_int_equal(MDCR_EL2_HPMN_MASK, 0x1f);

    /* Debug */
    assert_int_equal(12, ID_AA64DFR0_EL1_BRPs_SHIFT);
    assert_int_equal(20, ID_AA64DFR0_EL1_WRPs_SHIFT);
    assert_int_equal(BIT(0), OSLAR_EL1_OSLK);
    assert_int_equal(BIT(1), OSLSR_EL1_OSLK);
    assert_int_equal(BIT(0), OSDLR_EL1_DLK);
    assert_int_equal(GENMASK(7, 0), DBGCLAIMSET_EL1_CLAIM_MASK);
    assert_int_equal(GENMASK(7, 0), DBGCLAIMCLR_EL1_CLAIM_MASK);
    assert_int_equal(DBGCLAIMSET_EL1_RES0, ~GENMASK(7, 0));

    /* MPIDR_EL1, PSTATE.PAN */
    assert_int_equal(0xff00ffffffULL, MPIDR_EL1_Aff3 | MPIDR_EL1_Aff2 | MPIDR_EL1_Aff1 | MPIDR_EL1_Aff0);
    assert_int_equal(0xff00ffffffULL, MPIDR_AFF_MASK);
    assert_int_equal(BIT(31), MPIDR_EL1_RES1);
    assert_int_equal(PSR_PAN, PAN_PAN);

    /* GICv3 CPU interface; gicv3.c builds ICC_SGI1R_EL1 with these shifts. */
    assert_int_equal(BIT(0), ICC_SRE_EL2_SRE);
    assert_int_equal(BIT(1), ICC_SRE_EL2_DFB);
    assert_int_equal(BIT(2), ICC_SRE_EL2_DIB);
    assert_int_equal(BIT(3), ICC_SRE_EL2_Enable);
    assert_int_equal(BIT(1), ICC_CTLR_EL1_EOImode);
    assert_int_equal(0xffffffULL, ICC_IAR1_EL1_INTID_MASK);
    assert_int_equal(ICC_SGI1R_EL1_INTID_SHIFT, 24);
    assert_int_equal(ICC_SGI1R_EL1_Aff1_SHIFT, 16);
    assert_int_equal(ICC_SGI1R_EL1_Aff2_SHIFT, 32);
    assert_int_equal(ICC_SGI1R_EL1_Aff3_SHIFT, 48);
    assert_int_equal(ICC_SGI1R_EL1_TargetList_MASK, 0xffff);
}

static void test_fields_vgic_h(void **state)
{
    static const struct { uint64_t hand, gen; } f[] = {
        { 0xffffffffull, ICH_LR_EL2_vINTID_MASK },
        { 32, ICH_LR_EL2_pINTID_SHIFT },
        { (0x1fffull << 32), ICH_LR_EL2_pINTID_MASK },
        { (1ull << 41), ICH_LR_EL2_HW0_EOI },
        { 48, ICH_LR_EL2_Priority_SHIFT },
        { (0xffull << 48), ICH_LR_EL2_Priority_MASK },
        { (1ull << 60), ICH_LR_EL2_Group },
        { (1ull << 61), ICH_LR_EL2_HW },
        { 62, ICH_LR_EL2_State_SHIFT },
        { (3ull << 62), ICH_LR_EL2_State_MASK },
        { (1ull << 62), SHIFTED(ICH_LR_EL2, State, PENDING) },
        { (2ull << 62), SHIFTED(ICH_LR_EL2, State, ACTIVE) },
        { (1ull << 0), ICH_HCR_EL2_En },
        { (1ull << 1), ICH_HCR_EL2_UIE },
        { (1ull << 2), ICH_HCR_EL2_LRENPIE },
        { (1ull << 3), ICH_HCR_EL2_NPIE },
        { (1ull << 4), ICH_HCR_EL2_VGrp0EIE },
        { (1ull << 5), ICH_HCR_EL2_VGrp0DIE },
        { (1ull << 6), ICH_HCR_EL2_VGrp1EIE },
        { (1ull << 7), ICH_HCR_EL2_VGrp1DIE },
        { 27, ICH_HCR_EL2_EOIcount_SHIFT },
        { (0x1full << 27), ICH_HCR_EL2_EOIcount_MASK },
        { (1ull << 0), ICH_VMCR_EL2_VENG0 },
        { (1ull << 1), ICH_VMCR_EL2_VENG1 },
        { 24, ICH_VMCR_EL2_VPMR_SHIFT },
        { (0xffull << 24), ICH_VMCR_EL2_VPMR_MASK },
        { (1ull << 0), ICH_MISR_EL2_EOI },
        { (1ull << 1), ICH_MISR_EL2_U },
        { (1ull << 2), ICH_MISR_EL2_LRENP },
        { (1ull << 3), ICH_MISR_EL2_NP },
        { (1ull << 4), ICH_MISR_EL2_VGrp0E },
        { (1ull << 5), ICH_MISR_EL2_VGrp0D },
        { (1ull << 6), ICH_MISR_EL2_VGrp1E },
        { (1ull << 7), ICH_MISR_EL2_VGrp1D },
        { 0x1full, ICH_VTR_EL2_ListRegs_MASK },
        { 26, ICH_VTR_EL2_PREbits_SHIFT },
        { 29, ICH_VTR_EL2_PRIbits_SHIFT },
        { 0x7ull, ICH_VTR_EL2_PREbits_MASK >> ICH_VTR_EL2_PREbits_SHIFT },
        { 0x7ull, ICH_VTR_EL2_PRIbits_MASK >> ICH_VTR_EL2_PRIbits_SHIFT },
    };

    for (unsigned i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        if (f[i].hand != f[i].gen)
            fail_msg("vgic.h row %u: 0x%llx, database 0x%llx", i, (unsigned long long)f[i].hand,
                     (unsigned long long)f[i].gen);
}

/* nested/s2_walk.h (unshifted masks), nested/el2_regs.c's HPFAR_BITS, and
 * the raw shifts and values of arch/arm64/cpu_features.c and nested.c. */
static void test_fields_nested_and_features(void **state)
{
    assert_int_equal(0x3fULL, VTCR_EL2_T0SZ_MASK >> VTCR_EL2_T0SZ_SHIFT);
    assert_int_equal(6, VTCR_EL2_SL0_SHIFT);
    assert_int_equal(0x3ULL, VTCR_EL2_SL0_MASK >> VTCR_EL2_SL0_SHIFT);
    assert_int_equal(14, VTCR_EL2_TG0_SHIFT);
    assert_int_equal(0x3ULL, VTCR_EL2_TG0_MASK >> VTCR_EL2_TG0_SHIFT);
    assert_int_equal(0x0ULL, VTCR_EL2_TG0_4K);
    assert_int_equal(16, VTCR_EL2_PS_SHIFT);
    assert_int_equal(0x7ULL, VTCR_EL2_PS_MASK >> VTCR_EL2_PS_SHIFT);
    assert_int_equal(0x0000fffffffffffeULL, VTTBR_EL2_BADDR_MASK);
    assert_int_equal(48, VTTBR_EL2_VMID_SHIFT);
    assert_int_equal(HPFAR_BITS, HPFAR_EL2_FIPA | HPFAR_EL2_NS);

    static const struct { unsigned hand, gen; } shifts[] = {
        { 8, ID_AA64MMFR1_EL1_VH_SHIFT },        { 24, ID_AA64MMFR4_EL1_E2H0_SHIFT },
        { 24, ID_AA64MMFR2_EL1_NV_SHIFT },       { 60, ID_AA64MMFR0_EL1_ECV_SHIFT },
        { 56, ID_AA64MMFR0_EL1_FGT_SHIFT },      { 4, ID_AA64MMFR1_EL1_VMIDBits_SHIFT },
        { 0, ID_AA64MMFR0_EL1_PARange_SHIFT },   { 24, ID_AA64PFR0_EL1_GIC_SHIFT },
        { 32, ID_AA64PFR0_EL1_SVE_SHIFT },       { 44, ID_AA64PFR0_EL1_AMU_SHIFT },
        { 24, ID_AA64PFR1_EL1_SME_SHIFT },       { 8, ID_AA64PFR1_EL1_MTE_SHIFT },
        { 4, ID_AA64PFR1_EL1_SSBS_SHIFT },       { 20, ID_AA64MMFR1_EL1_PAN_SHIFT },
        { 4, ID_AA64ISAR1_EL1_APA_SHIFT },       { 8, ID_AA64ISAR1_EL1_API_SHIFT },
        { 24, ID_AA64ISAR1_EL1_GPA_SHIFT },      { 28, ID_AA64ISAR1_EL1_GPI_SHIFT },
        { 40, ID_AA64MMFR1_EL1_HCX_SHIFT },      { 16, ID_AA64ISAR2_EL1_MOPS_SHIFT },
        { 8, ID_AA64DFR0_EL1_PMUVer_SHIFT },
    };

    for (unsigned i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++)
        assert_int_equal(shifts[i].hand, shifts[i].gen);
    assert_int_equal(ID_AA64MMFR1_EL1_VMIDBits_16, 2);     /* "== 2 ? 16 : 8" */
    assert_int_equal(ID_AA64MMFR0_EL1_ECV_CNTPOFF, 2);      /* cpu_features.h ECV_CNTPOFF */
    assert_int_equal(ID_AA64MMFR2_EL1_NV_NV2, 2);          /* nested.c FEAT_NV2 */
    assert_int_equal(ID_AA64MMFR4_EL1_E2H0_NI, 0xf);       /* -1: E2H RES1 */

    /* trap/id_regs.c's vEL2 fields as it had them: PFR0_EL2_SHIFT 8 and
     * EL_AARCH64_ONLY 1, MMFR0_TGRAN{4,64,16}_2_SHIFT 40, 36, 32 with
     * TGRAN_2_4K 2 and TGRAN_2_NONE 1, ECV_NO_CNTPOFF 1, VH_IMPLEMENTED 1,
     * E2H0_NI_NV1 0xe. */
    assert_int_equal(ID_AA64PFR0_EL1_EL2_SHIFT, 8);
    assert_int_equal(ID_AA64PFR0_EL1_EL2_IMP, 1);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran4_2_SHIFT, 40);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran64_2_SHIFT, 36);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran16_2_SHIFT, 32);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran4_2_IMP, 2);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran64_2_NI, 1);
    assert_int_equal(ID_AA64MMFR0_EL1_TGran16_2_NI, 1);
    assert_int_equal(ID_AA64MMFR0_EL1_ECV_IMP, 1);
    assert_int_equal(ID_AA64MMFR1_EL1_VH_IMP, 1);
    assert_int_equal(ID_AA64MMFR4_EL1_E2H0_NI_NV1, 0xe);
}

/* ---- LLVM's register table: an independent source for every name ---- */

static void test_llvm_names(void **state)
{
    char in[] = "/tmp/sysreg_db_llvm_XXXXXX", cmd[512], line[512];
    unsigned checked = 0;
    bool seen[NR_DB] = { false };
    int fd = mkstemp(in);
    FILE *f, *p;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    /* Read-only and write-only registers take one form each; llvm-mc
     * reports the other as an error and goes on. */
    for (unsigned i = 0; i < NR_DB; i++)
        fprintf(f, "mrs x0, %s\nmsr %s, x0\n", db[i].name, db[i].name);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "%s -triple=aarch64 -mattr=+v9.2a,+sme -show-encoding %s 2>/dev/null",
             SYSREG_LLVM_MC, in);
    p = popen(cmd, "r");
    assert_non_null(p);
    /* "\tmrs\tx0, HCR_EL2   // encoding: [0x00,0x11,0x3c,0xd5]", msr the other way round. */
    while (fgets(line, sizeof(line), p)) {
        char op[8], a[64], b[64], *enc = strstr(line, "encoding: [");
        unsigned byte[4];

        if (!enc || sscanf(line, " %7s %63[^,], %63[^ \t/]", op, a, b) != 3 ||
            sscanf(enc, "encoding: [0x%x,0x%x,0x%x,0x%x]", &byte[0], &byte[1], &byte[2], &byte[3]) != 4)
            continue;
        const char *name = strcmp(op, "mrs") == 0 ? b : a;
        uint32_t insn = byte[0] | byte[1] << 8 | byte[2] << 16 | (uint32_t)byte[3] << 24;
        for (unsigned i = 0; i < NR_DB; i++) {
            if (strcasecmp(db[i].name, name) != 0)
                continue;
            if (((insn >> 5) & 0xffff) != db[i].key)
                fail_msg("%s: LLVM encodes 0x%x, database 0x%x", db[i].name, (insn >> 5) & 0xffff,
                         db[i].key);
            checked += !seen[i];
            seen[i] = true;
        }
    }
    int status = pclose(p);
    unlink(in);
    if (checked == 0 && status != 0)
        skip();     /* no llvm-mc on this host */
    for (unsigned i = 0; i < NR_DB; i++)
        if (!seen[i])
            printf("[   INFO   ] LLVM does not name %s\n", db[i].name);
    /* LLVM 14 knows all but the newest ID registers; fewer would mean this
     * check stopped checking. */
    assert_true(checked >= NR_DB - 5);
}

/* ---- The generator: good input, and broken input naming file and line ---- */

static char tmpdir[] = "/tmp/sysreg_db_XXXXXX";

static int gen(const char *db_text, char *out, size_t out_len, char *err, size_t err_len)
{
    char path[128], cmd[512];
    FILE *f;
    int status;
    size_t n;

    snprintf(path, sizeof(path), "%s/broken.db", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(db_text, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "cd %s && %s -f %s broken.db > out.h 2> err.txt", tmpdir, SYSREG_AWK,
             SYSREG_GEN_AWK);
    status = system(cmd);
    snprintf(path, sizeof(path), "%s/out.h", tmpdir);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(out, 1, out_len - 1, f);
    out[n] = '\0';
    fclose(f);
    snprintf(path, sizeof(path), "%s/err.txt", tmpdir);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(err, 1, err_len - 1, f);
    err[n] = '\0';
    fclose(f);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* "#define <name> <value>" in the output, whatever the padding. */
static bool has_define(const char *out, const char *name, const char *value)
{
    char want[128];

    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char n[64], v[64];

        if (sscanf(l, "#define %63s %63s", n, v) == 2 && strcmp(n, name) == 0)
            return strcmp(v, value) == 0;
    }
    snprintf(want, sizeof(want), "%s %s", name, value);
    print_message("no #define %s\n", want);
    return false;
}

static void test_generator_output(void **state)
{
    static char out[8192], err[1024];
    int rc = gen("# a comment\n"
                 "Sysreg\tTEST_EL2\t3\t4\t1\t1\t0\n"
                 "Res0\t63:32\n"
                 "Field\t31:27\tCOUNT\n"
                 "Enum\t1:0\tMODE\n"
                 "\t0b10\tTWO\n"
                 "EndEnum\n"
                 "Vncr\t0x4c0\n"
                 "EndSysreg\n",
                 out, sizeof(out), err, sizeof(err));

    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    assert_true(has_define(out, "SYS_TEST_EL2", "0xe088u"));
    assert_true(has_define(out, "SYS_TEST_EL2_S", "S3_4_C1_C1_0"));
    assert_true(has_define(out, "TEST_EL2_COUNT_MASK", "0x00000000f8000000ULL"));
    assert_true(has_define(out, "TEST_EL2_COUNT_SHIFT", "27"));
    assert_true(has_define(out, "TEST_EL2_MODE_TWO", "0x2ULL"));
    assert_true(has_define(out, "TEST_EL2_RES0", "0xffffffff00000000ULL"));
    assert_true(has_define(out, "VNCR_TEST_EL2", "0x4C0u"));
    assert_non_null(strstr(out, "X(TEST_EL2, 0xe088u, \"S3_4_C1_C1_0\", 0x4C0u)"));
}

static void test_generator_errors(void **state)
{
    static const struct { const char *text, *where, *what; } cases[] = {
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nEndSysreg\nSysreg\tB_EL2\t3\t4\t1\t1\n",
          "broken.db:3: ", "expected 'Sysreg <name>" },
        { "Sysreg\tA_EL2\t3\t9\t1\t1\t0\n", "broken.db:1: ", "op1 must be" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nField\t7:4\tX\nField\t5\tY\nEndSysreg\n",
          "broken.db:3: ", "overlap" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nEndSysreg\nSysreg\tB_EL2\t3\t4\t1\t1\t0\n",
          "broken.db:3: ", "has the encoding of A_EL2" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nFeild\t3\tX\nEndSysreg\n", "broken.db:2: ", "unknown line" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nVncr\t0x4c4\nEndSysreg\n", "broken.db:2: ", "multiple of 8" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nEnum\t3:0\tX\n\t0b1\tONE\nEndEnum\nEndSysreg\n",
          "broken.db:3: ", "does not have the field's 4 bits" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nField\t3\tX\n", "broken.db:2: ", "end of file inside Sysreg" },
        { "Sysreg\tA_EL2\t3\t4\t1\t1\t0\nFields\tNOPE\nEndSysreg\n", "broken.db:2: ", "no SysregFields" },
    };
    static char out[8192], err[1024];

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = gen(cases[i].text, out, sizeof(out), err, sizeof(err));

        if (rc != 1 || strncmp(err, cases[i].where, strlen(cases[i].where)) != 0 ||
            !strstr(err, cases[i].what) || out[0] != '\0')
            fail_msg("case %u: exit %d, stderr '%s', %zu bytes of output", i, rc, err, strlen(out));
    }
}

static int make_tmpdir(void **state)
{
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_db_consistent),
        cmocka_unit_test(test_trap_table_keys),
        cmocka_unit_test(test_id_reg_keys),
        cmocka_unit_test(test_s3_names),
        cmocka_unit_test(test_vncr_offsets),
        cmocka_unit_test(test_fields_sysreg_h),
        cmocka_unit_test(test_fields_vgic_h),
        cmocka_unit_test(test_fields_nested_and_features),
        cmocka_unit_test(test_llvm_names),
        cmocka_unit_test(test_generator_output),
        cmocka_unit_test(test_generator_errors),
    };

    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
