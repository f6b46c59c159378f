#include "preempt.h"

#include "test.h"
#include "timer.h"

void preempt_watch_start(struct preempt_watch *w)
{
    w->jump = ticks_from_us(PREEMPT_JUMP_US);
    w->start = w->prev = cntvct();
    w->jumps = 0;
}

uint64_t preempt_watch_step(struct preempt_watch *w)
{
    uint64_t now = cntvct();

    if (now - w->prev >= w->jump)
        w->jumps++;
    w->prev = now;
    return now;
}

void preempt_watch_check(const struct preempt_watch *w)
{
    test_check(w->jumps >= PREEMPT_JUMPS_MIN, "preempted",
               "%lu counter jumps of >= %u us, want %u: the loop was not switched out for the "
               "other VM", w->jumps, PREEMPT_JUMP_US, PREEMPT_JUMPS_MIN);
}
