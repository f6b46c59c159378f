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

#define FRAME_SIZE  272     /* x0-x30, elr, spsr, padding to 16 bytes */
#define FRAME_ELR   248
#define FRAME_SPSR  256

#define KIND_SYNC   0
#define KIND_IRQ    1
#define KIND_FIQ    2
#define KIND_SERROR 3

.macro save_and_call kind, offset
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #16 * 0]
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x19, [sp, #16 * 9]
    stp     x20, x21, [sp, #16 * 10]
    stp     x22, x23, [sp, #16 * 11]
    stp     x24, x25, [sp, #16 * 12]
    stp     x26, x27, [sp, #16 * 13]
    stp     x28, x29, [sp, #16 * 14]
    mrs     x0, ELR_ELX
    stp     x30, x0, [sp, #16 * 15]
    mrs     x0, SPSR_ELX
    str     x0, [sp, #FRAME_SPSR]
    mov     x0, sp
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
    ldr     x0, [sp, #FRAME_SPSR]
    msr     SPSR_ELX, x0
    ldp     x30, x0, [sp, #16 * 15]
    msr     ELR_ELX, x0
    ldp     x0, x1, [sp, #16 * 0]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x18, x19, [sp, #16 * 9]
    ldp     x20, x21, [sp, #16 * 10]
    ldp     x22, x23, [sp, #16 * 11]
    ldp     x24, x25, [sp, #16 * 12]
    ldp     x26, x27, [sp, #16 * 13]
    ldp     x28, x29, [sp, #16 * 14]
    add     sp, sp, #FRAME_SIZE
    eret
