/* The physical interrupts that reach elvisor at EL2 on this CPU, each to
 * whoever it is for: the loaded vCPU's timers to its vGIC (forwarded with the
 * list register's HW bit), elvisor's own timer to the scheduler, the UART to
 * the console. */
#ifndef ELVISOR_RUN_IRQ_H
#define ELVISOR_RUN_IRQ_H

/* Acknowledges and routes every interrupt pending at EL2 on this CPU. */
void handle_phys_irqs(void);

#endif
