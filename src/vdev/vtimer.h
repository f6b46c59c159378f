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

#include "arch/arm64/hw_timer.h"

/* The generic timers a vCPU can have, named as its guest sees them: the
 * two EL1 timers every guest has, and the two EL2 timers of a guest
 * hypervisor (its CNTHP and CNTHV). Each is a context: its CTL and CVAL
 * (struct vtimer), its INTID, and, while the vCPU is loaded, either a
 * hardware EL1 timer it runs on or memory (struct vtimer_map). */
enum vtimer_id {
    VTIMER_EL1_PHYS,
    VTIMER_EL1_VIRT,
    VTIMER_EL2_PHYS,
    VTIMER_EL2_VIRT,
    VTIMER_NR,
};

/* Their interrupts on the virt board (the guest platform contract). */
#define VTIMER_PPI_EL1_PHYS     30
#define VTIMER_PPI_EL1_VIRT     27
#define VTIMER_PPI_EL2_PHYS     26
#define VTIMER_PPI_EL2_VIRT     28
static inline unsigned vtimer_ppi(enum vtimer_id id)
{
    static const uint8_t ppi[VTIMER_NR] = {
        [VTIMER_EL1_PHYS] = VTIMER_PPI_EL1_PHYS, [VTIMER_EL1_VIRT] = VTIMER_PPI_EL1_VIRT,
        [VTIMER_EL2_PHYS] = VTIMER_PPI_EL2_PHYS, [VTIMER_EL2_VIRT] = VTIMER_PPI_EL2_VIRT,
    };
    return ppi[id];
}

/* A timer as its guest sees it: CVAL is the guest's own value, against the
 * guest's count; CTL's ISTATUS as last seen in the hardware. */
struct vtimer {
    uint64_t ctl, cval;
};

/* Which of a vCPU's timers each hardware EL1 timer runs while the vCPU is
 * loaded (VTIMER_NR: none); every other timer stays in memory and is
 * watched in software. The rule is the vCPU's context: a plain EL1 guest
 * runs its EL1 timers on the EL1 hardware ones (VTIMER_MAP_EL1). */
struct vtimer_map {
    enum vtimer_id hw[HW_TIMER_NR];
};
#define VTIMER_MAP_EL1 ((struct vtimer_map){ { [HW_TIMER_EL1_PHYS] = VTIMER_EL1_PHYS, \
                                               [HW_TIMER_EL1_VIRT] = VTIMER_EL1_VIRT } })

/* The hardware timer that runs timer id under map m, or HW_TIMER_NR. */
static inline enum hw_timer vtimer_map_hw_of(const struct vtimer_map *m, enum vtimer_id id)
{
    for (unsigned t = 0; t < HW_TIMER_NR; t++)
        if (m->hw[t] == id)
            return (enum hw_timer)t;
    return HW_TIMER_NR;
}

/* The count a guest sees at hardware count hw_count. */
uint64_t vtimer_count(uint64_t hw_count, uint64_t offset);
/* A guest compare value as the hardware register must hold it so that the
 * hardware's condition (count >= CVAL) matches the guest's; `offset` is
 * vtimer_ptimer_hw_offset() for the physical timer. Saturates: a CVAL past
 * what guest time can reach is never reached by the hardware either, so the
 * guest's own CVAL (the vCPU's struct vtimer) is the one kept and read back. */
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
