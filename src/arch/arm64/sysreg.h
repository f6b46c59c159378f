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
#define sys_at(crm, op2, va) __asm__ volatile("sys #0, c7, c" #crm ", #" #op2 ", %0" :: "r"(va))
#elif defined(ELVISOR_FAKE_ARCH)
/* Host tests of the glue: the same names reach a register file in memory
 * and a log of barriers and maintenance (src/arch/fake, docs/architecture.md). */
#include "arch/fake/sysreg.h"
#endif

/* HCR_EL2 */
#define HCR_VM      BIT(0)
#define HCR_SWIO    BIT(1)
#define HCR_PTW     BIT(2)
#define HCR_FMO     BIT(3)
#define HCR_IMO     BIT(4)
#define HCR_AMO     BIT(5)
#define HCR_VF      BIT(6)
#define HCR_VI      BIT(7)
#define HCR_VSE     BIT(8)
#define HCR_FB      BIT(9)
#define HCR_BSU_IS  (1ULL << 10)
#define HCR_BSU_MASK (3ULL << 10)
#define HCR_DC      BIT(12)
#define HCR_TWI     BIT(13)
#define HCR_TWE     BIT(14)
#define HCR_TID0    BIT(15)
#define HCR_TID1    BIT(16)
#define HCR_TID2    BIT(17)
#define HCR_TID3    BIT(18)
#define HCR_TSC     BIT(19)
#define HCR_TIDCP   BIT(20)
#define HCR_TACR    BIT(21)
#define HCR_TSW     BIT(22)
#define HCR_TPCP    BIT(23)
#define HCR_TPU     BIT(24)
#define HCR_TTLB    BIT(25)
#define HCR_TVM     BIT(26)
#define HCR_TGE     BIT(27)
#define HCR_TDZ     BIT(28)
#define HCR_HCD     BIT(29)
#define HCR_TRVM    BIT(30)
#define HCR_RW      BIT(31)
#define HCR_CD      BIT(32)
#define HCR_ID      BIT(33)
#define HCR_E2H     BIT(34)
#define HCR_TLOR    BIT(35)
#define HCR_TERR    BIT(36)
#define HCR_TEA     BIT(37)
#define HCR_APK     BIT(40)
#define HCR_API     BIT(41)
#define HCR_NV      BIT(42)
#define HCR_NV1     BIT(43)
#define HCR_AT      BIT(44)
#define HCR_NV2     BIT(45)
#define HCR_FWB     BIT(46)
#define HCR_ATA     BIT(56)     /* FEAT_MTE2: allocation tag access */

/* HCRX_EL2 (FEAT_HCX) */
#define HCRX_MCE2   BIT(10)     /* MOPS exceptions from EL1 and EL0 go to EL2 */
#define HCRX_MSCEN  BIT(11)     /* CPY* and SET* enabled at EL1 and EL0 */

/* SCTLR_ELx */
#define SCTLR_M     BIT(0)
#define SCTLR_A     BIT(1)
#define SCTLR_C     BIT(2)
#define SCTLR_SA    BIT(3)
#define SCTLR_I     BIT(12)
#define SCTLR_WXN   BIT(19)
#define SCTLR_SPAN  BIT(23)
#define SCTLR_EE    BIT(25)
#define SCTLR_DSSBS BIT(44)
/* RES1 bits of SCTLR_EL2 when E2H=0, and of the EL1-layout SCTLR_EL2 when E2H=1. */
#define SCTLR_EL2_RES1_NVHE (BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
#define SCTLR_EL2_RES1_VHE  (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
/* A guest starts with the MMU off and SCTLR_EL1 at its architectural reset shape. */
#define SCTLR_EL1_RESET     (BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))

/* TCR_EL2 (nVHE layout) and TCR_EL1 layout (used by TCR_EL2 when E2H=1) */
#define TCR_T0SZ(n)         ((uint64_t)(n) & 0x3f)
#define TCR_IRGN0_WBWA      (1ULL << 8)
#define TCR_ORGN0_WBWA      (1ULL << 10)
#define TCR_SH0_INNER       (3ULL << 12)
#define TCR_TG0_4K          (0ULL << 14)
/* TCR_EL2_PS_SHIFT and TCR_EL2_RES1 come from the database. */
#define TCR_EPD1            BIT(23)
#define TCR_IPS_SHIFT       32

/* VTCR_EL2 */
#define VTCR_T0SZ(n)        ((uint64_t)(n) & 0x3f)
#define VTCR_SL0_SHIFT      6
#define VTCR_IRGN0_WBWA     (1ULL << 8)
#define VTCR_ORGN0_WBWA     (1ULL << 10)
#define VTCR_SH0_INNER      (3ULL << 12)
#define VTCR_TG0_4K         (0ULL << 14)
#define VTCR_PS_SHIFT       16
#define VTCR_VS_16BIT       BIT(19)
#define VTCR_RES1           BIT(31)
#define VTTBR_VMID_SHIFT    48

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

/* CNTHCTL_EL2: the E2H=0 bit positions and the E2H=1 ones differ for the
 * trap controls (bits 0, 1, 10, 11); ECV is bit 12 in both layouts. */
#define CNTHCTL_EL1PCTEN_NVHE   BIT(0)
#define CNTHCTL_EL1PCEN_NVHE    BIT(1)
#define CNTHCTL_EL0PCTEN_VHE    BIT(0)
#define CNTHCTL_EL0VCTEN_VHE    BIT(1)
#define CNTHCTL_EL1PCTEN_VHE    BIT(10)
#define CNTHCTL_EL1PCEN_VHE     BIT(11)     /* the Arm ARM's EL1PTEN */
#define CNTHCTL_ECV             BIT(12)     /* FEAT_ECV: CNTPOFF_EL2 applies at EL1/EL0 */
#define CNTHCTL_EL1TVT          BIT(13)     /* FEAT_ECV: EL1 virtual timer accesses trap */
#define CNTHCTL_EL1TVCT         BIT(14)     /* FEAT_ECV: EL1 virtual counter reads trap */

/* CNT*_CTL */
#define CNT_CTL_ENABLE      BIT(0)
#define CNT_CTL_IMASK       BIT(1)
#define CNT_CTL_ISTATUS     BIT(2)

/* CPTR_EL2 (nVHE layout) / CPACR layout under VHE */
#define CPTR_EL2_RES1_NVHE  (GENMASK(7, 0) | BIT(9) | GENMASK(13, 12))
#define CPACR_FPEN_NOTRAP   (3ULL << 20)
#define CPACR_ZEN_NOTRAP    (3ULL << 16)

/* MDCR_EL2 */
#define MDCR_TPMCR          BIT(5)
#define MDCR_TPM            BIT(6)
#define MDCR_TDE            BIT(8)
#define MDCR_TDA            BIT(9)
#define MDCR_TDOSA          BIT(10)
#define MDCR_TDRA           BIT(11)

/* ID_AA64DFR0_EL1: breakpoints and watchpoints, each field the number minus one. */
#define ID_AA64DFR0_PMUVER_SHIFT 8
#define ID_AA64DFR0_BRPS_SHIFT  12
#define ID_AA64DFR0_WRPS_SHIFT  20
/* Beyond 16 (FEAT_Debugv8p9) the extra ones sit in banks behind MDSELR_EL1. */
#define DBG_MAX_POINTS          16

/* OS lock and OS double lock */
#define OSLAR_OSLK          BIT(0)
#define OSLSR_OSLK          BIT(1)
#define OSDLR_DLK           BIT(0)
/* DBGCLAIMSET/CLR_EL1: CLAIM[7:0], the rest RES0. */
#define DBGCLAIM_MASK       GENMASK(7, 0)

/* MPIDR */
#define MPIDR_AFF_MASK      0xff00ffffffULL
#define MPIDR_RES1          BIT(31)

/* ICC_SRE_EL2 */
#define ICC_SRE_SRE         BIT(0)
#define ICC_SRE_DFB         BIT(1)
#define ICC_SRE_DIB         BIT(2)
#define ICC_SRE_ENABLE      BIT(3)
#define ICC_CTLR_EOIMODE    BIT(1)
#define ICC_IAR_INTID_MASK  0xffffffULL
#define GIC_INTID_SPURIOUS  1023
#define GIC_INTID_SPECIAL   1020        /* 1020-1023: not interrupts */


#endif
