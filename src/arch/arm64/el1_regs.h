/* The guest EL1 system registers that a vCPU switch saves and restores.
 * Under VHE elvisor reaches them through the *_EL12 aliases, under nVHE
 * through the plain *_EL1 names; el1_read()/el1_write() hide which. */
#ifndef ELVISOR_ARCH_EL1_REGS_H
#define ELVISOR_ARCH_EL1_REGS_H

#include <stdint.h>

enum el1_reg {
    EL1_SCTLR, EL1_CPACR, EL1_TTBR0, EL1_TTBR1, EL1_TCR, EL1_ESR, EL1_AFSR0, EL1_AFSR1,
    EL1_FAR, EL1_MAIR, EL1_AMAIR, EL1_VBAR, EL1_CONTEXTIDR, EL1_CNTKCTL,
    EL1_ELR, EL1_SPSR,
    /* Not aliased under VHE: the same instruction at EL2 reaches the EL1/EL0 register. */
    EL1_SP_EL1, EL1_SP_EL0, EL1_TPIDR_EL0, EL1_TPIDRRO_EL0, EL1_TPIDR_EL1, EL1_PAR,
    EL1_CSSELR, EL1_MDSCR,
    EL1_NR_REGS
};

uint64_t el1_read(enum el1_reg r);
void el1_write(enum el1_reg r, uint64_t v);
/* The whole file in and out (a vCPU switch): file[r] for each register r. */
void el1_save(uint64_t file[EL1_NR_REGS]);
void el1_restore(const uint64_t file[EL1_NR_REGS]);

#endif
