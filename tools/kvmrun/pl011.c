/* The guest's PL011 (PrimeCell UART, ARM DDI 0183), as much as a console
 * needs: transmit goes to stdout at once, so the transmit FIFO is always
 * empty and its interrupt always raised; receive is a 16-byte FIFO fed by a
 * thread reading stdin; the interrupt line is level, (RIS & IMSC) != 0. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "kvmrun.h"

#define UART_DR      0x000
#define UART_RSR     0x004
#define UART_FR      0x018
#define UART_ILPR    0x020
#define UART_IBRD    0x024
#define UART_FBRD    0x028
#define UART_LCR_H   0x02c
#define UART_CR      0x030
#define UART_IFLS    0x034
#define UART_IMSC    0x038
#define UART_RIS     0x03c
#define UART_MIS     0x040
#define UART_ICR     0x044
#define UART_DMACR   0x048
#define UART_ID_BASE 0xfe0

#define FR_RXFE      (1u << 4)
#define FR_TXFF      (1u << 5)
#define FR_RXFF      (1u << 6)
#define FR_TXFE      (1u << 7)
#define INT_RX       (1u << 4)
#define INT_TX       (1u << 5)
#define INT_RT       (1u << 6)
#define INT_ALL      0x7ffu

#define RX_FIFO_SIZE 16u
/* How long typed input may sit unread before the output is flushed anyway:
 * the guest's prompt has no newline. */
#define FLUSH_POLL_MS 20

/* PeriphID0-3 then PCellID0-3: an ARM PL011 r1p5, as QEMU's virt has. */
static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static struct {
    pthread_mutex_t lock;
    uint8_t rx[RX_FIFO_SIZE];
    unsigned rx_head, rx_count;
    uint32_t ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
    bool irq_level;
    pl011_irq_fn set_irq;
    void *irq_ctx;
} uart = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct termios saved_tty;
static bool tty_raw;

static uint32_t raw_status(void)
{
    return INT_TX | (uart.rx_count ? INT_RX | INT_RT : 0);
}

static void update_irq(void)
{
    bool level = (raw_status() & uart.imsc) != 0;

    if (level != uart.irq_level) {
        uart.irq_level = level;
        uart.set_irq(uart.irq_ctx, level);
    }
}

void pl011_init(pl011_irq_fn set_irq, void *ctx)
{
    uart.set_irq = set_irq;
    uart.irq_ctx = ctx;
    uart.cr = 0x300;        /* TXE | RXE: the reset value */
    uart.ifls = 0x12;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static uint32_t rx_pop(void)
{
    uint32_t c;

    if (!uart.rx_count)
        return 0;
    c = uart.rx[uart.rx_head];
    uart.rx_head = (uart.rx_head + 1) % RX_FIFO_SIZE;
    uart.rx_count--;
    return c;
}

uint32_t pl011_read(uint64_t offset)
{
    uint32_t v = 0;

    pthread_mutex_lock(&uart.lock);
    switch (offset) {
    case UART_DR:    v = rx_pop(); update_irq(); break;
    case UART_FR:
        v = FR_TXFE | (uart.rx_count ? 0 : FR_RXFE) | (uart.rx_count == RX_FIFO_SIZE ? FR_RXFF : 0);
        break;
    case UART_IBRD:  v = uart.ibrd; break;
    case UART_FBRD:  v = uart.fbrd; break;
    case UART_LCR_H: v = uart.lcr_h; break;
    case UART_CR:    v = uart.cr; break;
    case UART_IFLS:  v = uart.ifls; break;
    case UART_IMSC:  v = uart.imsc; break;
    case UART_RIS:   v = raw_status(); break;
    case UART_MIS:   v = raw_status() & uart.imsc; break;
    case UART_DMACR: v = uart.dmacr; break;
    default:
        if (offset >= UART_ID_BASE && offset < UART_ID_BASE + 4 * sizeof(pl011_id) && !(offset & 3))
            v = pl011_id[(offset - UART_ID_BASE) / 4];
        break;
    }
    pthread_mutex_unlock(&uart.lock);
    return v;
}

void pl011_write(uint64_t offset, uint32_t value)
{
    if (offset == UART_DR) {
        putchar((int)(value & 0xff));
        return;
    }
    pthread_mutex_lock(&uart.lock);
    switch (offset) {
    case UART_IBRD:  uart.ibrd = value & 0xffff; break;
    case UART_FBRD:  uart.fbrd = value & 0x3f; break;
    case UART_LCR_H: uart.lcr_h = value & 0xff; break;
    case UART_CR:    uart.cr = value & 0xff87; break;
    case UART_IFLS:  uart.ifls = value & 0x3f; break;
    case UART_IMSC:  uart.imsc = value & INT_ALL; break;
    case UART_DMACR: uart.dmacr = value & 7; break;
    default:         break;  /* RSR/ECR, ICR: nothing latched to clear */
    }
    update_irq();
    pthread_mutex_unlock(&uart.lock);
}

void pl011_flush(void)
{
    fflush(stdout);
}

static void restore_tty(void)
{
    if (tty_raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

/* Raw terminal: every key (ctrl-c too) belongs to the guest's console. */
static void make_tty_raw(void)
{
    struct termios t;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
        return;
    t = saved_tty;
    t.c_iflag &= ~(tcflag_t)(ICRNL | IXON | INLCR | IGNCR);
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
        tty_raw = true;
        atexit(restore_tty);
    }
}

/* Waits for room in the FIFO (the guest reads it), then for input. */
static void *input_thread(void *arg)
{
    struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

    (void)arg;
    for (;;) {
        unsigned room;
        uint8_t buf[RX_FIFO_SIZE];

        pl011_flush();
        pthread_mutex_lock(&uart.lock);
        room = RX_FIFO_SIZE - uart.rx_count;
        pthread_mutex_unlock(&uart.lock);
        if (!room) {
            usleep(FLUSH_POLL_MS * 1000);
            continue;
        }
        int n = poll(&pfd, 1, FLUSH_POLL_MS);
        if (n < 0 && errno != EINTR)
            return NULL;
        if (n <= 0)
            continue;
        ssize_t got = read(STDIN_FILENO, buf, room);
        if (got <= 0)
            return NULL;    /* end of input: the guest sees an idle line */
        pthread_mutex_lock(&uart.lock);
        for (ssize_t i = 0; i < got; i++)
            uart.rx[(uart.rx_head + uart.rx_count++) % RX_FIFO_SIZE] = buf[i];
        update_irq();
        pthread_mutex_unlock(&uart.lock);
    }
}

void pl011_start_input(void)
{
    pthread_t t;

    make_tty_raw();
    if (pthread_create(&t, NULL, input_thread, NULL) == 0)
        pthread_detach(t);
}
