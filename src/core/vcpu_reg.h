/* The vCPU register file: every system-register value elvisor keeps for a
 * vCPU under one name, and one table saying where each value lives in each
 * context (KVM's enum vcpu_sysreg and locate_register() are the model).
 *
 * A value lives in one of three places:
 * - a hardware EL1 register while the vCPU is loaded, and that register's
 *   cell of the EL1 file (the first EL1_NR_REGS cells, el1_regs.h's order)
 *   while it is not: vcpu_put/vcpu_load move the whole file;
 * - a cell of its own in struct vcpu's sysreg[];
 * - a slot of the VNCR page (nested virtualization, FEAT_NV2); the
 *   registers that live only there (VCPU_VNCR_ONLY) come after the cells.
 *
 * Which one depends on the context: a plain EL1 guest has only the EL1
 * file. A guest hypervisor's vCPU in hyp context (vEL2) holds its own EL2
 * registers of EL1 layout in the hardware EL1 registers and keeps its
 * guest's EL1 registers in its VNCR page; in nested context (its guest
 * runs) the hardware holds the guest's, and the hyp context's values wait
 * in cells (nested/ctx.c moves them). A non-VHE guest hypervisor (nvhe)
 * differs in one register: the hardware CNTKCTL_EL1 is its guest's in both
 * contexts.
 *
 * Names: VREG_<reg> from the register database (sysreg.db). A nested
 * vCPU's VREG_<reg>_EL1 is its guest's register (what the guest hypervisor
 * reaches as <reg>_EL12); VREG_HYP_<reg>_EL1 is the value the hardware
 * <reg>_EL1 has in hyp context (the guest hypervisor's <reg>_EL2, or its
 * own SP/MDSCR); VREG_<reg>_EL2 holds the bits of a trapped EL2 register
 * its hardware home does not hold (nested/el2_regs.c). */
#ifndef ELVISOR_CORE_VCPU_REG_H
#define ELVISOR_CORE_VCPU_REG_H

#include <stdint.h>

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/sysreg-defs.h"

/* The EL1 registers the hyp <-> nested switch moves, each with a VNCR slot:
 * the register and the CRn, CRm, op2 of its encoding (op1 = 0: its EL1
 * name; op1 = 5: the _EL12 alias elvisor uses under VHE). The order is the
 * switch's. */
#define VCPU_SWITCHED_ALIASED(X)                                                            \
    X(SCTLR_EL1, 1, 0, 0) X(CPACR_EL1, 1, 0, 2) X(TTBR0_EL1, 2, 0, 0) X(TTBR1_EL1, 2, 0, 1) \
    X(TCR_EL1, 2, 0, 2) X(ESR_EL1, 5, 2, 0) X(AFSR0_EL1, 5, 1, 0) X(AFSR1_EL1, 5, 1, 1)     \
    X(FAR_EL1, 6, 0, 0) X(MAIR_EL1, 10, 2, 0) X(AMAIR_EL1, 10, 3, 0) X(VBAR_EL1, 12, 0, 0)  \
    X(CONTEXTIDR_EL1, 13, 0, 1) X(ELR_EL1, 4, 0, 1) X(SPSR_EL1, 4, 0, 0)
/* Switched too, reached by one name at EL2 with and without VHE. */
#define VCPU_SWITCHED_DIRECT(X) X(SP_EL1, sp_el1) X(MDSCR_EL1, mdscr_el1)
/* The EL1 registers both contexts share: the switch leaves them. */
#define VCPU_SHARED_EL1(X) X(SP_EL0) X(TPIDR_EL0) X(TPIDRRO_EL0) X(TPIDR_EL1) X(PAR_EL1) X(CSSELR_EL1)
/* The guest hypervisor's EL2 registers that trap under NV2 (no VNCR slot):
 * the bits their hardware home in hyp context lacks, or, in their E2H = 0
 * layout, the whole value (nested/el2_regs.c). */
#define VCPU_EL2_KEPT(X)                                                                    \
    X(SCTLR_EL2) X(TTBR0_EL2) X(TTBR1_EL2) X(TCR_EL2) X(MAIR_EL2) X(AMAIR_EL2) X(VBAR_EL2)  \
    X(CONTEXTIDR_EL2) X(AFSR0_EL2) X(AFSR1_EL2) X(CPTR_EL2) X(CNTHCTL_EL2) X(MDCR_EL2)      \
    X(HPFAR_EL2)
/* The registers whose only home is the VNCR page in every nested context
 * (KVM's VNCR() rows): the guest hypervisor's EL2 registers that NV2
 * redirects to memory, and its guest's EL1 timers (its CNTP/CNTV_*_EL02,
 * by their EL0 names as VNCR_<reg> spells them). A plain guest has none
 * (its EL1 timers are v->timers, vdev/vtimer.h). The LRs and the active
 * priorities in their slots' order, so that r + i is the i-th. */
#define VCPU_VNCR_ONLY(X)                                                                   \
    X(HCR_EL2) X(VTTBR_EL2) X(VTCR_EL2) X(VPIDR_EL2) X(VMPIDR_EL2) X(CNTVOFF_EL2)           \
    X(VSESR_EL2) X(CNTP_CTL_EL0) X(CNTP_CVAL_EL0) X(CNTV_CTL_EL0) X(CNTV_CVAL_EL0)          \
    X(ICH_HCR_EL2) X(ICH_VMCR_EL2)                                                          \
    X(ICH_AP0R0_EL2) X(ICH_AP0R1_EL2) X(ICH_AP0R2_EL2) X(ICH_AP0R3_EL2)                     \
    X(ICH_AP1R0_EL2) X(ICH_AP1R1_EL2) X(ICH_AP1R2_EL2) X(ICH_AP1R3_EL2)                     \
    X(ICH_LR0_EL2) X(ICH_LR1_EL2) X(ICH_LR2_EL2) X(ICH_LR3_EL2) X(ICH_LR4_EL2)              \
    X(ICH_LR5_EL2) X(ICH_LR6_EL2) X(ICH_LR7_EL2) X(ICH_LR8_EL2) X(ICH_LR9_EL2)              \
    X(ICH_LR10_EL2) X(ICH_LR11_EL2) X(ICH_LR12_EL2) X(ICH_LR13_EL2) X(ICH_LR14_EL2)         \
    X(ICH_LR15_EL2)

#define VCPU_REG_HYP_(r, ...) VREG_HYP_##r,
#define VCPU_REG_(r) VREG_##r,
enum vcpu_reg {
    /* The EL1 file, in enum el1_reg's order (checked below). */
    VREG_SCTLR_EL1, VREG_CPACR_EL1, VREG_TTBR0_EL1, VREG_TTBR1_EL1, VREG_TCR_EL1, VREG_ESR_EL1,
    VREG_AFSR0_EL1, VREG_AFSR1_EL1, VREG_FAR_EL1, VREG_MAIR_EL1, VREG_AMAIR_EL1, VREG_VBAR_EL1,
    VREG_CONTEXTIDR_EL1, VREG_CNTKCTL_EL1, VREG_ELR_EL1, VREG_SPSR_EL1, VREG_SP_EL1, VREG_SP_EL0,
    VREG_TPIDR_EL0, VREG_TPIDRRO_EL0, VREG_TPIDR_EL1, VREG_PAR_EL1, VREG_CSSELR_EL1, VREG_MDSCR_EL1,
    /* The hyp context's hardware EL1 values (cells in nested context). */
    VCPU_SWITCHED_ALIASED(VCPU_REG_HYP_) VCPU_SWITCHED_DIRECT(VCPU_REG_HYP_)
    VREG_HYP_CNTKCTL_EL1,
    /* Its guest's CNTKCTL_EL1 as the guest hypervisor names it: no VNCR
     * slot, a cell in hyp context. */
    VREG_CNTKCTL_EL12,
    VCPU_EL2_KEPT(VCPU_REG_)
    VCPU_NR_CELLS,      /* the size of struct vcpu's sysreg[]: the rows below have no cell */
    VCPU_VNCR_ONLY_FIRST_ = VCPU_NR_CELLS - 1,
    VCPU_VNCR_ONLY(VCPU_REG_)
    VCPU_NR_REGS
};
#undef VCPU_REG_HYP_
#undef VCPU_REG_

#define VCPU_EL1_FILE_(r, el1) _Static_assert((int)VREG_##r == (int)el1, "EL1 file order");
VCPU_EL1_FILE_(SCTLR_EL1, EL1_SCTLR) VCPU_EL1_FILE_(CPACR_EL1, EL1_CPACR)
VCPU_EL1_FILE_(TTBR0_EL1, EL1_TTBR0) VCPU_EL1_FILE_(TTBR1_EL1, EL1_TTBR1) VCPU_EL1_FILE_(TCR_EL1, EL1_TCR)
VCPU_EL1_FILE_(ESR_EL1, EL1_ESR) VCPU_EL1_FILE_(AFSR0_EL1, EL1_AFSR0) VCPU_EL1_FILE_(AFSR1_EL1, EL1_AFSR1)
VCPU_EL1_FILE_(FAR_EL1, EL1_FAR) VCPU_EL1_FILE_(MAIR_EL1, EL1_MAIR) VCPU_EL1_FILE_(AMAIR_EL1, EL1_AMAIR)
VCPU_EL1_FILE_(VBAR_EL1, EL1_VBAR) VCPU_EL1_FILE_(CONTEXTIDR_EL1, EL1_CONTEXTIDR)
VCPU_EL1_FILE_(CNTKCTL_EL1, EL1_CNTKCTL) VCPU_EL1_FILE_(ELR_EL1, EL1_ELR) VCPU_EL1_FILE_(SPSR_EL1, EL1_SPSR)
VCPU_EL1_FILE_(SP_EL1, EL1_SP_EL1) VCPU_EL1_FILE_(SP_EL0, EL1_SP_EL0) VCPU_EL1_FILE_(TPIDR_EL0, EL1_TPIDR_EL0)
VCPU_EL1_FILE_(TPIDRRO_EL0, EL1_TPIDRRO_EL0) VCPU_EL1_FILE_(TPIDR_EL1, EL1_TPIDR_EL1)
VCPU_EL1_FILE_(PAR_EL1, EL1_PAR) VCPU_EL1_FILE_(CSSELR_EL1, EL1_CSSELR) VCPU_EL1_FILE_(MDSCR_EL1, EL1_MDSCR)
_Static_assert((int)VREG_MDSCR_EL1 + 1 == (int)EL1_NR_REGS, "EL1 file size");
#undef VCPU_EL1_FILE_

/* The context a vCPU's registers are located by (struct vcpu's reg_ctx). */
enum vcpu_ctx {
    VCPU_CTX_PLAIN,         /* an EL1 guest */
    VCPU_CTX_HYP,           /* a guest hypervisor in vEL2 */
    VCPU_CTX_NESTED,        /* its guest running */
    VCPU_CTX_HYP_NVHE,      /* the same two for a non-VHE guest hypervisor */
    VCPU_CTX_NESTED_NVHE,
    VCPU_CTX_NR
};
/* The hyp contexts are the odd ones (vcpu_ctx_is_hyp(): one test of the
 * context a nested vCPU's code asks about most). */
_Static_assert(VCPU_CTX_HYP % 2 == 1 && VCPU_CTX_HYP_NVHE % 2 == 1 && VCPU_CTX_PLAIN % 2 == 0 &&
               VCPU_CTX_NESTED % 2 == 0 && VCPU_CTX_NESTED_NVHE % 2 == 0, "hyp contexts are odd");

enum vcpu_loc_kind {
    VCPU_LOC_NONE,          /* no such register in this context */
    VCPU_LOC_EL1,           /* hardware EL1 register `at` while loaded, else cell `at` */
    VCPU_LOC_CELL,          /* cell `at` of sysreg[] */
    VCPU_LOC_VNCR,          /* byte offset `at` of the VNCR page */
};

struct vcpu_loc {
    uint16_t kind, at;
};

#define VLOC_EL1(r)     { VCPU_LOC_EL1, VREG_##r }
#define VLOC_CELL(r)    { VCPU_LOC_CELL, VREG_##r }
#define VLOC_VNCR(r)    { VCPU_LOC_VNCR, VNCR_##r }
/* A switched register and its hyp-context value. */
#define VLOC_SWITCHED_(r, ...)                                                                      \
    [VREG_##r] = { [VCPU_CTX_PLAIN] = VLOC_EL1(r), [VCPU_CTX_HYP] = VLOC_VNCR(r),                    \
                   [VCPU_CTX_NESTED] = VLOC_EL1(r), [VCPU_CTX_HYP_NVHE] = VLOC_VNCR(r),              \
                   [VCPU_CTX_NESTED_NVHE] = VLOC_EL1(r) },                                           \
    [VREG_HYP_##r] = { [VCPU_CTX_HYP] = VLOC_EL1(r), [VCPU_CTX_NESTED] = VLOC_CELL(HYP_##r),          \
                       [VCPU_CTX_HYP_NVHE] = VLOC_EL1(r), [VCPU_CTX_NESTED_NVHE] = VLOC_CELL(HYP_##r) },
#define VLOC_SHARED_(r)                                                                             \
    [VREG_##r] = { [VCPU_CTX_PLAIN] = VLOC_EL1(r), [VCPU_CTX_HYP] = VLOC_EL1(r),                     \
                   [VCPU_CTX_NESTED] = VLOC_EL1(r), [VCPU_CTX_HYP_NVHE] = VLOC_EL1(r),               \
                   [VCPU_CTX_NESTED_NVHE] = VLOC_EL1(r) },
#define VLOC_VNCR_ONLY_(r)                                                                          \
    [VREG_##r] = { [VCPU_CTX_HYP] = VLOC_VNCR(r), [VCPU_CTX_NESTED] = VLOC_VNCR(r),                  \
                   [VCPU_CTX_HYP_NVHE] = VLOC_VNCR(r), [VCPU_CTX_NESTED_NVHE] = VLOC_VNCR(r) },
#define VLOC_KEPT_(r)                                                                               \
    [VREG_##r] = { [VCPU_CTX_HYP] = VLOC_CELL(r), [VCPU_CTX_NESTED] = VLOC_CELL(r),                  \
                   [VCPU_CTX_HYP_NVHE] = VLOC_CELL(r), [VCPU_CTX_NESTED_NVHE] = VLOC_CELL(r) },

/* Where each register lives, by context. In a header so that a caller
 * naming a constant register and context (nested/ctx.c's switch) compiles
 * to the one load or store. */
static const struct vcpu_loc vcpu_reg_loc[VCPU_NR_REGS][VCPU_CTX_NR] = {
    VCPU_SWITCHED_ALIASED(VLOC_SWITCHED_)
    VCPU_SWITCHED_DIRECT(VLOC_SWITCHED_)
    VCPU_SHARED_EL1(VLOC_SHARED_)
    /* CNTKCTL_EL1 has no VNCR slot; a non-VHE guest hypervisor reaches the
     * hardware one by that name (NV1 does not trap it), meaning its
     * guest's, so that both of its contexts hold its guest's there. */
    [VREG_CNTKCTL_EL1] = { [VCPU_CTX_PLAIN] = VLOC_EL1(CNTKCTL_EL1), [VCPU_CTX_HYP] = VLOC_CELL(CNTKCTL_EL12),
                           [VCPU_CTX_NESTED] = VLOC_EL1(CNTKCTL_EL1),
                           [VCPU_CTX_HYP_NVHE] = VLOC_EL1(CNTKCTL_EL1),
                           [VCPU_CTX_NESTED_NVHE] = VLOC_EL1(CNTKCTL_EL1) },
    [VREG_CNTKCTL_EL12] = { [VCPU_CTX_HYP] = VLOC_CELL(CNTKCTL_EL12), [VCPU_CTX_NESTED] = VLOC_EL1(CNTKCTL_EL1) },
    [VREG_HYP_CNTKCTL_EL1] = { [VCPU_CTX_HYP] = VLOC_EL1(CNTKCTL_EL1),
                               [VCPU_CTX_NESTED] = VLOC_CELL(HYP_CNTKCTL_EL1) },
    VCPU_EL2_KEPT(VLOC_KEPT_)
    VCPU_VNCR_ONLY(VLOC_VNCR_ONLY_)
};
#undef VLOC_SWITCHED_
#undef VLOC_SHARED_
#undef VLOC_KEPT_
#undef VLOC_VNCR_ONLY_

#endif
