/* The parameters vm_boot() gives vm_dtb_build() (write_guest_dtb() in
 * src/core/vm.c), from the configuration alone. vm.c reads them from the
 * created VM and its device classes write their nodes; the values below are the guest platform
 * contract's (src/core/vm.h, src/vdev/vgic.h), which a host tool cannot
 * include. tests/integration/launcher.sh compares this tool's DTB with the
 * one a guest finds in its memory under elvisor, byte for byte, so the two
 * cannot drift apart unnoticed. */
#include "vm_dtb_of_config.h"

#include <stdint.h>

#include "core/loader.h"
#include "core/vm_dt_nodes.h"

#define RAM_BASE            0x40000000ULL
#define DTB_SLOT            (2ULL << 20)    /* the DTB lives in RAM's last 2 MiB */
#define PAGE_BYTES          4096ULL
#define GICD_BASE           0x08000000ULL
#define GICD_SIZE           0x10000ULL      /* v2 and v3 */
#define GICR_BASE           0x080A0000ULL
#define GICR_STRIDE         0x20000ULL
#define GICC_BASE           0x08010000ULL
#define GICC_SIZE           0x2000ULL
#define UART_BASE           0x09000000ULL
#define UART_SIZE           0x1000ULL
#define UART_SPI            1u

int vm_dtb_of_config(const struct vm_config *vm, unsigned host_gic, void *buf, size_t size,
                     const char **why)
{
    uint64_t mpidrs[CONFIG_MAX_VCPUS];
    uint64_t dtb_ipa = RAM_BASE + vm->mem_size - DTB_SLOT, initrd_ipa = 0;
    unsigned gic = vm->gic_version ? vm->gic_version : host_gic;
    struct load_plan plan;

    if (vm->nr_pci) {
        *why = "VMs with pci-devices are not described yet (their INTx SPIs are chosen at boot)";
        return -1;
    }
    if (gic != host_gic) {
        *why = "the VM's gic-version is not the host's: elvisor would not boot it";
        return -1;
    }
    if (loader_plan(vm->kernel, vm->kernel_size, vm->kernel_format, RAM_BASE, vm->mem_size, &plan, why) < 0)
        return -1;
    if (vm->initrd)
        initrd_ipa = (dtb_ipa - vm->initrd_size) & ~(PAGE_BYTES - 1);
    /* vCPU i's MPIDR affinity is i (vcpu_mpidr_of() in vm.c). */
    for (unsigned i = 0; i < vm->nr_vcpus && i < CONFIG_MAX_VCPUS; i++)
        mpidrs[i] = i;
    /* elvisor's device classes for a VM without pci-devices (src/core/vm_devices.c). */
    const struct vm_dt_virt devices = {
        .gic = {
            .gicd_base = GICD_BASE,
            .gicd_size = GICD_SIZE,
            .gicr_base = gic == 2 ? 0 : GICR_BASE,
            .gicr_size = gic == 2 ? 0 : GICR_STRIDE * vm->nr_vcpus,
            .gicc_base = gic == 2 ? GICC_BASE : 0,
            .gicc_size = gic == 2 ? GICC_SIZE : 0,
        },
        .uart = { UART_BASE, UART_SIZE, UART_SPI },
    };
    struct vm_dtb_params dp = {
        .ram_base = RAM_BASE,
        .ram_size = vm->mem_size,
        .nr_vcpus = vm->nr_vcpus,
        .vcpu_mpidr = mpidrs,
        .gic_version = gic,
        .bootargs = vm->bootargs,
        .initrd_start = initrd_ipa,
        .initrd_end = vm->initrd ? initrd_ipa + vm->initrd_size : 0,
        .psci_method = vm->virt_el2 ? "smc" : "hvc",
        .virt_el2 = vm->virt_el2,
        .write_devices = vm_dt_virt_devices,
        .devices = &devices,
    };
    vm_dt_virt_chosen(&devices, &dp.chosen);
    int n = vm_dtb_build(&dp, buf, size);
    if (n <= 0)
        *why = "the device tree generator refused the VM's parameters";
    return n;
}
