/* EL1 exception vectors (EL2 ones in GUEST_EL2 builds). Every taken
 * exception saves the full register file into a struct exc_frame on the
 * stack, so the C handlers can inspect and change any register (ELR to
 * skip a faulting instruction, x0 to fake an HVC return value) before the
 * frame is restored; they also learn which vector entry was taken. */

#ifdef GUEST_EL2
#define ELR_ELX     elr_el2
#define SPSR_ELX    spsr_el2
#else
#define ELR_ELX     elr_el1
#define SPSR_ELX    spsr_el1
#endif

#include "exc_frame.S.h"

#define KIND_SYNC   0
#define KIND_IRQ    1
#define KIND_FIQ    2
#define KIND_SERROR 3

.macro save_and_call kind, offset
    frame_save ELR_ELX, SPSR_ELX
    mov     x1, #\kind
    mov     x2, #\offset
    bl      guest_exception_c
    b       exception_return
.endm

.macro vector_entry label
    .balign 0x80
\label:
.endm

    .section .text.vectors, "ax"
    .balign 0x800
    .global guest_vectors
guest_vectors:
    /* Current EL with SP_EL0: never used by the guests. */
    vector_entry cur_sp0_sync
    save_and_call KIND_SYNC, 0x000
    vector_entry cur_sp0_irq
    save_and_call KIND_IRQ, 0x080
    vector_entry cur_sp0_fiq
    save_and_call KIND_FIQ, 0x100
    vector_entry cur_sp0_serror
    save_and_call KIND_SERROR, 0x180
    /* Current EL with SP_ELx: where everything lands. */
    vector_entry cur_spx_sync
    save_and_call KIND_SYNC, 0x200
    vector_entry cur_spx_irq
    save_and_call KIND_IRQ, 0x280
    vector_entry cur_spx_fiq
    save_and_call KIND_FIQ, 0x300
    vector_entry cur_spx_serror
    save_and_call KIND_SERROR, 0x380
    /* Lower EL: the guests have no EL0 code. */
    vector_entry low64_sync
    save_and_call KIND_SYNC, 0x400
    vector_entry low64_irq
    save_and_call KIND_IRQ, 0x480
    vector_entry low64_fiq
    save_and_call KIND_FIQ, 0x500
    vector_entry low64_serror
    save_and_call KIND_SERROR, 0x580
    vector_entry low32_sync
    save_and_call KIND_SYNC, 0x600
    vector_entry low32_irq
    save_and_call KIND_IRQ, 0x680
    vector_entry low32_fiq
    save_and_call KIND_FIQ, 0x700
    vector_entry low32_serror
    save_and_call KIND_SERROR, 0x780

exception_return:
    frame_restore ELR_ELX, SPSR_ELX
    eret
