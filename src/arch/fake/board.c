/* The fake board: firmware (PSCI) and elvisor's two UARTs. Powering off
 * or resetting the machine stops the test's fake_run(). */
#include "arch/fake/fake.h"

#include <string.h>

#include "arch/arm64/firmware.h"
#include "arch/arm64/pl011.h"
#include "arch/arm64/platform.h"

/* What primary_main() reads from the boot DTB (run/main.c defines it). */
struct platform platform;

static char console[1 << 16];
static size_t console_len;

void fake_console_reset(void)
{
    console_len = 0;
    console[0] = '\0';
}

static void console_put(char c)
{
    if (console_len + 1 < sizeof(console)) {
        console[console_len++] = c;
        console[console_len] = '\0';
    }
}

bool fake_console_has(const char *text)
{
    return strstr(console, text) != NULL;
}

const char *fake_console(void)
{
    return console;
}

void firmware_set_conduit(bool smc)
{
}

int64_t firmware_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    fake_log("psci cpu_on 0x%llx", (unsigned long long)mpidr);
    return 0;
}

void firmware_system_off(void)
{
    fake_stop(FAKE_STOP_POWER_OFF);
}

void firmware_system_reset(void)
{
    fake_stop(FAKE_STOP_RESET);
}

void pl011_init(uint64_t base)
{
}

void pl011_putc(char c)
{
    console_put(c);
}

int pl011_getc(void)
{
    return -1;
}

void pl011_ack_rx(void)
{
}

void pl011_enable_input(void)
{
}

void pl011_set_rx_irq(bool on)
{
}

void pl011_flush(void)
{
}

void pl011_status_init(uint64_t base)
{
}

bool pl011_status_present(void)
{
    return true;
}

void pl011_status_puts(const char *s)
{
    while (*s)
        console_put(*s++);
}
