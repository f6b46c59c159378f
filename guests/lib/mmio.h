/* Device register accessors. Each is one single-copy-atomic access of the
 * named size through a plain base register: the compiler could otherwise
 * pick a pre/post-index form, which has no valid syndrome (ISV = 0) and so
 * cannot be emulated by a hypervisor. */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include <stdint.h>

#define DEFINE_MMIO_READ(fn, type, insn, mod)                               \
    static inline type fn(uintptr_t a)                                      \
    {                                                                       \
        uint64_t v;                                                         \
        __asm__ volatile(insn " %" mod "0, [%1]" : "=r"(v) : "r"(a) : "memory"); \
        return (type)v;                                                     \
    }

#define DEFINE_MMIO_WRITE(fn, type, insn, mod)                              \
    static inline void fn(uintptr_t a, type v)                              \
    {                                                                       \
        __asm__ volatile(insn " %" mod "0, [%1]" : : "r"((uint64_t)v), "r"(a) : "memory"); \
    }

DEFINE_MMIO_READ(mmio_read8, uint8_t, "ldrb", "w")
DEFINE_MMIO_READ(mmio_read16, uint16_t, "ldrh", "w")
DEFINE_MMIO_READ(mmio_read32, uint32_t, "ldr", "w")
DEFINE_MMIO_READ(mmio_read64, uint64_t, "ldr", "x")

DEFINE_MMIO_WRITE(mmio_write8, uint8_t, "strb", "w")
DEFINE_MMIO_WRITE(mmio_write16, uint16_t, "strh", "w")
DEFINE_MMIO_WRITE(mmio_write32, uint32_t, "str", "w")
DEFINE_MMIO_WRITE(mmio_write64, uint64_t, "str", "x")

#endif
