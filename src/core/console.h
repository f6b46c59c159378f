/* elvisor's console: log lines and guest output share one UART without
 * tearing each other's lines. */
#ifndef ELVISOR_CORE_CONSOLE_H
#define ELVISOR_CORE_CONSOLE_H

#include <stdbool.h>

extern int log_level;

/* Guest output: chars from VM `vm_id`. When more than one VM shares the
 * console (prefix), each line is gathered whole and printed with the VM's
 * name in front. */
void console_guest_putc(unsigned vm_id, const char *vm_name, bool prefix, char c);
/* Prints the part of a line VM vm_id has gathered so far: the VM went idle
 * or stopped, and a prompt without a newline must still be seen. */
void console_guest_flush(unsigned vm_id, const char *vm_name);
/* While the operator's prompt is open, guest output is held (per VM, up
 * to a line buffer; the rest dropped and counted); releasing prints it. */
void console_hold_guests(bool hold);
/* Hypervisor log, panic and prompt output. */
void console_write(const char *s);

/* Moves console input from the physical UART into the console VM's
 * emulated UART while it has room, through a small queue of elvisor's
 * where the operator's escape (CONSOLE_ESCAPE, then CONSOLE_ESCAPE_OPEN)
 * is picked out. When the queue is full, input stays in the physical UART
 * (QEMU holds the rest back) and its interrupt is masked until the guest
 * reads: nothing typed is dropped. */
void console_input_pump(void);
/* The guest read its UART: room may have opened up. */
void console_input_guest_read(void);

/* ctrl-] then 'c' opens the operator's prompt (docs/running.md). */
#define CONSOLE_ESCAPE          0x1d
#define CONSOLE_ESCAPE_OPEN     'c'
/* The VM that console input goes to (index into vms[]), or -1; at boot the
 * VM with `console;` in its config. */
int console_input_target(void);
void console_input_set_target(int vm_id);

#endif
