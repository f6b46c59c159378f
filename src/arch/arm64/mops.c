#include "arch/arm64/mops.h"

#include <stdbool.h>

#include "arch/arm64/sysreg.h"

#define INSN_BYTES      4
#define XZR             31
#define SIGN_BIT        (1ULL << 63)

static uint64_t reg(const uint64_t x[31], unsigned n)
{
    return n == XZR ? 0 : x[n];
}

static void set_reg(uint64_t x[31], unsigned n, uint64_t val)
{
    if (n != XZR)
        x[n] = val;
}

void mops_restart(uint64_t x[31], uint64_t *pc, uint64_t *pstate, uint64_t esr)
{
    unsigned rd = MOPS_ISS_DESTREG(esr), rs = MOPS_ISS_SRCREG(esr), rn = MOPS_ISS_SIZEREG(esr);
    uint64_t dst = reg(x, rd), src = reg(x, rs), size = reg(x, rn);
    /* The registers are in the format of the CPU that ran the earlier
     * instructions: this CPU's option, unless the exception says they are
     * the other one's. */
    bool option_a_format = !(esr & MOPS_ISS_OPTION_A) != !(esr & MOPS_ISS_WRONG_OPTION);

    if (esr & MOPS_ISS_MEMINST) {
        /* A set. Option A counts a negative size up to an end address;
         * option B keeps the prologue's start address and size. */
        if (option_a_format) {
            set_reg(x, rd, dst + size);
            set_reg(x, rn, -size);
        }
    } else if (option_a_format) {
        /* A copy, option A: a forward copy counts a negative size up to the
         * end addresses; a backward one keeps the prologue's form. */
        if (size & SIGN_BIT) {
            set_reg(x, rd, dst + size);
            set_reg(x, rs, src + size);
            set_reg(x, rn, -size);
        }
    } else if (*pstate & PSR_N) {
        /* A copy, option B, going backward (PSTATE.N): the addresses have
         * moved down by the bytes still to copy. */
        set_reg(x, rd, dst - size);
        set_reg(x, rs, src - size);
    }

    *pc -= (esr & MOPS_ISS_FROM_EPILOGUE) ? 2 * INSN_BYTES : INSN_BYTES;
    *pstate &= ~PSR_SS;
}
