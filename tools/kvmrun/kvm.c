/* The VM under /dev/kvm: RAM at the contract's base, one thread per vCPU
 * (PSCI 0.2+ in the kernel: secondaries start powered off and wait for
 * CPU_ON), the in-kernel GICv3 with its timers, and the exits the kernel
 * hands to us: MMIO to the PL011 and the empty virtio-mmio slots, an
 * external abort for anything else, and PSCI SYSTEM_OFF/RESET. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "kvmrun.h"

/* Nested virtualization's UAPI (Linux 6.16), missing from older headers. */
#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2           7
#endif
#ifndef KVM_CAP_ARM_EL2
#define KVM_CAP_ARM_EL2                240
#endif
#ifndef KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ
#define KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ 9
#endif

#define DEFAULT_IPA_BITS   40
#define GIC_NR_IRQS        128      /* 96 SPIs: the UART's and the virtio window's */
#define MPIDR_AFF_MASK     0xff00ffffffULL
/* Unhandled guest accesses reported on stderr; the rest are only counted. */
#define BAD_ACCESS_REPORTS 10

#define VIRTIO_MAGIC       0x74726976u   /* "virt" */
#define VIRTIO_VERSION     2u
#define VIRTIO_VENDOR      0x554d4551u   /* "QEMU", as QEMU's empty slots say */

struct kvm_vcpu {
    struct kvm_vm *vm;
    unsigned idx;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
};

struct kvm_vm {
    int kvm_fd, vm_fd, gic_fd;
    uint8_t *ram;
    uint64_t ram_size;
    unsigned nr_vcpus;
    size_t run_size;
    bool can_inject_abort;
    bool el2;               /* the vCPUs start at virtual EL2 */
    bool pin;               /* vCPU i's thread on host CPU i + pin_offset (mod their count) */
    unsigned pin_offset;
    struct kvm_vcpu_init target;
    struct kvm_vcpu vcpus[KVMRUN_MAX_VCPUS];
    uint64_t mpidr[KVMRUN_MAX_VCPUS];
    /* The first vCPU to see the guest stop sets the status. */
    pthread_mutex_t done_lock;
    pthread_cond_t done_cond;
    bool done;
    bool stopping;          /* a reset is taking the vCPU threads down */
    int status;
    unsigned bad_accesses;
};

void kvmrun_err(const char *fmt, ...)
{
    va_list ap;

    pl011_flush();
    fputs("kvmrun: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void finish(struct kvm_vm *vm, int status)
{
    pthread_mutex_lock(&vm->done_lock);
    if (!vm->done) {
        vm->done = true;
        vm->status = status;
        pthread_cond_signal(&vm->done_cond);
    }
    pthread_mutex_unlock(&vm->done_lock);
}

static void set_uart_irq(void *ctx, bool level)
{
    struct kvm_vm *vm = ctx;
    struct kvm_irq_level irq = {
        .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + KVMRUN_UART_SPI),
        .level = level,
    };

    if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
        kvmrun_err("KVM_IRQ_LINE for the UART's SPI failed: %s", strerror(errno));
}

static bool create_ram(struct kvm_vm *vm)
{
    vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (vm->ram == MAP_FAILED) {
        kvmrun_err("cannot allocate %llu MiB of guest RAM: %s", (unsigned long long)(vm->ram_size >> 20),
                   strerror(errno));
        return false;
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = KVMRUN_RAM_BASE,
        .memory_size = vm->ram_size,
        .userspace_addr = (uintptr_t)vm->ram,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        kvmrun_err("KVM_SET_USER_MEMORY_REGION (%llu MiB at 0x%llx) failed: %s",
                   (unsigned long long)(vm->ram_size >> 20), KVMRUN_RAM_BASE, strerror(errno));
        return false;
    }
    return true;
}

/* Also the reset: vCPU 0 on, the others off until PSCI CPU_ON. */
static bool init_vcpu(struct kvm_vcpu *v)
{
    struct kvm_vcpu_init init = v->vm->target;

    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (v->vm->el2)
        init.features[0] |= 1u << KVM_ARM_VCPU_HAS_EL2;
    if (v->idx > 0)
        init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
    if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
        kvmrun_err("KVM_ARM_VCPU_INIT of vCPU %u (target %u, PSCI 0.2%s) failed: %s", v->idx, init.target,
                   v->vm->el2 ? ", EL2" : "", strerror(errno));
        return false;
    }
    return true;
}

/* The platform's PSCI is 1.1 (elvisor's, and the default of Linux 6.12's
 * KVM); KVM from 6.13 on defaults to its newest (1.3), so ask for 1.1. KVM
 * takes the write only before the VM's first run: not again at reset. */
static bool set_psci_version(struct kvm_vcpu *v)
{
    uint64_t version = KVMRUN_PSCI_VERSION;
    struct kvm_one_reg reg = { .id = KVM_REG_ARM_PSCI_VERSION, .addr = (uintptr_t)&version };

    if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0) {
        kvmrun_err("setting vCPU %u's PSCI version to %u.%u failed: %s", v->idx,
                   (unsigned)(version >> 16), (unsigned)(version & 0xffff), strerror(errno));
        return false;
    }
    return true;
}

static bool create_vcpu(struct kvm_vm *vm, unsigned idx)
{
    struct kvm_vcpu *v = &vm->vcpus[idx];
    uint64_t mpidr;
    struct kvm_one_reg reg = { .id = ARM64_SYS_REG(3, 0, 0, 0, 5), .addr = (uintptr_t)&mpidr };

    v->vm = vm;
    v->idx = idx;
    v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)idx);
    if (v->fd < 0) {
        kvmrun_err("KVM_CREATE_VCPU %u failed: %s", idx, strerror(errno));
        return false;
    }
    if (!init_vcpu(v) || !set_psci_version(v))
        return false;
    v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        kvmrun_err("cannot map vCPU %u's kvm_run: %s", idx, strerror(errno));
        return false;
    }
    if (ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0) {
        kvmrun_err("reading vCPU %u's MPIDR_EL1 failed: %s", idx, strerror(errno));
        return false;
    }
    vm->mpidr[idx] = mpidr & MPIDR_AFF_MASK;
    return true;
}

static bool gic_attr(struct kvm_vm *vm, uint32_t group, uint64_t attr, void *value, const char *what)
{
    struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)value };

    if (ioctl(vm->gic_fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
        kvmrun_err("GICv3: setting %s failed: %s", what, strerror(errno));
        return false;
    }
    return true;
}

/* After the vCPUs: the redistributors are laid out one per vCPU. */
static bool create_gic(struct kvm_vm *vm)
{
    struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
    uint64_t dist = KVMRUN_GICD_BASE, redist = KVMRUN_GICR_BASE;
    uint32_t nr_irqs = GIC_NR_IRQS, maint_intid = KVMRUN_GIC_MAINT_INTID;

    if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0) {
        kvmrun_err("this KVM has no in-kernel GICv3 (KVM_CREATE_DEVICE VGIC_V3: %s); kvmrun needs a GICv3 host",
                   strerror(errno));
        return false;
    }
    vm->gic_fd = (int)dev.fd;
    return gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist, "the distributor address")
        && gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
                    "the redistributor address")
        && gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs, "the number of interrupts")
        && (!vm->el2 || gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, 0, &maint_intid,
                                 "the maintenance interrupt (a guest hypervisor's)"))
        && gic_attr(vm, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "initialization");
}

static bool open_kvm(struct kvm_vm *vm)
{
    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0) {
        if (errno == ENOENT)
            kvmrun_err("/dev/kvm does not exist: this Linux has no KVM (was it started at EL2? "
                       "dmesg | grep kvm tells), or devtmpfs is not mounted on /dev");
        else
            kvmrun_err("cannot open /dev/kvm: %s", strerror(errno));
        return false;
    }
    int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        kvmrun_err("/dev/kvm speaks KVM API %d, kvmrun was built for %d", api, KVM_API_VERSION);
        return false;
    }
    int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size <= 0) {
        kvmrun_err("KVM_GET_VCPU_MMAP_SIZE failed: %s", strerror(errno));
        return false;
    }
    vm->run_size = (size_t)run_size;
    return true;
}

/* The IPA space must reach the end of RAM; KVM refuses a size above the
 * host's limit, and 40 bits (type 0) is only the default. */
static bool create_vm_fd(struct kvm_vm *vm)
{
    int limit = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
    int bits = limit > 0 && limit < DEFAULT_IPA_BITS ? limit : DEFAULT_IPA_BITS;
    unsigned long type = limit > 0 ? KVM_VM_TYPE_ARM_IPA_SIZE(bits) : 0;

    if (KVMRUN_RAM_BASE + vm->ram_size > (1ULL << bits)) {
        kvmrun_err("%llu MiB of RAM at 0x%llx does not fit in this KVM's %d-bit IPA space",
                   (unsigned long long)(vm->ram_size >> 20), KVMRUN_RAM_BASE, bits);
        return false;
    }
    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, type);
    if (vm->vm_fd < 0) {
        kvmrun_err("KVM_CREATE_VM (%d-bit IPA) failed: %s", bits, strerror(errno));
        return false;
    }
    vm->can_inject_abort = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_INJECT_EXT_DABT) > 0;
    if (vm->el2 && ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL2) <= 0) {
        kvmrun_err("--el2: this KVM offers no virtual EL2 (no KVM_CAP_ARM_EL2): it needs Linux 6.16 or later "
                   "booted with kvm-arm.mode=nested on a CPU with FEAT_NV2 (dmesg | grep NV2 tells)");
        return false;
    }
    return true;
}

static void kick_handler(int sig)
{
    (void)sig;
}

struct kvm_vm *kvm_vm_create(const struct kvmrun_opts *o)
{
    struct kvm_vm *vm = calloc(1, sizeof(*vm));
    struct sigaction kick = { .sa_handler = kick_handler };

    if (!vm) {
        kvmrun_err("out of memory");
        return NULL;
    }
    vm->ram_size = o->mem_size;
    vm->nr_vcpus = o->nr_vcpus;
    vm->pin = o->pin;
    vm->el2 = o->el2;
    vm->pin_offset = o->pin_offset;
    pthread_mutex_init(&vm->done_lock, NULL);
    pthread_cond_init(&vm->done_cond, NULL);
    if (!open_kvm(vm) || !create_vm_fd(vm) || !create_ram(vm))
        return NULL;
    if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &vm->target) < 0) {
        kvmrun_err("KVM_ARM_PREFERRED_TARGET failed: %s", strerror(errno));
        return NULL;
    }
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (!create_vcpu(vm, i))
            return NULL;
    /* The signal that takes a vCPU thread out of KVM_RUN for a reset. */
    sigemptyset(&kick.sa_mask);
    sigaction(SIGUSR1, &kick, NULL);
    if (!create_gic(vm))
        return NULL;
    pl011_init(set_uart_irq, vm);
    return vm;
}

uint8_t *kvm_vm_ram(struct kvm_vm *vm) { return vm->ram; }
const uint64_t *kvm_vm_mpidrs(struct kvm_vm *vm) { return vm->mpidr; }

static uint32_t virtio_empty_slot_read(uint64_t offset)
{
    switch (offset % KVMRUN_VIRTIO_SLOT) {
    case 0x000: return VIRTIO_MAGIC;
    case 0x004: return VIRTIO_VERSION;
    case 0x00c: return VIRTIO_VENDOR;
    default:    return 0;   /* device ID 0: no device */
    }
}

/* An access no device answers: the guest gets a synchronous external
 * abort, as the contract says, and we a few lines on stderr. */
static void bad_access(struct kvm_vcpu *v, uint64_t addr, bool write, const char *why)
{
    struct kvm_vm *vm = v->vm;
    struct kvm_vcpu_events ev;

    if (__atomic_fetch_add(&vm->bad_accesses, 1, __ATOMIC_RELAXED) < BAD_ACCESS_REPORTS)
        kvmrun_err("vCPU %u: %s at 0x%llx %s: external abort injected%s", v->idx, write ? "write" : "read",
                   (unsigned long long)addr, why,
                   vm->bad_accesses == BAD_ACCESS_REPORTS ? " (further ones not reported)" : "");
    if (!vm->can_inject_abort) {
        kvmrun_err("this KVM cannot inject an external abort (no KVM_CAP_ARM_INJECT_EXT_DABT): stopping");
        finish(vm, KVMRUN_EXIT_GUEST);
        return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.exception.ext_dabt_pending = 1;
    if (ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev) < 0) {
        kvmrun_err("KVM_SET_VCPU_EVENTS (external abort) failed: %s", strerror(errno));
        finish(vm, KVMRUN_EXIT_KVM);
    }
}

static void handle_mmio(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;
    uint64_t addr = run->mmio.phys_addr;
    uint32_t len = run->mmio.len;
    uint64_t value = 0;

    if (run->mmio.is_write)
        memcpy(&value, run->mmio.data, len <= sizeof(value) ? len : sizeof(value));
    if (addr >= KVMRUN_UART_BASE && addr < KVMRUN_UART_BASE + KVMRUN_UART_SIZE) {
        if (run->mmio.is_write)
            pl011_write(addr - KVMRUN_UART_BASE, (uint32_t)value);
        else
            value = pl011_read(addr - KVMRUN_UART_BASE);
    } else if (addr >= KVMRUN_VIRTIO_BASE && addr < KVMRUN_VIRTIO_BASE + KVMRUN_VIRTIO_SLOTS * KVMRUN_VIRTIO_SLOT) {
        if (!run->mmio.is_write)
            value = virtio_empty_slot_read(addr - KVMRUN_VIRTIO_BASE);
    } else {
        bad_access(v, addr, run->mmio.is_write, "outside RAM and every device");
        return;
    }
    if (!run->mmio.is_write)
        memcpy(run->mmio.data, &value, len <= sizeof(value) ? len : sizeof(value));
}

static int system_event_status(struct kvm_vcpu *v)
{
    switch (v->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        return KVMRUN_EXIT_OFF;
    case KVM_SYSTEM_EVENT_RESET:
        return KVMRUN_EXIT_RESET;
    default:
        kvmrun_err("vCPU %u: system event %u (crash or unknown): stopping", v->idx, v->run->system_event.type);
        return KVMRUN_EXIT_GUEST;
    }
}

/* One exit; false when this vCPU must stop. */
static bool handle_exit(struct kvm_vcpu *v)
{
    struct kvm_run *run = v->run;

    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        handle_mmio(v);
        return true;
    case KVM_EXIT_ARM_NISV:
        bad_access(v, run->arm_nisv.fault_ipa, false, "by an instruction without syndrome");
        return true;
    case KVM_EXIT_SYSTEM_EVENT:
        finish(v->vm, system_event_status(v));
        return false;
    case KVM_EXIT_FAIL_ENTRY:
        kvmrun_err("vCPU %u: KVM could not enter the guest (hardware reason 0x%llx)", v->idx,
                   (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        kvmrun_err("vCPU %u: KVM internal error %u", v->idx, run->internal.suberror);
        break;
    default:
        kvmrun_err("vCPU %u: unexpected exit reason %u", v->idx, run->exit_reason);
        break;
    }
    finish(v->vm, KVMRUN_EXIT_GUEST);
    return false;
}

static void pin_thread(struct kvm_vcpu *v)
{
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(ncpus > 0 ? (v->idx + v->vm->pin_offset) % (unsigned long)ncpus : 0, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        kvmrun_err("vCPU %u: --pin: sched_setaffinity failed: %s", v->idx, strerror(errno));
}

static void *vcpu_thread(void *arg)
{
    struct kvm_vcpu *v = arg;

    if (v->vm->pin)
        pin_thread(v);

    for (;;) {
        if (ioctl(v->fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                if (__atomic_load_n(&v->vm->stopping, __ATOMIC_ACQUIRE))
                    return NULL;
                continue;
            }
            kvmrun_err("vCPU %u: KVM_RUN failed: %s", v->idx, strerror(errno));
            finish(v->vm, KVMRUN_EXIT_KVM);
            return NULL;
        }
        if (!handle_exit(v))
            return NULL;
    }
}

static bool set_core_reg(struct kvm_vcpu *v, uint64_t offset_id, uint64_t value, const char *name)
{
    struct kvm_one_reg reg = {
        .id = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | offset_id,
        .addr = (uintptr_t)&value,
    };

    if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0) {
        kvmrun_err("setting %s of vCPU %u failed: %s", name, v->idx, strerror(errno));
        return false;
    }
    return true;
}

int kvm_vm_run(struct kvm_vm *vm, uint64_t entry, uint64_t dtb, const struct timespec *deadline)
{
    struct kvm_vcpu *boot = &vm->vcpus[0];

    if (!set_core_reg(boot, KVM_REG_ARM_CORE_REG(regs.pc), entry, "PC")
        || !set_core_reg(boot, KVM_REG_ARM_CORE_REG(regs.regs[0]), dtb, "x0"))
        return KVMRUN_EXIT_KVM;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        if (pthread_create(&vm->vcpus[i].thread, NULL, vcpu_thread, &vm->vcpus[i]) != 0) {
            kvmrun_err("cannot start the thread of vCPU %u", i);
            return KVMRUN_EXIT_KVM;
        }
    }
    pthread_mutex_lock(&vm->done_lock);
    while (!vm->done) {
        if (!deadline) {
            pthread_cond_wait(&vm->done_cond, &vm->done_lock);
        } else if (pthread_cond_timedwait(&vm->done_cond, &vm->done_lock, deadline) == ETIMEDOUT) {
            vm->done = true;
            vm->status = KVMRUN_EXIT_TIMEOUT;
        }
    }
    pthread_mutex_unlock(&vm->done_lock);
    pl011_flush();
    /* Other vCPU threads may still sit in KVM_RUN: kvm_vm_reset() or exit()
     * ends them. */
    return vm->status;
}

bool kvm_vm_reset(struct kvm_vm *vm)
{
    __atomic_store_n(&vm->stopping, true, __ATOMIC_RELEASE);
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct kvm_vcpu *v = &vm->vcpus[i];
        /* immediate_exit covers a kick that lands just before KVM_RUN. */
        v->run->immediate_exit = 1;
        pthread_kill(v->thread, SIGUSR1);
        pthread_join(v->thread, NULL);
        v->run->immediate_exit = 0;
    }
    vm->stopping = false;
    vm->done = false;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (!init_vcpu(&vm->vcpus[i]))
            return false;
    return true;
}
