/* The bench guest's measuring loop, shared by its figures (main.c) and the
 * two-VM switch figures (switch.c). */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define WARMUP      8
#define ITERS       64

/* One sample in counter ticks; false if it never completed. */
typedef bool (*sample_fn)(uint64_t *ticks);

/* Measures one figure, prints "BENCH <name> min=<n> median=<n>" and
 * reports whether every sample completed. */
void bench(const char *name, sample_fn fn);

/* CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 and EL0 without a trap. */
void fp_enable(void);

/* bench.switch in the bootargs: the two-VM figures instead (switch.c). */
void bench_switch(const char *role);

#endif
