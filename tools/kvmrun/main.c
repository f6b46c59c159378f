/* kvmrun's options, the images and the device tree. The kernel is placed
 * by elvisor's own loader (src/core/loader.c) and the DTB is the one
 * elvisor generates for a VM (src/core/vm_dtb.c), so a guest sees the same
 * platform under KVM as under elvisor; RAM ends with a 2 MiB slot for the
 * DTB, and an initrd sits right below it, as in elvisor's vm_boot(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/loader.h"
#include "core/vm_dt_nodes.h"
#include "kvmrun.h"

#define DTB_SLOT         (2ULL << 20)
#define DTB_MAX          (64 * 1024)
#define PAGE_SIZE        4096ULL
#define DEFAULT_MEM      (128ULL << 20)
#define MIN_MEM          (4ULL << 20)
#define MAX_MEM          (64ULL << 30)
#define MAX_IMAGE        (512ULL << 20)

static void usage(FILE *out)
{
    fprintf(out,
"usage: kvmrun [options] --kernel IMG\n"
"Runs IMG as a VM under Linux KVM (/dev/kvm) on the guest platform elvisor\n"
"gives its VMs (QEMU virt's layout): RAM from 0x40000000, GICv3 (in-kernel,\n"
"distributor 0x08000000, redistributors from 0x080A0000), the architected\n"
"timers, PSCI 1.x by HVC (KVM's; by SMC with --el2), a PL011 at 0x09000000 (SPI 1) on\n"
"stdin/stdout, empty virtio-mmio slots at 0x0A000000, and the DTB elvisor\n"
"would generate, its address in x0. Other addresses give the guest an\n"
"external abort.\n"
"\n"
"  --kernel IMG     an arm64 Linux Image or an ELF (also as the only argument)\n"
"  --raw            IMG is a raw binary, loaded at RAM + 0x80000\n"
"  --initrd FILE    an initramfs for a Linux kernel\n"
"  --append ARGS    the kernel command line (/chosen/bootargs)\n"
"  --smp N          vCPUs, 1 to %u (default 1); vCPU 0 starts, the others\n"
"                   wait for PSCI CPU_ON\n"
"  --pin            run vCPU i's thread on host CPU i (modulo the CPUs online)\n"
"  --pin-offset N   the same on host CPU i + N: vCPU 0 away from CPU 0, where\n"
"                   each vCPU runs on a CPU of another number\n"
"  --mem SIZE       guest RAM, with K/M/G suffix (default 128M)\n"
"  --timeout S      stop the guest after S seconds (exit status 124)\n"
"  --no-input       do not read stdin (the UART receives nothing)\n"
"  --el2            start the guest at EL2 (KVM's nested virtualization: Linux\n"
"                   6.16+ with kvm-arm.mode=nested on a CPU with FEAT_NV2);\n"
"                   the DTB gains the EL2 timers and the GIC maintenance\n"
"                   interrupt (PPI 9)\n"
"  --no-reboot      exit at the guest's SYSTEM_RESET (status 5) instead of\n"
"                   booting it again (RAM kept, images reloaded)\n"
"  -h, --help       this text\n"
"\n"
"Exit status: 0 the guest called PSCI SYSTEM_OFF; 5 it called SYSTEM_RESET\n"
"(--no-reboot); 4 it crashed or KVM stopped it; 3 /dev/kvm missing or a KVM\n"
"call failed; 2 bad options or an image that cannot be loaded; 124 --timeout.\n",
            KVMRUN_MAX_VCPUS);
}

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    unsigned shift = 20;    /* a bare number is MiB */

    if (errno || end == s)
        return false;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: break;
    }
    if (*end || v > (MAX_MEM >> shift))
        return false;
    *out = v << shift;
    return true;
}

static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);

    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

/* 0, or KVMRUN_EXIT_USAGE after a message. */
static int parse_args(int argc, char **argv, struct kvmrun_opts *o)
{
    o->nr_vcpus = 1;
    o->mem_size = DEFAULT_MEM;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value = true;

        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--raw")) {
            o->raw = true; takes_value = false;
        } else if (!strcmp(a, "--no-input")) {
            o->no_input = true; takes_value = false;
        } else if (!strcmp(a, "--pin")) {
            o->pin = true; takes_value = false;
        } else if (!strcmp(a, "--el2")) {
            o->el2 = true; takes_value = false;
        } else if (!strcmp(a, "--no-reboot")) {
            o->no_reboot = true; takes_value = false;
        } else if (a[0] != '-') {
            if (o->kernel) { kvmrun_err("one kernel only ('%s' and '%s')", o->kernel, a); return KVMRUN_EXIT_USAGE; }
            o->kernel = a; takes_value = false;
        } else if (!val) {
            kvmrun_err("%s needs a value (see --help)", a);
            return KVMRUN_EXIT_USAGE;
        } else if (!strcmp(a, "--kernel")) {
            o->kernel = val;
        } else if (!strcmp(a, "--initrd")) {
            o->initrd = val;
        } else if (!strcmp(a, "--append")) {
            o->cmdline = val;
        } else if (!strcmp(a, "--pin-offset")) {
            if (!parse_uint(val, 0, KVMRUN_MAX_VCPUS, &o->pin_offset)) {
                kvmrun_err("--pin-offset wants 0 to %u, got '%s'", KVMRUN_MAX_VCPUS, val);
                return KVMRUN_EXIT_USAGE;
            }
            o->pin = true;
        } else if (!strcmp(a, "--smp")) {
            if (!parse_uint(val, 1, KVMRUN_MAX_VCPUS, &o->nr_vcpus)) {
                kvmrun_err("--smp wants 1 to %u vCPUs, got '%s'", KVMRUN_MAX_VCPUS, val);
                return KVMRUN_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--mem")) {
            if (!parse_size(val, &o->mem_size) || o->mem_size < MIN_MEM || o->mem_size % PAGE_SIZE) {
                kvmrun_err("--mem wants a size from 4M to 64G in whole pages (e.g. 256M), got '%s'", val);
                return KVMRUN_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--timeout")) {
            if (!parse_uint(val, 1, 86400, &o->timeout_s)) {
                kvmrun_err("--timeout wants 1 to 86400 seconds, got '%s'", val);
                return KVMRUN_EXIT_USAGE;
            }
        } else {
            kvmrun_err("unknown option '%s' (see --help)", a);
            return KVMRUN_EXIT_USAGE;
        }
        if (takes_value && a[0] == '-')
            i++;
    }
    if (!o->kernel) {
        kvmrun_err("no kernel: give --kernel IMG (see --help)");
        return KVMRUN_EXIT_USAGE;
    }
    return 0;
}

static bool read_file(const char *path, const char *what, struct blob *b)
{
    FILE *f = fopen(path, "rb");
    struct stat st;

    if (!f) {
        kvmrun_err("cannot open %s '%s': %s", what, path, strerror(errno));
        return false;
    }
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0
        || (uint64_t)st.st_size > MAX_IMAGE) {
        kvmrun_err("%s '%s' is not a regular file of 1 byte to %llu MiB", what, path, MAX_IMAGE >> 20);
        fclose(f);
        return false;
    }
    b->size = (size_t)st.st_size;
    b->data = malloc(b->size);
    if (!b->data || fread(b->data, 1, b->size, f) != b->size) {
        kvmrun_err("cannot read %s '%s'", what, path);
        fclose(f);
        return false;
    }
    fclose(f);
    return true;
}

struct guest_images {
    struct blob kernel, initrd;
    struct load_plan plan;
    uint64_t dtb_ipa, initrd_ipa;
};

/* Reads and places the images, before /dev/kvm is touched, so that a bad
 * image is reported as such on any machine. */
static int prepare_guest(const struct kvmrun_opts *o, struct guest_images *g)
{
    const char *why;

    if (!read_file(o->kernel, "kernel", &g->kernel) || (o->initrd && !read_file(o->initrd, "initrd", &g->initrd)))
        return KVMRUN_EXIT_USAGE;
    if (loader_plan(g->kernel.data, g->kernel.size, o->raw ? KERNEL_FORMAT_RAW : KERNEL_FORMAT_AUTO,
                    KVMRUN_RAM_BASE, o->mem_size, &g->plan, &why) < 0) {
        kvmrun_err("cannot load kernel '%s': %s", o->kernel, why);
        return KVMRUN_EXIT_USAGE;
    }
    g->dtb_ipa = KVMRUN_RAM_BASE + o->mem_size - DTB_SLOT;
    if (g->plan.end > g->dtb_ipa) {
        kvmrun_err("kernel '%s' leaves no room for the device tree in %llu MiB", o->kernel,
                   (unsigned long long)(o->mem_size >> 20));
        return KVMRUN_EXIT_USAGE;
    }
    if (o->initrd) {
        g->initrd_ipa = (g->dtb_ipa - g->initrd.size) & ~(PAGE_SIZE - 1);
        if (g->initrd.size > g->dtb_ipa - KVMRUN_RAM_BASE || g->initrd_ipa < g->plan.end) {
            kvmrun_err("initrd '%s' (%zu KiB) does not fit in guest memory above the kernel", o->initrd,
                       g->initrd.size >> 10);
            return KVMRUN_EXIT_USAGE;
        }
    }
    return 0;
}

/* Copies the images into guest RAM and writes the DTB for these vCPUs. */
static int place_guest(const struct kvmrun_opts *o, const struct guest_images *g, uint8_t *ram,
                       const uint64_t *mpidrs)
{
    static uint8_t dtb[DTB_MAX];

    for (unsigned i = 0; i < g->plan.nr_segments; i++) {
        const struct load_segment *s = &g->plan.seg[i];
        memcpy(ram + (s->ipa - KVMRUN_RAM_BASE), g->kernel.data + s->file_off, s->file_size);
    }
    if (o->initrd)
        memcpy(ram + (g->initrd_ipa - KVMRUN_RAM_BASE), g->initrd.data, g->initrd.size);
    const struct vm_dt_virt devices = {
        .gic = { .gicd_base = KVMRUN_GICD_BASE, .gicd_size = KVMRUN_GICD_SIZE,
                 .gicr_base = KVMRUN_GICR_BASE, .gicr_size = KVMRUN_GICR_STRIDE * o->nr_vcpus },
        .uart = { KVMRUN_UART_BASE, KVMRUN_UART_SIZE, KVMRUN_UART_SPI },
    };
    struct vm_dtb_params dp = {
        .ram_base = KVMRUN_RAM_BASE,
        .ram_size = o->mem_size,
        .nr_vcpus = o->nr_vcpus,
        .vcpu_mpidr = mpidrs,
        .gic_version = 3,
        .bootargs = o->cmdline,
        .initrd_start = g->initrd_ipa,
        .initrd_end = o->initrd ? g->initrd_ipa + g->initrd.size : 0,
        /* KVM gives a guest hypervisor's HVC to its own vEL2 vector, as the
         * architecture does; its PSCI is by SMC (as QEMU's with EL2). */
        .psci_method = o->el2 ? "smc" : "hvc",
        .virt_el2 = o->el2,
        .write_devices = vm_dt_virt_devices,
        .devices = &devices,
    };
    vm_dt_virt_chosen(&devices, &dp.chosen);
    int size = vm_dtb_build(&dp, dtb, sizeof(dtb));
    if (size <= 0) {
        kvmrun_err("building the device tree failed (%d; a command line too long?)", size);
        return KVMRUN_EXIT_USAGE;
    }
    memcpy(ram + (g->dtb_ipa - KVMRUN_RAM_BASE), dtb, (size_t)size);
    return 0;
}

int main(int argc, char **argv)
{
    struct kvmrun_opts o = { 0 };
    struct guest_images g = { 0 };
    int rc = parse_args(argc, argv, &o);

    if (rc || (rc = prepare_guest(&o, &g)))
        return rc;
    struct kvm_vm *vm = kvm_vm_create(&o);
    if (!vm)
        return KVMRUN_EXIT_KVM;
    if ((rc = place_guest(&o, &g, kvm_vm_ram(vm), kvm_vm_mpidrs(vm))))
        return rc;
    if (!o.no_input)
        pl011_start_input();
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += o.timeout_s;
    for (;;) {
        rc = kvm_vm_run(vm, g.plan.entry, g.dtb_ipa, o.timeout_s ? &deadline : NULL);
        if (rc != KVMRUN_EXIT_RESET || o.no_reboot)
            break;
        if (!kvm_vm_reset(vm)) {
            rc = KVMRUN_EXIT_KVM;
            break;
        }
        if ((rc = place_guest(&o, &g, kvm_vm_ram(vm), kvm_vm_mpidrs(vm))))
            break;
    }
    if (rc == KVMRUN_EXIT_RESET)
        kvmrun_err("the guest asked for SYSTEM_RESET (--no-reboot: exit status %d)", rc);
    if (rc == KVMRUN_EXIT_TIMEOUT)
        kvmrun_err("the guest was still running after --timeout %u s: stopped", o.timeout_s);
    exit(rc);
}
