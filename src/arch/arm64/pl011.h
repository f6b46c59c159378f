/* The physical PL011 elvisor prints on and reads console input from. */
#ifndef ELVISOR_ARCH_PL011_H
#define ELVISOR_ARCH_PL011_H

#include <stdbool.h>
#include <stdint.h>

void pl011_init(uint64_t base);
void pl011_putc(char c);
/* -1 when no character is waiting. */
int pl011_getc(void);
/* Clears the receive and receive-timeout interrupts (the latter stays
 * raised until cleared by hand). Call it before draining the FIFO, never
 * after: a character arriving after the last empty check would otherwise
 * lose its interrupt and wait in the FIFO for the next keystroke. */
void pl011_ack_rx(void);
void pl011_enable_input(void);
void pl011_set_rx_irq(bool on);
void pl011_flush(void);

/* A second PL011 that no VM ever maps: elvisor reports its exit status
 * there (see core/power.h), so a guest cannot forge it. */
void pl011_status_init(uint64_t base);
bool pl011_status_present(void);
/* Writes s and waits until it has left the UART. */
void pl011_status_puts(const char *s);

#endif
