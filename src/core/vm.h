/* A virtual machine: its memory, its stage-2 tables, its devices and vCPUs. */
#ifndef ELVISOR_CORE_VM_H
#define ELVISOR_CORE_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "arch/arm64/pci.h"
#include "core/io_bus.h"
#include "core/stage2.h"
#include "core/vcpu.h"
#include "core/vmid.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"
#include "vdev/mmio.h"
#include "vdev/vpci.h"
#include "vdev/vgic.h"
#include "vdev/vuart.h"

#define VM_MAX_VCPUS    8
#define MAX_VMS         8

/* The guest platform contract: QEMU virt's memory map. */
#define VIRT_GICD_BASE      0x08000000ULL
#define VIRT_GICR_BASE      0x080A0000ULL
#define VIRT_GICC_BASE      0x08010000ULL   /* GICv2 CPU interface */
#define VIRT_GICC_SIZE      0x2000ULL       /* GICC_DIR at 0x1000 included */
#define VIRT_UART_BASE      0x09000000ULL
#define VIRT_UART_SIZE      0x1000ULL
#define VIRT_UART_SPI       1
#define VIRT_RAM_BASE       0x40000000ULL
#define VM_NO_RO_PAGE       (~0ULL)
#define GIC_SPI_BASE        32

/* elvisor's own interrupts; the guests' timer PPIs are vdev/vtimer.h's. */
#define PPI_MAINTENANCE     25
#define PPI_HYP_TIMER       26

enum vm_state {
    VM_RUNNING,
    VM_RESETTING,       /* vCPUs are being stopped so the images can be reloaded */
    VM_OFF,             /* powered off by the guest */
    VM_STOPPED,         /* stopped by elvisor after a fatal guest error */
};

struct vm {
    const struct vm_config *cfg;
    unsigned id;
    unsigned gic_version;       /* 2 or 3: the host's */
    volatile enum vm_state state;
    bool created;               /* vm_create() succeeded: it can be booted again */
    spinlock_t lock;            /* power state of the vCPUs, device state */

    uint64_t ram_ipa, ram_size, ram_pa;
    struct stage2 s2;
    /* The VMIDs of its regimes (core/vmid.h): its own, and with virtual
     * EL2 its guest's guest's on the VM's stage 2 (the nested context);
     * shadow stage-2 contexts hold theirs in nested/shadow_s2.c. */
    struct vmid_ctx vmid;
    struct vmid_ctx l2_vmid;
    /* The guest's virtual and physical counters read (hardware count -
     * cnt_offset) on every vCPU; taken at the first vm_boot() and kept
     * across SYSTEM_RESET (docs/vtimer.md). */
    uint64_t cnt_offset;
    bool counter_started;
    /* The virtual counter's offset (CNTVOFF_EL2): cnt_offset, plus, with
     * virtual-time = "own", the time during which every vCPU of the VM that
     * is on waited for a physical CPU (core/vtime.c). Under vm->lock. */
    uint64_t vcnt_offset;
    unsigned nr_preempted;      /* vCPUs switched out while they could run */
    uint64_t stolen_since;      /* hardware count when the last one was, or 0 */

    unsigned nr_vcpus;
    struct vcpu vcpus[VM_MAX_VCPUS];

    struct io_bus mmio;         /* its emulated device regions */

    struct vgic vgic;
    struct vuart uart;
    /* The UART's read view (vdev/vuart.h): the page, and whether it is in
     * the stage 2 now (core/vm_devices.c). Under vm->lock. */
    uint32_t *uart_view;
    bool uart_view_mapped;
    /* The one page its stage 2 ever maps read-only (the UART's view), so
     * a write's stage-2 permission fault is there: HPFAR_EL2 need not say
     * (trap/exit.c). VM_NO_RO_PAGE when it has none. */
    uint64_t ro_page_ipa;

    /* Its assigned PCIe functions (core/passthrough.c). */
    struct vpci vpci;
    struct pci_func *pci[CONFIG_MAX_PCI];
    unsigned nr_pci;
    struct stage2_observer iommu;   /* the SMMU hears about its stage 2 */
    uint16_t smmu_vmid;
    /* A DMA faults once per word or so: one line per stream, page and
     * direction in a row, the repeats counted (core/passthrough.c). */
    uint32_t dma_fault_sid;
    uint64_t dma_fault_page;
    bool dma_fault_read;
    unsigned long long dma_fault_repeats;

    /* Where the boot images landed, for logging and reset. */
    uint64_t entry, dtb_ipa;

    /* The log lines this VM can cause (core/guest_log.h). */
    spinlock_t log_lock;
    struct ratelimit log_rl;
    /* Exceptions elvisor injected in the current window (trap/inject.c). */
    uint64_t storm_window_start;
    unsigned storm_count;
};

extern struct vm vms[MAX_VMS];
extern unsigned nr_vms;

int vm_create(struct vm *vm, unsigned id, const struct vm_config *cfg);
/* Loads the images, writes the DTB, starts the VM's counters (first boot
 * only) and powers on vCPU 0. */
int vm_boot(struct vm *vm);
/* Power-on state again: devices reset, images reloaded (RAM kept). */
int vm_reset(struct vm *vm);
void vm_power_off(struct vm *vm, enum vm_state why);
void vm_request_reset(struct vm *vm);
/* The operator's console (core/monitor.c), from any CPU: stop a running VM
 * as elvisor stops a failing one; restart a VM that is in state `from`
 * (running: a reset as by SYSTEM_RESET; off or stopped: a new boot). False
 * when the VM is not in that state (or, to restart, was never created). */
bool vm_operator_stop(struct vm *vm);
bool vm_operator_reset(struct vm *vm, enum vm_state from);
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/* Copies into guest memory; false when [ipa, ipa+len) is not guest RAM. */
bool vm_write_ipa(struct vm *vm, uint64_t ipa, const void *src, uint64_t len);
bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t len);

/* How many of the VM's vCPUs are powered on (callers that must not race
 * with PSCI hold vm->lock). */
static inline unsigned vm_nr_vcpus_on(const struct vm *vm)
{
    unsigned n = 0;

    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        n += __atomic_load_n(&vm->vcpus[i].power, __ATOMIC_ACQUIRE) == VCPU_ON;
    return n;
}

/* VTTBR_EL2 of the VM's own regime for the CPU about to run it (the VMID
 * renewed if its generation passed), and for TLB maintenance by VMID. */
static inline uint64_t vm_vttbr_use(struct vm *vm)
{
    return vmid_vttbr(vm->s2.root, vmid_use(&vm->vmid));
}

static inline uint64_t vm_vttbr(const struct vm *vm)
{
    return vmid_vttbr(vm->s2.root, vmid_last(&vm->vmid));
}

/* WFI or CPU_SUSPEND: the vCPU does not run until an interrupt is pending. */
void vcpu_wait_for_irq(struct vcpu *v);

/* Makes the vCPU exit or wake up so that it re-reads its state. */
void vcpu_kick(struct vcpu *v);

#endif
