/* The hardware timers elvisor gives the vCPU it runs: the two EL1 timers
 * (its own EL2 physical timer is the scheduler's). Their interrupts are
 * these PPIs on every GIC; el1_timer.h reaches their registers. */
#ifndef ELVISOR_ARCH_HW_TIMER_H
#define ELVISOR_ARCH_HW_TIMER_H

enum hw_timer {
    HW_TIMER_EL1_PHYS,
    HW_TIMER_EL1_VIRT,
    HW_TIMER_NR,
};

#define HW_TIMER_PPI_EL1_PHYS   30
#define HW_TIMER_PPI_EL1_VIRT   27

static inline unsigned hw_timer_ppi(enum hw_timer t)
{
    return t == HW_TIMER_EL1_PHYS ? HW_TIMER_PPI_EL1_PHYS : HW_TIMER_PPI_EL1_VIRT;
}

/* The hardware timer whose interrupt is PPI intid, or HW_TIMER_NR. */
static inline enum hw_timer hw_timer_of_ppi(unsigned intid)
{
    return intid == HW_TIMER_PPI_EL1_PHYS ? HW_TIMER_EL1_PHYS
         : intid == HW_TIMER_PPI_EL1_VIRT ? HW_TIMER_EL1_VIRT : HW_TIMER_NR;
}

#endif
