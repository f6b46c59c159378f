/* Ticket-free test-and-set lock on C11 atomics: the same code runs in the
 * hypervisor (LDAXR/STLXR on normal cacheable memory) and in host tests. */
#ifndef ELVISOR_LIB_SPINLOCK_H
#define ELVISOR_LIB_SPINLOCK_H

#include <stdatomic.h>

typedef struct { atomic_flag flag; } spinlock_t;

#define SPINLOCK_INIT { ATOMIC_FLAG_INIT }

static inline void spin_lock_init(spinlock_t *l) { atomic_flag_clear(&l->flag); }

static inline void spin_lock(spinlock_t *l)
{
    while (atomic_flag_test_and_set_explicit(&l->flag, memory_order_acquire))
        ;
}

static inline void spin_unlock(spinlock_t *l)
{
    atomic_flag_clear_explicit(&l->flag, memory_order_release);
}

#endif
