/* Instructions the vel2 guest needs at known addresses: the exception
 * checks compare ELR with these labels. */

    .text
    .balign 4

/* x0 passes through unchanged unless something serves the HVC as a call. */
    .global vel2_hvc_probe, vel2_hvc_after
vel2_hvc_probe:
    hvc     #0x4d2
vel2_hvc_after:
    ret

    .global vel2_brk_probe, vel2_brk_insn
vel2_brk_probe:
vel2_brk_insn:
    brk     #0x2a
    ret

/* x0 = value, x1 = count (> 0): VTTBR_EL2 written count times. */
    .global vel2_msr_vttbr_loop
vel2_msr_vttbr_loop:
1:  msr     vttbr_el2, x0
    subs    x1, x1, #1
    b.ne    1b
    isb
    ret

/* The same with VBAR_EL2, which has no VNCR slot: every write traps. */
    .global vel2_msr_vbar_loop
vel2_msr_vbar_loop:
1:  msr     vbar_el2, x0
    subs    x1, x1, #1
    b.ne    1b
    isb
    ret
