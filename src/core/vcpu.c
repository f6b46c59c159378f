#include "core/vcpu.h"

#include "arch/arm64/sysreg.h"
#include "lib/string.h"

void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg)
{
    memset(&v->regs, 0, sizeof(v->regs));
    memset(v->sysreg, 0, sizeof(v->sysreg));
    memset(&v->fp, 0, sizeof(v->fp));
    memset(v->timers, 0, sizeof(v->timers));
    debug_state_reset(&v->dbg);
    v->regs.x[0] = arg;
    v->regs.pc = entry;
    v->regs.pstate = PSR_MODE_EL1h | PSR_DAIF;
    v->sysreg[VREG_SCTLR_EL1] = SCTLR_EL1_RESET;
    v->wait = VCPU_RUNNING;
    v->inject_vector = 0;
    v->inject_repeats = 0;
    if (v->ext)
        v->ext->reset(v);
}
