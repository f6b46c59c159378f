/* FEAT_MOPS: a memory copy or set is three instructions (prologue, main,
 * epilogue: CPYP/CPYM/CPYE, SETP/SETM/SETE) that may stop part-way and keep
 * their progress in the general registers, in a format that depends on the
 * CPU's implementation option (A or B). When a main or epilogue instruction
 * finds registers it cannot go on from (another option's format, as after a
 * move to another kind of CPU), it takes a MOPS exception (EC 0x27); the
 * handler puts the registers back into the prologue's format and restarts
 * from the prologue. Pure: host tests cover every case. */
#ifndef ELVISOR_ARCH_MOPS_H
#define ELVISOR_ARCH_MOPS_H

#include <stdint.h>

/* The MOPS exception's ISS (Arm ARM, ESR_ELx, EC 0x27) */
#define MOPS_ISS_SIZEREG(esr)       ((unsigned)(esr) & 0x1f)
#define MOPS_ISS_SRCREG(esr)        ((unsigned)((esr) >> 5) & 0x1f)
#define MOPS_ISS_DESTREG(esr)       ((unsigned)((esr) >> 10) & 0x1f)
#define MOPS_ISS_OPTION_A           (1ULL << 16)    /* this CPU implements option A */
#define MOPS_ISS_WRONG_OPTION       (1ULL << 17)    /* the registers are the other option's */
#define MOPS_ISS_FROM_EPILOGUE      (1ULL << 18)
#define MOPS_ISS_MEMINST            (1ULL << 24)    /* a SET* (1) or a CPY* (0) */

/* Rewinds a stopped copy or set described by esr to its prologue: x are the
 * general registers of the context that took the exception (x[31] is not
 * one: register number 31 reads as zero and is never written), *pc its
 * return address (the main or epilogue instruction) and *pstate its saved
 * PSTATE. Follows the Arm ARM's rules for restarting (CNTMJ, MWFQH); clears
 * PSTATE.SS so that a debugger stepping the instruction steps the restart. */
void mops_restart(uint64_t x[31], uint64_t *pc, uint64_t *pstate, uint64_t esr);

#endif
