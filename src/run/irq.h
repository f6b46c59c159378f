/* The physical interrupts that reach elvisor at EL2 on this CPU, each to
 * whoever its row in the routing table (core/irq_route.h) names: the
 * loaded vCPU's timers to its vGIC (forwarded with the list register's HW
 * bit), elvisor's own timer to the scheduler, the UART to the console, an
 * assigned device's interrupt to its VM. */
#ifndef ELVISOR_RUN_IRQ_H
#define ELVISOR_RUN_IRQ_H

/* elvisor's own rows; the boot CPU calls it once before interrupts are on. */
void irq_routes_init(void);

/* Acknowledges and routes every interrupt pending at EL2 on this CPU. */
void handle_phys_irqs(void);

#endif
