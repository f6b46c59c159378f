/* A fixed-window rate limit for log lines: at most `burst` lines per
 * window of `interval` counter ticks; the lines beyond are counted, and the
 * count of a window is handed back when the next window opens, so that the
 * caller can say how many it dropped. Pure: the caller supplies the time and
 * the locking. */
#ifndef ELVISOR_LIB_RATELIMIT_H
#define ELVISOR_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
    uint64_t window_start;
    unsigned printed;           /* lines let through in this window */
    unsigned dropped;           /* lines held back in this window */
    uint64_t total_dropped;     /* since the limiter was set up */
};

/* True when a line may be printed at time now. *report is set to the
 * number of lines dropped in the window that just ended (0 if none ended,
 * or none was dropped): print that first. */
static inline bool ratelimit_allow(struct ratelimit *rl, uint64_t now, uint64_t interval,
                                   unsigned burst, unsigned *report)
{
    *report = 0;
    if (now - rl->window_start >= interval) {
        *report = rl->dropped;
        rl->window_start = now;
        rl->printed = 0;
        rl->dropped = 0;
    }
    if (rl->printed < burst) {
        rl->printed++;
        return true;
    }
    rl->dropped++;
    rl->total_dropped++;
    return false;
}

/* Takes the count of dropped lines not reported yet (the VM stops). */
static inline unsigned ratelimit_take_dropped(struct ratelimit *rl)
{
    unsigned n = rl->dropped;

    rl->dropped = 0;
    return n;
}

#endif
