/* Polled PL011 output shared by every CPU of a guest. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>

#define UART_DR         0x00
#define UART_FR         0x18
#define UART_IBRD       0x24
#define UART_FBRD       0x28
#define UART_LCR_H      0x2C
#define UART_CR         0x30
#define UART_FR_RXFE    (1U << 4)
#define UART_FR_TXFF    (1U << 5)
#define UART_CR_UARTEN  (1U << 0)
#define UART_CR_TXE     (1U << 8)
#define UART_CR_RXE     (1U << 9)

void console_init(void);
void console_putc(char c);
void console_puts(const char *s);
/* A received character, or -1 when none is waiting. */
int console_getc_nonblock(void);
/* printf-style output; a '\n' is sent as "\r\n". */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gvprintf(const char *fmt, va_list ap);

#endif
