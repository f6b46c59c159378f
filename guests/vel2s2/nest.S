/* nest_run, nest_vectors (VBAR_EL2 while the payload runs) and the L2
 * vectors that report any exception with `hvc #0xbad` are vel2nest's: one
 * copy of that code for both guests. vel2nest's own payload comes along
 * unused. */
#include "../vel2nest/l2.S"

/* vel2s2's payloads, run at EL1 with their stage 1 off (VA = L2 IPA) on
 * the guest hypervisor's stage 2. x1 = IPA A; B, C, D as in main.c. */
#define IPA_B   0x80001000
#define IPA_C   0x80002000
#define IPA_D   0xc0000000
#define IPA_E_PERIPHID0 0x80003fe0
    .text
    .balign 4
    .global s2_payload, s2_read_a, s2_read_b, s2_write_c, s2_read_d, s2_payload_again
s2_payload:
    ldr     x2, =IPA_B
    ldr     x3, =IPA_C
    ldr     x4, =IPA_D
s2_read_a:
    ldr     x5, [x1]
s2_read_b:
    ldr     x6, [x2]        /* faults until L1 maps B; retried */
    ldr     x8, [x3]        /* read first: the shadow entry exists when... */
s2_write_c:
    str     x5, [x3]        /* ...the write to read-only C faults: skipped */
s2_read_d:
    ldr     x7, [x4]        /* L1's level 1 has nothing: skipped */
    ldr     x10, =IPA_E_PERIPHID0
    ldr     w9, [x10]       /* the UART through L1's stage 2 */
    hvc     #5
1:  b       1b

s2_payload_again:
    ldr     x5, [x1]
    hvc     #5
1:  b       1b
    .ltorg
