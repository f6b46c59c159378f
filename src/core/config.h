/* The VM set elvisor boots, read from the bundle (a DTB whose properties
 * embed the guest images; format in docs/configuration.md). Pure: host
 * tests and the host-side config checker run the same parser. */
#ifndef ELVISOR_CORE_CONFIG_H
#define ELVISOR_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loader.h"

#define CONFIG_MAX_VMS      8
#define CONFIG_MAX_VCPUS    8
#define CONFIG_NAME_MAX     32
/* Bytes of `bootargs`, its NUL included: Linux arm64's COMMAND_LINE_SIZE.
 * Linux copies at most that much of /chosen/bootargs and drops the rest
 * without a word, so a longer line would boot with options missing. */
#define CONFIG_BOOTARGS_MAX 2048

#define CONFIG_MAX_PCI      4       /* PCIe functions per VM */

/* A PCIe function of the machine, as lspci names it: "BB:DD.F" in hex. */
struct config_pci {
    uint8_t bus, dev, fn;
};

struct vm_config {
    char name[CONFIG_NAME_MAX];
    unsigned nr_vcpus;
    uint64_t mem_size;
    const uint8_t *kernel;
    uint64_t kernel_size;
    enum kernel_format kernel_format;   /* `kernel-format`, AUTO when absent */
    const uint8_t *initrd;          /* NULL when absent */
    uint64_t initrd_size;
    const char *bootargs;           /* "" when absent */
    unsigned gic_version;           /* 2, 3, or 0: the host GIC's version */
    bool console;
    bool virt_el2;                  /* vCPUs start in virtual EL2 (docs/nested.md) */
    bool virt_el2_nvhe;             /* virt-el2-mode = "nvhe": its E2H is RES0, no VHE */
    bool virt_el2_nv2;              /* virt-el2-nv2: FEAT_NV2 offered to its guest hypervisor */
    bool own_time;                  /* virtual-time = "own" (docs/vtimer.md) */
    bool has_cpu_map;
    unsigned cpu_map[CONFIG_MAX_VCPUS];   /* physical CPU of each vCPU */
    unsigned nr_pci;                /* `pci-devices` (docs/device-assignment.md) */
    struct config_pci pci[CONFIG_MAX_PCI];
};

/* Parses "BB:DD.F" (hex; device 0-1f, function 0-7); false if it is not. */
bool config_parse_bdf(const char *s, struct config_pci *out);

struct elvisor_config {
    unsigned nr_vms;
    struct vm_config vms[CONFIG_MAX_VMS];
};

/* The properties a VM node may have; anything else in a VM is an error. */
extern const char *const config_vm_props[];
extern const unsigned config_nr_vm_props;
bool config_vm_prop_known(const char *name);

/* One error: vm NULL for one outside the VMs (then prop names the thing:
 * "compatible", "/vms", "vms" for a VM node's name, child the node's name);
 * for a VM, prop is the property or "name", or child a node inside it. */
struct config_error {
    const char *vm;
    const char *prop;
    const char *child;
    const char *what;
};
typedef void (*config_report_fn)(void *ctx, const struct config_error *e);

/* Validates the whole bundle and reports every error; returns how many.
 * cfg holds the VMs (at most CONFIG_MAX_VMS) as far as they were valid. */
unsigned config_check(const void *blob, size_t size, struct elvisor_config *cfg, config_report_fn report,
                      void *ctx);
/* Parses and validates the bundle. On error returns negative and writes the
 * first error, naming the VM and the property, into err. */
int config_parse(const void *blob, size_t size, struct elvisor_config *cfg, char *err, size_t errlen);

#endif
