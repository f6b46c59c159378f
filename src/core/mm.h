/* Physical memory: pages for elvisor's own tables and state, and large
 * contiguous ranges for guest RAM. Everything is identity-mapped. */
#ifndef ELVISOR_CORE_MM_H
#define ELVISOR_CORE_MM_H

#include <stdint.h>

#define MM_MAX_RANGES 16

void mm_add_ram(uint64_t base, uint64_t size);
/* Removes [base, base + size) from what can be allocated. */
void mm_reserve(uint64_t base, uint64_t size);
/* Sets aside the pool elvisor's own pages come from. */
int mm_init_hyp_pool(uint64_t size);

/* A zeroed 4 KiB page, or NULL. */
void *page_alloc(void);
/* A zeroed, align-aligned allocation from the hypervisor pool, or NULL. */
void *hyp_alloc(uint64_t size, uint64_t align);
/* Physical range for guest RAM (not zeroed), highest address first; 0 on failure. */
uint64_t ram_alloc(uint64_t size, uint64_t align);

uint64_t mm_free_bytes(void);

#endif
