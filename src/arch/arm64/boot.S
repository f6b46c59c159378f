/* Entry from QEMU (or firmware) at EL2 following the arm64 Linux boot
 * protocol: x0 = physical address of the DTB, MMU off. The Image header
 * lets a loader that only knows Linux place and start elvisor. */
#include "arch/arm64/asm_offsets.h"

    .section .text.head, "ax"
    .global _head
_head:
    b       primary_entry
    .long   0
    .quad   0x200000            /* text_offset: linked at RAM base + 2 MiB */
    .quad   _image_size
    .quad   0x2                 /* little endian, 4 KiB pages */
    .quad   0, 0, 0
    .ascii  "ARM\x64"
    .long   0

    .text
primary_entry:
    mov     x19, x0
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    not_at_el2

    /* Zero .bss with the MMU off (stores are Device-type, so keep them aligned). */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:
    mov     x0, #0
    bl      set_boot_stack
    mov     x0, x19
    bl      primary_main
    b       park

    /* PSCI CPU_ON target: x0 = the logical CPU index passed as context. */
    .global secondary_entry
secondary_entry:
    mov     x19, x0
    bl      set_boot_stack
    mov     x0, x19
    bl      secondary_main
    b       park

/* x0 = CPU index; sets SP to the top of that CPU's stack. Clobbers x1, x2. */
set_boot_stack:
    adrp    x1, pcpu_stacks
    add     x1, x1, :lo12:pcpu_stacks
    add     x2, x0, #1
    mov     x0, #PCPU_STACK_SIZE
    madd    x1, x2, x0, x1
    mov     sp, x1
    ret

not_at_el2:
    /* Without EL2 there is nothing elvisor can do; no console is set up yet. */
park:
    wfe
    b       park

    .bss
    .balign 16
    .global pcpu_stacks
pcpu_stacks:
    .space  PCPU_STACK_SIZE * MAX_PCPUS
