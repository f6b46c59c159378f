/* Ticket-free test-and-set lock on C11 atomics: the same code runs in the
 * hypervisor (LDAXR/STLXR on normal cacheable memory) and in host tests. */
#ifndef ELVISOR_LIB_SPINLOCK_H
#define ELVISOR_LIB_SPINLOCK_H

#include <stdatomic.h>

typedef struct { atomic_flag flag; } spinlock_t;

#define SPINLOCK_INIT { ATOMIC_FLAG_INIT }

static inline void spin_lock_init(spinlock_t *l) { atomic_flag_clear(&l->flag); }

/* A holder may be stopped while it holds the lock: a physical CPU the
 * host has preempted, or, under QEMU's single-threaded TCG (-icount), the
 * other CPU's turn in the round-robin, which lasts until the next timer
 * deadline. YIELD hands the turn over there; a plain spin burned the whole
 * turn (once 3.2 M iterations, about 2 % of a 2-vCPU Linux boot, on the
 * vGIC lock of a VM). */
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
