/* Every load and store form the mmio guest issues, each as one inline-asm
 * instruction so the syndrome the hypervisor sees is known exactly (base
 * register only: writeback forms have no valid syndrome and are not used).
 * Loads take a preset so a hypervisor that forgets to zero or sign-extend
 * the upper part of the destination register leaves visible garbage. */
#ifndef GUEST_MMIO_ACCESS_H
#define GUEST_MMIO_ACCESS_H

#include <stdint.h>

#define REG_GARBAGE 0xDEADBEEFCAFEF00DUL

#define DEFINE_LOAD(fn, insn, mod)                                          \
    static inline uint64_t fn(uintptr_t addr)                               \
    {                                                                       \
        uint64_t v = REG_GARBAGE;                                           \
        __asm__ volatile(insn " %" mod "0, [%1]" : "+r"(v) : "r"(addr) : "memory"); \
        return v;                                                           \
    }

#define DEFINE_STORE(fn, insn, mod)                                         \
    static inline void fn(uintptr_t addr, uint64_t v)                       \
    {                                                                       \
        __asm__ volatile(insn " %" mod "0, [%1]" : : "r"(v), "r"(addr) : "memory"); \
    }

DEFINE_LOAD(ldrb_w, "ldrb", "w")
DEFINE_LOAD(ldrh_w, "ldrh", "w")
DEFINE_LOAD(ldr_w, "ldr", "w")
DEFINE_LOAD(ldr_x, "ldr", "x")
DEFINE_LOAD(ldrsb_w, "ldrsb", "w")
DEFINE_LOAD(ldrsb_x, "ldrsb", "x")
DEFINE_LOAD(ldrsh_w, "ldrsh", "w")
DEFINE_LOAD(ldrsh_x, "ldrsh", "x")
DEFINE_LOAD(ldrsw_x, "ldrsw", "x")

DEFINE_STORE(strb_w, "strb", "w")
DEFINE_STORE(strh_w, "strh", "w")
DEFINE_STORE(str_w, "str", "w")
DEFINE_STORE(str_x, "str", "x")

#define DEFINE_STORE_ZR(fn, insn, zr)                                       \
    static inline void fn(uintptr_t addr)                                   \
    {                                                                       \
        __asm__ volatile(insn " " zr ", [%0]" : : "r"(addr) : "memory");    \
    }

DEFINE_STORE_ZR(strb_wzr, "strb", "wzr")
DEFINE_STORE_ZR(strh_wzr, "strh", "wzr")
DEFINE_STORE_ZR(str_wzr, "str", "wzr")
DEFINE_STORE_ZR(str_xzr, "str", "xzr")

/* A load into the zero register must discard the value and leave every
 * real register alone; SP is the one a hypervisor indexing its saved
 * registers with SRT = 31 would most likely hit. Returns SP after minus
 * SP before, and checks a callee-visible canary register too. */
#define DEFINE_LOAD_ZR(fn, insn, zr)                                        \
    static inline int64_t fn(uintptr_t addr, uint64_t *canary)              \
    {                                                                       \
        uint64_t before, after;                                             \
        __asm__ volatile("mov %0, sp\n\t" insn " " zr ", [%3]\n\tmov %1, sp" \
                         : "=&r"(before), "=&r"(after), "+r"(*canary)       \
                         : "r"(addr)                                        \
                         : "memory");                                       \
        return (int64_t)(after - before);                                   \
    }

DEFINE_LOAD_ZR(ldrb_wzr, "ldrb", "wzr")
DEFINE_LOAD_ZR(ldr_wzr, "ldr", "wzr")
DEFINE_LOAD_ZR(ldr_xzr, "ldr", "xzr")
DEFINE_LOAD_ZR(ldrsh_xzr, "ldrsh", "xzr")

#endif
