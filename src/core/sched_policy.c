#include "core/sched_policy.h"

void sched_rr_init(struct sched_rr *s)
{
    s->owner = SCHED_NONE;
    s->slice_end = 0;
    s->cursor = 0;
}

static unsigned first_from(unsigned nr, uint32_t set, unsigned from)
{
    for (unsigned n = 0; n < nr; n++) {
        unsigned i = (from + n) % nr;
        if (set & (1u << i))
            return i;
    }
    return SCHED_NONE;
}

unsigned sched_rr_pick(struct sched_rr *s, unsigned nr, uint32_t runnable, uint64_t now,
                       uint64_t slice, uint64_t *tick)
{
    unsigned idx;

    *tick = SCHED_NO_TICK;
    if (nr == 0 || nr > SCHED_MAX_RUNQ)
        return SCHED_NONE;
    if (nr < SCHED_MAX_RUNQ)
        runnable &= (1u << nr) - 1;
    if (s->cursor >= nr)
        s->cursor = 0;
    /* A blocked owner gives the rest of its slice away; an expired one
     * goes to the back of the line, behind everyone after it. */
    if (s->owner != SCHED_NONE &&
        (s->owner >= nr || !(runnable & (1u << s->owner)) || now >= s->slice_end)) {
        if (s->owner < nr)
            s->cursor = (s->owner + 1) % nr;
        s->owner = SCHED_NONE;
    }
    idx = s->owner;
    if (idx == SCHED_NONE) {
        idx = first_from(nr, runnable, s->cursor);
        if (idx == SCHED_NONE)
            return SCHED_NONE;
        s->owner = idx;
        s->slice_end = now + slice;
        s->cursor = idx;
    }
    if (runnable & ~(1u << idx))
        *tick = s->slice_end;
    return idx;
}
