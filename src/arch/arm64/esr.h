/* ESR_EL2 syndrome decoding for the exits elvisor handles. Pure: host
 * tests cover every field. */
#ifndef ELVISOR_ARCH_ESR_H
#define ELVISOR_ARCH_ESR_H

#include <stdbool.h>
#include <stdint.h>

#define ESR_EC_SHIFT        26
#define ESR_EC(esr)         ((unsigned)(((esr) >> ESR_EC_SHIFT) & 0x3f))
#define ESR_IL              (1ULL << 25)
#define ESR_ISS_MASK        0x1ffffffULL

enum esr_ec {
    EC_UNKNOWN      = 0x00,
    EC_WFX          = 0x01,
    EC_FP_ASIMD     = 0x07,
    EC_ILLEGAL      = 0x0e,
    EC_SVC64        = 0x15,
    EC_HVC64        = 0x16,
    EC_SMC64        = 0x17,
    EC_SYS64        = 0x18,
    EC_SVE          = 0x19,
    EC_ERET         = 0x1a,
    EC_SME          = 0x1d,
    EC_IABT_LOW     = 0x20,
    EC_IABT_CUR     = 0x21,
    EC_PC_ALIGN     = 0x22,
    EC_DABT_LOW     = 0x24,
    EC_DABT_CUR     = 0x25,
    EC_SP_ALIGN     = 0x26,
    EC_MOPS         = 0x27,     /* FEAT_MOPS: a copy or set cannot go on */
    EC_SERROR       = 0x2f,
    EC_BRK64        = 0x3c,
    EC_NR           = 0x40,
};

/* WFx ISS */
#define ESR_WFX_TI_MASK     0x3ULL      /* 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
#define ESR_WFX_WFE         0x1ULL

/* Data abort ISS */
#define ESR_DABT_ISV        (1ULL << 24)
#define ESR_DABT_SAS_SHIFT  22
#define ESR_DABT_SSE        (1ULL << 21)
#define ESR_DABT_SRT_SHIFT  16
#define ESR_DABT_SF         (1ULL << 15)
#define ESR_DABT_AR         (1ULL << 14)
#define ESR_DABT_VNCR       (1ULL << 13)
#define ESR_DABT_FNV        (1ULL << 10)
#define ESR_DABT_EA         (1ULL << 9)
#define ESR_DABT_CM         (1ULL << 8)
#define ESR_DABT_S1PTW      (1ULL << 7)
#define ESR_DABT_WNR        (1ULL << 6)
#define ESR_FSC_MASK        0x3fULL
#define ESR_FSC_SEA         0x10ULL     /* synchronous external abort, not on a walk */
#define ESR_FSC_TYPE_MASK   0x3cULL
#define ESR_FSC_TRANS       0x04ULL     /* translation fault, any level */
#define ESR_FSC_ACCESS      0x08ULL
#define ESR_FSC_PERM        0x0cULL

struct dabt_info {
    bool isv;           /* the fields below are valid */
    unsigned size;      /* bytes: 1, 2, 4, 8 */
    bool sign_extend;
    unsigned reg;       /* 0..30, 31 = XZR */
    bool sixty_four;    /* SF: the register is 64-bit (X), else W */
    bool acquire_release;
    bool is_write;
    bool s1ptw;         /* fault on the guest's own stage-1 table walk */
    bool cache_maint;
    unsigned fsc;
};

/* Inline, like the two helpers below: every MMIO exit decodes, and the
 * decoded fields then stay in registers instead of a struct in memory. */
static inline void esr_decode_dabt(uint64_t esr, struct dabt_info *d)
{
    d->isv = (esr & ESR_DABT_ISV) != 0;
    d->size = 1u << ((esr >> ESR_DABT_SAS_SHIFT) & 3);
    d->sign_extend = (esr & ESR_DABT_SSE) != 0;
    d->reg = (unsigned)((esr >> ESR_DABT_SRT_SHIFT) & 0x1f);
    d->sixty_four = (esr & ESR_DABT_SF) != 0;
    d->acquire_release = (esr & ESR_DABT_AR) != 0;
    d->is_write = (esr & ESR_DABT_WNR) != 0;
    d->s1ptw = (esr & ESR_DABT_S1PTW) != 0;
    d->cache_maint = (esr & ESR_DABT_CM) != 0;
    d->fsc = (unsigned)(esr & ESR_FSC_MASK);
}

/* Value a load of `size` bytes returns to the register, per SSE and SF. */
static inline uint64_t dabt_load_value(const struct dabt_info *d, uint64_t raw)
{
    unsigned bits = d->size * 8;
    uint64_t v = bits == 64 ? raw : raw & ((1ULL << bits) - 1);

    if (d->sign_extend && bits < 64 && (v >> (bits - 1)) & 1)
        v |= ~0ULL << bits;
    if (!d->sixty_four)
        v &= 0xffffffffULL;
    return v;
}

/* Trapped MSR/MRS ISS */
struct sysreg_access {
    unsigned op0, op1, crn, crm, op2;
    unsigned reg;       /* Rt, 31 = XZR */
    bool is_read;       /* MRS */
};

/* One 16-bit key per encoding, op0:op1:CRn:CRm:op2 from high to low bits. */
#define SYSREG_KEY_OP0_SHIFT    14
#define SYSREG_KEY_OP1_SHIFT    11
#define SYSREG_KEY_CRN_SHIFT    7
#define SYSREG_KEY_CRM_SHIFT    3
#define SYSREG_KEY_OP2_SHIFT    0
#define SYSREG_KEY_OP2_MASK     0x7u
#define SYSREG_KEY_CRM_MASK     0xfu

#define SYSREG_KEY(op0, op1, crn, crm, op2) \
    (((uint32_t)(op0) << SYSREG_KEY_OP0_SHIFT) | ((uint32_t)(op1) << SYSREG_KEY_OP1_SHIFT) | \
     ((uint32_t)(crn) << SYSREG_KEY_CRN_SHIFT) | ((uint32_t)(crm) << SYSREG_KEY_CRM_SHIFT) | \
     ((uint32_t)(op2) << SYSREG_KEY_OP2_SHIFT))
#define SYSREG_KEY_CRM(key)     ((unsigned)((key) >> SYSREG_KEY_CRM_SHIFT) & SYSREG_KEY_CRM_MASK)
#define SYSREG_KEY_OP2(key)     ((unsigned)((key) >> SYSREG_KEY_OP2_SHIFT) & SYSREG_KEY_OP2_MASK)

void esr_decode_sysreg(uint64_t esr, struct sysreg_access *a);

/* The key of an MSR/MRS syndrome's register (EC 0x18; Rt and direction
 * ignored). */
static inline uint32_t esr_sysreg_key(uint64_t esr)
{
    return SYSREG_KEY((esr >> 20) & 3, (esr >> 14) & 7, (esr >> 10) & 0xf, (esr >> 1) & 0xf, (esr >> 17) & 7);
}
uint32_t sysreg_access_key(const struct sysreg_access *a);

/* The IPA of a stage-2 abort from HPFAR_EL2 and the page offset in FAR_EL2. */
static inline uint64_t fault_ipa(uint64_t hpfar, uint64_t far)
{
    /* HPFAR_EL2.FIPA [47:4] holds IPA[55:12]. */
    return ((hpfar >> 4) & ((1ULL << 44) - 1)) << 12 | (far & 0xfff);
}

#endif
