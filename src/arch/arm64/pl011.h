/* The physical PL011 elvisor prints on and reads console input from. */
#ifndef ELVISOR_ARCH_PL011_H
#define ELVISOR_ARCH_PL011_H

#include <stdbool.h>
#include <stdint.h>

void pl011_init(uint64_t base);
void pl011_putc(char c);
/* -1 when no character is waiting. */
int pl011_getc(void);
void pl011_enable_input(void);
void pl011_set_rx_irq(bool on);
void pl011_flush(void);

#endif
