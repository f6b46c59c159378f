/* Fuzz target: the ESR_EL2 decoders (every EC's class field, the data-abort
 * ISS, the value a trapped load returns, the MSR/MRS ISS and its table key,
 * the fault IPA). The input is a sequence of 32-byte records: ESR, the raw
 * device value of a load, HPFAR_EL2, FAR_EL2. Each decoded field is checked
 * against the Arm ARM layout written out here (ESR_EL2, "ISS encoding for
 * an exception from a Data Abort" and "... from MSR, MRS, or System
 * instruction execution"), independently of esr.h:
 *  - ranges: EC 0..63, access size 1/2/4/8, registers 0..31, DFSC 0..63;
 *  - round trips: the decoded data-abort and MSR/MRS fields re-encode to
 *    exactly the ESR bits they came from; the 16-bit table key holds
 *    op0:op1:CRn:CRm:op2 and distinct encodings give distinct keys;
 *  - a trapped load's register value: the low size bytes of the raw value,
 *    sign-extended from the access size when SSE is set, cut to 32 bits
 *    for a W register;
 *  - the fault IPA: IPA[55:12] from HPFAR_EL2.FIPA, IPA[11:0] from FAR. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "arch/arm64/esr.c"

#define A_EC(esr)       ((unsigned)((esr) >> 26) & 0x3fu)
#define A_ISV           (1ULL << 24)
#define A_SAS(esr)      ((unsigned)((esr) >> 22) & 3u)
#define A_SSE           (1ULL << 21)
#define A_SRT(esr)      ((unsigned)((esr) >> 16) & 0x1fu)
#define A_SF            (1ULL << 15)
#define A_AR            (1ULL << 14)
#define A_CM            (1ULL << 8)
#define A_S1PTW         (1ULL << 7)
#define A_WNR           (1ULL << 6)
#define A_DFSC(esr)     ((unsigned)(esr) & 0x3fu)

static void check_dabt(uint64_t esr, uint64_t raw)
{
    struct dabt_info d;

    memset(&d, 0xa5, sizeof(d));    /* every field must be written */
    esr_decode_dabt(esr, &d);
    FUZZ_CHECK(d.size == 1u << A_SAS(esr), "size %u for SAS %u", d.size, A_SAS(esr));
    FUZZ_CHECK(d.reg == A_SRT(esr) && d.reg <= 31, "reg %u", d.reg);
    FUZZ_CHECK(d.fsc == A_DFSC(esr), "fsc %#x", d.fsc);
    FUZZ_CHECK(d.isv == !!(esr & A_ISV) && d.sign_extend == !!(esr & A_SSE) &&
               d.sixty_four == !!(esr & A_SF) && d.acquire_release == !!(esr & A_AR) &&
               d.is_write == !!(esr & A_WNR) && d.s1ptw == !!(esr & A_S1PTW) &&
               d.cache_maint == !!(esr & A_CM), "flag differs for esr %#llx",
               (unsigned long long)esr);
    /* Re-encode what was decoded: the bits it covers must come back. */
    unsigned sas = d.size == 1 ? 0 : d.size == 2 ? 1 : d.size == 4 ? 2 : 3;
    uint64_t enc = (d.isv ? A_ISV : 0) | (uint64_t)sas << 22 | (d.sign_extend ? A_SSE : 0) |
                   (uint64_t)d.reg << 16 | (d.sixty_four ? A_SF : 0) |
                   (d.acquire_release ? A_AR : 0) | (d.cache_maint ? A_CM : 0) |
                   (d.s1ptw ? A_S1PTW : 0) | (d.is_write ? A_WNR : 0) | d.fsc;
    uint64_t covered = A_ISV | 3ULL << 22 | A_SSE | 0x1fULL << 16 | A_SF | A_AR | A_CM | A_S1PTW |
                       A_WNR | 0x3fULL;
    FUZZ_CHECK(enc == (esr & covered), "round trip %#llx -> %#llx", (unsigned long long)esr,
               (unsigned long long)enc);

    uint64_t v = dabt_load_value(&d, raw);
    unsigned bits = d.size * 8;
    uint64_t low = bits == 64 ? raw : raw & ((1ULL << bits) - 1);
    uint64_t want = low;
    if (d.sign_extend && bits < 64 && (low >> (bits - 1)) & 1)
        want = low | ~((1ULL << bits) - 1);
    if (!d.sixty_four)
        want &= 0xffffffffULL;
    FUZZ_CHECK(v == want, "load of %u bytes (SSE %d SF %d) of %#llx gave %#llx, want %#llx",
               d.size, d.sign_extend, d.sixty_four, (unsigned long long)raw,
               (unsigned long long)v, (unsigned long long)want);
}

static void check_sysreg(uint64_t esr)
{
    struct sysreg_access a;

    memset(&a, 0xa5, sizeof(a));
    esr_decode_sysreg(esr, &a);
    FUZZ_CHECK(a.op0 <= 3 && a.op1 <= 7 && a.crn <= 15 && a.crm <= 15 && a.op2 <= 7 && a.reg <= 31,
               "field out of range");
    uint64_t enc = (uint64_t)a.op0 << 20 | (uint64_t)a.op2 << 17 | (uint64_t)a.op1 << 14 |
                   (uint64_t)a.crn << 10 | (uint64_t)a.reg << 5 | (uint64_t)a.crm << 1 |
                   (a.is_read ? 1u : 0u);
    FUZZ_CHECK(enc == (esr & 0x3fffffULL), "round trip %#llx -> %#llx",
               (unsigned long long)(esr & 0x3fffffULL), (unsigned long long)enc);
    uint32_t key = sysreg_access_key(&a);
    FUZZ_CHECK(key < (1u << 16), "key %#x", key);
    FUZZ_CHECK(key == ((a.op0 << 14) | (a.op1 << 11) | (a.crn << 7) | (a.crm << 3) | a.op2),
               "key %#x layout", key);
    FUZZ_CHECK(SYSREG_KEY_CRM(key) == a.crm && SYSREG_KEY_OP2(key) == a.op2, "key fields");
    /* The key does not depend on the register or the direction. */
    struct sysreg_access b;
    esr_decode_sysreg(esr ^ (0x1fULL << 5) ^ 1, &b);
    FUZZ_CHECK(sysreg_access_key(&b) == key, "key depends on Rt or direction");
}

static void check_ipa(uint64_t hpfar, uint64_t far)
{
    uint64_t ipa = fault_ipa(hpfar, far);

    FUZZ_CHECK((ipa & 0xfff) == (far & 0xfff), "page offset");
    FUZZ_CHECK(ipa >> 12 == ((hpfar >> 4) & ((1ULL << 44) - 1)), "FIPA");
    FUZZ_CHECK(ipa < (1ULL << 56), "IPA beyond 56 bits");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };

    do {
        uint64_t esr = fuzz_u64(&in), raw = fuzz_u64(&in), hpfar = fuzz_u64(&in),
                 far = fuzz_u64(&in);

        FUZZ_CHECK(ESR_EC(esr) == A_EC(esr) && ESR_EC(esr) < EC_NR, "EC %u", ESR_EC(esr));
        for (unsigned ec = 0; ec < EC_NR; ec += 0x11) {   /* the EC field alone picks it */
            uint64_t other = (esr & ~(0x3fULL << 26)) | (uint64_t)ec << 26;
            FUZZ_CHECK(ESR_EC(other) == ec, "EC %u read as %u", ec, ESR_EC(other));
        }
        FUZZ_CHECK(((esr & ESR_IL) != 0) == ((esr >> 25) & 1), "IL");
        check_dabt(esr, raw);
        check_sysreg(esr);
        check_ipa(hpfar, far);
    } while (fuzz_more(&in));
    return 0;
}
