/* vel2nest's parts (main.c, timers.c). */
#ifndef VEL2NEST_H
#define VEL2NEST_H

/* The guest hypervisor's EL2 timers by both names (timers.c). */
void check_el2_timers(void);

#endif
