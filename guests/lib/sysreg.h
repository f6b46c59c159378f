/* System register access and barriers for the guests. */
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H

#include <stdint.h>

#define read_sysreg(reg) ({ uint64_t v__; __asm__ volatile("mrs %0, " #reg : "=r"(v__)); v__; })
#define write_sysreg(val, reg) \
    __asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(val)) : "memory")

#define isb()       __asm__ volatile("isb" : : : "memory")
#define dsb(opt)    __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt)    __asm__ volatile("dmb " #opt : : : "memory")
#define wfi()       __asm__ volatile("wfi" : : : "memory")
#define wfe()       __asm__ volatile("wfe" : : : "memory")
#define sev()       __asm__ volatile("sev" : : : "memory")
#define cpu_relax() __asm__ volatile("yield" : : : "memory")

static inline void irq_enable(void)  { __asm__ volatile("msr daifclr, #2" : : : "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" : : : "memory"); }

#define BIT(n)              (1UL << (n))
#define FIELD(v, lo, width) (((uint64_t)(v) >> (lo)) & ((1UL << (width)) - 1))

/* PSTATE bits, also where the PAN and SSBS registers hold them */
#define PSTATE_SSBS         BIT(12)
#define PSTATE_PAN          BIT(22)
/* SCTLR_EL1 */
#define SCTLR_EL1_SPAN      BIT(23)
#define SCTLR_EL1_DSSBS     BIT(44)
/* ID_AA64MMFR1_EL1.PAN and ID_AA64PFR1_EL1.SSBS */
#define ID_MMFR1_PAN(v)     FIELD(v, 20, 4)
#define ID_PFR1_SSBS(v)     FIELD(v, 4, 4)

/* CurrentEL.EL */
#define CURRENTEL_EL(v)     FIELD(v, 2, 2)

/* MPIDR_EL1 */
#define MPIDR_AFF_MASK      0xFF00FFFFFFUL
#define MPIDR_RES1          BIT(31)
#define MPIDR_AFF0(v)       FIELD(v, 0, 8)
#define MPIDR_AFF1(v)       FIELD(v, 8, 8)
#define MPIDR_AFF2(v)       FIELD(v, 16, 8)
#define MPIDR_AFF3(v)       FIELD(v, 32, 8)

/* ESR_ELx */
#define ESR_EC(esr)         FIELD(esr, 26, 6)
#define ESR_ISS(esr)        FIELD(esr, 0, 25)
#define ESR_EC_UNKNOWN      0x00
#define ESR_EC_HVC64        0x16
#define ESR_EC_IABT_CUR     0x21
#define ESR_EC_DABT_LOW     0x24
#define ESR_EC_DABT_CUR     0x25
#define ESR_DABT_DFSC(esr)  FIELD(esr, 0, 6)
#define ESR_DABT_WNR        BIT(6)
#define ESR_DABT_FNV        BIT(10)
#define ESR_IABT_IFSC(esr)  FIELD(esr, 0, 6)
#define DFSC_SEA            0x10    /* synchronous external abort, not on a walk */
#define IFSC_SEA            0x10

/* ID_AA64MMFR0_EL1 */
#define MMFR0_PARANGE(v)    FIELD(v, 0, 4)

#define A64_INSN_HVC0       0xD4000002U
#define A64_INSN_SIZE       4

#endif
