/* Running the guest's own guest (L2), shared by the guest hypervisor
 * guests (vel2nest, vel2nvhe): l2.S's entry and vectors, and run.c's
 * runners that set HCR_EL2 and VBAR_EL2 around it. */
#ifndef VEL2NEST_RUN_H
#define VEL2NEST_RUN_H

#include <stdint.h>

/* ERETs to the EL1 payload entry with x1, VBAR_EL2 at nest_vectors
 * (l2.S); returns when nest_exit_c ends the run. */
void nest_run(void (*entry)(void), uint64_t x1);
extern char nest_vectors[];

/* What nest_setup changed, for nest_restore. */
struct nest_saved {
    uint64_t hcr, vbar;
};
/* HCR_EL2 = its own with RW and set, without TGE and clear; VBAR_EL2 at
 * nest_vectors. */
void nest_setup(struct nest_saved *s, uint64_t clear, uint64_t set);
void nest_restore(const struct nest_saved *s);
/* nest_setup, nest_run(entry, x1), nest_restore. */
void nest_run_with(uint64_t clear, uint64_t set, void (*entry)(void), uint64_t x1);

#endif
