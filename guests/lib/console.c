#include "console.h"

#include "lib/printf.h"
#include "mmio.h"
#include "platform.h"

#define PRINT_BUF_SIZE 256
#define UART_DR_DATA_MASK 0xFFU    /* the error flags sit above the byte */

void console_init(void)
{
    /* The transmitter may be disabled at reset; a real PL011 then drops data. */
    mmio_write32(UART_BASE + UART_CR, UART_CR_UARTEN | UART_CR_TXE | UART_CR_RXE);
}

void console_putc(char c)
{
    while (mmio_read32(UART_BASE + UART_FR) & UART_FR_TXFF)
        ;
    mmio_write32(UART_BASE + UART_DR, (unsigned char)c);
}

int console_getc_nonblock(void)
{
    if (mmio_read32(UART_BASE + UART_FR) & UART_FR_RXFE)
        return -1;
    return (int)(mmio_read32(UART_BASE + UART_DR) & UART_DR_DATA_MASK);
}

void console_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            console_putc('\r');
        console_putc(*s);
    }
}

void gvprintf(const char *fmt, va_list ap)
{
    char buf[PRINT_BUF_SIZE];

    elv_vsnprintf(buf, sizeof(buf), fmt, ap);
    console_puts(buf);
}

void gprintf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gvprintf(fmt, ap);
    va_end(ap);
}
