/* EL2 exception vectors and the world switch.
 *
 * Only general-purpose registers, PC and PSTATE cross this boundary on every
 * exit: a vCPU's EL1 system registers, FP/SIMD state, timers and vGIC state
 * stay in the hardware while elvisor handles the exit (the hypervisor never
 * uses them) and are swapped only when a physical CPU changes vCPU. */
#include "arch/arm64/asm_offsets.h"

    .cfi_sections .debug_frame

/* uint64_t guest_enter(struct vcpu_regs *regs, on_sync): runs the vCPU
 * until it exits, then returns EXIT_SYNC / EXIT_IRQ / EXIT_FIQ / EXIT_SERROR.
 * on_sync (may be NULL) sees each synchronous exit first, on elvisor's
 * stack with the guest's registers saved: EXIT_REENTER sends the guest
 * back at once, without leaving guest_enter (its frame keeps elvisor's
 * registers); any other value is returned (EXIT_SYNC: not handled yet,
 * EXIT_SYNC_DONE: handled, the caller must look before entering again). */
#define ENTER_FRAME     112
#define ENTER_ON_SYNC   96
    .text
    .global guest_enter
guest_enter:
    stp     x29, x30, [sp, #-ENTER_FRAME]!
    stp     x27, x28, [sp, #16]
    stp     x25, x26, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x21, x22, [sp, #64]
    stp     x19, x20, [sp, #80]
    str     x1, [sp, #ENTER_ON_SYNC]
    mrs     x1, tpidr_el2
    str     x0, [x1, #PCPU_GUEST_REGS]
    mov     x2, sp
    str     x2, [x1, #PCPU_HYP_SP]

/* x0: the vcpu_regs to load. */
guest_resume:
    ldp     x2, x3, [x0, #VCPU_REGS_PC]
    msr     elr_el2, x2
    msr     spsr_el2, x3
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0]
    eret

/* Saves the guest's registers into the vcpu_regs given at guest_enter and
 * returns from guest_enter with the exit code. */
.macro guest_exit code
    stp     x0, x1, [sp, #-16]!
    mrs     x0, tpidr_el2
    ldr     x0, [x0, #PCPU_GUEST_REGS]
    stp     x2, x3, [x0, #16]
    stp     x4, x5, [x0, #32]
    stp     x6, x7, [x0, #48]
    stp     x8, x9, [x0, #64]
    stp     x10, x11, [x0, #80]
    stp     x12, x13, [x0, #96]
    stp     x14, x15, [x0, #112]
    stp     x16, x17, [x0, #128]
    stp     x18, x19, [x0, #144]
    stp     x20, x21, [x0, #160]
    stp     x22, x23, [x0, #176]
    stp     x24, x25, [x0, #192]
    stp     x26, x27, [x0, #208]
    stp     x28, x29, [x0, #224]
    str     x30, [x0, #240]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x0]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x0, #VCPU_REGS_PC]
.if \code == EXIT_SYNC
    b       guest_exit_sync                 /* x0: the vcpu_regs */
.else
    mov     x0, #\code
    b       guest_exit_common
.endif
.endm

/* A synchronous exit goes to on_sync first, if there is one. The frame
 * chain and the CFI make on_sync look called from guest_enter's caller
 * (a debugger's backtrace from the exit handler reaches the run loop). */
guest_exit_sync:
    .cfi_startproc
    .cfi_undefined x30
    mov     x19, x0                         /* the guest's x19 is saved */
    mrs     x1, tpidr_el2
    ldr     x2, [x1, #PCPU_HYP_SP]
    mov     sp, x2
    mov     x29, sp
    .cfi_def_cfa x29, ENTER_FRAME
    .cfi_offset x29, -ENTER_FRAME
    .cfi_offset x30, -ENTER_FRAME + 8
    ldr     x3, [sp, #ENTER_ON_SYNC]
    cbz     x3, 2f
    blr     x3
    cmp     x0, #EXIT_REENTER
    b.ne    guest_return
    mov     x0, x19
    b       guest_resume
2:  mov     x0, #EXIT_SYNC
    b       guest_return
    .cfi_endproc

guest_exit_common:
    mrs     x1, tpidr_el2
    ldr     x2, [x1, #PCPU_HYP_SP]
    mov     sp, x2
guest_return:
    ldp     x19, x20, [sp, #80]
    ldp     x21, x22, [sp, #64]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #32]
    ldp     x27, x28, [sp, #16]
    ldp     x29, x30, [sp], #ENTER_FRAME
    ret

/* An exception taken from EL2 itself is a hypervisor bug: report and stop. */
.macro hyp_fault kind
    sub     sp, sp, #(34 * 8)
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mov     x0, #\kind
    mov     x1, sp
    bl      hyp_exception
1:  wfe
    b       1b
.endm

.macro vector_entry label
    .balign 0x80
\label:
.endm

    .balign 0x800
    .global hyp_vectors
hyp_vectors:
vector_entry cur_sp0_sync
    hyp_fault 0
vector_entry cur_sp0_irq
    hyp_fault 1
vector_entry cur_sp0_fiq
    hyp_fault 2
vector_entry cur_sp0_serror
    hyp_fault 3
vector_entry cur_spx_sync
    hyp_fault 4
vector_entry cur_spx_irq
    hyp_fault 5
vector_entry cur_spx_fiq
    hyp_fault 6
vector_entry cur_spx_serror
    hyp_fault 7
vector_entry lower64_sync
    guest_exit EXIT_SYNC
vector_entry lower64_irq
    guest_exit EXIT_IRQ
vector_entry lower64_fiq
    guest_exit EXIT_FIQ
vector_entry lower64_serror
    guest_exit EXIT_SERROR
vector_entry lower32_sync
    guest_exit EXIT_SYNC
vector_entry lower32_irq
    guest_exit EXIT_IRQ
vector_entry lower32_fiq
    guest_exit EXIT_FIQ
vector_entry lower32_serror
    guest_exit EXIT_SERROR

/* The floor of make bench (docs/performance.md): the least an EL2 can do.
 * While VBAR_EL2 points here (hyp_floor_enter(), only with the bench-floor
 * boot option), a synchronous exit from the guest returns at once: an HVC
 * as it is (ELR_EL2 is already past it), anything else (a trapped system
 * register, an MMIO access) stepped over. The HVC ELVISOR_BENCH_FLOOR_OFF,
 * and any interrupt, put elvisor's own vectors back; an interrupt then
 * takes its usual path. Exceptions from EL2 itself are elvisor's. */
.macro floor_back_to label
    stp     x0, x1, [sp, #-16]!
    adr     x0, hyp_vectors
    msr     vbar_el2, x0
    ldp     x0, x1, [sp], #16
    b       \label
.endm

.macro floor_sync
    stp     x0, x1, [sp, #-16]!
    mrs     x1, esr_el2
    lsr     x1, x1, #26
    cmp     x1, #0x16                       /* EC: HVC from AArch64 */
    b.ne    1f
    mov     w1, #0x0f11                     /* ELVISOR_BENCH_FLOOR_OFF (smccc.h) */
    movk    w1, #0x8600, lsl #16
    cmp     w0, w1
    b.ne    2f
    adr     x0, hyp_vectors
    msr     vbar_el2, x0
    ldp     x0, x1, [sp], #16
    mov     x0, xzr
    eret
1:  mrs     x1, elr_el2
    add     x1, x1, #4
    msr     elr_el2, x1
2:  ldp     x0, x1, [sp], #16
    eret
.endm

    .balign 0x800
    .global floor_vectors
floor_vectors:
vector_entry floor_cur_sp0_sync
    b       cur_sp0_sync
vector_entry floor_cur_sp0_irq
    b       cur_sp0_irq
vector_entry floor_cur_sp0_fiq
    b       cur_sp0_fiq
vector_entry floor_cur_sp0_serror
    b       cur_sp0_serror
vector_entry floor_cur_spx_sync
    b       cur_spx_sync
vector_entry floor_cur_spx_irq
    b       cur_spx_irq
vector_entry floor_cur_spx_fiq
    b       cur_spx_fiq
vector_entry floor_cur_spx_serror
    b       cur_spx_serror
vector_entry floor_lower64_sync
    floor_sync
vector_entry floor_lower64_irq
    floor_back_to lower64_irq
vector_entry floor_lower64_fiq
    floor_back_to lower64_fiq
vector_entry floor_lower64_serror
    floor_back_to lower64_serror
vector_entry floor_lower32_sync
    floor_back_to lower32_sync
vector_entry floor_lower32_irq
    floor_back_to lower32_irq
vector_entry floor_lower32_fiq
    floor_back_to lower32_fiq
vector_entry floor_lower32_serror
    floor_back_to lower32_serror
