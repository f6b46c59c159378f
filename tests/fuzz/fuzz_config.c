/* Fuzz target: the bundle parser (config_parse). The input is the bundle,
 * a DTB. Invariants:
 *  - the result is 0 or -1; on -1 the message is NUL-terminated within
 *    the buffer and starts with "config: ", and nothing is written past a
 *    short buffer (the second parse gets an exactly sized heap buffer of
 *    0..79 bytes, chosen from the input's size, so ASan sees an overrun);
 *  - both parses agree;
 *  - on success: 1..8 VMs with distinct, terminated, non-empty names of
 *    at most 31 characters; 1..8 vCPUs; memory a non-zero multiple of
 *    2 MiB up to 64 GiB; kernel and initrd inside the blob (initrd NULL
 *    exactly when its size is 0), bootargs "" or a string that ends inside
 *    the blob; a known kernel format; GIC version 0, 2 or 3; at most one
 *    console; cpu_map entries below CONFIG_MAX_VCPUS; and the values are
 *    the ones the FDT reader sees in the VM's node. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "lib/fdt_read.c"
#include "lib/printf.c"
#include "core/config.c"

static struct elvisor_config cfg, cfg2;

static bool inside(const uint8_t *lo, size_t size, const void *p, uint64_t len)
{
    const uint8_t *b = p;

    return b >= lo && b <= lo + size && len <= (uint64_t)(lo + size - b);
}

static void check_vm(const struct vm_config *vm, const uint8_t *data, size_t size,
                     const struct fdt *f, int node)
{
    size_t nlen = strlen(vm->name);
    uint32_t u32;
    uint64_t u64;

    FUZZ_CHECK(nlen > 0 && nlen < CONFIG_NAME_MAX, "name length %zu", nlen);
    FUZZ_CHECK(vm->nr_vcpus >= 1 && vm->nr_vcpus <= CONFIG_MAX_VCPUS, "vcpus %u", vm->nr_vcpus);
    FUZZ_CHECK(vm->mem_size && vm->mem_size % (2ULL << 20) == 0 && vm->mem_size <= (64ULL << 30),
               "memory-size %#llx", (unsigned long long)vm->mem_size);
    FUZZ_CHECK(vm->kernel && vm->kernel_size && inside(data, size, vm->kernel, vm->kernel_size),
               "kernel outside the bundle");
    FUZZ_CHECK((vm->initrd == NULL) == (vm->initrd_size == 0), "initrd pointer/size");
    if (vm->initrd)
        FUZZ_CHECK(inside(data, size, vm->initrd, vm->initrd_size), "initrd outside the bundle");
    FUZZ_CHECK(vm->bootargs, "bootargs NULL");
    if (vm->bootargs[0] != '\0' || inside(data, size, vm->bootargs, 1)) {
        FUZZ_CHECK(inside(data, size, vm->bootargs, 1), "bootargs outside the bundle");
        FUZZ_CHECK(memchr(vm->bootargs, '\0', (size_t)(data + size - (const uint8_t *)vm->bootargs)),
                   "bootargs not terminated inside the bundle");
    }
    FUZZ_CHECK(vm->kernel_format == KERNEL_FORMAT_AUTO || vm->kernel_format == KERNEL_FORMAT_IMAGE ||
               vm->kernel_format == KERNEL_FORMAT_ELF || vm->kernel_format == KERNEL_FORMAT_RAW,
               "kernel format %d", (int)vm->kernel_format);
    FUZZ_CHECK(vm->gic_version == 0 || vm->gic_version == 2 || vm->gic_version == 3, "gic %u",
               vm->gic_version);
    if (vm->has_cpu_map)
        for (unsigned i = 0; i < vm->nr_vcpus; i++)
            FUZZ_CHECK(vm->cpu_map[i] < CONFIG_MAX_VCPUS, "cpu_map[%u] = %u", i, vm->cpu_map[i]);

    /* The reader's view of the same node. */
    size_t len;
    const char *name = fdt_node_name(f, node, &len);
    FUZZ_CHECK(name && len == nlen && memcmp(name, vm->name, len) == 0, "name differs");
    FUZZ_CHECK(fdt_prop_u32(f, node, "vcpus", &u32) == 0 && u32 == vm->nr_vcpus, "vcpus differ");
    FUZZ_CHECK(fdt_prop_u64(f, node, "memory-size", &u64) == 0 && u64 == vm->mem_size,
               "memory-size differs");
    FUZZ_CHECK(fdt_has_prop(f, node, "console") == vm->console, "console differs");
    FUZZ_CHECK(fdt_has_prop(f, node, "virt-el2") == vm->virt_el2, "virt-el2 differs");
    FUZZ_CHECK(fdt_has_prop(f, node, "cpus") == vm->has_cpu_map, "cpus differs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    size_t short_len = size % 80;
    char *short_err = malloc(short_len ? short_len : 1);
    int rc, rc2;

    FUZZ_CHECK(short_err, "malloc");
    memset(err, 0x5a, sizeof(err));
    rc = config_parse(data, size, &cfg, err, sizeof(err));
    FUZZ_CHECK(rc == 0 || rc == -1, "config_parse returned %d", rc);
    rc2 = config_parse(data, size, &cfg2, short_err, short_len);
    FUZZ_CHECK(rc2 == rc, "second parse returned %d, first %d", rc2, rc);
    if (rc < 0) {
        FUZZ_CHECK(memchr(err, '\0', sizeof(err)), "message not terminated");
        FUZZ_CHECK(strncmp(err, "config: ", 8) == 0, "message '%s'", err);
        if (short_len) {
            FUZZ_CHECK(memchr(short_err, '\0', short_len), "short message not terminated");
            FUZZ_CHECK(strncmp(short_err, err, short_len - 1) == 0, "short message differs");
        }
        free(short_err);
        return 0;
    }
    free(short_err);
    FUZZ_CHECK(memcmp(&cfg, &cfg2, sizeof(cfg)) == 0, "two parses differ");
    FUZZ_CHECK(cfg.nr_vms >= 1 && cfg.nr_vms <= CONFIG_MAX_VMS, "%u VMs", cfg.nr_vms);

    struct fdt f;
    FUZZ_CHECK(fdt_open(&f, data, size) == 0, "accepted bundle the reader refuses");
    int vms = fdt_path(&f, "/vms"), node = fdt_first_child(&f, vms);
    unsigned consoles = 0;
    for (unsigned i = 0; i < cfg.nr_vms; i++, node = fdt_next_sibling(&f, node)) {
        FUZZ_CHECK(node >= 0, "VM %u has no node", i);
        check_vm(&cfg.vms[i], data, size, &f, node);
        consoles += cfg.vms[i].console;
        for (unsigned j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(cfg.vms[i].name, cfg.vms[j].name) != 0, "duplicate name");
    }
    FUZZ_CHECK(node == FDT_ERR_NOTFOUND, "more VM nodes than VMs");
    FUZZ_CHECK(consoles <= 1, "%u consoles", consoles);
    return 0;
}
