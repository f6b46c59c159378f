#include "core/vm_devices.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/tlb.h"
#include "core/console.h"
#include "core/dev_class.h"
#include "core/mm.h"
#include "core/passthrough.h"
#include "core/vm_dt_nodes.h"
#include "lib/log.h"
#include "vdev/v2m.h"
#include "vdev/virtio_mmio.h"

static void describe_under_gic(const struct vm *vm, struct vm_dt *dt);

static int add_mmio(struct vm *vm, const char *name, uint64_t base, uint64_t size,
                    mmio_handler_fn fn, void *dev)
{
    const struct mmio_region r = { name, base, size, fn, dev };
    enum io_bus_err e = io_bus_add(&vm->mmio, &r);

    if (e != IO_BUS_OK)
        log_err("vm %s: %s at IPA 0x%llx (+0x%llx): %s", vm->cfg->name, name, (unsigned long long)base,
                (unsigned long long)size, io_bus_strerror(e));
    return e == IO_BUS_OK ? 0 : -1;
}

/* ---- the vGIC: distributor, redistributors or GICv2 CPU interface ---- */

/* Its power-on state, with the host's list registers. */
static int gic_reset(struct vm *vm)
{
    uint64_t mpidrs[VM_MAX_VCPUS];
    uint64_t vtr = gic_read_vtr();

    if (vm->gic_version == 2) {
        if (vgic_init_v2(&vm->vgic, vm->nr_vcpus, 0) < 0)
            return -1;
        for (unsigned i = 0; i < vm->nr_vcpus; i++)
            vgic_v2_cpu_if_init(vgic_v2_cpu_if(&vm->vgic, i), (uint32_t)vtr);
        return 0;
    }
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        mpidrs[i] = vm->vcpus[i].mpidr;
    if (vgic_init(&vm->vgic, vm->nr_vcpus, mpidrs, 0) < 0)
        return -1;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vgic_v3_cpu_if_init(vgic_v3_cpu_if(&vm->vgic, i), vtr);
    return 0;
}

static int gic_create(struct vm *vm)
{
    int rc;

    if (gic_reset(vm) < 0)
        return -1;
    if (vm->gic_version == 3) {
        if (add_mmio(vm, "gicd", VIRT_GICD_BASE, VGIC_V3_DIST_SIZE, vgic_v3_dist_mmio, &vm->vgic) < 0)
            return -1;
        return add_mmio(vm, "gicr", VIRT_GICR_BASE, VGIC_V3_REDIST_STRIDE * vm->nr_vcpus,
                        vgic_v3_redist_mmio, &vm->vgic);
    }
    if (add_mmio(vm, "gicd", VIRT_GICD_BASE, VGIC_V2_DIST_SIZE, vgic_v2_dist_mmio, &vm->vgic) < 0)
        return -1;
    /* The guest's GICC is the hardware GICV frame: no trap on the
     * interrupt fast path (acknowledge, EOI, priority mask). */
    rc = stage2_map(&vm->s2, VIRT_GICC_BASE, gicv2_gicv_base(), VIRT_GICC_SIZE, S2_READ | S2_WRITE | S2_DEVICE);
    if (rc)
        log_err("vm %s: mapping the GICv2 virtual CPU interface failed (%d)", vm->cfg->name, rc);
    return rc ? -1 : 0;
}

/* The interrupt controller, and inside its node the classes that live
 * under it. */
static void gic_describe(const struct vm *vm, struct vm_dt *dt)
{
    bool v2 = vm->gic_version == 2;
    const struct vm_dt_gic g = {
        .gicd_base = VIRT_GICD_BASE,
        .gicd_size = v2 ? VGIC_V2_DIST_SIZE : VGIC_V3_DIST_SIZE,
        .gicr_base = v2 ? 0 : VIRT_GICR_BASE,
        .gicr_size = v2 ? 0 : VGIC_V3_REDIST_STRIDE * vm->nr_vcpus,
        .gicc_base = v2 ? VIRT_GICC_BASE : 0,
        .gicc_size = v2 ? VIRT_GICC_SIZE : 0,
    };

    vm_dt_gic_open(dt, &g);
    describe_under_gic(vm, dt);
    vm_dt_gic_close(dt);
}

static const struct dev_class gic_class = {
    .name = "vgic", .create = gic_create, .reset = gic_reset, .describe = gic_describe,
};

/* ---- the PL011 UART: the VM's console ---- */

static void uart_tx(void *ctx, char c)
{
    struct vm *vm = ctx;

    console_guest_putc(vm->id, vm->cfg->name, nr_vms > 1, c);
}

static void uart_irq(void *ctx, bool level)
{
    struct vm *vm = ctx;

    vgic_set_irq_level(&vm->vgic, VGIC_NO_VCPU, GIC_SPI_BASE + VIRT_UART_SPI, level);
}

/* The guest reads the view with the memory type of its own stage 1,
 * Device or Non-cacheable for a UART, which does not look in elvisor's
 * caches: what elvisor stored is cleaned to the point of coherency before
 * the guest may look. */
static uint64_t dcache_line;    /* CTR_EL0.DminLine in bytes, set with the first view */

static void uart_view_clean(const struct vm *vm, uint64_t size)
{
    uintptr_t va = (uintptr_t)vm->uart_view;
    uint64_t line = dcache_line;

    dc_cvac(va);
    for (uint64_t off = line; off < size; off += line)
        dc_cvac(va + off);
    dsb(ish);
}

/* The registers the model changes lie below this offset (vdev/vuart.h). */
#define UART_VIEW_LIVE_BYTES   (VUART_MIS + 4)

/* The vuart's gate, under vm->lock: the view read-only in the VM's stage 2
 * while it is valid, and out of it (every access traps) while DR's read
 * would pop data. Closing waits for every CPU's TLB to forget the page;
 * opening needs no maintenance (no TLB holds an invalid entry). */
static void uart_view_gate(void *ctx, bool open)
{
    struct vm *vm = ctx;

    if (open) {
        uart_view_clean(vm, VUART_MMIO_SIZE);
        if (vm->uart_view_mapped)
            return;
        int rc = stage2_map(&vm->s2, VIRT_UART_BASE, (uintptr_t)vm->uart_view, PAGE_SIZE, S2_READ);
        if (rc == 0)
            vm->uart_view_mapped = true;
        else
            log_warn("vm %s: the UART's read view cannot be mapped (%d): its reads trap", vm->cfg->name, rc);
        return;
    }
    if (!vm->uart_view_mapped)
        return;
    stage2_unmap(&vm->s2, VIRT_UART_BASE, PAGE_SIZE);
    vm->uart_view_mapped = false;
    tlb_flush_vmid(vm_vttbr(vm));
}

/* The PL011 model has no lock of its own: the VM lock serializes it
 * against console input arriving on another CPU. Reads reach it only
 * while the view is out of the stage 2 (or from a nested guest, whose
 * stage 2 never holds it). */
static bool uart_mmio_locked(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct vm *vm = dev;
    bool ok;

    spin_lock(&vm->lock);
    ok = vuart_mmio(&vm->uart, vcpu_id, acc);
    if (acc->is_write && vm->uart_view_mapped)
        uart_view_clean(vm, UART_VIEW_LIVE_BYTES);
    spin_unlock(&vm->lock);
    /* Any VM may be the console's target (the operator switches it). */
    if (!acc->is_write && acc->offset == VUART_DR)
        console_input_guest_read();
    return ok;
}

static int uart_reset(struct vm *vm)
{
    vuart_init(&vm->uart, uart_tx, uart_irq, vm);
    if (vm->uart_view)
        vuart_attach_view(&vm->uart, vm->uart_view, uart_view_gate);
    return 0;
}

static int uart_create(struct vm *vm)
{
    /* Without a page the UART works as well, every access trapped. */
    vm->uart_view = page_alloc();
    vm->ro_page_ipa = vm->uart_view ? VIRT_UART_BASE : VM_NO_RO_PAGE;
    dcache_line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    uart_reset(vm);
    return add_mmio(vm, "pl011", VIRT_UART_BASE, VIRT_UART_SIZE, uart_mmio_locked, vm);
}

/* The VM's console. */
static void uart_chosen(const struct vm *vm, struct vm_dt_chosen *ch)
{
    (void)vm;
    vm_dt_pl011_path(ch->stdout_path, VIRT_UART_BASE);
}

static void uart_describe(const struct vm *vm, struct vm_dt *dt)
{
    static const struct vm_dt_uart u = { VIRT_UART_BASE, VIRT_UART_SIZE, VIRT_UART_SPI };

    (void)vm;
    vm_dt_pl011(dt, &u);
}

static const struct dev_class uart_class = {
    .name = "pl011", .create = uart_create, .reset = uart_reset, .chosen = uart_chosen,
    .describe = uart_describe,
};

/* ---- the virtio-mmio window ---- */

/* Every slot empty for now: a driver probing one finds no device instead
 * of an external abort (vdev/virtio_mmio.h). No DTB node: no slot holds
 * a device. */
static int virtio_window_create(struct vm *vm)
{
    return add_mmio(vm, "virtio-mmio", VIRTIO_MMIO_BASE, VIRTIO_MMIO_SIZE, virtio_mmio_empty, NULL);
}

static const struct dev_class virtio_window_class = {
    .name = "virtio-mmio", .create = virtio_window_create,
};

/* ---- the virtual PCIe bridge and its assigned functions (core/passthrough.h) ---- */

/* Its BARs are where the host firmware put them: the guest must not move
 * them. */
static void pcie_chosen(const struct vm *vm, struct vm_dt_chosen *ch)
{
    if (vm->nr_pci)
        ch->pci_probe_only = true;
}

static void pcie_describe(const struct vm *vm, struct vm_dt *dt)
{
    struct vm_dtb_pci pci = { .ecam_base = VIRT_PCIE_ECAM_BASE, .ecam_size = VIRT_PCIE_ECAM_SIZE,
                              .mmio_base = platform.pci.mmio32_base,
                              .mmio_size = platform.pci.mmio32_size,
                              .msi_frame_base = passthrough_msi_frame(vm),
                              .msi_frame_size = V2M_FRAME_SIZE };

    if (!vm->nr_pci)
        return;
    for (unsigned i = 0; i < vm->nr_pci && i < VM_DTB_MAX_PCI; i++) {
        const struct pci_func *f = vm->pci[i];
        pci.fn[i] = (struct vm_dtb_pci_fn){ f->dev, f->fn, f->int_pin,
                                            f->intid ? f->intid - GIC_SPI_BASE : 0 };
        pci.nr++;
    }
    vm_dt_pcie(dt, &pci);
}

static const struct dev_class pcie_class = {
    .name = "pcie", .create = passthrough_vm_attach, .quiesce = passthrough_vm_quiesce,
    .chosen = pcie_chosen, .describe = pcie_describe,
};

/* ---- the MSI frame of the bridge's functions (GICv2m-style, vdev/v2m.h) ---- */

/* A child of the GIC's node, the bridge's msi-parent. */
static void msi_frame_describe(const struct vm *vm, struct vm_dt *dt)
{
    uint64_t base = passthrough_msi_frame(vm);

    if (vm->nr_pci && base)
        vm_dt_v2m(dt, base, V2M_FRAME_SIZE);
}

static const struct dev_class msi_frame_class = {
    .name = "gicv2m", .create = passthrough_msi_frame_create, .describe = msi_frame_describe,
    .dt_parent = DEV_DT_GIC,
};

/* Table order is creation, reset and DTB order (within each parent). */
static const struct dev_class *const vm_device_classes[] = {
    &gic_class, &uart_class, &virtio_window_class, &pcie_class, &msi_frame_class,
};
#define NR_CLASSES (sizeof(vm_device_classes) / sizeof(vm_device_classes[0]))

static void describe_under_gic(const struct vm *vm, struct vm_dt *dt)
{
    dev_classes_describe(vm_device_classes, NR_CLASSES, vm, dt, DEV_DT_GIC);
}

int vm_devices_create(struct vm *vm)
{
    const char *failed;

    /* Each class logs why it failed. */
    return dev_classes_create(vm_device_classes, NR_CLASSES, vm, &failed);
}

int vm_devices_reset(struct vm *vm)
{
    const char *failed;
    int rc;

    spin_lock(&vm->lock);
    rc = dev_classes_reset(vm_device_classes, NR_CLASSES, vm, &failed);
    spin_unlock(&vm->lock);
    if (rc < 0) {
        log_err("vm %s: resetting its %s failed", vm->cfg->name, failed);
        return -1;
    }
    return 0;
}

void vm_devices_quiesce(struct vm *vm)
{
    dev_classes_quiesce(vm_device_classes, NR_CLASSES, vm);
}

void vm_devices_chosen(const struct vm *vm, struct vm_dt_chosen *ch)
{
    dev_classes_chosen(vm_device_classes, NR_CLASSES, vm, ch);
}

void vm_devices_describe(struct vm_dt *dt, const void *vm)
{
    dev_classes_describe(vm_device_classes, NR_CLASSES, vm, dt, DEV_DT_ROOT);
}
