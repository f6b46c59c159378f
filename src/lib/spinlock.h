/* Ticket-free test-and-set lock on C11 atomics: the same code runs in the
 * hypervisor (LDAXR/STLXR on normal cacheable memory) and in host tests. */
#ifndef ELVISOR_LIB_SPINLOCK_H
#define ELVISOR_LIB_SPINLOCK_H

#include <stdatomic.h>

typedef struct { atomic_flag flag; } spinlock_t;

#define SPINLOCK_INIT { ATOMIC_FLAG_INIT }

static inline void spin_lock_init(spinlock_t *l) { atomic_flag_clear(&l->flag); }

/* The holder may not be running: a physical CPU the host has preempted,
 * or, under QEMU's single-threaded TCG (-icount), a CPU whose turn ended
 * (QEMU runs one CPU at a time, each until the next timer deadline). YIELD
 * ends the waiter's turn there, so the holder runs; a plain spin burned
 * the whole turn (once 3.2 M iterations, 2 to 3 % of a 2-vCPU Linux boot,
 * on a VM's vGIC lock; the contend guest checks it). */
static inline void spin_relax(void)
{
#if defined(__aarch64__)
    __asm__ volatile("yield" ::: "memory");
#endif
}

static inline void spin_lock(spinlock_t *l)
{
    while (atomic_flag_test_and_set_explicit(&l->flag, memory_order_acquire))
        spin_relax();
}

static inline void spin_unlock(spinlock_t *l)
{
    atomic_flag_clear_explicit(&l->flag, memory_order_release);
}

#endif
