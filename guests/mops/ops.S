/* Memory sets and copies (FEAT_MOPS) for the mops guest, entered at the
 * prologue or, with PSTATE.C set, straight at the main or the epilogue
 * instruction: an option A CPU (QEMU's) takes PSTATE.C = 1 there for the
 * other option's state and raises a MOPS exception (wrong option), which a
 * hypervisor with HCRX_EL2.MCE2 set must restart from the prologue. */
    .arch_extension mops
    .text

/* x0 = destination, x1 = size, x2 = byte; x3 = 0 from the prologue, 1 at
 * the main instruction, 2 at the epilogue. Returns through mops_set_ret
 * (where a guest that takes the exception itself resumes). */
    .global mops_set, mops_set_ret
mops_set:
    mov     x4, #(1 << 29)
    tbnz    x3, #0, 3f
    tbnz    x3, #1, 4f
    setp    [x0]!, x1!, x2
1:  setm    [x0]!, x1!, x2
2:  sete    [x0]!, x1!, x2
mops_set_ret:
    ret
3:  msr     nzcv, x4
    b       1b
4:  msr     nzcv, x4
    b       2b

/* x0 = destination, x1 = source, x2 = size; x3 as for mops_set. */
    .global mops_copy, mops_copy_ret
mops_copy:
    mov     x4, #(1 << 29)
    tbnz    x3, #0, 3f
    tbnz    x3, #1, 4f
    cpyp    [x0]!, [x1]!, x2!
1:  cpym    [x0]!, [x1]!, x2!
2:  cpye    [x0]!, [x1]!, x2!
mops_copy_ret:
    ret
3:  msr     nzcv, x4
    b       1b
4:  msr     nzcv, x4
    b       2b
