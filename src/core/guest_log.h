/* Log lines a guest can cause (a trapped register elvisor does not know, an
 * access outside its RAM, a reset), rate-limited per VM so that a guest
 * looping on one of them cannot flood the shared console or slow the other
 * VMs: at most GUEST_LOG_BURST lines per GUEST_LOG_WINDOW_MS for each VM
 * (the defaults of Linux's printk_ratelimit). The lines held back are
 * counted and reported, with the VM's name, when the next window opens and
 * when the VM stops. Lines below the log level cost nothing and count
 * nothing. */
#ifndef ELVISOR_CORE_GUEST_LOG_H
#define ELVISOR_CORE_GUEST_LOG_H

#include "lib/log.h"

#define GUEST_LOG_BURST      10
#define GUEST_LOG_WINDOW_MS  5000

struct vm;

void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports the lines held back and not reported yet (the VM stops). */
void vm_log_flush(struct vm *vm);

#define vm_warn(vm, ...)  vm_log(vm, LOG_WARN, __VA_ARGS__)
#define vm_info(vm, ...)  vm_log(vm, LOG_INFO, __VA_ARGS__)
#define vm_debug(vm, ...) vm_log(vm, LOG_DEBUG, __VA_ARGS__)

#endif
