#include "core/config.h"

#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MEM_ALIGN   (2ULL << 20)

static int fail(char *err, size_t errlen, const char *vm, const char *prop, const char *what)
{
    if (vm)
        elv_snprintf(err, errlen, "config: vm '%s': property '%s': %s", vm, prop, what);
    else
        elv_snprintf(err, errlen, "config: %s: %s", prop, what);
    return -1;
}

static int parse_vm(const struct fdt *f, int node, struct vm_config *vm, char *err, size_t errlen)
{
    size_t namelen;
    const char *name = fdt_node_name(f, node, &namelen);
    uint32_t u32;
    uint64_t u64;
    int len;
    const void *p;

    if (!name || namelen == 0 || namelen >= CONFIG_NAME_MAX)
        return fail(err, errlen, NULL, "vms", "VM node name missing or longer than 31 characters");
    memcpy(vm->name, name, namelen);
    vm->name[namelen] = '\0';

    if (fdt_prop_u32(f, node, "vcpus", &u32) < 0)
        return fail(err, errlen, vm->name, "vcpus", "missing or not a 32-bit cell");
    if (u32 < 1 || u32 > CONFIG_MAX_VCPUS)
        return fail(err, errlen, vm->name, "vcpus", "must be 1..8");
    vm->nr_vcpus = u32;

    if (fdt_prop_u64(f, node, "memory-size", &u64) < 0)
        return fail(err, errlen, vm->name, "memory-size", "missing or not a 32/64-bit value");
    if (u64 == 0 || u64 % MEM_ALIGN || u64 > (64ULL << 30))
        return fail(err, errlen, vm->name, "memory-size", "must be a non-zero multiple of 2 MiB, at most 64 GiB");
    vm->mem_size = u64;

    p = fdt_getprop(f, node, "kernel", &len);
    if (!p || len <= 0)
        return fail(err, errlen, vm->name, "kernel", "missing or empty");
    vm->kernel = p;
    vm->kernel_size = (uint64_t)len;

    vm->kernel_format = KERNEL_FORMAT_AUTO;
    if (fdt_has_prop(f, node, "kernel-format")) {
        const char *fmt = fdt_getprop(f, node, "kernel-format", &len);
        if (!fmt || len <= 0 || fmt[len - 1] != '\0' || strlen(fmt) + 1 != (size_t)len)
            return fail(err, errlen, vm->name, "kernel-format", "must be one string");
        if (strcmp(fmt, "image") == 0)
            vm->kernel_format = KERNEL_FORMAT_IMAGE;
        else if (strcmp(fmt, "elf") == 0)
            vm->kernel_format = KERNEL_FORMAT_ELF;
        else if (strcmp(fmt, "raw") == 0)
            vm->kernel_format = KERNEL_FORMAT_RAW;
        else
            return fail(err, errlen, vm->name, "kernel-format", "must be \"image\", \"elf\" or \"raw\"");
    }

    p = fdt_getprop(f, node, "initrd", &len);
    if (p && len <= 0)
        return fail(err, errlen, vm->name, "initrd", "empty");
    vm->initrd = p;
    vm->initrd_size = p ? (uint64_t)len : 0;

    vm->bootargs = "";
    if (fdt_has_prop(f, node, "bootargs") && fdt_prop_string(f, node, "bootargs", &vm->bootargs) < 0)
        return fail(err, errlen, vm->name, "bootargs", "not a NUL-terminated string");

    vm->gic_version = 0;    /* the host's, as a KVM VM gets by default */
    if (fdt_has_prop(f, node, "gic-version")) {
        if (fdt_prop_u32(f, node, "gic-version", &u32) < 0 || (u32 != 2 && u32 != 3))
            return fail(err, errlen, vm->name, "gic-version", "must be <2> or <3>");
        vm->gic_version = u32;
    }

    vm->console = fdt_has_prop(f, node, "console");

    p = fdt_getprop(f, node, "virt-el2", &len);
    if (p && len != 0)
        return fail(err, errlen, vm->name, "virt-el2", "takes no value (write `virt-el2;`)");
    vm->virt_el2 = p != NULL;

    p = fdt_getprop(f, node, "cpus", &len);
    vm->has_cpu_map = p != NULL;
    if (p) {
        if (len != (int)(4 * vm->nr_vcpus))
            return fail(err, errlen, vm->name, "cpus", "needs exactly one cell per vCPU");
        for (unsigned i = 0; i < vm->nr_vcpus; i++) {
            uint64_t cell;
            fdt_read_cells((const uint8_t *)p + 4 * i, 1, &cell);
            if (cell >= CONFIG_MAX_VCPUS)
                return fail(err, errlen, vm->name, "cpus", "physical CPU index out of range");
            vm->cpu_map[i] = (unsigned)cell;
        }
    }
    return 0;
}

int config_parse(const void *blob, size_t size, struct elvisor_config *cfg, char *err, size_t errlen)
{
    struct fdt f;
    int rc, vms, node;
    unsigned consoles = 0;

    memset(cfg, 0, sizeof(*cfg));
    rc = fdt_open(&f, blob, size);
    if (rc < 0)
        return fail(err, errlen, NULL, "bundle", fdt_strerror(rc));
    if (fdt_node_is_compatible(&f, fdt_root(&f), "elvisor,config") != 1)
        return fail(err, errlen, NULL, "compatible", "root is not compatible with \"elvisor,config\"");
    vms = fdt_path(&f, "/vms");
    if (vms < 0)
        return fail(err, errlen, NULL, "/vms", "node missing");

    for (node = fdt_first_child(&f, vms); node >= 0; node = fdt_next_sibling(&f, node)) {
        if (cfg->nr_vms == CONFIG_MAX_VMS)
            return fail(err, errlen, NULL, "/vms", "more than 8 VMs");
        struct vm_config *vm = &cfg->vms[cfg->nr_vms];
        if (parse_vm(&f, node, vm, err, errlen) < 0)
            return -1;
        for (unsigned i = 0; i < cfg->nr_vms; i++)
            if (strcmp(cfg->vms[i].name, vm->name) == 0)
                return fail(err, errlen, vm->name, "name", "two VMs have this name");
        consoles += vm->console;
        if (consoles > 1)
            return fail(err, errlen, vm->name, "console", "only one VM may take console input");
        cfg->nr_vms++;
    }
    if (cfg->nr_vms == 0)
        return fail(err, errlen, NULL, "/vms", "no VM defined");
    return 0;
}
