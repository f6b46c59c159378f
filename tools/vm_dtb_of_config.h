/* The device tree a VM of a configuration boots with under elvisor, built
 * on the host with elvisor's own generator (src/core/vm_dtb.c). */
#ifndef ELVISOR_TOOLS_VM_DTB_OF_CONFIG_H
#define ELVISOR_TOOLS_VM_DTB_OF_CONFIG_H

#include <stddef.h>

#include "core/config.h"

/* Writes the DTB of vm into buf, the way vm_boot() (src/core/vm.c) does
 * for a VM of this config on a host with a GICv<host_gic>; returns its
 * size, or a negative value with *why set (a VM elvisor would not boot, or
 * one this tool cannot describe yet: assigned PCI functions). */
int vm_dtb_of_config(const struct vm_config *vm, unsigned host_gic, void *buf, size_t size,
                     const char **why);

#endif
