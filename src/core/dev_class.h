/* Devices as classes: each emulated or assigned device of a VM is a row
 * of a table (core/vm_devices.c) with what elvisor does to it at each
 * point of the VM's life, so that building, resetting, stopping a VM and
 * writing its DTB walk the table instead of naming each device. A new
 * device (an assigned one, a virtio backend) is a new row. The walkers
 * are pure: host-tested in tests/unit/test_dev_class.c. */
#ifndef ELVISOR_CORE_DEV_CLASS_H
#define ELVISOR_CORE_DEV_CLASS_H

#include <stddef.h>

struct vm;
struct vm_dt;
struct vm_dt_chosen;

/* Where a class's DTB node goes: under the root, or under the interrupt
 * controller (an MSI frame), written while the GIC class's node is open. */
enum dev_dt_parent { DEV_DT_ROOT, DEV_DT_GIC };

struct dev_class {
    const char *name;
    /* From the VM's configuration: its power-on state and its regions on
     * the VM's MMIO bus (or stage-2 mappings). 0 also when the VM has
     * none of it; <0 (logged) stops the VM from being built. */
    int (*create)(struct vm *vm);
    /* SYSTEM_RESET: back to the power-on state, under the VM lock (input
     * from another CPU may reach the device meanwhile). <0 fails the reset. */
    int (*reset)(struct vm *vm);
    /* No more DMA or interrupts from it: at reset (after reset, outside
     * the lock), power-off and operator stop. */
    void (*quiesce)(struct vm *vm);
    /* What /chosen says of it (the console's path, a bridge's BARs
     * final), asked before any node is written. */
    void (*chosen)(const struct vm *vm, struct vm_dt_chosen *ch);
    /* Its DTB node, written through dt (core/vm_dt_nodes.h) under
     * dt_parent; nothing when the VM's configuration has none of it. */
    void (*describe)(const struct vm *vm, struct vm_dt *dt);
    enum dev_dt_parent dt_parent;
};

/* Each walker visits the classes in table order, skipping a NULL hook. */

/* Stops at the first class that fails; *failed names it. */
int dev_classes_create(const struct dev_class *const *classes, size_t n, struct vm *vm,
                       const char **failed);
int dev_classes_reset(const struct dev_class *const *classes, size_t n, struct vm *vm,
                      const char **failed);
void dev_classes_quiesce(const struct dev_class *const *classes, size_t n, struct vm *vm);
void dev_classes_chosen(const struct dev_class *const *classes, size_t n, const struct vm *vm,
                        struct vm_dt_chosen *ch);
/* Only the classes whose node goes under parent. */
void dev_classes_describe(const struct dev_class *const *classes, size_t n, const struct vm *vm,
                          struct vm_dt *dt, enum dev_dt_parent parent);

#endif
