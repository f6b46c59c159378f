/* A VM's generic-timer view (docs/vtimer.md): on every vCPU the virtual and
 * the physical counter read (hardware count - vm->cnt_offset), and both EL1
 * timers compare against those counts. With FEAT_ECV's CNTPOFF_EL2 the
 * hardware applies the offset to both; without it the EL1 physical counter
 * and timer registers trap and are emulated here, the hardware timer then
 * holding the guest's CVAL + offset so that its interrupt (PPI 30) fires at
 * the guest's deadline. The arithmetic (vtimer_calc.c) is pure and host
 * tested; trap/vtimer.c does the register access for a vCPU. */
#ifndef ELVISOR_VDEV_VTIMER_H
#define ELVISOR_VDEV_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

/* The count a guest sees at hardware count hw_count. */
uint64_t vtimer_count(uint64_t hw_count, uint64_t offset);
/* A guest compare value as the hardware register must hold it so that the
 * hardware's condition (count >= CVAL) matches the guest's; `offset` is
 * vtimer_ptimer_hw_offset() for the physical timer. Saturates: a CVAL past
 * what guest time can reach is never reached by the hardware either, so the
 * guest's own CVAL (vcpu->timer.cntp_cval) is the one kept and read back. */
uint64_t vtimer_cval_to_hw(uint64_t cval, uint64_t offset);
/* What separates the guest's physical CVAL from the hardware register: the
 * VM's offset when the timer is emulated, nothing when CNTPOFF_EL2 applies
 * it to the comparison itself. */
uint64_t vtimer_ptimer_hw_offset(bool emulated, uint64_t vm_offset);

/* TVAL reads the low 32 bits of CVAL - count (bits [63:32] are RES0), so a
 * deadline in the past reads as a negative 32-bit value. */
uint64_t vtimer_tval_read(uint64_t cval, uint64_t count);
/* A TVAL write sets CVAL = count + TVAL, TVAL taken as signed 32 bits. */
uint64_t vtimer_tval_to_cval(uint64_t tval, uint64_t count);
/* The CTL bits a write may change: ENABLE and IMASK (ISTATUS is read-only). */
uint64_t vtimer_ctl_write_value(uint64_t val);

/* The timer's interrupt output: enabled, not masked, condition met. */
bool vtimer_ctl_line(uint64_t ctl);

/* A timer saved in memory (CTL, the guest's CVAL, the VM's offset) asserts
 * its interrupt from this hardware count on: VTIMER_NEVER when it is
 * disabled or masked, or when the guest's count cannot reach CVAL before
 * the hardware counter wraps. Both EL1 timers compare the guest's count,
 * hardware count - offset, with the guest's CVAL. */
#define VTIMER_NEVER    UINT64_MAX
uint64_t vtimer_hw_deadline(uint64_t ctl, uint64_t cval, uint64_t offset);

#endif
