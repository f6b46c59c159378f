/* The hardware's ID registers, read on a guest's trapped access. Kept apart
 * from the trap table (trap/sysreg_emul.c) so that the table and its
 * dispatch build on the host, where tests put a fake in its place. */
#ifndef ELVISOR_ARCH_ID_REG_HW_H
#define ELVISOR_ARCH_ID_REG_HW_H

#include <stdint.h>

/* The ID register S3_0_C0_C<crm>_<op2>, CRm 1..7; anything else reads 0
 * (unallocated encodings in that space read as zero on the hardware too). */
uint64_t arch_read_id_reg(unsigned crm, unsigned op2);

#endif
