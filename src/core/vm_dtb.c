/* Guest DTB generation. Node names, compatibles and interrupt specifiers
 * follow what QEMU's `virt` machine emits, so that kernels which boot there
 * find the same description here. */
#include "core/vm_dtb.h"
#include "lib/fdt.h"
#include "lib/string.h"
#include "lib/printf.h"

/* Cells of a GIC interrupt specifier: type, number, flags. */
#define GIC_IRQ_TYPE_SPI        0u
#define GIC_IRQ_TYPE_PPI        1u
#define GIC_IRQ_CELLS           3u
#define IRQ_FLAG_LEVEL_HIGH     4u
/* GICv2 PPI specifiers carry a mask of the CPUs the PPI is wired to. */
#define GICV2_PPI_CPU_MASK_SHIFT 8u

/* PPI numbers (INTID - 16). */
#define PPI_GIC_MAINTENANCE     9u   /* INTID 25 */
#define PPI_TIMER_HYP_PHYS      10u  /* INTID 26 */
#define PPI_TIMER_VIRT          11u  /* INTID 27 */
#define PPI_TIMER_HYP_VIRT      12u  /* INTID 28 */
#define PPI_TIMER_SEC_PHYS      13u  /* INTID 29 */
#define PPI_TIMER_PHYS          14u  /* INTID 30 */

#define GIC_MAX_SPI             987u  /* SPI INTIDs are 32..1019 */

#define ROOT_CELLS              2u    /* #address-cells and #size-cells at the root */
#define CPU_ADDR_CELLS_AFF3     2u    /* cpus need 2 cells once Aff3 is used */
#define CPU_ADDR_CELLS          1u
#define MPIDR_AFF0_2_MASK       0x0000000000ffffffull
#define MPIDR_AFF3_MASK         0x000000ff00000000ull

#define APB_PCLK_HZ             24000000u
#define NAME_MAX_LEN            48u   /* "node@<16 hex digits>" and "/node@..." paths */
#define TIMER_MAX_IRQS          5u

struct dtb_ctx {
    struct fdt_writer w;
    const struct vm_dtb_params *p;
    char uart_path[NAME_MAX_LEN];
};

static void unit_name(char *buf, const char *prefix, const char *base, uint64_t addr)
{
    elv_snprintf(buf, NAME_MAX_LEN, "%s%s@%llx", prefix, base, (unsigned long long)addr);
}

/* A reg entry in the root's 2+2 cell format. */
static void put_reg_pair(uint32_t *cells, uint64_t addr, uint64_t size)
{
    cells[0] = (uint32_t)(addr >> 32);
    cells[1] = (uint32_t)addr;
    cells[2] = (uint32_t)(size >> 32);
    cells[3] = (uint32_t)size;
}

static void prop_reg(struct fdt_writer *w, uint64_t addr, uint64_t size)
{
    uint32_t cells[2 * ROOT_CELLS];

    put_reg_pair(cells, addr, size);
    fdt_w_prop_cells(w, "reg", cells, 2 * ROOT_CELLS);
}

static void prop_irq(struct fdt_writer *w, unsigned type, unsigned num, unsigned flags)
{
    const uint32_t cells[GIC_IRQ_CELLS] = { type, num, flags };

    fdt_w_prop_cells(w, "interrupts", cells, GIC_IRQ_CELLS);
}

static bool params_valid(const struct vm_dtb_params *p)
{
    if (p->nr_vcpus == 0 || p->nr_vcpus > VM_DTB_MAX_VCPUS || !p->vcpu_mpidr)
        return false;
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        if (p->vcpu_mpidr[i] & ~(MPIDR_AFF0_2_MASK | MPIDR_AFF3_MASK))
            return false;
    }
    if (p->gic_version == 2) {
        if (p->nr_vcpus > VM_DTB_GICV2_MAX_CPUS || p->gicc_size == 0)
            return false;
    } else if (p->gic_version == 3) {
        if (p->gicr_size == 0)
            return false;
    } else {
        return false;
    }
    if (p->ram_size == 0 || p->gicd_size == 0 || p->uart_size == 0 || p->uart_spi > GIC_MAX_SPI)
        return false;
    if (p->ram_base + p->ram_size < p->ram_base)
        return false;
    /* The initrd, when present, is a non-empty range inside guest RAM. */
    if ((p->initrd_start || p->initrd_end) &&
        (p->initrd_end <= p->initrd_start || p->initrd_start < p->ram_base ||
         p->initrd_end > p->ram_base + p->ram_size))
        return false;
    if (p->rng_seed_len && !p->rng_seed)
        return false;
    return true;
}

static void emit_root_props(struct dtb_ctx *c)
{
    struct fdt_writer *w = &c->w;

    fdt_w_prop_string(w, "compatible", "linux,dummy-virt");
    fdt_w_prop_string(w, "model", "linux,dummy-virt");
    fdt_w_prop_u32(w, "#address-cells", ROOT_CELLS);
    fdt_w_prop_u32(w, "#size-cells", ROOT_CELLS);
    fdt_w_prop_u32(w, "interrupt-parent", VM_DTB_PHANDLE_GIC);
    /* Memory is cacheable and coherent for every device we emulate. */
    fdt_w_prop_empty(w, "dma-coherent");
}

static void emit_chosen(struct dtb_ctx *c)
{
    struct fdt_writer *w = &c->w;
    const struct vm_dtb_params *p = c->p;

    fdt_w_begin_node(w, "chosen");
    if (p->bootargs)
        fdt_w_prop_string(w, "bootargs", p->bootargs);
    fdt_w_prop_string(w, "stdout-path", c->uart_path);
    if (p->initrd_end) {
        fdt_w_prop_u64(w, "linux,initrd-start", p->initrd_start);
        fdt_w_prop_u64(w, "linux,initrd-end", p->initrd_end);
    }
    if (p->kaslr_seed)
        fdt_w_prop_u64(w, "kaslr-seed", p->kaslr_seed);
    if (p->rng_seed)
        fdt_w_prop(w, "rng-seed", p->rng_seed, p->rng_seed_len);
    if (p->pci)
        fdt_w_prop_u32(w, "linux,pci-probe-only", 1);
    fdt_w_end_node(w);

    fdt_w_begin_node(w, "aliases");
    fdt_w_prop_string(w, "serial0", c->uart_path);
    fdt_w_end_node(w);
}

static void emit_memory(struct dtb_ctx *c)
{
    char name[NAME_MAX_LEN];

    unit_name(name, "", "memory", c->p->ram_base);
    fdt_w_begin_node(&c->w, name);
    fdt_w_prop_string(&c->w, "device_type", "memory");
    prop_reg(&c->w, c->p->ram_base, c->p->ram_size);
    fdt_w_end_node(&c->w);
}

static void emit_cpus(struct dtb_ctx *c)
{
    struct fdt_writer *w = &c->w;
    const struct vm_dtb_params *p = c->p;
    unsigned addr_cells = CPU_ADDR_CELLS;
    char name[NAME_MAX_LEN];

    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        if (p->vcpu_mpidr[i] & MPIDR_AFF3_MASK)
            addr_cells = CPU_ADDR_CELLS_AFF3;
    }
    fdt_w_begin_node(w, "cpus");
    fdt_w_prop_u32(w, "#address-cells", addr_cells);
    fdt_w_prop_u32(w, "#size-cells", 0);
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        uint64_t mpidr = p->vcpu_mpidr[i];

        unit_name(name, "", "cpu", mpidr);
        fdt_w_begin_node(w, name);
        fdt_w_prop_string(w, "device_type", "cpu");
        fdt_w_prop_string(w, "compatible", "arm,armv8");
        if (addr_cells == CPU_ADDR_CELLS_AFF3)
            fdt_w_prop_u64(w, "reg", mpidr);
        else
            fdt_w_prop_u32(w, "reg", (uint32_t)mpidr);
        fdt_w_prop_string(w, "enable-method", "psci");
        fdt_w_end_node(w);
    }
    fdt_w_end_node(w);
}

static void emit_psci(struct dtb_ctx *c)
{
    static const char *const compat[] = { "arm,psci-1.0", "arm,psci-0.2" };

    fdt_w_begin_node(&c->w, "psci");
    fdt_w_prop_stringlist(&c->w, "compatible", compat, 2);
    fdt_w_prop_string(&c->w, "method", c->p->psci_method ? c->p->psci_method : "hvc");
    fdt_w_end_node(&c->w);
}

/* Flags cell of a PPI specifier. */
static unsigned ppi_flags(const struct vm_dtb_params *p)
{
    unsigned flags = IRQ_FLAG_LEVEL_HIGH;

    if (p->gic_version == 2)
        flags |= ((1u << p->nr_vcpus) - 1) << GICV2_PPI_CPU_MASK_SHIFT;
    return flags;
}

static void emit_timer(struct dtb_ctx *c)
{
    static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer" };
    /* The binding's order: secure phys, non-secure phys, virt, hyp phys, hyp virt. */
    static const unsigned ppis[TIMER_MAX_IRQS] = {
        PPI_TIMER_SEC_PHYS, PPI_TIMER_PHYS, PPI_TIMER_VIRT, PPI_TIMER_HYP_PHYS, PPI_TIMER_HYP_VIRT,
    };
    uint32_t cells[TIMER_MAX_IRQS * GIC_IRQ_CELLS];
    unsigned n = c->p->virt_el2 ? TIMER_MAX_IRQS : TIMER_MAX_IRQS - 1;
    unsigned flags = ppi_flags(c->p);

    for (unsigned i = 0; i < n; i++) {
        cells[i * GIC_IRQ_CELLS + 0] = GIC_IRQ_TYPE_PPI;
        cells[i * GIC_IRQ_CELLS + 1] = ppis[i];
        cells[i * GIC_IRQ_CELLS + 2] = flags;
    }
    fdt_w_begin_node(&c->w, "timer");
    fdt_w_prop_stringlist(&c->w, "compatible", compat, 2);
    fdt_w_prop_cells(&c->w, "interrupts", cells, n * GIC_IRQ_CELLS);
    fdt_w_prop_empty(&c->w, "always-on");
    fdt_w_end_node(&c->w);
}

static void emit_gic(struct dtb_ctx *c)
{
    struct fdt_writer *w = &c->w;
    const struct vm_dtb_params *p = c->p;
    uint32_t reg[2 * 2 * ROOT_CELLS];
    char name[NAME_MAX_LEN];

    unit_name(name, "", "intc", p->gicd_base);
    fdt_w_begin_node(w, name);
    put_reg_pair(reg, p->gicd_base, p->gicd_size);
    if (p->gic_version == 3) {
        put_reg_pair(reg + 2 * ROOT_CELLS, p->gicr_base, p->gicr_size);
        fdt_w_prop_string(w, "compatible", "arm,gic-v3");
        fdt_w_prop_u32(w, "#redistributor-regions", 1);
    } else {
        put_reg_pair(reg + 2 * ROOT_CELLS, p->gicc_base, p->gicc_size);
        fdt_w_prop_string(w, "compatible", "arm,cortex-a15-gic");
    }
    fdt_w_prop_cells(w, "reg", reg, 2 * 2 * ROOT_CELLS);
    fdt_w_prop_u32(w, "#interrupt-cells", GIC_IRQ_CELLS);
    fdt_w_prop_empty(w, "interrupt-controller");
    /* As QEMU: an identity-mapped bus, so that interrupt-map users and
     * later MSI frame children (ITS, v2m) describe addresses like the root. */
    fdt_w_prop_u32(w, "#address-cells", ROOT_CELLS);
    fdt_w_prop_u32(w, "#size-cells", ROOT_CELLS);
    fdt_w_prop_empty(w, "ranges");
    /* A guest hypervisor's vGIC needs the maintenance interrupt; GICv2
     * would also need GICH/GICV frames, which we do not offer. */
    if (p->gic_version == 3 && p->virt_el2)
        prop_irq(w, GIC_IRQ_TYPE_PPI, PPI_GIC_MAINTENANCE, ppi_flags(p));
    fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_GIC);
    if (p->pci && p->pci->msi_frame_base) {
        /* Linux's GICv3 driver probes v2m children when LPIS is 0 (ours). */
        unit_name(name, "", "v2m", p->pci->msi_frame_base);
        fdt_w_begin_node(w, name);
        fdt_w_prop_string(w, "compatible", "arm,gic-v2m-frame");
        fdt_w_prop_empty(w, "msi-controller");
        put_reg_pair(reg, p->pci->msi_frame_base, p->pci->msi_frame_size);
        fdt_w_prop_cells(w, "reg", reg, 2 * ROOT_CELLS);
        fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_V2M);
        fdt_w_end_node(w);
    }
    fdt_w_end_node(w);
}

static void emit_uart(struct dtb_ctx *c)
{
    static const char *const compat[] = { "arm,pl011", "arm,primecell" };
    static const char *const clock_names[] = { "uartclk", "apb_pclk" };
    static const uint32_t clocks[] = { VM_DTB_PHANDLE_CLK24MHZ, VM_DTB_PHANDLE_CLK24MHZ };
    struct fdt_writer *w = &c->w;

    fdt_w_begin_node(w, "apb-pclk");
    fdt_w_prop_string(w, "compatible", "fixed-clock");
    fdt_w_prop_u32(w, "#clock-cells", 0);
    fdt_w_prop_u32(w, "clock-frequency", APB_PCLK_HZ);
    fdt_w_prop_string(w, "clock-output-names", "clk24mhz");
    fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_CLK24MHZ);
    fdt_w_end_node(w);

    /* c->uart_path is "/pl011@<base>": the node name is after the '/'. */
    fdt_w_begin_node(w, c->uart_path + 1);
    fdt_w_prop_stringlist(w, "compatible", compat, 2);
    prop_reg(w, c->p->uart_base, c->p->uart_size);
    prop_irq(w, GIC_IRQ_TYPE_SPI, c->p->uart_spi, IRQ_FLAG_LEVEL_HIGH);
    fdt_w_prop_stringlist(w, "clock-names", clock_names, 2);
    fdt_w_prop_cells(w, "clocks", clocks, 2);
    fdt_w_end_node(w);
}

/* As QEMU's virt: a generic ECAM bridge, its 32-bit window identity-
 * mapped, INTx rows only for the functions the VM has. Linux is told the
 * BARs are final (linux,pci-probe-only): it cannot move them anyway. */
static void emit_pcie(struct dtb_ctx *c)
{
    const struct vm_dtb_pci *pci = c->p->pci;
    struct fdt_writer *w = &c->w;
    char name[NAME_MAX_LEN];
    uint32_t ranges[7], map[VM_DTB_MAX_PCI * 10], reg[2 * ROOT_CELLS];
    const uint32_t mask[4] = { 0xff00, 0, 0, 7 }, bus_range[2] = { 0, 0 };
    unsigned n = 0;

    if (!pci)
        return;
    unit_name(name, "", "pcie", pci->ecam_base);
    fdt_w_begin_node(w, name);
    fdt_w_prop_string(w, "compatible", "pci-host-ecam-generic");
    fdt_w_prop_string(w, "device_type", "pci");
    fdt_w_prop_u32(w, "#address-cells", 3);
    fdt_w_prop_u32(w, "#size-cells", 2);
    fdt_w_prop_u32(w, "#interrupt-cells", 1);
    fdt_w_prop_u32(w, "linux,pci-domain", 0);
    fdt_w_prop_cells(w, "bus-range", bus_range, 2);
    fdt_w_prop_empty(w, "dma-coherent");
    put_reg_pair(reg, pci->ecam_base, pci->ecam_size);
    fdt_w_prop_cells(w, "reg", reg, 2 * ROOT_CELLS);
    ranges[0] = 0x02000000;                         /* 32-bit memory */
    ranges[1] = (uint32_t)(pci->mmio_base >> 32);
    ranges[2] = (uint32_t)pci->mmio_base;
    ranges[3] = ranges[1];
    ranges[4] = ranges[2];
    ranges[5] = (uint32_t)(pci->mmio_size >> 32);
    ranges[6] = (uint32_t)pci->mmio_size;
    fdt_w_prop_cells(w, "ranges", ranges, 7);
    for (unsigned i = 0; i < pci->nr && i < VM_DTB_MAX_PCI; i++) {
        const struct vm_dtb_pci_fn *f = &pci->fn[i];
        if (!f->pin)
            continue;
        const uint32_t row[10] = { ((uint32_t)f->dev << 11) | ((uint32_t)f->fn << 8), 0, 0, f->pin,
                                   VM_DTB_PHANDLE_GIC, 0, 0, GIC_IRQ_TYPE_SPI, f->spi, IRQ_FLAG_LEVEL_HIGH };
        memcpy(&map[n], row, sizeof(row));
        n += 10;
    }
    if (n) {
        fdt_w_prop_cells(w, "interrupt-map-mask", mask, 4);
        fdt_w_prop_cells(w, "interrupt-map", map, n);
    }
    if (pci->msi_frame_base)
        fdt_w_prop_u32(w, "msi-parent", VM_DTB_PHANDLE_V2M);
    fdt_w_end_node(w);
}

/* One writer per device class of core/vm_devices.c, in QEMU virt's node
 * order; each writes nothing for a device the VM lacks. */
static void (*const device_nodes[])(struct dtb_ctx *c) = { emit_gic, emit_uart, emit_pcie };

int vm_dtb_build(const struct vm_dtb_params *p, void *buf, size_t size)
{
    struct dtb_ctx c;
    int err;

    if (!p || !buf || !params_valid(p))
        return FDT_ERR_BADPARAM;
    c.p = p;
    unit_name(c.uart_path, "/", "pl011", p->uart_base);

    err = fdt_w_begin(&c.w, buf, size);
    if (err)
        return err;
    /* Writer errors stick, so only fdt_w_finish's result needs checking. */
    fdt_w_begin_node(&c.w, "");
    emit_root_props(&c);
    emit_chosen(&c);
    emit_memory(&c);
    emit_cpus(&c);
    emit_psci(&c);
    emit_timer(&c);
    for (size_t i = 0; i < sizeof(device_nodes) / sizeof(device_nodes[0]); i++)
        device_nodes[i](&c);
    fdt_w_end_node(&c.w);
    return fdt_w_finish(&c.w);
}
