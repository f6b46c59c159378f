/* The struct exc_frame layout (exceptions.h) and the assembly that fills
 * and empties it, shared by the library's vectors and the nested guests'. */
#ifndef GUEST_EXC_FRAME_S_H
#define GUEST_EXC_FRAME_S_H

#define FRAME_SIZE  272     /* x0-x30, elr, spsr, padding to 16 bytes */
#define FRAME_ELR   248
#define FRAME_SPSR  256

/* Pushes a frame with every general register and the given ELR/SPSR; leaves
 * x0 pointing at it. */
.macro frame_save elr, spsr
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
    mrs     x0, \elr
    stp     x30, x0, [sp, #16 * 15]
    mrs     x0, \spsr
    str     x0, [sp, #FRAME_SPSR]
    mov     x0, sp
.endm

/* Pops the frame at sp back into the registers and ELR/SPSR (as a handler
 * may have changed them); the caller then ERETs. */
.macro frame_restore elr, spsr
    ldr     x0, [sp, #FRAME_SPSR]
    msr     \spsr, x0
    ldp     x30, x0, [sp, #16 * 15]
    msr     \elr, x0
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
.endm

#endif
