/* vel2nest: running the guest's own guest. nest_run() ERETs from EL2 to an
 * EL1 payload with VBAR_EL2 at nest_vectors, whose lower-EL synchronous
 * entry (and its IRQ and FIQ entries, flagged in nest_irq_flag) hands each exit to
 * nest_exit_c(): non-zero resumes the payload,
 * zero returns from nest_run() to its caller on the EL2 stack it left. */

#include "exc_frame.S.h"

#define SPSR_EL1H_DAIF  0x3c5
#define CALLEE_SAVED    96

    .text
    .balign 4

/* x0 = payload entry, x1 = passed to the payload in x1. */
    .global nest_run
nest_run:
    stp     x29, x30, [sp, #-CALLEE_SAVED]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mov     x9, sp
    adrp    x10, nest_saved_sp
    str     x9, [x10, :lo12:nest_saved_sp]
    msr     elr_el2, x0
    mov     x9, #SPSR_EL1H_DAIF
    msr     spsr_el2, x9
    isb
    eret

nest_lower_sync:
    frame_save elr_el2, spsr_el2
    mrs     x1, esr_el2
    bl      nest_exit_c
    cbz     x0, 1f
    frame_restore elr_el2, spsr_el2
    eret
1:  adrp    x10, nest_saved_sp
    ldr     x9, [x10, :lo12:nest_saved_sp]
    mov     sp, x9
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #CALLEE_SAVED
    ret

/* An IRQ (flag 1) or FIQ (flag 2, NEST_FLAG_FIQ) from the payload:
 * flagged for nest_exit_c, then handled as a synchronous exit (the ESR it
 * reads means nothing then). */
.macro flagged_exit flag
    sub     sp, sp, #16
    stp     x0, x1, [sp]
    adrp    x0, nest_irq_flag
    mov     x1, #\flag
    str     x1, [x0, :lo12:nest_irq_flag]
    ldp     x0, x1, [sp]
    add     sp, sp, #16
    b       nest_lower_sync
.endm

nest_lower_irq:
    flagged_exit 1
nest_lower_fiq:
    flagged_exit 2

/* EL2's vectors while the payload runs: its synchronous exits come here,
 * everything else goes to the library's handlers (which fail the guest). */
.macro to_library offset
    .balign 0x80
    b       guest_vectors + \offset
.endm
    .balign 0x800
    .global nest_vectors
nest_vectors:
    to_library 0x000
    to_library 0x080
    to_library 0x100
    to_library 0x180
    to_library 0x200
    to_library 0x280
    to_library 0x300
    to_library 0x380
    .balign 0x80
    b       nest_lower_sync
    .balign 0x80
    b       nest_lower_irq
    .balign 0x80
    b       nest_lower_fiq
    to_library 0x580
    to_library 0x600
    to_library 0x680
    to_library 0x700
    to_library 0x780

/* The EL1 payload, run with its own stage 1 (MMU on). x1 = the probe VA. */
    .global l2_payload, l2_mrs_insn, l2_wfi_insn, l2_hvc_after
l2_payload:
l2_mrs_insn:
    mrs     x2, id_aa64mmfr0_el1
l2_wfi_insn:
    wfi
    ldr     x3, [x1]
    mrs     x4, sctlr_el1
    mrs     x5, CurrentEL
    hvc     #5
l2_hvc_after:
    b       l2_hvc_after

/* A payload for the virtual CPU interface its hypervisor gives it:
 * acknowledge, end the interrupt, report the IAR in x2 by hvc #5. */
    .global l2_gic_payload
l2_gic_payload:
    mrs     x2, icc_iar1_el1
    msr     icc_eoir1_el1, x2
    isb
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* The same, but first it masks its virtual timer (whose interrupt is the
 * one its hypervisor gave it): the line falls before the deactivation. */
    .global l2_gic_vtimer_payload
l2_gic_vtimer_payload:
    mov     x9, #3              /* CNTV_CTL_EL0: ENABLE | IMASK */
    msr     cntv_ctl_el0, x9
    isb
    b       l2_gic_payload

/* The round trip of a timer-driven guest (the bench guest's vtimer loop
 * under KVM): acknowledge the interrupt its hypervisor gave it, re-arm its
 * virtual timer x1 ticks ahead (TVAL), end the interrupt, then spin with
 * IRQs unmasked for 64 times that. The next expiry is its hypervisor's
 * interrupt (HCR_EL2.IMO) and must end the spin; the hvc #5 at its end
 * (x2 = the count then, x4 = the IAR) means it never came. */
    .global l2_vtimer_rearm_payload
l2_vtimer_rearm_payload:
    mrs     x4, icc_iar1_el1
    msr     cntv_tval_el0, x1
    isb
    mrs     x3, cntv_cval_el0
    add     x3, x3, x1, lsl #6
    msr     icc_eoir1_el1, x4
    isb
    msr     daifclr, #2
1:  mrs     x2, cntvct_el0
    cmp     x2, x3
    b.lo    1b
    msr     daifset, #2
    mov     x3, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Moves x1 through an FP/SIMD register into x2 and reports by hvc #5: its
 * hypervisor's CPTR_EL2 may trap the first FP instruction (EC 0x07), as
 * KVM's lazy switch of its guest's FP/SIMD registers does. */
    .global l2_fp_payload, l2_fp_insn
l2_fp_payload:
l2_fp_insn:
    fmov    d0, x1
    fmov    x2, d0
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Reads the physical counter and timer, the virtual counter and timer
 * (x2..x5), as its hypervisor's CNTHCTL_EL2 lets it or traps them. */
    .global l2_cnthctl_payload
l2_cnthctl_payload:
    isb
    mrs     x2, cntpct_el0
    mrs     x3, cntp_cval_el0
    mrs     x4, cntvct_el0
    mrs     x5, cntv_ctl_el0
    hvc     #5
    b       .

/* Reads debug registers of each MDCR_EL2 trap group (x2..x5): MDSCR_EL1,
 * DBGBVR0_EL1 (TDA), OSLSR_EL1 (TDOSA), MDRAR_EL1 (TDRA). */
    .global l2_debug_payload
l2_debug_payload:
    mrs     x2, mdscr_el1
    mrs     x3, dbgbvr0_el1
    mrs     x4, oslsr_el1
    mrs     x5, mdrar_el1
    hvc     #5
    b       .

/* A payload that touches every register HCR_EL2's TRVM/TVM, TID2, TACR,
 * TSW, TLOR and (x1 != 0) TIDCP trap, each VM control read then written
 * back with what the read gave; reports by hvc #5. */
    .macro  read_write reg
    mrs     x2, \reg
    msr     \reg, x2
    .endm
    .global l2_hcrtraps_payload
l2_hcrtraps_payload:
    read_write sctlr_el1
    read_write ttbr0_el1
    read_write ttbr1_el1
    read_write tcr_el1
    read_write esr_el1
    read_write far_el1
    read_write afsr0_el1
    read_write afsr1_el1
    read_write mair_el1
    read_write amair_el1
    read_write contextidr_el1
    mrs     x2, ctr_el0
    mrs     x2, clidr_el1
    msr     csselr_el1, xzr
    mrs     x2, ccsidr_el1
    mrs     x2, actlr_el1
    mov     x0, xzr
    dc      isw, x0
    mrs     x2, S3_0_C10_C4_7           /* LORID_EL1 */
    cbz     x1, 1f
    mrs     x2, S3_0_C15_C0_0           /* IMPLEMENTATION DEFINED */
1:  mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Maintenance its hypervisor's HCR_EL2.TPCP (DC CVAC, DC CIVAC), TPU
 * (DC CVAU, IC IVAU, IC IALLU) and TTLB (TLBI VMALLE1) trap, then a read
 * and a write back of CPACR_EL1 (CPTR_EL2.TCPAC), in that order; x1 =
 * an address in its RAM (mapped 1:1 by any stage 1 it has). */
    .global l2_maint_payload
l2_maint_payload:
    dc      cvac, x1
    dc      civac, x1
    dc      cvau, x1
    ic      ivau, x1
    ic      iallu
    dsb     ish
    tlbi    vmalle1
    dsb     ish
    isb
    mrs     x2, cpacr_el1
    msr     cpacr_el1, x2
    isb
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* FEAT_MOPS: a 64-byte set of x1's buffer to zero by the SETP/SETM/SETE
 * sequence, then hvc #5 (x2 = what remains of the size: 0). */
    .arch_extension mops
    .global l2_mops_payload
l2_mops_payload:
    mov     x2, #64
    mov     x3, xzr
    setp    [x1]!, x2!, x3
    setm    [x1]!, x2!, x3
    sete    [x1]!, x2!, x3
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* A payload that only spins, x1 times round, then reports by hvc #5:
 * an interrupt for its hypervisor (a timer) is expected to end it first. */
    .global l2_spin_payload
l2_spin_payload:
    subs    x1, x1, #1
    b.ne    l2_spin_payload
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* A payload that reports its own virtual count, CNTV_CVAL_EL0 and
 * CNTV_CTL_EL0 by hvc #5 (x2, x3, x4). */
    .global l2_vtimer_payload
l2_vtimer_payload:
    isb
    mrs     x2, cntvct_el0
    mrs     x3, cntv_cval_el0
    mrs     x4, cntv_ctl_el0
    mov     x5, xzr
    hvc     #5
    b       .

/* Writes x1 to its priority mask, reads it back (x2) and acknowledges
 * (x3) through its virtual CPU interface. */
    .global l2_icc_payload
l2_icc_payload:
    msr     icc_pmr_el1, x1
    isb
    mrs     x2, icc_pmr_el1
    mrs     x3, icc_iar1_el1
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Sends the SGI of x1 (ICC_SGI1R_EL1 layout). */
    .global l2_sgi_payload
l2_sgi_payload:
    msr     icc_sgi1r_el1, x1
    isb
    mov     x2, xzr
    mov     x3, xzr
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Reads the identification registers its hypervisor gives it,
 * MPIDR_EL1 and MIDR_EL1 (x2, x3). */
    .global l2_ids_payload
l2_ids_payload:
    mrs     x2, mpidr_el1
    mrs     x3, midr_el1
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Unmasks SErrors (PSTATE.A) on its own vectors, where a virtual SError
 * its hypervisor raised (HCR_EL2.VSE under AMO) is counted (x2) with its
 * ESR_EL1 (x3); reports both by hvc #5 with its VBAR_EL1 put back. */
    .global l2_serror_payload
l2_serror_payload:
    mrs     x12, vbar_el1
    adr     x9, l2_serror_vectors
    msr     vbar_el1, x9
    mov     x2, xzr
    mov     x3, xzr
    isb
    msr     daifclr, #4
    isb
    nop
    nop
    msr     daifset, #4
    msr     vbar_el1, x12
    isb
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* Unmasks IRQs and FIQs (PSTATE.I, F) on its own vectors, where a
 * virtual IRQ or FIQ its hypervisor raised (HCR_EL2.VI under IMO, VF
 * under FMO) is counted (x2, x3), each handler returning with its kind
 * masked (the line stays asserted); reports both by hvc #5. */
    .global l2_virq_payload
l2_virq_payload:
    mrs     x12, vbar_el1
    adr     x9, l2_virq_vectors
    msr     vbar_el1, x9
    mov     x2, xzr
    mov     x3, xzr
    isb
    msr     daifclr, #3
    isb
    nop
    nop
    msr     daifset, #3
    msr     vbar_el1, x12
    isb
    mov     x4, xzr
    mov     x5, xzr
    hvc     #5
    b       .

/* idgroups.c's payload (HCR_EL2.TID1, TID4, TID5): reads REVIDR_EL1 (x2)
 * and AIDR_EL1 (x3), then as x1 asks SMIDR_EL1 (bit 1, x4), GMID_EL1
 * (bit 2, x5) and CLIDR_EL1 (bit 3, x4), on l2_step_vectors; x4 and x5
 * keep 0xdead (idgroups.c's UNDEF_MARK) where a read was stepped over.
 * Reports by hvc #5 with its VBAR_EL1 put back. */
    .global l2_idgroups_payload
l2_idgroups_payload:
    mrs     x12, vbar_el1
    adr     x9, l2_step_vectors
    msr     vbar_el1, x9
    isb
    mov     x4, #0xdead
    mov     x5, #0xdead
    mrs     x2, S3_0_C0_C0_6                /* REVIDR_EL1 */
    mrs     x3, S3_1_C0_C0_7                /* AIDR_EL1 */
    tbz     x1, #1, 1f
    .global l2_smidr_insn
l2_smidr_insn:
    mrs     x4, S3_1_C0_C0_6                /* SMIDR_EL1 */
1:  tbz     x1, #2, 2f
    .global l2_gmid_insn
l2_gmid_insn:
    mrs     x5, S3_1_C0_C0_4                /* GMID_EL1 */
2:  tbz     x1, #3, 3f
    mrs     x4, clidr_el1
3:  msr     vbar_el1, x12
    isb
    hvc     #5
    b       .

/* Its EL1 vectors: any exception it takes reports itself to EL2. */
.macro l2_unexpected
    .balign 0x80
    mrs     x6, esr_el1
    mrs     x7, elr_el1
    hvc     #0xbad
.endm
    .balign 0x800
    .global l2_vectors
l2_vectors:
    .rept 16
    l2_unexpected
    .endr

/* l2_serror_payload's vectors: its SError from EL1h (+ 0x380) is counted. */
    .balign 0x800
l2_serror_vectors:
    .rept 7
    l2_unexpected
    .endr
    .balign 0x80
    mrs     x3, esr_el1
    add     x2, x2, #1
    eret
    .rept 8
    l2_unexpected
    .endr

/* l2_virq_payload's vectors: IRQ (+ 0x280) and FIQ (+ 0x300) from EL1h. */
    .balign 0x800
l2_virq_vectors:
    .rept 5
    l2_unexpected
    .endr
    .balign 0x80
    add     x2, x2, #1
    mrs     x9, spsr_el1
    orr     x9, x9, #0x80
    msr     spsr_el1, x9
    eret
    .balign 0x80
    add     x3, x3, #1
    mrs     x9, spsr_el1
    orr     x9, x9, #0x40
    msr     spsr_el1, x9
    eret
    .rept 9
    l2_unexpected
    .endr

/* l2_idgroups_payload's vectors: its synchronous exception from EL1h
 * (+ 0x200), a read UNDEFINED at its EL1, returns past the instruction. */
    .balign 0x800
l2_step_vectors:
    .rept 4
    l2_unexpected
    .endr
    .balign 0x80
    mrs     x9, elr_el1
    add     x9, x9, #4
    msr     elr_el1, x9
    eret
    .rept 11
    l2_unexpected
    .endr

    .bss
    .balign 8
nest_saved_sp:
    .quad   0
    .global nest_irq_flag
nest_irq_flag:
    .quad   0
