/* nest_run, nest_vectors and the L2 payloads and vectors are vel2nest's:
 * one copy of that code for every guest hypervisor guest. */
#include "../vel2nest/l2.S"

/* Probes of its own EL2 regime. vel2nvhe_exec_page: a page of its own,
 * aliased by L1's stage 1 with and without XN; vel2nvhe_call(fn) calls fn
 * and returns to vel2nvhe_call_after, where an aborted call resumes too. */
    .text
    .balign 4096
    .global vel2nvhe_exec_page
vel2nvhe_exec_page:
    mov     x0, #0x2a
    ret
    .balign 4096

    .global vel2nvhe_call, vel2nvhe_call_after
vel2nvhe_call:
    stp     x29, x30, [sp, #-16]!
    mov     x1, x0
    mov     x0, xzr
    blr     x1
vel2nvhe_call_after:
    ldp     x29, x30, [sp], #16
    ret

/* One FP/SIMD instruction, for CPTR_EL2.TFP. */
    .global vel2nvhe_fp_probe, vel2nvhe_fp_insn
vel2nvhe_fp_probe:
vel2nvhe_fp_insn:
    fmov    d0, xzr
    ret
