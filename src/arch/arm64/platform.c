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

/* The nth interrupt of a node as a GIC INTID: <type number flags>. */
static unsigned gic_intid_at(const void *cells, int len, unsigned n)
{
    uint64_t type, num;

    if ((unsigned)len < (n + 1) * 12)
        return 0;
    fdt_read_cells((const uint8_t *)cells + n * 12, 1, &type);
    fdt_read_cells((const uint8_t *)cells + n * 12 + 4, 1, &num);
    return (unsigned)num + (type == 0 ? GIC_SPI_BASE : 16);
}

static int node_by_phandle(const struct fdt *f, uint32_t phandle)
{
    int node = -1;
    uint32_t ph;

    while ((node = fdt_next_node(f, node, NULL)) >= 0)
        if (fdt_prop_u32(f, node, "phandle", &ph) == 0 && ph == phandle)
            return node;
    return -1;
}

static void parse_smmu(const struct fdt *f, struct platform *p, uint32_t *phandle)
{
    int node = fdt_next_compatible(f, -1, "arm,smmu-v3");
    int len, nlen;

    while (node >= 0 && !node_enabled(f, node))
        node = fdt_next_compatible(f, node, "arm,smmu-v3");
    if (node < 0 || fdt_get_reg(f, node, 0, &p->smmu_base, &p->smmu_size) < 0) {
        p->smmu_base = 0;
        return;
    }
    fdt_prop_u32(f, node, "phandle", phandle);
    const void *irqs = fdt_getprop(f, node, "interrupts", &len);
    const char *names = fdt_getprop(f, node, "interrupt-names", &nlen);
    /* interrupt-names lists them; the binding's order is the fallback. */
    unsigned idx = 0;
    for (int off = 0; names && off < nlen; off += (int)strlen(names + off) + 1, idx++) {
        if (strcmp(names + off, "eventq") == 0)
            p->smmu_eventq_intid = gic_intid_at(irqs, len, idx);
        else if (strcmp(names + off, "gerror") == 0)
            p->smmu_gerror_intid = gic_intid_at(irqs, len, idx);
    }
}

/* interrupt-map rows: child <phys.hi phys.mid phys.lo pin>, the parent's
 * phandle, its #address-cells of unit address, then <type number flags>. */
static void parse_intx(const struct fdt *f, int node, struct platform_pci *pci)
{
    int len;
    const uint8_t *map = fdt_getprop(f, node, "interrupt-map", &len);

    for (int off = 0; map && off + 20 <= len;) {
        uint64_t hi, pin, parent, acells = 0;
        fdt_read_cells(map + off, 1, &hi);
        fdt_read_cells(map + off + 12, 1, &pin);
        fdt_read_cells(map + off + 16, 1, &parent);
        int pnode = node_by_phandle(f, (uint32_t)parent);
        uint32_t ac = 0;
        if (pnode >= 0 && fdt_prop_u32(f, pnode, "#address-cells", &ac) == 0)
            acells = ac;
        int row = 20 + (int)acells * 4 + 12;
        if (off + row > len)
            break;
        unsigned slot = (unsigned)(hi >> 11) & 0x1f;
        if (slot < PCI_INTX_SLOTS && pin >= 1 && pin <= PCI_INTX_PINS)
            pci->intx_intid[slot][pin - 1] = gic_intid_at(map + off + 20 + acells * 4, 12, 0);
        off += row;
    }
}

/* The first enabled ITS under the GICv3 (QEMU virt has one). */
static void parse_its(const struct fdt *f, struct platform *p, uint32_t *phandle)
{
    int node = fdt_next_compatible(f, -1, "arm,gic-v3-its");

    while (node >= 0 && !node_enabled(f, node))
        node = fdt_next_compatible(f, node, "arm,gic-v3-its");
    if (p->gic_version != 3 || node < 0 || fdt_get_reg(f, node, 0, &p->its_base, &p->its_size) < 0) {
        p->its_base = p->its_size = 0;
        return;
    }
    fdt_prop_u32(f, node, "phandle", phandle);
}

/* <rid-base phandle id-base length>, the first row, when it names phandle. */
static bool parse_id_map(const struct fdt *f, int node, const char *name, uint32_t phandle, uint32_t *rid,
                         uint32_t *id, uint32_t *count)
{
    int len;
    const uint8_t *m = fdt_getprop(f, node, name, &len);
    uint64_t r, ph, i, n;

    if (!m || len < 16 || !phandle)
        return false;
    fdt_read_cells(m, 1, &r);
    fdt_read_cells(m + 4, 1, &ph);
    fdt_read_cells(m + 8, 1, &i);
    fdt_read_cells(m + 12, 1, &n);
    if (ph != phandle)
        return false;
    *rid = (uint32_t)r;
    *id = (uint32_t)i;
    *count = (uint32_t)n;
    return true;
}

static void parse_pci(const struct fdt *f, struct platform *p, uint32_t smmu_phandle, uint32_t its_phandle)
{
    struct platform_pci *pci = &p->pci;
    int node = fdt_next_compatible(f, -1, "pci-host-ecam-generic");
    int len;

    while (node >= 0 && !node_enabled(f, node))
        node = fdt_next_compatible(f, node, "pci-host-ecam-generic");
    if (node < 0 || fdt_get_reg(f, node, 0, &pci->ecam_base, &pci->ecam_size) < 0) {
        pci->ecam_base = 0;
        return;
    }
    pci->bus_first = 0;
    pci->bus_last = (unsigned)(pci->ecam_size >> 20) - 1;      /* 1 MiB of ECAM per bus */
    const uint8_t *range = fdt_getprop(f, node, "bus-range", &len);
    if (range && len == 8) {
        uint64_t first, last;
        fdt_read_cells(range, 1, &first);
        fdt_read_cells(range + 4, 1, &last);
        if (first <= last && last < pci->bus_first + (pci->ecam_size >> 20)) {
            pci->bus_first = (unsigned)first;
            pci->bus_last = (unsigned)last;
        }
    }
    /* ranges: <flags pci.hi pci.lo cpu.hi cpu.lo size.hi size.lo> */
    const uint8_t *r = fdt_getprop(f, node, "ranges", &len);
    for (int off = 0; r && off + 28 <= len; off += 28) {
        uint64_t flags, pci_addr, cpu, size;
        fdt_read_cells(r + off, 1, &flags);
        fdt_read_cells(r + off + 4, 2, &pci_addr);
        fdt_read_cells(r + off + 12, 2, &cpu);
        fdt_read_cells(r + off + 20, 2, &size);
        if (((flags >> 24) & 3) == 2 && pci_addr == cpu && !pci->mmio32_size) {
            pci->mmio32_base = cpu;
            pci->mmio32_size = size;
        }
    }
    parse_intx(f, node, pci);
    pci->behind_smmu = parse_id_map(f, node, "iommu-map", smmu_phandle, &pci->rid_base, &pci->sid_base,
                                    &pci->rid_count);
    pci->msi_to_its = parse_id_map(f, node, "msi-map", its_phandle, &pci->msi_rid_base, &pci->msi_devid_base,
                                   &pci->msi_rid_count);
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
    uint32_t smmu_phandle = 0, its_phandle = 0;
    parse_smmu(&f, p, &smmu_phandle);
    parse_its(&f, p, &its_phandle);
    parse_pci(&f, p, smmu_phandle, its_phandle);

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
