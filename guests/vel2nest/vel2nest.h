/* vel2nest's parts (main.c, timers.c). */
#ifndef VEL2NEST_H
#define VEL2NEST_H

#include <stdbool.h>

/* The guest hypervisor's EL2 timers by both names, or with e2h false
 * CNTHP by its _EL2 names only (timers.c). */
void check_el2_timers(bool e2h);
void check_el02_istatus(void);
/* Its EL2 timers still interrupt with its guest's timer PPIs held active. */
void check_el2_timers_beside_active_el1_ppis(void);


#endif
