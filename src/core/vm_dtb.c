/* Guest DTB generation: the board's own nodes, in QEMU virt's order, and
 * the devices' nodes (core/vm_dt_nodes.h) where they go. Node names and
 * properties follow what QEMU's `virt` machine emits, so that kernels
 * which boot there find the same description here. */
#include "core/vm_dtb.h"
#include "core/vm_dt_nodes.h"
#include "lib/fdt.h"

/* PPI numbers (INTID - 16). */
#define PPI_TIMER_HYP_PHYS      10u  /* INTID 26 */
#define PPI_TIMER_VIRT          11u  /* INTID 27 */
#define PPI_TIMER_HYP_VIRT      12u  /* INTID 28 */
#define PPI_TIMER_SEC_PHYS      13u  /* INTID 29 */
#define PPI_TIMER_PHYS          14u  /* INTID 30 */

#define CPU_ADDR_CELLS_AFF3     2u    /* cpus need 2 cells once Aff3 is used */
#define CPU_ADDR_CELLS          1u
#define MPIDR_AFF0_2_MASK       0x0000000000ffffffull
#define MPIDR_AFF3_MASK         0x000000ff00000000ull

#define TIMER_MAX_IRQS          5u

struct dtb_ctx {
    struct fdt_writer w;
    const struct vm_dtb_params *p;
};

static bool params_valid(const struct vm_dtb_params *p)
{
    if (p->nr_vcpus == 0 || p->nr_vcpus > VM_DTB_MAX_VCPUS || !p->vcpu_mpidr)
        return false;
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        if (p->vcpu_mpidr[i] & ~(MPIDR_AFF0_2_MASK | MPIDR_AFF3_MASK))
            return false;
    }
    if (p->gic_version != 2 && p->gic_version != 3)
        return false;
    if (p->gic_version == 2 && p->nr_vcpus > VM_DTB_GICV2_MAX_CPUS)
        return false;
    if (p->ram_size == 0)
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
    fdt_w_prop_u32(w, "#address-cells", VM_DT_ROOT_CELLS);
    fdt_w_prop_u32(w, "#size-cells", VM_DT_ROOT_CELLS);
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
    if (p->chosen.stdout_path[0])
        fdt_w_prop_string(w, "stdout-path", p->chosen.stdout_path);
    if (p->initrd_end) {
        fdt_w_prop_u64(w, "linux,initrd-start", p->initrd_start);
        fdt_w_prop_u64(w, "linux,initrd-end", p->initrd_end);
    }
    if (p->kaslr_seed)
        fdt_w_prop_u64(w, "kaslr-seed", p->kaslr_seed);
    if (p->rng_seed)
        fdt_w_prop(w, "rng-seed", p->rng_seed, p->rng_seed_len);
    if (p->chosen.pci_probe_only)
        fdt_w_prop_u32(w, "linux,pci-probe-only", 1);
    fdt_w_end_node(w);

    if (p->chosen.stdout_path[0]) {
        fdt_w_begin_node(w, "aliases");
        fdt_w_prop_string(w, "serial0", p->chosen.stdout_path);
        fdt_w_end_node(w);
    }
}

static void emit_memory(struct dtb_ctx *c)
{
    char name[VM_DTB_PATH_MAX];

    vm_dt_unit_name(name, "", "memory", c->p->ram_base);
    fdt_w_begin_node(&c->w, name);
    fdt_w_prop_string(&c->w, "device_type", "memory");
    vm_dt_prop_reg(&c->w, c->p->ram_base, c->p->ram_size);
    fdt_w_end_node(&c->w);
}

static void emit_cpus(struct dtb_ctx *c)
{
    struct fdt_writer *w = &c->w;
    const struct vm_dtb_params *p = c->p;
    unsigned addr_cells = CPU_ADDR_CELLS;
    char name[VM_DTB_PATH_MAX];

    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        if (p->vcpu_mpidr[i] & MPIDR_AFF3_MASK)
            addr_cells = CPU_ADDR_CELLS_AFF3;
    }
    fdt_w_begin_node(w, "cpus");
    fdt_w_prop_u32(w, "#address-cells", addr_cells);
    fdt_w_prop_u32(w, "#size-cells", 0);
    for (unsigned i = 0; i < p->nr_vcpus; i++) {
        uint64_t mpidr = p->vcpu_mpidr[i];

        vm_dt_unit_name(name, "", "cpu", mpidr);
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

static void emit_timer(struct dtb_ctx *c)
{
    static const char *const compat[] = { "arm,armv8-timer", "arm,armv7-timer" };
    /* The binding's order: secure phys, non-secure phys, virt, hyp phys, hyp virt. */
    static const unsigned ppis[TIMER_MAX_IRQS] = {
        PPI_TIMER_SEC_PHYS, PPI_TIMER_PHYS, PPI_TIMER_VIRT, PPI_TIMER_HYP_PHYS, PPI_TIMER_HYP_VIRT,
    };
    uint32_t cells[TIMER_MAX_IRQS * VM_DT_IRQ_CELLS];
    unsigned n = c->p->virt_el2 ? TIMER_MAX_IRQS : TIMER_MAX_IRQS - 1;
    unsigned flags = vm_dt_ppi_flags(c->p);

    for (unsigned i = 0; i < n; i++) {
        cells[i * VM_DT_IRQ_CELLS + 0] = VM_DT_IRQ_PPI;
        cells[i * VM_DT_IRQ_CELLS + 1] = ppis[i];
        cells[i * VM_DT_IRQ_CELLS + 2] = flags;
    }
    fdt_w_begin_node(&c->w, "timer");
    fdt_w_prop_stringlist(&c->w, "compatible", compat, 2);
    fdt_w_prop_cells(&c->w, "interrupts", cells, n * VM_DT_IRQ_CELLS);
    fdt_w_prop_empty(&c->w, "always-on");
    fdt_w_end_node(&c->w);
}

int vm_dtb_build(const struct vm_dtb_params *p, void *buf, size_t size)
{
    struct dtb_ctx c;
    int err;

    if (!p || !buf || !params_valid(p))
        return FDT_ERR_BADPARAM;
    c.p = p;
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
    if (p->write_devices) {
        struct vm_dt dt = { &c.w, p };

        p->write_devices(&dt, p->devices);
    }
    fdt_w_end_node(&c.w);
    return fdt_w_finish(&c.w);
}
