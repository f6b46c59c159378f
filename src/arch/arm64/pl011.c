#include "arch/arm64/pl011.h"

#define UARTDR      0x000
#define UARTFR      0x018
#define UARTLCR_H   0x02c
#define UARTIMSC    0x038
#define LCRH_FEN    (1u << 4)
#define UARTICR     0x044
#define FR_RXFE     (1u << 4)
#define FR_TXFF     (1u << 5)
#define FR_BUSY     (1u << 3)
#define INT_RX      (1u << 4)
#define INT_RT      (1u << 6)

static volatile uint8_t *uart;
static volatile uint8_t *status_uart;

static uint32_t rd(unsigned off)
{
    return *(volatile uint32_t *)(uart + off);
}

static void wr(unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(uart + off) = v;
}

void pl011_init(uint64_t base)
{
    /* QEMU and firmware leave the UART enabled; elvisor keeps its settings. */
    uart = (volatile uint8_t *)(uintptr_t)base;
}

void pl011_putc(char c)
{
    if (!uart)
        return;
    while (rd(UARTFR) & FR_TXFF)
        ;
    wr(UARTDR, (uint8_t)c);
}

int pl011_getc(void)
{
    if (!uart || (rd(UARTFR) & FR_RXFE))
        return -1;
    return (int)(rd(UARTDR) & 0xff);
}

void pl011_ack_rx(void)
{
    if (uart)
        wr(UARTICR, INT_RX | INT_RT);
}

void pl011_set_rx_irq(bool on)
{
    wr(UARTIMSC, on ? INT_RX | INT_RT : 0);
}

void pl011_enable_input(void)
{
    /* FIFOs on: input typed while the guest is busy waits in 32 entries. */
    wr(UARTLCR_H, rd(UARTLCR_H) | LCRH_FEN);
    wr(UARTICR, INT_RX | INT_RT);
    pl011_set_rx_irq(true);
}

void pl011_flush(void)
{
    if (!uart)
        return;
    while (rd(UARTFR) & FR_BUSY)
        ;
}

void pl011_status_init(uint64_t base)
{
    status_uart = (volatile uint8_t *)(uintptr_t)base;
}

bool pl011_status_present(void)
{
    return status_uart != 0;
}

void pl011_status_puts(const char *s)
{
    if (!status_uart)
        return;
    for (; *s; s++) {
        while (*(volatile uint32_t *)(status_uart + UARTFR) & FR_TXFF)
            ;
        *(volatile uint32_t *)(status_uart + UARTDR) = (uint8_t)*s;
    }
    while (*(volatile uint32_t *)(status_uart + UARTFR) & FR_BUSY)
        ;
}
