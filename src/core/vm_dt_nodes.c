/* Device nodes of a VM's DTB (vm_dt_nodes.h). Node names, compatibles and
 * interrupt specifiers follow what QEMU's `virt` machine emits, so that
 * kernels which boot there find the same description here. */
#include "core/vm_dt_nodes.h"

#include "lib/printf.h"
#include "lib/string.h"

#define GIC_MAX_SPI             987u  /* SPI INTIDs are 32..1019 */
/* GICv2 PPI specifiers carry a mask of the CPUs the PPI is wired to. */
#define GICV2_PPI_CPU_MASK_SHIFT 8u
#define PPI_GIC_MAINTENANCE     9u    /* INTID 25 */
#define APB_PCLK_HZ             24000000u

/* PCIe bridge: 3 address cells, 2 size cells; an interrupt-map row is the
 * child's unit address and pin (4 cells), the GIC's phandle, its unit
 * address (2) and a specifier (3). */
#define PCI_RANGES_CELLS        7u
#define PCI_MAP_ROW_CELLS       10u
#define PCI_RANGE_MEM32         0x02000000u
#define PCI_DEVFN_DEV_SHIFT     11u
#define PCI_DEVFN_FN_SHIFT      8u

void vm_dt_unit_name(char *buf, const char *prefix, const char *base, uint64_t addr)
{
    elv_snprintf(buf, VM_DTB_PATH_MAX, "%s%s@%llx", prefix, base, (unsigned long long)addr);
}

void vm_dt_put_reg(uint32_t *cells, uint64_t addr, uint64_t size)
{
    cells[0] = (uint32_t)(addr >> 32);
    cells[1] = (uint32_t)addr;
    cells[2] = (uint32_t)(size >> 32);
    cells[3] = (uint32_t)size;
}

void vm_dt_prop_reg(struct fdt_writer *w, uint64_t addr, uint64_t size)
{
    uint32_t cells[2 * VM_DT_ROOT_CELLS];

    vm_dt_put_reg(cells, addr, size);
    fdt_w_prop_cells(w, "reg", cells, 2 * VM_DT_ROOT_CELLS);
}

void vm_dt_prop_irq(struct fdt_writer *w, unsigned type, unsigned num, unsigned flags)
{
    const uint32_t cells[VM_DT_IRQ_CELLS] = { type, num, flags };

    fdt_w_prop_cells(w, "interrupts", cells, VM_DT_IRQ_CELLS);
}

unsigned vm_dt_ppi_flags(const struct vm_dtb_params *p)
{
    unsigned flags = VM_DT_IRQ_LEVEL_HIGH;

    if (p->gic_version == 2)
        flags |= ((1u << p->nr_vcpus) - 1) << GICV2_PPI_CPU_MASK_SHIFT;
    return flags;
}

static bool gic_valid(const struct vm_dtb_params *p, const struct vm_dt_gic *g)
{
    if (g->gicd_size == 0)
        return false;
    return p->gic_version == 3 ? g->gicr_size != 0 : g->gicc_size != 0;
}

void vm_dt_gic_open(struct vm_dt *dt, const struct vm_dt_gic *g)
{
    struct fdt_writer *w = dt->w;
    const struct vm_dtb_params *p = dt->p;
    uint32_t reg[2 * 2 * VM_DT_ROOT_CELLS];
    char name[VM_DTB_PATH_MAX];

    if (!gic_valid(p, g)) {
        fdt_w_fail(w, FDT_ERR_BADPARAM);
        return;
    }
    vm_dt_unit_name(name, "", "intc", g->gicd_base);
    fdt_w_begin_node(w, name);
    vm_dt_put_reg(reg, g->gicd_base, g->gicd_size);
    if (p->gic_version == 3) {
        vm_dt_put_reg(reg + 2 * VM_DT_ROOT_CELLS, g->gicr_base, g->gicr_size);
        fdt_w_prop_string(w, "compatible", "arm,gic-v3");
        fdt_w_prop_u32(w, "#redistributor-regions", 1);
    } else {
        vm_dt_put_reg(reg + 2 * VM_DT_ROOT_CELLS, g->gicc_base, g->gicc_size);
        fdt_w_prop_string(w, "compatible", "arm,cortex-a15-gic");
    }
    fdt_w_prop_cells(w, "reg", reg, 2 * 2 * VM_DT_ROOT_CELLS);
    fdt_w_prop_u32(w, "#interrupt-cells", VM_DT_IRQ_CELLS);
    fdt_w_prop_empty(w, "interrupt-controller");
    /* As QEMU: an identity-mapped bus, so that interrupt-map users and
     * MSI frame children (ITS, v2m) describe addresses like the root. */
    fdt_w_prop_u32(w, "#address-cells", VM_DT_ROOT_CELLS);
    fdt_w_prop_u32(w, "#size-cells", VM_DT_ROOT_CELLS);
    fdt_w_prop_empty(w, "ranges");
    /* A guest hypervisor's vGIC needs the maintenance interrupt; GICv2
     * would also need GICH/GICV frames, which we do not offer. */
    if (p->gic_version == 3 && p->virt_el2)
        vm_dt_prop_irq(w, VM_DT_IRQ_PPI, PPI_GIC_MAINTENANCE, vm_dt_ppi_flags(p));
    fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_GIC);
}

void vm_dt_gic_close(struct vm_dt *dt)
{
    fdt_w_end_node(dt->w);
}

void vm_dt_v2m(struct vm_dt *dt, uint64_t base, uint64_t size)
{
    struct fdt_writer *w = dt->w;
    char name[VM_DTB_PATH_MAX];

    /* Linux's GICv3 driver probes v2m children when LPIS is 0 (ours). */
    vm_dt_unit_name(name, "", "v2m", base);
    fdt_w_begin_node(w, name);
    fdt_w_prop_string(w, "compatible", "arm,gic-v2m-frame");
    fdt_w_prop_empty(w, "msi-controller");
    vm_dt_prop_reg(w, base, size);
    fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_V2M);
    fdt_w_end_node(w);
}

void vm_dt_pl011_path(char path[VM_DTB_PATH_MAX], uint64_t base)
{
    vm_dt_unit_name(path, "/", "pl011", base);
}

void vm_dt_pl011(struct vm_dt *dt, const struct vm_dt_uart *u)
{
    static const char *const compat[] = { "arm,pl011", "arm,primecell" };
    static const char *const clock_names[] = { "uartclk", "apb_pclk" };
    static const uint32_t clocks[] = { VM_DTB_PHANDLE_CLK24MHZ, VM_DTB_PHANDLE_CLK24MHZ };
    struct fdt_writer *w = dt->w;
    char path[VM_DTB_PATH_MAX];

    if (u->size == 0 || u->spi > GIC_MAX_SPI) {
        fdt_w_fail(w, FDT_ERR_BADPARAM);
        return;
    }
    fdt_w_begin_node(w, "apb-pclk");
    fdt_w_prop_string(w, "compatible", "fixed-clock");
    fdt_w_prop_u32(w, "#clock-cells", 0);
    fdt_w_prop_u32(w, "clock-frequency", APB_PCLK_HZ);
    fdt_w_prop_string(w, "clock-output-names", "clk24mhz");
    fdt_w_prop_u32(w, "phandle", VM_DTB_PHANDLE_CLK24MHZ);
    fdt_w_end_node(w);

    /* The path is "/pl011@<base>": the node's name is after the '/'. */
    vm_dt_pl011_path(path, u->base);
    fdt_w_begin_node(w, path + 1);
    fdt_w_prop_stringlist(w, "compatible", compat, 2);
    vm_dt_prop_reg(w, u->base, u->size);
    vm_dt_prop_irq(w, VM_DT_IRQ_SPI, u->spi, VM_DT_IRQ_LEVEL_HIGH);
    fdt_w_prop_stringlist(w, "clock-names", clock_names, 2);
    fdt_w_prop_cells(w, "clocks", clocks, 2);
    fdt_w_end_node(w);
}

/* INTx rows only for the functions that have a pin; returns the cells. */
static unsigned pcie_interrupt_map(const struct vm_dtb_pci *pci, uint32_t *map)
{
    unsigned n = 0;

    for (unsigned i = 0; i < pci->nr && i < VM_DTB_MAX_PCI; i++) {
        const struct vm_dtb_pci_fn *f = &pci->fn[i];

        if (!f->pin)
            continue;
        const uint32_t row[PCI_MAP_ROW_CELLS] = {
            ((uint32_t)f->dev << PCI_DEVFN_DEV_SHIFT) | ((uint32_t)f->fn << PCI_DEVFN_FN_SHIFT), 0, 0,
            f->pin, VM_DTB_PHANDLE_GIC, 0, 0, VM_DT_IRQ_SPI, f->spi, VM_DT_IRQ_LEVEL_HIGH };
        memcpy(&map[n], row, sizeof(row));
        n += PCI_MAP_ROW_CELLS;
    }
    return n;
}

/* As QEMU's virt: a generic ECAM bridge, its 32-bit window identity-
 * mapped, INTx rows only for the functions the VM has. Linux is told the
 * BARs are final (the bridge's vm_dt_chosen.pci_probe_only): it cannot
 * move them anyway. */
void vm_dt_pcie(struct vm_dt *dt, const struct vm_dtb_pci *pci)
{
    struct fdt_writer *w = dt->w;
    char name[VM_DTB_PATH_MAX];
    uint32_t ranges[PCI_RANGES_CELLS], map[VM_DTB_MAX_PCI * PCI_MAP_ROW_CELLS];
    const uint32_t mask[4] = { 0xff00, 0, 0, 7 }, bus_range[2] = { 0, 0 };
    unsigned n;

    vm_dt_unit_name(name, "", "pcie", pci->ecam_base);
    fdt_w_begin_node(w, name);
    fdt_w_prop_string(w, "compatible", "pci-host-ecam-generic");
    fdt_w_prop_string(w, "device_type", "pci");
    fdt_w_prop_u32(w, "#address-cells", 3);
    fdt_w_prop_u32(w, "#size-cells", 2);
    fdt_w_prop_u32(w, "#interrupt-cells", 1);
    fdt_w_prop_u32(w, "linux,pci-domain", 0);
    fdt_w_prop_cells(w, "bus-range", bus_range, 2);
    fdt_w_prop_empty(w, "dma-coherent");
    vm_dt_prop_reg(w, pci->ecam_base, pci->ecam_size);
    ranges[0] = PCI_RANGE_MEM32;
    ranges[1] = (uint32_t)(pci->mmio_base >> 32);
    ranges[2] = (uint32_t)pci->mmio_base;
    ranges[3] = ranges[1];
    ranges[4] = ranges[2];
    ranges[5] = (uint32_t)(pci->mmio_size >> 32);
    ranges[6] = (uint32_t)pci->mmio_size;
    fdt_w_prop_cells(w, "ranges", ranges, PCI_RANGES_CELLS);
    n = pcie_interrupt_map(pci, map);
    if (n) {
        fdt_w_prop_cells(w, "interrupt-map-mask", mask, 4);
        fdt_w_prop_cells(w, "interrupt-map", map, n);
    }
    if (pci->msi_frame_base)
        fdt_w_prop_u32(w, "msi-parent", VM_DTB_PHANDLE_V2M);
    fdt_w_end_node(w);
}

void vm_dt_virt_devices(struct vm_dt *dt, const void *virt)
{
    const struct vm_dt_virt *v = virt;

    vm_dt_gic_open(dt, &v->gic);
    if (v->pci && v->pci->msi_frame_base)
        vm_dt_v2m(dt, v->pci->msi_frame_base, v->pci->msi_frame_size);
    vm_dt_gic_close(dt);
    vm_dt_pl011(dt, &v->uart);
    if (v->pci)
        vm_dt_pcie(dt, v->pci);
}

void vm_dt_virt_chosen(const struct vm_dt_virt *virt, struct vm_dt_chosen *ch)
{
    vm_dt_pl011_path(ch->stdout_path, virt->uart.base);
    ch->pci_probe_only = virt->pci != NULL;
}
