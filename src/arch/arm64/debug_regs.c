#include "arch/arm64/debug_regs.h"

#include <stdbool.h>

#include "arch/arm64/hyp.h"

/* The register number is part of the instruction, so each breakpoint or
 * watchpoint number has its own case: val/ctl name the value and control
 * registers (dbgbvr/dbgbcr or dbgwvr/dbgwcr). */
#define POINT_CASE(val, ctl, n)                                                 \
    case n:                                                                     \
        if (save) {                                                             \
            *v = read_sysreg(val##n##_el1);                                     \
            *c = read_sysreg(ctl##n##_el1);                                     \
        } else {                                                                \
            write_sysreg(val##n##_el1, *v);                                     \
            write_sysreg(ctl##n##_el1, *c);                                     \
        }                                                                       \
        break;
#define POINT_CASES(val, ctl)                                                   \
    POINT_CASE(val, ctl, 0) POINT_CASE(val, ctl, 1) POINT_CASE(val, ctl, 2)     \
    POINT_CASE(val, ctl, 3) POINT_CASE(val, ctl, 4) POINT_CASE(val, ctl, 5)     \
    POINT_CASE(val, ctl, 6) POINT_CASE(val, ctl, 7) POINT_CASE(val, ctl, 8)     \
    POINT_CASE(val, ctl, 9) POINT_CASE(val, ctl, 10) POINT_CASE(val, ctl, 11)   \
    POINT_CASE(val, ctl, 12) POINT_CASE(val, ctl, 13) POINT_CASE(val, ctl, 14)  \
    POINT_CASE(val, ctl, 15)

_Static_assert(DBG_MAX_POINTS == 16, "one case per breakpoint/watchpoint number");

static void breakpoint_access(unsigned n, bool save, uint64_t *v, uint64_t *c)
{
    switch (n) {
    POINT_CASES(dbgbvr, dbgbcr)
    default:
        break;
    }
}

static void watchpoint_access(unsigned n, bool save, uint64_t *v, uint64_t *c)
{
    switch (n) {
    POINT_CASES(dbgwvr, dbgwcr)
    default:
        break;
    }
}

/* Registers beyond BRPs/WRPs do not exist (UNDEFINED even at EL2). */
void debug_state_save(struct debug_state *d)
{
    for (unsigned n = 0; n < hyp_features.brps; n++)
        breakpoint_access(n, true, &d->bvr[n], &d->bcr[n]);
    for (unsigned n = 0; n < hyp_features.wrps; n++)
        watchpoint_access(n, true, &d->wvr[n], &d->wcr[n]);
    d->osdlr = read_sysreg(osdlr_el1);
    d->oslk = (read_sysreg(oslsr_el1) & OSLSR_EL1_OSLK) ? 1 : 0;
    d->claim = read_sysreg(dbgclaimclr_el1) & DBGCLAIMCLR_EL1_CLAIM_MASK;
}

/* The caller's ISB makes the OS lock and double lock take effect before
 * the guest runs. */
void debug_state_restore(const struct debug_state *d)
{
    for (unsigned n = 0; n < hyp_features.brps; n++) {
        uint64_t v = d->bvr[n], c = d->bcr[n];
        breakpoint_access(n, false, &v, &c);
    }
    for (unsigned n = 0; n < hyp_features.wrps; n++) {
        uint64_t v = d->wvr[n], c = d->wcr[n];
        watchpoint_access(n, false, &v, &c);
    }
    write_sysreg(osdlr_el1, d->osdlr);
    write_sysreg(oslar_el1, d->oslk ? OSLAR_EL1_OSLK : 0);
    /* Set and clear take a mask: clear the previous vCPU's tags first. */
    write_sysreg(dbgclaimclr_el1, DBGCLAIMCLR_EL1_CLAIM_MASK);
    write_sysreg(dbgclaimset_el1, d->claim);
}
