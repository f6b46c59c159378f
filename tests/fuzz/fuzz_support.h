/* What every fuzz target shares: a quiet log_msg() (a fuzzer runs millions
 * of inputs; printing each log line would be most of its time, but the
 * format is still expanded so a bad argument shows under the sanitizers),
 * FUZZ_CHECK() for invariants (abort, so libFuzzer saves the input), and
 * a reader that turns the fuzzer's bytes into numbers (zeros once the
 * input is used up, so every input is a valid program of operations). */
#ifndef ELVISOR_FUZZ_SUPPORT_H
#define ELVISOR_FUZZ_SUPPORT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_VERBOSE=1 in the environment prints the log lines (when replaying
 * one crash input to see what the code under test said). */
static int fuzz_verbose = -1;

static inline bool fuzz_tracing(void)
{
    if (fuzz_verbose < 0)
        fuzz_verbose = getenv("FUZZ_VERBOSE") != NULL;
    return fuzz_verbose;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (fuzz_tracing())
        fprintf(stderr, "[log %d] %s\n", (int)level, line);
}

/* A target's own trace of what it does, shown with FUZZ_VERBOSE=1. */
#define FUZZ_TRACE(...)                                                         \
    do {                                                                        \
        if (fuzz_tracing())                                                     \
            fprintf(stderr, __VA_ARGS__);                                       \
    } while (0)

#define FUZZ_CHECK(cond, ...)                                                   \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, \
                    #cond);                                                     \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
    return in->n > 0;
}

static inline uint64_t fuzz_bytes(struct fuzz_in *in, unsigned count)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < count; i++) {
        uint8_t b = 0;
        if (in->n) {
            b = *in->p++;
            in->n--;
        }
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in) { return (uint8_t)fuzz_bytes(in, 1); }
static inline uint16_t fuzz_u16(struct fuzz_in *in) { return (uint16_t)fuzz_bytes(in, 2); }
static inline uint32_t fuzz_u32(struct fuzz_in *in) { return (uint32_t)fuzz_bytes(in, 4); }
static inline uint64_t fuzz_u64(struct fuzz_in *in) { return fuzz_bytes(in, 8); }

#endif
