#include "core/inject.h"

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/sysreg.h"
#include "core/esr.h"
#include "core/vcpu.h"

/* Vector table offsets (Arm ARM D1.10.2). */
#define VECTOR_CUR_SP0      0x000
#define VECTOR_CUR_SPX      0x200
#define VECTOR_LOWER_A64    0x400

static bool from_el0(const struct vcpu *v)
{
    return (v->regs.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
}

/* Delivers a synchronous exception to EL1 with the given syndrome. The
 * vCPU's EL1 registers are live in the hardware while its exit is handled. */
static void inject_sync(struct vcpu *v, uint64_t esr, uint64_t far, bool set_far)
{
    uint64_t mode = v->regs.pstate & PSR_MODE_MASK;
    uint64_t offset = mode == PSR_MODE_EL0t ? VECTOR_LOWER_A64
                    : mode == PSR_MODE_EL1t ? VECTOR_CUR_SP0 : VECTOR_CUR_SPX;

    el1_write(EL1_ELR, v->regs.pc);
    el1_write(EL1_SPSR, v->regs.pstate);
    el1_write(EL1_ESR, esr);
    if (set_far)
        el1_write(EL1_FAR, far);
    v->regs.pc = el1_read(EL1_VBAR) + offset;
    v->regs.pstate = PSR_MODE_EL1h | PSR_DAIF;
}

void inject_undef(struct vcpu *v)
{
    inject_sync(v, ((uint64_t)EC_UNKNOWN << ESR_EC_SHIFT) | ESR_IL, 0, false);
}

void inject_dabt_sea(struct vcpu *v, uint64_t va, bool is_write)
{
    uint64_t ec = from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR;

    inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | (is_write ? ESR_DABT_WNR : 0) | ESR_FSC_SEA,
                va, true);
}

void inject_iabt_sea(struct vcpu *v, uint64_t va)
{
    uint64_t ec = from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR;

    inject_sync(v, (ec << ESR_EC_SHIFT) | ESR_IL | ESR_FSC_SEA, va, true);
}
