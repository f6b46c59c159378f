#include "arch/arm64/platform.h"

#include "lib/fdt.h"
#include "lib/string.h"

#define GIC_SPI_BASE 32

/* A node with a status other than "okay" is not for us: QEMU's secure=on
 * board, for one, lists a Secure-only PL011 before the Non-secure one. */
static bool node_enabled(const struct fdt *f, int node)
{
    const char *status;

    if (fdt_prop_string(f, node, "status", &status) < 0)
        return !fdt_has_prop(f, node, "status");
    return strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static int parse_memory(const struct fdt *f, struct platform *p)
{
    int node = -1;

    /* Memory nodes are found by device_type, not by name. */
    while ((node = fdt_next_node(f, node, NULL)) >= 0) {
        const char *type;
        if (fdt_prop_string(f, node, "device_type", &type) < 0 || strcmp(type, "memory") != 0 ||
            !node_enabled(f, node))
            continue;
        for (unsigned i = 0; p->nr_mem < PLATFORM_MAX_MEM; i++) {
            uint64_t base, size;
            if (fdt_get_reg(f, node, i, &base, &size) < 0)
                break;
            if (size == 0)
                continue;
            p->mem_base[p->nr_mem] = base;
            p->mem_size[p->nr_mem] = size;
            p->nr_mem++;
        }
    }
    return p->nr_mem ? 0 : -1;
}

static int parse_cpus(const struct fdt *f, struct platform *p)
{
    int cpus = fdt_path(f, "/cpus");

    if (cpus < 0)
        return -1;
    for (int node = fdt_first_child(f, cpus); node >= 0; node = fdt_next_sibling(f, node)) {
        const char *type;
        uint64_t mpidr, unused;
        if (fdt_prop_string(f, node, "device_type", &type) < 0 || strcmp(type, "cpu") != 0)
            continue;
        if (fdt_get_reg(f, node, 0, &mpidr, &unused) < 0)
            continue;
        if (p->nr_cpus == PLATFORM_MAX_CPUS)
            break;
        p->cpu_mpidr[p->nr_cpus++] = mpidr;
    }
    return p->nr_cpus ? 0 : -1;
}

static int parse_gic(const struct fdt *f, struct platform *p)
{
    int node = fdt_next_compatible(f, -1, "arm,gic-v3");

    if (node >= 0) {
        p->gic_version = 3;
        if (fdt_get_reg(f, node, 0, &p->gicd_base, &p->gicd_size) < 0 ||
            fdt_get_reg(f, node, 1, &p->gicr_base, &p->gicr_size) < 0)
            return -1;
        return 0;
    }
    node = fdt_next_compatible(f, -1, "arm,cortex-a15-gic");
    if (node < 0)
        node = fdt_next_compatible(f, -1, "arm,gic-400");
    if (node < 0)
        return -1;
    p->gic_version = 2;
    uint64_t unused;
    if (fdt_get_reg(f, node, 0, &p->gicd_base, &p->gicd_size) < 0 ||
        fdt_get_reg(f, node, 1, &p->gicc_base, &p->gicc_size) < 0)
        return -1;
    if (fdt_get_reg(f, node, 2, &p->gich_base, &unused) < 0 ||
        fdt_get_reg(f, node, 3, &p->gicv_base, &unused) < 0)
        p->gich_base = p->gicv_base = 0;
    return 0;
}

static bool is_enabled_pl011(const struct fdt *f, int node)
{
    return fdt_node_is_compatible(f, node, "arm,pl011") > 0 && node_enabled(f, node);
}

/* The console is the PL011 /chosen/stdout-path names, else the first
 * enabled one. "path:options" and aliases other than full paths fall back. */
static int console_uart_node(const struct fdt *f)
{
    int chosen = fdt_path(f, "/chosen");
    const char *path;
    char buf[64];
    size_t n = 0;

    if (chosen >= 0 && fdt_prop_string(f, chosen, "stdout-path", &path) == 0 && path[0] == '/') {
        while (path[n] && path[n] != ':' && n < sizeof(buf) - 1) {
            buf[n] = path[n];
            n++;
        }
        buf[n] = '\0';
        int node = fdt_path(f, buf);
        if (node >= 0 && is_enabled_pl011(f, node))
            return node;
    }
    int node = fdt_next_compatible(f, -1, "arm,pl011");
    while (node >= 0 && !node_enabled(f, node))
        node = fdt_next_compatible(f, node, "arm,pl011");
    return node;
}

static int parse_uart(const struct fdt *f, struct platform *p)
{
    int console = console_uart_node(f);
    uint64_t size;
    int len;

    if (console < 0 || fdt_get_reg(f, console, 0, &p->uart_base, &size) < 0)
        return -1;
    const void *irq = fdt_getprop(f, console, "interrupts", &len);
    if (irq && len >= 12) {
        uint64_t type, num;
        fdt_read_cells(irq, 1, &type);
        fdt_read_cells((const uint8_t *)irq + 4, 1, &num);
        p->uart_intid = (unsigned)num + (type == 0 ? GIC_SPI_BASE : 16);
    }
    /* Any other enabled PL011 is elvisor's status port (the first one). */
    for (int node = fdt_next_compatible(f, -1, "arm,pl011"); node >= 0;
         node = fdt_next_compatible(f, node, "arm,pl011")) {
        uint64_t base;
        if (node == console || !node_enabled(f, node) || fdt_get_reg(f, node, 0, &base, &size) < 0 ||
            base == p->uart_base)
            continue;
        p->status_uart_base = base;
        break;
    }
    return 0;
}

int platform_parse(const void *dtb, struct platform *p, const char **why)
{
    struct fdt f;
    uint32_t total;
    int node;

    memset(p, 0, sizeof(*p));
    if (fdt_peek_totalsize(dtb, &total) < 0 || fdt_open(&f, dtb, total) < 0) {
        *why = "boot DTB is not a valid device tree";
        return -1;
    }
    p->dtb_size = total;
    if (parse_memory(&f, p) < 0) {
        *why = "boot DTB has no memory node";
        return -1;
    }
    if (parse_cpus(&f, p) < 0) {
        *why = "boot DTB has no CPU";
        return -1;
    }
    if (parse_gic(&f, p) < 0) {
        *why = "boot DTB has no GICv2/GICv3 node";
        return -1;
    }
    if (parse_uart(&f, p) < 0) {
        *why = "boot DTB has no PL011 UART";
        return -1;
    }
    node = fdt_next_compatible(&f, -1, "arm,psci-0.2");
    if (node < 0)
        node = fdt_next_compatible(&f, -1, "arm,psci");
    const char *method = "hvc";
    if (node >= 0)
        fdt_prop_string(&f, node, "method", &method);
    p->psci_smc = strcmp(method, "smc") == 0;

    p->bootargs = "";
    node = fdt_path(&f, "/chosen");
    if (node >= 0) {
        fdt_prop_string(&f, node, "bootargs", &p->bootargs);
        if (fdt_prop_u64(&f, node, "linux,initrd-start", &p->initrd_start) < 0 ||
            fdt_prop_u64(&f, node, "linux,initrd-end", &p->initrd_end) < 0 ||
            p->initrd_end < p->initrd_start)
            p->initrd_start = p->initrd_end = 0;
    }
    return 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool bootargs_has(const char *args, const char *word)
{
    size_t n = strlen(word);

    for (const char *s = args; *s;) {
        while (is_space(*s))
            s++;
        const char *e = s;
        while (*e && !is_space(*e))
            e++;
        if (n && (size_t)(e - s) == n && strncmp(s, word, n) == 0)
            return true;
        s = e;
    }
    return false;
}
