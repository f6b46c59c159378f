#include "core/config.h"

#include "lib/fdt.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MEM_ALIGN   (2ULL << 20)

/* The message of an over-long bootargs names the limit. */
_Static_assert(CONFIG_BOOTARGS_MAX == 2048, "update the bootargs message");

const char *const config_vm_props[] = {
    "vcpus", "memory-size", "kernel", "kernel-format", "initrd", "bootargs", "gic-version", "console", "cpus",
    "virt-el2", "virt-el2-mode", "virt-el2-nv2", "virtual-time", "pci-devices",
};
const unsigned config_nr_vm_props = sizeof(config_vm_props) / sizeof(config_vm_props[0]);

struct checker {
    config_report_fn report;
    void *ctx;
    unsigned errors;
};

static void fail(struct checker *k, const char *vm, const char *prop, const char *child, const char *what)
{
    struct config_error e = { vm, prop, child, what };

    k->errors++;
    k->report(k->ctx, &e);
}

bool config_vm_prop_known(const char *name)
{
    for (unsigned i = 0; i < config_nr_vm_props; i++)
        if (strcmp(name, config_vm_props[i]) == 0)
            return true;
    return false;
}

/* A property that must hold exactly one string: the string, or NULL after
 * reporting that it does not. */
static const char *one_string(const struct fdt *f, int node, struct checker *k, const char *vm,
                              const char *prop)
{
    int len;
    const char *s = fdt_getprop(f, node, prop, &len);

    if (!s || len <= 0 || s[len - 1] != '\0' || strlen(s) + 1 != (size_t)len) {
        fail(k, vm, prop, NULL, "must be one string");
        return NULL;
    }
    return s;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool config_parse_bdf(const char *s, struct config_pci *out)
{
    int b1 = hex_digit(s[0]), b0 = b1 < 0 ? -1 : hex_digit(s[1]);

    if (b0 < 0 || s[2] != ':')
        return false;
    int d1 = hex_digit(s[3]), d0 = d1 < 0 ? -1 : hex_digit(s[4]);
    if (d0 < 0 || s[5] != '.')
        return false;
    int f = hex_digit(s[6]);
    if (f < 0 || f > 7 || s[7] != '\0' || d1 * 16 + d0 > 0x1f)
        return false;
    out->bus = (uint8_t)(b1 * 16 + b0);
    out->dev = (uint8_t)(d1 * 16 + d0);
    out->fn = (uint8_t)f;
    return true;
}

static bool same_bdf(const struct config_pci *a, const struct config_pci *b)
{
    return a->bus == b->bus && a->dev == b->dev && a->fn == b->fn;
}

/* pci-devices: a list of strings, each a function given once. */
static void parse_pci(const struct fdt *f, int node, struct vm_config *vm, struct checker *k)
{
    int len;
    const char *p = fdt_getprop(f, node, "pci-devices", &len);

    vm->nr_pci = 0;
    if (!p)
        return;
    if (len <= 0 || p[len - 1] != '\0') {
        fail(k, vm->name, "pci-devices", NULL, "must be a list of strings \"BB:DD.F\"");
        return;
    }
    for (const char *s = p; s < p + len; s += strlen(s) + 1) {
        struct config_pci bdf;
        if (!config_parse_bdf(s, &bdf)) {
            fail(k, vm->name, "pci-devices", NULL,
                 "each entry must be a PCI function \"BB:DD.F\" in hex (device 00-1f, function 0-7)");
            return;
        }
        for (unsigned i = 0; i < vm->nr_pci; i++)
            if (same_bdf(&vm->pci[i], &bdf)) {
                fail(k, vm->name, "pci-devices", NULL, "lists the same function twice");
                return;
            }
        if (vm->nr_pci == CONFIG_MAX_PCI) {
            fail(k, vm->name, "pci-devices", NULL, "at most 4 functions per VM");
            return;
        }
        vm->pci[vm->nr_pci++] = bdf;
    }
}

/* vcpus and memory-size; false when vcpus is unusable (cpus depends on it). */
static bool parse_size(const struct fdt *f, int node, struct vm_config *vm, struct checker *k)
{
    uint32_t u32;
    uint64_t u64;
    bool vcpus_ok = false;

    if (fdt_prop_u32(f, node, "vcpus", &u32) < 0)
        fail(k, vm->name, "vcpus", NULL, "missing or not a 32-bit cell");
    else if (u32 < 1 || u32 > CONFIG_MAX_VCPUS)
        fail(k, vm->name, "vcpus", NULL, "must be 1..8");
    else
        vcpus_ok = true;
    vm->nr_vcpus = vcpus_ok ? u32 : 0;

    if (fdt_prop_u64(f, node, "memory-size", &u64) < 0)
        fail(k, vm->name, "memory-size", NULL, "missing or not a 32/64-bit value");
    else if (u64 == 0 || u64 % MEM_ALIGN || u64 > (64ULL << 30))
        fail(k, vm->name, "memory-size", NULL, "must be a non-zero multiple of 2 MiB, at most 64 GiB");
    else
        vm->mem_size = u64;
    return vcpus_ok;
}

/* kernel, kernel-format, initrd, bootargs: what vm_boot() loads. */
static void parse_images(const struct fdt *f, int node, struct vm_config *vm, struct checker *k)
{
    int len;
    const void *p = fdt_getprop(f, node, "kernel", &len);

    if (!p || len <= 0) {
        fail(k, vm->name, "kernel", NULL, "missing or empty");
    } else {
        vm->kernel = p;
        vm->kernel_size = (uint64_t)len;
    }

    vm->kernel_format = KERNEL_FORMAT_AUTO;
    if (fdt_has_prop(f, node, "kernel-format")) {
        const char *fmt = one_string(f, node, k, vm->name, "kernel-format");
        if (fmt && strcmp(fmt, "image") == 0)
            vm->kernel_format = KERNEL_FORMAT_IMAGE;
        else if (fmt && strcmp(fmt, "elf") == 0)
            vm->kernel_format = KERNEL_FORMAT_ELF;
        else if (fmt && strcmp(fmt, "raw") == 0)
            vm->kernel_format = KERNEL_FORMAT_RAW;
        else if (fmt)
            fail(k, vm->name, "kernel-format", NULL, "must be \"image\", \"elf\" or \"raw\"");
    }

    p = fdt_getprop(f, node, "initrd", &len);
    if (p && len <= 0) {
        fail(k, vm->name, "initrd", NULL, "empty");
    } else {
        vm->initrd = p;
        vm->initrd_size = p ? (uint64_t)len : 0;
    }

    vm->bootargs = "";
    if (fdt_has_prop(f, node, "bootargs")) {
        if (fdt_prop_string(f, node, "bootargs", &vm->bootargs) < 0)
            fail(k, vm->name, "bootargs", NULL, "not a NUL-terminated string");
        else if (strlen(vm->bootargs) >= CONFIG_BOOTARGS_MAX)
            fail(k, vm->name, "bootargs", NULL,
                 "longer than 2047 characters, the most Linux arm64 takes (COMMAND_LINE_SIZE is 2048 bytes "
                 "with the NUL; it would drop the rest without a word)");
    }
}

/* gic-version, console, virt-el2, virtual-time. */
static void parse_options(const struct fdt *f, int node, struct vm_config *vm, struct checker *k)
{
    uint32_t u32;
    int len;
    const void *p;

    vm->gic_version = 0;    /* the host's, as a KVM VM gets by default */
    if (fdt_has_prop(f, node, "gic-version")) {
        if (fdt_prop_u32(f, node, "gic-version", &u32) < 0 || (u32 != 2 && u32 != 3))
            fail(k, vm->name, "gic-version", NULL, "must be <2> or <3>");
        else
            vm->gic_version = u32;
    }

    vm->console = fdt_has_prop(f, node, "console");

    p = fdt_getprop(f, node, "virt-el2", &len);
    if (p && len != 0)
        fail(k, vm->name, "virt-el2", NULL, "takes no value (write `virt-el2;`)");
    vm->virt_el2 = p != NULL;

    vm->virt_el2_nvhe = false;
    if (fdt_has_prop(f, node, "virt-el2-mode")) {
        const char *m = one_string(f, node, k, vm->name, "virt-el2-mode");
        if (m && strcmp(m, "nvhe") == 0)
            vm->virt_el2_nvhe = true;
        else if (m && strcmp(m, "vhe") != 0)
            fail(k, vm->name, "virt-el2-mode", NULL, "must be \"vhe\" or \"nvhe\"");
        if (m && !vm->virt_el2)
            fail(k, vm->name, "virt-el2-mode", NULL, "needs `virt-el2;` in the same VM");
    }

    /* Its guest hypervisor may nest once more (docs/nested.md §9.21); only
     * a VHE virtual EL2 offers it, as KVM's nVHE-only vCPUs do not. */
    p = fdt_getprop(f, node, "virt-el2-nv2", &len);
    if (p && len != 0)
        fail(k, vm->name, "virt-el2-nv2", NULL, "takes no value (write `virt-el2-nv2;`)");
    vm->virt_el2_nv2 = p != NULL;
    if (p && !vm->virt_el2)
        fail(k, vm->name, "virt-el2-nv2", NULL, "needs `virt-el2;` in the same VM");
    else if (p && vm->virt_el2_nvhe)
        fail(k, vm->name, "virt-el2-nv2", NULL,
             "needs a VHE virtual EL2 (FEAT_NV2 is offered with E2H RES1 only, not with virt-el2-mode = \"nvhe\")");

    vm->own_time = false;
    if (fdt_has_prop(f, node, "virtual-time")) {
        const char *t = one_string(f, node, k, vm->name, "virtual-time");
        if (t && strcmp(t, "own") == 0)
            vm->own_time = true;
        else if (t && strcmp(t, "wall") != 0)
            fail(k, vm->name, "virtual-time", NULL, "must be \"wall\" or \"own\"");
    }
}

/* cpus: one physical CPU per vCPU, judged only with a valid vcpus. */
static void parse_cpu_map(const struct fdt *f, int node, struct vm_config *vm, struct checker *k, bool vcpus_ok)
{
    int len;
    const void *p = fdt_getprop(f, node, "cpus", &len);

    vm->has_cpu_map = p != NULL;
    if (!p || !vcpus_ok)
        return;
    if (len != (int)(4 * vm->nr_vcpus)) {
        fail(k, vm->name, "cpus", NULL, "needs exactly one cell per vCPU");
        return;
    }
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        uint64_t cell;
        fdt_read_cells((const uint8_t *)p + 4 * i, 1, &cell);
        if (cell >= CONFIG_MAX_VCPUS) {
            fail(k, vm->name, "cpus", NULL, "physical CPU index out of range");
            return;
        }
        vm->cpu_map[i] = (unsigned)cell;
    }
}

/* A misspelt optional property would otherwise keep its default. */
static void check_unknown(const struct fdt *f, int node, const struct vm_config *vm, struct checker *k)
{
    int len;

    for (int q = fdt_first_prop(f, node); q >= 0; q = fdt_next_prop(f, q)) {
        const char *pname = NULL;
        fdt_prop_at(f, q, &pname, &len);
        if (pname && !config_vm_prop_known(pname))
            fail(k, vm->name, pname, NULL, "not a VM property");
    }
    for (int child = fdt_first_child(f, node); child >= 0; child = fdt_next_sibling(f, child)) {
        size_t cl;
        fail(k, vm->name, NULL, fdt_node_name(f, child, &cl), "a VM has no child nodes");
    }
}

/* Every error of the VM at node is reported; a property that depends on an
 * invalid one (cpus on vcpus) is not judged. false when the node has no
 * usable name, which every message would need. */
static bool parse_vm(const struct fdt *f, int node, struct vm_config *vm, struct checker *k)
{
    size_t namelen;
    const char *name = fdt_node_name(f, node, &namelen);
    bool vcpus_ok;

    if (!name || namelen == 0 || namelen >= CONFIG_NAME_MAX) {
        fail(k, NULL, "vms", name, "VM node name missing or longer than 31 characters");
        return false;
    }
    memcpy(vm->name, name, namelen);
    vm->name[namelen] = '\0';

    vcpus_ok = parse_size(f, node, vm, k);
    parse_images(f, node, vm, k);
    parse_options(f, node, vm, k);
    parse_cpu_map(f, node, vm, k, vcpus_ok);
    parse_pci(f, node, vm, k);
    check_unknown(f, node, vm, k);
    return true;
}

/* A function goes to one VM: the first that lists it. */
static void check_pci_taken(const struct elvisor_config *cfg, const struct vm_config *vm, struct checker *k)
{
    char why[96];

    for (unsigned a = 0; a < vm->nr_pci; a++) {
        const struct config_pci *f = &vm->pci[a];
        for (unsigned i = 0; i < cfg->nr_vms; i++) {
            bool taken = false;
            for (unsigned b = 0; b < cfg->vms[i].nr_pci; b++)
                taken |= same_bdf(f, &cfg->vms[i].pci[b]);
            if (!taken)
                continue;
            elv_snprintf(why, sizeof(why), "%02x:%02x.%x is already assigned to vm '%s'", f->bus, f->dev,
                         f->fn, cfg->vms[i].name);
            fail(k, vm->name, "pci-devices", NULL, why);
            break;
        }
    }
}

unsigned config_check(const void *blob, size_t size, struct elvisor_config *cfg, config_report_fn report,
                      void *ctx)
{
    struct checker k = { report, ctx, 0 };
    struct fdt f;
    int rc, vms, node;
    unsigned consoles = 0, seen = 0;

    memset(cfg, 0, sizeof(*cfg));
    rc = fdt_open(&f, blob, size);
    if (rc < 0) {
        fail(&k, NULL, "bundle", NULL, fdt_strerror(rc));
        return k.errors;
    }
    if (fdt_node_is_compatible(&f, fdt_root(&f), "elvisor,config") != 1)
        fail(&k, NULL, "compatible", NULL, "root is not compatible with \"elvisor,config\"");
    vms = fdt_path(&f, "/vms");
    if (vms < 0) {
        fail(&k, NULL, "/vms", NULL, "node missing");
        return k.errors;
    }

    for (node = fdt_first_child(&f, vms); node >= 0; node = fdt_next_sibling(&f, node)) {
        struct vm_config extra;
        struct vm_config *vm = cfg->nr_vms < CONFIG_MAX_VMS ? &cfg->vms[cfg->nr_vms] : &extra;
        size_t nl;

        /* The VMs beyond the limit are checked too, so that all is said at once. */
        if (++seen == CONFIG_MAX_VMS + 1)
            fail(&k, NULL, "/vms", fdt_node_name(&f, node, &nl), "more than 8 VMs");
        memset(vm, 0, sizeof(*vm));
        if (!parse_vm(&f, node, vm, &k))
            continue;
        for (unsigned i = 0; i < cfg->nr_vms; i++)
            if (strcmp(cfg->vms[i].name, vm->name) == 0)
                fail(&k, vm->name, "name", NULL, "two VMs have this name");
        check_pci_taken(cfg, vm, &k);
        if (vm->console && consoles++ > 0)
            fail(&k, vm->name, "console", NULL, "only one VM may take console input");
        if (vm != &extra)
            cfg->nr_vms++;
    }
    if (seen == 0)
        fail(&k, NULL, "/vms", NULL, "no VM defined");
    return k.errors;
}

struct first_error {
    char *buf;
    size_t len;
    bool taken;
};

static void keep_first(void *ctx, const struct config_error *e)
{
    struct first_error *fe = ctx;

    if (fe->taken)
        return;
    fe->taken = true;
    if (e->vm && e->prop)
        elv_snprintf(fe->buf, fe->len, "config: vm '%s': property '%s': %s", e->vm, e->prop, e->what);
    else if (e->vm)
        elv_snprintf(fe->buf, fe->len, "config: vm '%s': node '%s': %s", e->vm, e->child ? e->child : "",
                     e->what);
    else
        elv_snprintf(fe->buf, fe->len, "config: %s: %s", e->prop, e->what);
}

int config_parse(const void *blob, size_t size, struct elvisor_config *cfg, char *err, size_t errlen)
{
    struct first_error fe = { err, errlen, false };

    return config_check(blob, size, cfg, keep_first, &fe) ? -1 : 0;
}
