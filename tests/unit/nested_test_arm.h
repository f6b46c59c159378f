/* Shared by test_nested.c and test_nested_fwd.c: the PSTATE, HCR_EL2 and
 * ESR_EL2 encodings written out from the Arm ARM, independently of the
 * code, and the tests' random numbers. */
#ifndef NESTED_TEST_ARM_H
#define NESTED_TEST_ARM_H

/* ---- Arm ARM encodings ---- */

#define A_EL0T      0x0ULL
#define A_EL1T      0x4ULL
#define A_EL1H      0x5ULL
#define A_EL2T      0x8ULL
#define A_EL2H      0x9ULL
#define A_EL3T      0xcULL
#define A_EL3H      0xdULL
#define A_M_MASK    0xfULL
#define A_NRW       (1ULL << 4)
#define A_F         (1ULL << 6)
#define A_I         (1ULL << 7)
#define A_A         (1ULL << 8)
#define A_D         (1ULL << 9)
#define A_IL        (1ULL << 20)
#define A_SS        (1ULL << 21)
#define A_PAN       (1ULL << 22)
#define A_NZCV      (0xfULL << 28)
#define A_BTYPE     (3ULL << 10)
#define A_SSBS      (1ULL << 12)
#define A_UAO       (1ULL << 23)
#define A_DIT       (1ULL << 24)
#define A_TCO       (1ULL << 25)
#define A_SCTLR_SPAN  (1ULL << 23)
#define A_SCTLR_DSSBS (1ULL << 44)

#define A_HCR_VM    (1ULL << 0)
#define A_HCR_FMO   (1ULL << 3)
#define A_HCR_AMO   (1ULL << 5)
#define A_HCR_VSE   (1ULL << 8)
#define A_HCR_IMO   (1ULL << 4)
#define A_HCR_VI    (1ULL << 7)
#define A_HCR_VF    (1ULL << 6)
#define A_HCR_TWI   (1ULL << 13)
#define A_HCR_TWE   (1ULL << 14)
#define A_HCR_TID0  (1ULL << 15)
#define A_HCR_TID1  (1ULL << 16)
#define A_HCR_TID3  (1ULL << 18)
#define A_HCR_TID4  (1ULL << 49)
#define A_HCR_TICAB (1ULL << 50)
#define A_HCR_TOCU  (1ULL << 52)
#define A_HCR_TTLBIS (1ULL << 54)
#define A_HCR_TTLBOS (1ULL << 55)
#define A_HCR_TID5  (1ULL << 58)
#define A_HCR_TSC   (1ULL << 19)
#define A_HCR_TVM   (1ULL << 26)
#define A_HCR_TID2  (1ULL << 17)
#define A_HCR_TIDCP (1ULL << 20)
#define A_HCR_TACR  (1ULL << 21)
#define A_HCR_TSW   (1ULL << 22)
#define A_HCR_TRVM  (1ULL << 30)
#define A_HCR_TLOR  (1ULL << 35)
#define A_HCR_TERR  (1ULL << 36)
#define A_HCR_ATA   (1ULL << 56)
#define A_HCR_HCD   (1ULL << 29)
#define A_HCR_RW    (1ULL << 31)
#define A_HCR_TTLB  (1ULL << 25)
#define A_HCR_TGE   (1ULL << 27)
#define A_HCR_E2H   (1ULL << 34)
#define A_HCR_NV    (1ULL << 42)
#define A_HCR_NV1   (1ULL << 43)
#define A_HCR_AT    (1ULL << 44)
#define A_HCR_NV2   (1ULL << 45)
#define A_HCR_NV_ALL (A_HCR_NV | A_HCR_NV1 | A_HCR_AT | A_HCR_NV2)

static uint64_t rng = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* PSTATE/SPSR bits other than M[4:0], each of which must pass through. */
static uint64_t flags(void)
{
    return rnd() & ~(A_M_MASK | A_NRW);
}

/* ---- HCR_EL2 ---- */

/* Arm ARM ESR_ELx encodings, written out independently. */
#define A_EC(ec)        ((uint64_t)(ec) << 26)
#define A_ESR_IL        (1ULL << 25)
#define A_EC_WFX        0x01
#define A_EC_HVC        0x16
#define A_EC_SMC        0x17
#define A_EC_SYS        0x18
#define A_EC_DABT_LOW   0x24
#define A_SYS(op0, op1, crn, crm, op2, rt, rd) \
    (A_EC(A_EC_SYS) | A_ESR_IL | ((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | \
     ((uint64_t)(op1) << 14) | ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | \
     ((uint64_t)(crm) << 1) | (rd))

#endif
