/* Turning the machine off, and telling whoever started elvisor why. */
#ifndef ELVISOR_CORE_POWER_H
#define ELVISOR_CORE_POWER_H

/* The status elvisor reports on its status port (a second PL011, see
 * docs/running.md) as the line "elvisor-exit: <status> <reason>";
 * tools/elvisor-run exits with it. */
enum elvisor_exit {
    ELVISOR_EXIT_OK = 0,            /* every VM powered itself off */
    ELVISOR_EXIT_FATAL = 3,         /* elvisor itself could not go on */
    ELVISOR_EXIT_VM_STOPPED = 4,    /* elvisor stopped a VM (guest error, failed boot or reset) */
};

/* Reports the status, drains the console and powers the machine off
 * through the firmware. */
void machine_power_off(enum elvisor_exit status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#endif
