/* Two VMs' vCPUs sharing one physical CPU (the *-share.dts multi-VM
 * configurations): a guest whose loop checks that its own state survives
 * world switches must show that the loop really spanned some. While the
 * other vCPU runs, this one's counter keeps going, so each switch out and
 * back is a jump of at least half of elvisor's 10 ms time slice between
 * two readings. */
#ifndef GUEST_PREEMPT_H
#define GUEST_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

#define PREEMPT_JUMP_US     5000        /* half of elvisor's SCHED_SLICE_US */
#define PREEMPT_JUMPS_MIN   3

struct preempt_watch {
    uint64_t jump;          /* PREEMPT_JUMP_US in counter ticks */
    uint64_t start, prev;   /* counter at the start and at the last step */
    unsigned long jumps;
};

/* Starts watching: start = prev = now. */
void preempt_watch_start(struct preempt_watch *w);
/* One loop round: reads the counter, counts a jump since the last round;
 * returns the counter's value. */
uint64_t preempt_watch_step(struct preempt_watch *w);
/* The check `preempted`: at least PREEMPT_JUMPS_MIN jumps. */
void preempt_watch_check(const struct preempt_watch *w);

#endif
