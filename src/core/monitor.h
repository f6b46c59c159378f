/* The operator's console: a command prompt in elvisor, opened from the
 * console with CONSOLE_ESCAPE then CONSOLE_ESCAPE_OPEN (core/console.h).
 * It runs inside console_input_pump(), on whichever CPU takes the UART's
 * interrupt, with the console input lock held; it prints with the log's
 * console lock (console_write()). While it is open guest output is held
 * (console_hold_guests()). Commands: docs/running.md, "Operator's console". */
#ifndef ELVISOR_CORE_MONITOR_H
#define ELVISOR_CORE_MONITOR_H

#include <stdbool.h>

bool monitor_is_open(void);
void monitor_open(void);
/* One key typed while the prompt is open. */
void monitor_input(char c);

#endif
