/* A VM's devices, walked as the class table of core/vm_devices.c (see
 * core/dev_class.h): the vGIC, the PL011, the virtio-mmio window and the
 * virtual PCIe bridge with its assigned functions. */
#ifndef ELVISOR_CORE_VM_DEVICES_H
#define ELVISOR_CORE_VM_DEVICES_H

#include "core/vm.h"
#include "core/vm_dtb.h"

/* Every device from vm->cfg, in table order; <0 (logged) when one fails.
 * The vCPUs' MPIDRs are set already. */
int vm_devices_create(struct vm *vm);
/* SYSTEM_RESET: each device back to power-on, under the VM lock; <0
 * (logged) when one fails. vm_reset() quiesces them after. */
int vm_devices_reset(struct vm *vm);
/* Reset, power-off and operator stop: no more DMA or interrupts. */
void vm_devices_quiesce(struct vm *vm);
/* The guest DTB (core/vm_dtb.h): what /chosen says of the devices, then
 * each class's node, as vm_dtb_params.write_devices with the VM as its
 * argument. */
void vm_devices_chosen(const struct vm *vm, struct vm_dt_chosen *ch);
void vm_devices_describe(struct vm_dt *dt, const void *vm);

#endif
