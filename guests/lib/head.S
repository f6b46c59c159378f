/* Guest entry: arm64 Image header, primary and secondary CPU entry.
 * Both QEMU -kernel and elvisor honour text_offset, so the image runs
 * where it is linked (RAM base + 0x80000) with the MMU off. Assembled with
 * GUEST_RAW_BINARY the header is left out: the image is then a raw binary,
 * which elvisor also loads and enters at RAM base + 0x80000.
 *
 * Assembled with GUEST_EL2 (guests that run at EL2, guests.mk EL2_GUESTS)
 * a CPU entered at EL2 sets HCR_EL2.E2H, so that it runs as a VHE host
 * would whether E2H was RES1 (elvisor's virtual EL2) or 0 at reset (QEMU's
 * own EL2), and uses VBAR_EL2 and SCTLR_EL2. A guest that defines
 * guest_el2_nvhe as true runs as a non-VHE hypervisor instead: E2H clear
 * (RES0 in elvisor's non-VHE virtual EL2, 0 at reset on QEMU) and
 * SCTLR_EL2 in its E2H = 0 layout. The HCR_EL2 it was entered with is kept
 * in guest_entry_hcr. */
#include "platform.h"

#define IMAGE_FLAGS_LE_4K   0x2     /* little-endian, 4 KiB pages, 2 MiB-aligned base */
#define CTX_CPU_MASK        0xff    /* context id low byte: logical CPU index */
#define CURRENTEL_EL1       0x4
#define SCTLR_EL1_RES1      0x30d00800  /* also SCTLR_EL2's with E2H = 1 */
#define CURRENTEL_EL2       0x8
#define HCR_EL2_RW          (1 << 31)
#define HCR_EL2_E2H         (1 << 34)
#define SCTLR_EL2_RES1_E2H0 0x30c50830  /* bits 4, 5, 11, 16, 18, 22, 23, 28, 29 */

    .section .text.head, "ax"
    .global _start
_start:
#ifndef GUEST_RAW_BINARY
    b       primary_entry                   /* code0 */
    .long   0                               /* code1 */
    .quad   IMAGE_TEXT_OFFSET               /* text_offset */
    .quad   __image_size                    /* image_size, includes bss and stacks */
    .quad   IMAGE_FLAGS_LE_4K               /* flags */
    .quad   0, 0, 0                         /* res2-res4 */
    .ascii  "ARM\x64"                       /* magic, at 0x38 */
    .long   0                               /* res5 */
#endif

primary_entry:
    /* The counters before anything else: how far they had run when the
     * guest got control (guest_entry_cntvct/cntpct, kept past the bss clear). */
    mrs     x20, cntvct_el0
    mrs     x21, cntpct_el0
    msr     daifset, #0xf
    mov     x19, x0                         /* DTB address */
#ifdef GUEST_EL2
    mov     x22, #0
    mrs     x1, CurrentEL
    cmp     x1, #CURRENTEL_EL2
    b.ne    3f
    mrs     x22, hcr_el2
3:
#endif
    /* Clear bss before any C code; the stacks are outside it and need no clearing. */
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  adrp    x1, guest_entry_cntvct
    str     x20, [x1, :lo12:guest_entry_cntvct]
    adrp    x1, guest_entry_cntpct
    str     x21, [x1, :lo12:guest_entry_cntpct]
#ifdef GUEST_EL2
    adrp    x1, guest_entry_hcr
    str     x22, [x1, :lo12:guest_entry_hcr]
#endif
    mov     x0, #0
    bl      cpu_early_setup
    mrs     x1, CurrentEL
    mov     x0, x19
    b       guest_primary_c

    /* PSCI CPU_ON entry point: x0 is the context id given to CPU_ON. */
    .global guest_secondary_entry
guest_secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    and     x20, x0, #CTX_CPU_MASK
    cmp     x20, #MAX_CPUS
    b.hs    park
    mov     x0, x20
    bl      cpu_early_setup
    mov     x0, x20
    mov     x1, x19
    b       guest_secondary_c

park:
    wfe
    b       park

/* x0 = logical CPU index. Sets up this CPU's stack, vectors and TPIDR_EL1.
 * Uses only x0-x3 and must not touch the stack before it has one. */
cpu_early_setup:
#ifdef GUEST_EL2
    mrs     x2, CurrentEL
    cmp     x2, #CURRENTEL_EL2
    b.ne    1f
    /* E2H before SCTLR_EL2: its layout depends on it. HCR_EL2 is per CPU. */
    adrp    x3, guest_el2_nvhe
    ldrb    w3, [x3, :lo12:guest_el2_nvhe]
    mrs     x1, hcr_el2
    orr     x1, x1, #HCR_EL2_E2H
    cbz     w3, 4f
    bic     x1, x1, #HCR_EL2_E2H
4:  orr     x1, x1, #HCR_EL2_RW
    msr     hcr_el2, x1
    isb
1:
#endif
    msr     tpidr_el1, x0
    adrp    x1, guest_stacks
    add     x1, x1, :lo12:guest_stacks
    add     x2, x0, #1
    mov     x3, #STACK_SIZE
    madd    x1, x2, x3, x1
    mov     sp, x1
    adrp    x1, guest_vectors
    add     x1, x1, :lo12:guest_vectors
    /* MMU and caches off, little-endian, alignment checks off. */
    ldr     x3, =SCTLR_EL1_RES1
#ifdef GUEST_EL2
    mrs     x2, CurrentEL
    cmp     x2, #CURRENTEL_EL2
    b.ne    2f
    msr     vbar_el2, x1
    adrp    x2, guest_el2_nvhe
    ldrb    w2, [x2, :lo12:guest_el2_nvhe]
    cbz     w2, 5f
    ldr     x3, =SCTLR_EL2_RES1_E2H0
5:  msr     sctlr_el2, x3
    isb
    ret
2:
#endif
    msr     vbar_el1, x1
    msr     sctlr_el1, x3
    isb
    ret

    .section .guest_stacks, "aw", %nobits
    .balign 16
    .global guest_stacks
guest_stacks:
    .space  MAX_CPUS * STACK_SIZE
