/* The physical GIC as elvisor uses it: interrupts are taken at EL2 with
 * split priority drop and deactivation (EOImode = 1) so that an interrupt
 * forwarded to a vCPU stays active until the guest deactivates it. */
#ifndef ELVISOR_ARCH_GIC_H
#define ELVISOR_ARCH_GIC_H

#include <stdbool.h>
#include <stdint.h>

#define SGI_KICK    0       /* "look at your vCPUs again" between physical CPUs */

/* Distributor, once. */
int gic_init(uint64_t gicd_base, uint64_t gicr_base, uint64_t gicr_size);
/* This CPU's redistributor and CPU interface. */
int gic_cpu_init(uint64_t mpidr);

void gic_enable_irq(unsigned intid);
/* SPIs go to one physical CPU. */
void gic_route_spi(unsigned intid, uint64_t mpidr);
void gic_send_sgi(unsigned sgi, uint64_t target_mpidr);

/* Returns the INTID acknowledged, or GIC_INTID_SPURIOUS (1023). */
unsigned gic_ack(void);
void gic_priority_drop(unsigned intid);
void gic_deactivate(unsigned intid);

uint64_t gic_read_vtr(void);

#endif
