/* Instruction fetch from an address outside the VM: the exception handler
 * cannot skip a faulting instruction that does not exist, so it resumes at
 * isolation_branch_resume (exc_expect_sync_resume) and this returns through
 * the link register kept in x9, which the handler saves and restores. */

    .text
    .global isolation_branch_to
    .type   isolation_branch_to, %function
isolation_branch_to:            /* x0 = target */
    mov     x9, x30
    blr     x0
    .global isolation_branch_resume
isolation_branch_resume:
    ret     x9
    .size   isolation_branch_to, . - isolation_branch_to
