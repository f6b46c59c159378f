/* kvmrun: the project's KVM launcher, a static aarch64 Linux program that
 * runs one guest under /dev/kvm on the guest platform contract (QEMU virt's
 * layout, the DTB elvisor generates, PSCI, GICv3, PL011). It is how the
 * project measures KVM beside elvisor and runs L2 guests under a Linux
 * guest hypervisor (docs/kvmrun.md). */
#ifndef KVMRUN_H
#define KVMRUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guest platform contract (/work/shared/DESIGN.md, guests/lib/platform.h). */
#define KVMRUN_RAM_BASE      0x40000000ULL
#define KVMRUN_PSCI_VERSION  0x10001u /* PSCI 1.1: major << 16 | minor */
#define KVMRUN_GICD_BASE     0x08000000ULL
#define KVMRUN_GICD_SIZE     0x10000ULL
#define KVMRUN_GICR_BASE     0x080A0000ULL
#define KVMRUN_GICR_STRIDE   0x20000ULL
#define KVMRUN_UART_BASE     0x09000000ULL
#define KVMRUN_UART_SIZE     0x1000ULL
#define KVMRUN_UART_SPI      1u
#define KVMRUN_VIRTIO_BASE   0x0A000000ULL
#define KVMRUN_VIRTIO_SLOT   0x200ULL
#define KVMRUN_VIRTIO_SLOTS  32u
#define KVMRUN_MAX_VCPUS     8u
/* A guest hypervisor's vGIC maintenance interrupt: PPI 9, as on QEMU virt
 * and in elvisor's DTB for a VM with virtual EL2. */
#define KVMRUN_GIC_MAINT_INTID 25u

/* Exit statuses (also in --help). */
#define KVMRUN_EXIT_OFF      0   /* the guest called PSCI SYSTEM_OFF */
#define KVMRUN_EXIT_USAGE    2   /* bad options or unreadable/refused files */
#define KVMRUN_EXIT_KVM      3   /* /dev/kvm missing or a KVM call failed */
#define KVMRUN_EXIT_GUEST    4   /* the guest crashed, or KVM stopped it */
#define KVMRUN_EXIT_RESET    5   /* the guest called PSCI SYSTEM_RESET */
#define KVMRUN_EXIT_TIMEOUT  124 /* --timeout elapsed */

struct kvmrun_opts {
    const char *kernel;
    const char *initrd;
    const char *cmdline;
    bool raw;
    unsigned nr_vcpus;
    uint64_t mem_size;
    unsigned timeout_s;
    bool no_input;
    bool no_reboot;
    bool pin;
    unsigned pin_offset;    /* vCPU i on host CPU i + pin_offset */
    bool el2;               /* the guest starts at virtual EL2 (KVM's nested virtualization) */
};

/* An image read into memory. */
struct blob {
    uint8_t *data;
    size_t size;
};

/* ---- pl011.c: the emulated PL011 (output to stdout, input from stdin) ---- */

/* Raises or lowers the UART's interrupt line (the SPI), called with the
 * UART's lock held. */
typedef void (*pl011_irq_fn)(void *ctx, bool level);

void pl011_init(pl011_irq_fn set_irq, void *ctx);
uint32_t pl011_read(uint64_t offset);
void pl011_write(uint64_t offset, uint32_t value);
/* Starts the thread that feeds stdin to the receive FIFO (not with --no-input);
 * puts a terminal into raw mode until kvmrun exits. */
void pl011_start_input(void);
void pl011_flush(void);

/* ---- kvm.c: the VM ---- */

struct kvm_vm;

/* Opens /dev/kvm and creates the VM, its RAM, vCPUs and GIC; NULL after a
 * message on stderr. */
struct kvm_vm *kvm_vm_create(const struct kvmrun_opts *o);
/* Guest RAM as the launcher sees it, to load images into. */
uint8_t *kvm_vm_ram(struct kvm_vm *vm);
/* MPIDR affinity of each vCPU, as KVM gave them (for the DTB). */
const uint64_t *kvm_vm_mpidrs(struct kvm_vm *vm);
struct timespec;
/* Starts vCPU 0 at entry with x0 = dtb and runs until the guest stops or
 * the deadline (CLOCK_REALTIME, NULL: none) passes; returns the exit
 * status (KVMRUN_EXIT_*). */
int kvm_vm_run(struct kvm_vm *vm, uint64_t entry, uint64_t dtb, const struct timespec *deadline);
/* After kvm_vm_run: stops every vCPU thread and resets the vCPUs (vCPU 0
 * on, the others off). RAM is kept, as on QEMU and elvisor, and so is the
 * GIC's distributor state (KVM does not reset it; a guest that resets
 * programs what it uses). */
bool kvm_vm_reset(struct kvm_vm *vm);

void kvmrun_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
