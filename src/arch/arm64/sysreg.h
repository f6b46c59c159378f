/* System-register accessors and the named fields elvisor uses. Field
 * positions are from the Arm ARM (DDI 0487). */
#ifndef ELVISOR_ARCH_SYSREG_H
#define ELVISOR_ARCH_SYSREG_H

#include <stdint.h>

/* Encodings, fields, RES0/RES1 masks and VNCR offsets of the registers in
 * src/arch/arm64/sysreg.db (docs/sysreg.md). */
#include "arch/arm64/sysreg-defs.h"

#define BIT(n)          (1ULL << (n))
#define GENMASK(h, l)   ((~0ULL >> (63 - (h))) & (~0ULL << (l)))
#define FIELD_GET(v, shift, width) (((v) >> (shift)) & ((1ULL << (width)) - 1))

#ifndef ELVISOR_HOST_TEST
/* Registers named by their architectural encoding work with any assembler. */
/* Two steps so that a macro naming an encoding is expanded before use. */
#define SYSREG_STR_(x) #x
#define SYSREG_STR(x) SYSREG_STR_(x)
#define read_sysreg(reg) ({ uint64_t __v; __asm__ volatile("mrs %0, " SYSREG_STR(reg) : "=r"(__v)); __v; })
#define write_sysreg(reg, v) __asm__ volatile("msr " SYSREG_STR(reg) ", %0" : : "rZ"((uint64_t)(v)))
/* A database register by its SYS_<reg> key: the paste reaches the generated
 * SYS_<reg>_S encoding, so the argument must be a SYS_ name as written. */
#define read_sysreg_s(sys) read_sysreg(sys##_S)
#define write_sysreg_s(sys, v) write_sysreg(sys##_S, v)
#define isb()   __asm__ volatile("isb" ::: "memory")
#define dsb(o)  __asm__ volatile("dsb " #o ::: "memory")
#define wfi()   __asm__ volatile("wfi" ::: "memory")
#define sev()   __asm__ volatile("sev" ::: "memory")
/* TLB maintenance and address translation by their instruction operands. */
#define tlbi(op)        __asm__ volatile("tlbi " #op ::: "memory")
#define dc_cvac(va)     __asm__ volatile("dc cvac, %0" :: "r"(va) : "memory")
#define sys_at(crm, op2, va) __asm__ volatile("sys #0, c7, c" #crm ", #" #op2 ", %0" :: "r"(va))
#elif defined(ELVISOR_FAKE_ARCH)
/* Host tests of the glue: the same names reach a register file in memory
 * and a log of barriers and maintenance (src/arch/fake, docs/architecture.md). */
#include "arch/fake/sysreg.h"
#endif

/* A field's value in place: SYSREG_ENUM(TCR_EL1_TG0, 4K) for a named value
 * of the database, SYSREG_FIELD(TCR_EL1_T0SZ, n) for a number. */
#define SYSREG_ENUM(field, val)     (field##_##val << field##_SHIFT)
#define SYSREG_FIELD(field, v)      (((uint64_t)(v) << field##_SHIFT) & field##_MASK)

/* Composites of the database's fields. The "RES1" shapes also set the
 * fields that read as 1 without a feature (SCTLR's EIS, EOS, TSCXT, SPAN,
 * nTLSMD, LSMAOE; CPTR_EL2's TSM): the Armv8.0 reset shape. */
#define SCTLR_EL2_RES1_NVHE (SCTLR_EL2_RES1 | SCTLR_EL2_EIS | SCTLR_EL2_EOS)
#define SCTLR_EL2_RES1_VHE  (SCTLR_EL1_LSMAOE | SCTLR_EL1_nTLSMD | SCTLR_EL1_SPAN | SCTLR_EL1_EIS | \
                             SCTLR_EL1_TSCXT | SCTLR_EL1_EOS)
/* A guest starts with the MMU off and SCTLR_EL1 at its architectural reset shape. */
#define SCTLR_EL1_RESET     SCTLR_EL2_RES1_VHE
#define CPTR_EL2_RES1_NVHE  (CPTR_EL2_RES1 | CPTR_EL2_TSM)
#define MPIDR_AFF_MASK      (MPIDR_EL1_Aff3 | MPIDR_EL1_Aff2 | MPIDR_EL1_Aff1 | MPIDR_EL1_Aff0)

/* MAIR attribute indices used in elvisor's own stage-1 tables. */
#define MAIR_IDX_DEVICE     0
#define MAIR_IDX_NORMAL     1
#define MAIR_VALUE          ((0x00ULL << (8 * MAIR_IDX_DEVICE)) | (0xffULL << (8 * MAIR_IDX_NORMAL)))

/* SPSR / PSTATE */
#define PSR_MODE_EL0t       0x0
#define PSR_MODE_EL1t       0x4
#define PSR_MODE_EL1h       0x5
#define PSR_MODE_EL2t       0x8
#define PSR_MODE_EL2h       0x9
#define PSR_MODE_MASK       0xf
#define PSR_F               BIT(6)
#define PSR_I               BIT(7)
#define PSR_A               BIT(8)
#define PSR_D               BIT(9)
#define PSR_DAIF            (PSR_D | PSR_A | PSR_I | PSR_F)
#define PSR_IL              BIT(20)
#define PSR_SS              BIT(21)
#define PSR_MODE32          BIT(4)
#define PSR_BTYPE_MASK      (3ULL << 10)
#define PSR_SSBS            BIT(12)
#define PSR_PAN             BIT(22)
#define PSR_UAO             BIT(23)
#define PSR_DIT             BIT(24)
#define PSR_TCO             BIT(25)
#define PSR_NZCV            (0xfULL << 28)
#define PSR_N               BIT(31)

/* Breakpoints and watchpoints beyond 16 (FEAT_Debugv8p9) sit in banks
 * behind MDSELR_EL1. */
#define DBG_MAX_POINTS          16

#define GIC_INTID_SPURIOUS  1023
#define GIC_INTID_SPECIAL   1020        /* 1020-1023: not interrupts */


#endif
