#include "core/passthrough.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/its.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/sysreg.h"
#include "core/guest_log.h"
#include "core/irq_route.h"
#include "core/mm.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "lib/string.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"
#include "vdev/v2m.h"

/* Bus 0 only (arch/arm64/pci.h): 256 requester IDs. */
#define STREAM_ID_BITS      8
/* SMMU events of no VM's device: at most this many lines per 5 s. */
#define HOST_EVENT_BURST    10
#define HOST_EVENT_WINDOW_MS 5000

/* LPIs for assigned functions' MSIs: 8192-16383. */
#define LPI_ID_BITS         14
/* EventIDs per function: one vector (edu's MSI has one). */
#define MSI_EVENT_BITS      1
#define MSI_EVENT           0u
/* An EventID the function's ITT has room for but no mapping: the ITS
 * drops it (checked on bare QEMU, suite edu part 1b). */
#define MSI_EVENT_DROPPED   1u

struct pci_host host_pci;
struct smmu host_smmu;
struct its host_its;
static bool have_pci, have_its;

/* An assigned function's MSI as the physical ITS delivers it: (DeviceID,
 * EventID 0) -> lpi on the collection of physical CPU cpu, injected as
 * the VM's vintid while the VM has MSI enabled with its frame's address. */
struct msi_route {
    struct vm *vm;
    struct pci_func *f;
    uint32_t devid, lpi;
    unsigned cpu;
    bool check_pending;         /* the INT sent at assignment not taken yet */
    unsigned cap;               /* the hardware's MSI capability */
    bool cap64;
    uint32_t vintid;            /* 0: the VM's MSI is off or aimed elsewhere */
};

/* A VM's MSI frame, and the doorbell page its functions write through
 * the SMMU: IPA DOORBELL_IPA maps the physical GITS_TRANSLATER page. */
#define V2M_IPA             0x08020000ULL   /* where virt's GICv2 has its frame */
/* The frame's SPIs: from INTID 80 as virt's GICv2m frame, up to the top
 * of the vGIC's default 64 SPIs (INTIDs 32-95): clear of virt's devices
 * and of the virtio-mmio slots' SPIs 16-47 (INTIDs 48-79). */
#define V2M_SPI_FIRST       80u
#define V2M_NR_SPIS         16u
#define DOORBELL_IPA        0x08090000ULL   /* where virt's ITS has GITS_TRANSLATER */
#define GITS_TRANSLATER_OFF 0x40u
#define ITS_TRANSLATER_PAGE 0x10000u
#define MSI_CTRL            2u
#define MSI_CTRL_ENABLE     1u
#define MSI_CTRL_MME        0x70u           /* vectors enabled: one (0) */
#define MSI_CTRL_64         0x80u
#define MSI_ADDR_LO         4u
#define MSI_DATA_32         8u
#define MSI_DATA_64         0xcu
struct vm_msi {
    bool on;
    struct v2m frame;
};
static struct vm_msi vm_msis[CONFIG_MAX_VMS];
static struct msi_route msi_routes[PCI_MAX_FUNCS];
static unsigned nr_msi_routes;
static uint32_t next_lpi = ITS_LPI_FIRST;

static spinlock_t host_event_lock = SPINLOCK_INIT;
static struct ratelimit host_event_rl;

static void log_func(const struct pci_func *f)
{
    log_info("PCI %02x:%02x.%x %04x:%04x class %06x SID %u%s", f->bus, f->dev, f->fn, f->vendor, f->device,
             f->class_rev >> 8, f->sid, f->intid ? "" : ", no INTx");
    for (unsigned b = 0; b < PCI_NR_BARS; b++) {
        const struct pci_bar *bar = &f->bar[b];
        if (bar->size && !bar->io)
            log_info("PCI %02x:%02x.%x BAR%u 0x%llx (%llu KiB%s%s)", f->bus, f->dev, f->fn, b,
                     (unsigned long long)bar->addr, (unsigned long long)(bar->size >> 10),
                     bar->is64 ? ", 64-bit" : "", bar->prefetch ? ", prefetchable" : "");
    }
}

static void host_event(const struct smmu_event *e)
{
    uint64_t window = read_sysreg(cntfrq_el0) / 1000 * HOST_EVENT_WINDOW_MS;
    unsigned dropped;
    bool allow;

    spin_lock(&host_event_lock);
    allow = ratelimit_allow(&host_event_rl, read_sysreg(cntpct_el0), window, HOST_EVENT_BURST, &dropped);
    spin_unlock(&host_event_lock);
    if (dropped)
        log_warn("SMMU: %u more events held back", dropped);
    if (allow)
        log_warn("SMMU: %s on stream %u (no VM's), address 0x%llx", smmu_event_name(e->type), e->sid,
                 (unsigned long long)e->addr);
}

/* The guest ended its forwarded INTx through its distributor (ICACTIVER,
 * ICPENDR) rather than through the LR's HW bit: the physical SPI follows,
 * so that the device's next interrupt arrives. An SPI is the
 * distributor's: any CPU deactivates it. */
void vgic_release_phys_spi(struct vgic *v, uint32_t pintid)
{
    (void)v;
    gic_deactivate(pintid);
}

static struct vm *owner_of_sid(uint32_t sid, struct pci_func **fn);

/* A VM's device faulted: one line per stream, page and direction in a
 * row (a DMA faults word by word), through the VM's rate-limited log; the
 * transaction was aborted, the VM goes on. Events come in on one CPU. */
static void smmu_event(void *ctx, const struct smmu_event *e)
{
    struct pci_func *f;
    struct vm *vm = owner_of_sid(e->sid, &f);
    uint64_t at = e->stage2 ? e->ipa : e->addr;

    if (!vm) {
        host_event(e);
        return;
    }
    if (vm->dma_fault_sid == e->sid && vm->dma_fault_page == at >> 12 && vm->dma_fault_read == e->read) {
        vm->dma_fault_repeats++;
        return;
    }
    char repeats[64] = "";
    if (vm->dma_fault_repeats)
        elv_snprintf(repeats, sizeof(repeats), " (the previous address faulted %llu more times)",
                     vm->dma_fault_repeats);
    vm_warn(vm, "vm %s: DMA of PCI %02x:%02x.%x (stream %u) blocked by the SMMU: %s, %s at IPA 0x%llx%s%s",
            vm->cfg->name, f->bus, f->dev, f->fn, e->sid, smmu_event_name(e->type), e->read ? "read" : "write",
            (unsigned long long)at, e->stage2 ? "" : " (not a stage-2 fault)", repeats);
    vm->dma_fault_sid = e->sid;
    vm->dma_fault_page = at >> 12;
    vm->dma_fault_read = e->read;
    vm->dma_fault_repeats = 0;
}

static bool route_smmu_eventq(const struct irq_route *r, unsigned intid)
{
    smmu_drain_events(&host_smmu, smmu_event, NULL);
    return true;
}

static bool route_smmu_gerror(const struct irq_route *r, unsigned intid)
{
    uint32_t g = smmu_take_gerror(&host_smmu);

    /* QEMU's model reports a full event queue this way: a burst of faults
     * (a DMA faults word by word) lost some records, nothing worse. */
    if (g & GERROR_EVENTQ_ABT_ERR) {
        smmu_drain_events(&host_smmu, smmu_event, NULL);
        log_debug("SMMU: event queue full: some event records were lost");
        g &= ~(uint32_t)GERROR_EVENTQ_ABT_ERR;
    }
    if (g)
        log_err("SMMU: global error 0x%x", g);
    return true;
}

static void route_smmu_irq(unsigned intid, irq_route_fn fn, const char *name, uint64_t mpidr)
{
    struct irq_route r = { .first = intid, .last = intid, .handle = fn, .name = name };
    enum irq_route_err e;

    if (intid < 32)
        return;
    e = irq_route_add(&phys_irq_routes, &r);
    if (e != IRQ_ROUTE_OK) {
        log_err("SMMU %s interrupt %u: %s", name, intid, irq_route_strerror(e));
        return;
    }
    gic_set_spi_edge(intid, true);
    gic_route_spi(intid, mpidr);
    gic_enable_irq(intid);
}

/* The ITS: LPIs on in every redistributor, its tables, a collection per
 * physical CPU (ICID = elvisor's CPU number). Only on GICv3 with an ITS
 * that the PCIe bridge's msi-map names. */
static void its_host_init(void)
{
    uint64_t cmds[MAX_PCPUS + 1][ITS_CMD_DWORDS];
    const char *why = "";
    int64_t target = -1;
    int rds;

    if (!platform.its_base || gic_version() != 3)
        return;
    if (!platform.pci.msi_to_its) {
        log_info("ITS at 0x%llx: no PCIe bridge sends MSIs to it (no msi-map)",
                 (unsigned long long)platform.its_base);
        return;
    }
    rds = gicv3_lpis_init(LPI_ID_BITS, hyp_alloc, &why);
    if (rds < 0 || its_init(&host_its, platform.its_base, STREAM_ID_BITS, hyp_alloc, &why) < 0) {
        log_err("ITS at 0x%llx: %s: assigned functions get no MSIs", (unsigned long long)platform.its_base, why);
        return;
    }
    for (unsigned i = 0; i < nr_pcpus; i++) {
        target = gicv3_its_target(pcpus[i].mpidr, host_its.typer.pta);
        if (target < 0 || its_cmd_mapc(cmds[i], (uint16_t)i, (uint64_t)target, true) < 0) {
            log_err("ITS: no redistributor for CPU %u (MPIDR 0x%llx): assigned functions get no MSIs", i,
                    (unsigned long long)pcpus[i].mpidr);
            return;
        }
    }
    its_cmd_sync(cmds[nr_pcpus], (uint64_t)target);
    if (its_submit(&host_its, cmds, nr_pcpus + 1) < 0) {
        log_err("ITS: MAPC not consumed: assigned functions get no MSIs");
        return;
    }
    have_its = true;
    log_info("ITS at 0x%llx: TYPER 0x%llx, LPIs %u-%u on in %d redistributors, %u collections (one per CPU), "
             "%u DeviceID bits",
             (unsigned long long)platform.its_base, (unsigned long long)host_its.typer_raw, ITS_LPI_FIRST,
             gicv3_lpi_last(), rds, nr_pcpus, host_its.device_bits);
}

void passthrough_host_init(uint64_t boot_mpidr)
{
    const char *why;

    if (platform.pci.ecam_base) {
        int n = pci_host_init(&host_pci, &platform.pci);
        if (n < 0) {
            log_warn("PCI: ECAM host bridge at 0x%llx not usable (bus range must start at 0)",
                     (unsigned long long)platform.pci.ecam_base);
        } else {
            have_pci = true;
            log_info("PCI: ECAM at 0x%llx, 32-bit window 0x%llx+0x%llx, %d functions on bus 0%s",
                     (unsigned long long)platform.pci.ecam_base, (unsigned long long)platform.pci.mmio32_base,
                     (unsigned long long)platform.pci.mmio32_size, n,
                     platform.pci.behind_smmu ? ", behind the SMMU" : "");
            for (unsigned i = 0; i < host_pci.nr; i++)
                log_func(&host_pci.f[i]);
        }
    }
    if (!platform.smmu_base)
        return;
    if (smmu_init(&host_smmu, platform.smmu_base, STREAM_ID_BITS, hyp_alloc, &why) < 0) {
        log_err("SMMU at 0x%llx: %s: DMA of the devices behind it is not controlled",
                (unsigned long long)platform.smmu_base, why);
        return;
    }
    why = smmu_no_stage2_why(&host_smmu);
    log_info("SMMUv3 at 0x%llx: IDR0 0x%x IDR1 0x%x IDR5 0x%x, %u-bit output, %s, %u stream IDs, all aborted",
             (unsigned long long)platform.smmu_base, host_smmu.idr0, host_smmu.idr1, host_smmu.idr5,
             host_smmu.oas_bits, why ? why : "stage 2", 1u << host_smmu.sid_bits);
    log_info("SMMUv3: stream table at PA 0x%llx, command queue 0x%llx, event queue 0x%llx",
             (unsigned long long)(uintptr_t)host_smmu.strtab, (unsigned long long)(uintptr_t)host_smmu.cmdq,
             (unsigned long long)(uintptr_t)host_smmu.evtq);
    route_smmu_irq(platform.smmu_eventq_intid, route_smmu_eventq, "SMMU event queue", boot_mpidr);
    route_smmu_irq(platform.smmu_gerror_intid, route_smmu_gerror, "SMMU global error", boot_mpidr);
    its_host_init();
}

const char *passthrough_unavailable_why(void)
{
    if (!have_pci)
        return "the machine has no PCIe ECAM host bridge";
    if (!host_smmu.enabled)
        return "the machine has no SMMUv3 (QEMU: -M virt,iommu=smmuv3)";
    if (!platform.pci.behind_smmu)
        return "the PCIe host bridge is not behind the SMMU (no iommu-map)";
    return smmu_no_stage2_why(&host_smmu);
}

/* ---- A VM's functions ---- */

static uint32_t hw_read(void *hw, unsigned off, unsigned size)
{
    return pci_cfg_read(hw, off, size);
}

static void hw_write(void *hw, unsigned off, unsigned size, uint32_t v)
{
    pci_cfg_write(hw, off, size, v);
}

static const struct vpci_hw_ops hw_ops = { hw_read, hw_write };

/* The SMMU caches what it walked in the VM's tables: a change is
 * invalidated before the CPU that made it goes on. */
static void s2_changed(void *ctx, uint64_t ipa, uint64_t size, enum s2_change what)
{
    struct vm *vm = ctx;

    if (smmu_tlbi_s2(&host_smmu, vm->smmu_vmid, ipa, size) < 0)
        log_err("vm %s: SMMU invalidation of IPA 0x%llx+0x%llx failed", vm->cfg->name,
                (unsigned long long)ipa, (unsigned long long)size);
}

/* An assigned function's INTx: forwarded with the HW bit, so the guest's
 * deactivation deactivates the physical SPI; the line stays active (and
 * masked at the GIC) until then. */
static bool route_assigned_intx(const struct irq_route *r, unsigned intid)
{
    struct vm *vm = r->ctx;

    /* Not running (being reset, off, stopped): left active, so that a
     * level line still high cannot fire again and again at EL2; the
     * quiesce turns the function's INTx off and deactivates it. */
    if (__atomic_load_n(&vm->state, __ATOMIC_ACQUIRE) != VM_RUNNING)
        return false;
    vgic_inject_hw(&vm->vgic, VGIC_NO_VCPU, r->arg, intid);
    return false;
}

/* An assigned function's LPI: the vSPI its VM's MSI names, as an edge
 * (an LPI has no active state: nothing to deactivate). The first one is
 * the INT elvisor sent at assignment to check the path. A VM not running
 * (being reset, off, stopped), or whose MSI is off, gets nothing. */
static bool route_assigned_msi(const struct irq_route *r, unsigned intid)
{
    struct msi_route *m = r->ctx;
    const struct pci_func *f = m->f;
    uint32_t vintid = __atomic_load_n(&m->vintid, __ATOMIC_ACQUIRE);

    if (__atomic_exchange_n(&m->check_pending, false, __ATOMIC_ACQ_REL)) {
        log_info("vm %s: PCI %02x:%02x.%x MSI path checked: the ITS's INT of DeviceID %u EventID %u arrived as "
                 "LPI %u on CPU %u",
                 m->vm->cfg->name, f->bus, f->dev, f->fn, m->devid, MSI_EVENT, intid, this_pcpu()->id);
        return true;
    }
    if (__atomic_load_n(&m->vm->state, __ATOMIC_ACQUIRE) == VM_RUNNING && vintid)
        vgic_inject_edge(&m->vm->vgic, VGIC_NO_VCPU, vintid);
    return true;
}

/* The hardware's MSI: off, or on to elvisor's doorbell with EventID
 * event. */
static void program_hw_msi(const struct msi_route *m, bool on, uint32_t event)
{
    const struct pci_func *f = m->f;
    uint16_t ctrl = (uint16_t)pci_cfg_read(f, m->cap + MSI_CTRL, 2);

    pci_cfg_write(f, m->cap + MSI_CTRL, 2, ctrl & ~MSI_CTRL_ENABLE);
    if (!on)
        return;
    pci_cfg_write(f, m->cap + MSI_ADDR_LO, 4, (uint32_t)(DOORBELL_IPA + GITS_TRANSLATER_OFF));
    if (m->cap64)
        pci_cfg_write(f, m->cap + MSI_ADDR_LO + 4, 4, 0);
    pci_cfg_write(f, m->cap + (m->cap64 ? MSI_DATA_64 : MSI_DATA_32), 2, event);
    pci_cfg_write(f, m->cap + MSI_CTRL, 2, (ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE);
}

/* The VM wrote its MSI capability (vdev/vpci.c keeps its view): an
 * enabled MSI aimed at one of its frame's SPIs turns the hardware's on
 * with elvisor's doorbell and EventID. Aimed anywhere else it is on too,
 * with an EventID the ITS drops: the VM gets no interrupt, as a write to
 * nowhere would give it none (the function, its MSI on, raises no INTx). */
static void msi_changed(void *ctx, bool enabled, uint64_t addr, uint32_t data)
{
    struct msi_route *m = ctx;
    struct vm_msi *vmsi = &vm_msis[m->vm->id];
    bool ours = enabled && vmsi->on && v2m_owns(&vmsi->frame, V2M_IPA, addr, data);

    __atomic_store_n(&m->vintid, ours ? data : 0, __ATOMIC_RELEASE);
    program_hw_msi(m, enabled, ours ? MSI_EVENT : MSI_EVENT_DROPPED);
}

static const struct vpci_msi_ops msi_hook = { msi_changed };

static void v2m_raise(void *ctx, uint32_t intid)
{
    struct vm *vm = ctx;

    vgic_inject_edge(&vm->vgic, VGIC_NO_VCPU, intid);
}

/* The MSI frame's device class (core/vm_devices.c): a VM with a function
 * whose MSI is offered gets the frame at V2M_IPA. */
int passthrough_msi_frame_create(struct vm *vm)
{
    struct vm_msi *vmsi = &vm_msis[vm->id];

    if (!vmsi->on)
        return 0;
    struct mmio_region r = { "gicv2m", V2M_IPA, V2M_FRAME_SIZE, v2m_mmio, &vmsi->frame };
    if (v2m_init(&vmsi->frame, V2M_SPI_FIRST, V2M_NR_SPIS, v2m_raise, vm) < 0 ||
        io_bus_add(&vm->mmio, &r) != IO_BUS_OK) {
        log_err("vm %s: its MSI frame at IPA 0x%llx does not fit", vm->cfg->name, (unsigned long long)V2M_IPA);
        return -1;
    }
    return 0;
}

uint64_t passthrough_msi_frame(const struct vm *vm)
{
    return vm_msis[vm->id].on ? V2M_IPA : 0;
}

/* The doorbell page in the VM's stage 2, which the SMMU walks for its
 * functions: write-only device memory on the physical GITS_TRANSLATER. */
static int map_doorbell(struct vm *vm)
{
    int rc = stage2_map(&vm->s2, DOORBELL_IPA, platform.its_base + ITS_TRANSLATER_PAGE, PAGE_SIZE,
                        S2_WRITE | S2_DEVICE);

    if (rc)
        log_err("vm %s: mapping the MSI doorbell at IPA 0x%llx failed (%d)", vm->cfg->name,
                (unsigned long long)DOORBELL_IPA, rc);
    return rc ? -1 : 0;
}

/* The function's MSI through the physical ITS: its DeviceID's ITT with
 * EventID 0 -> a new LPI on the collection of its VM's vCPU 0's CPU (as
 * its INTx), the LPI enabled and routed here, then an INT that must come
 * back through route_assigned_msi(). A function without MSI, or an ITS
 * out of LPIs, keeps INTx only. */
static int msi_attach(struct vm *vm, struct pci_func *f, struct vpci_func *vf)
{
    const struct platform_pci *pp = &platform.pci;
    uint64_t cmds[5][ITS_CMD_DWORDS];
    unsigned cap = pci_find_cap(f, PCI_CAP_ID_MSI);

    if (!have_its || !cap)
        return 0;
    int64_t devid = its_devid_of_rid((uint32_t)(f->bus << 8 | f->dev << 3 | f->fn), pp->msi_rid_base,
                                     pp->msi_devid_base, pp->msi_rid_count);
    if (devid < 0 || (uint64_t)devid >> host_its.device_bits || nr_msi_routes == PCI_MAX_FUNCS ||
        next_lpi > gicv3_lpi_last()) {
        log_warn("vm %s: PCI %02x:%02x.%x: no ITS mapping possible (DeviceID %lld): INTx only", vm->cfg->name,
                 f->bus, f->dev, f->fn, (long long)devid);
        return 0;
    }
    void *itt = hyp_alloc(its_itt_bytes(host_its.typer.itt_entry_bytes, MSI_EVENT_BITS), 256);
    unsigned cpu = vm->vcpus[0].pcpu;
    int64_t target = gicv3_its_target(pcpus[cpu].mpidr, host_its.typer.pta);
    struct msi_route *m = &msi_routes[nr_msi_routes];
    *m = (struct msi_route){ vm, f, (uint32_t)devid, next_lpi, cpu, true, cap,
                             (pci_cfg_read(f, cap + MSI_CTRL, 2) & MSI_CTRL_64) != 0, 0 };
    struct irq_route r = { .first = m->lpi, .last = m->lpi, .handle = route_assigned_msi,
                           .name = "assigned MSI", .ctx = m };
    enum irq_route_err e = irq_route_add(&phys_irq_routes, &r);
    if (!itt || target < 0 || e != IRQ_ROUTE_OK) {
        log_err("vm %s: PCI %02x:%02x.%x: LPI %u: %s", vm->cfg->name, f->bus, f->dev, f->fn, m->lpi,
                e != IRQ_ROUTE_OK ? irq_route_strerror(e) : "no ITT memory or no redistributor");
        return -1;
    }
    nr_msi_routes++;
    next_lpi++;
    gicv3_lpi_set_enabled(m->lpi, true);
    if (its_cmd_mapd(cmds[0], m->devid, MSI_EVENT_BITS, (uint64_t)(uintptr_t)itt, true) < 0 ||
        its_cmd_mapti(cmds[1], m->devid, MSI_EVENT, m->lpi, (uint16_t)cpu) < 0)
        return -1;
    its_cmd_event(cmds[2], ITS_CMD_INV, m->devid, MSI_EVENT);
    its_cmd_sync(cmds[3], (uint64_t)target);
    its_cmd_event(cmds[4], ITS_CMD_INT, m->devid, MSI_EVENT);
    if (its_submit(&host_its, cmds, 5) < 0) {
        log_err("vm %s: PCI %02x:%02x.%x: the ITS did not take MAPD/MAPTI", vm->cfg->name, f->bus, f->dev, f->fn);
        return -1;
    }
    program_hw_msi(m, false, 0);
    bool offered = vpci_offer_msi(vf, &msi_hook, m) == 0;
    if (offered && !vm_msis[vm->id].on) {
        if (map_doorbell(vm) < 0)
            return -1;
        vm_msis[vm->id].on = true;
    }
    log_info("vm %s: PCI %02x:%02x.%x MSI: ITS DeviceID %u EventID %u -> LPI %u on CPU %u%s", vm->cfg->name,
             f->bus, f->dev, f->fn, m->devid, MSI_EVENT, m->lpi, cpu,
             offered ? ", offered through the VM's MSI frame" : " (its MSI is not virtualized: INTx only)");
    return 0;
}

static struct vm *owner_of_sid(uint32_t sid, struct pci_func **fn)
{
    for (unsigned i = 0; i < nr_vms; i++)
        for (unsigned j = 0; j < vms[i].nr_pci; j++)
            if (vms[i].pci[j]->sid == sid) {
                *fn = vms[i].pci[j];
                return &vms[i];
            }
    return NULL;
}

static bool owned(const struct pci_func *f)
{
    for (unsigned i = 0; i < nr_vms; i++)
        for (unsigned j = 0; j < vms[i].nr_pci; j++)
            if (vms[i].pci[j] == f)
                return true;
    return false;
}

static int map_bars(struct vm *vm, struct pci_func *f, struct vpci_bar vbars[VPCI_NR_BARS])
{
    for (unsigned b = 0; b < PCI_NR_BARS; b++) {
        const struct pci_bar *bar = &f->bar[b];
        vbars[b] = (struct vpci_bar){ 0 };
        if (!bar->size || bar->io)
            continue;
        uint64_t span = bar->size < PAGE_SIZE ? PAGE_SIZE : bar->size;
        int rc = stage2_map(&vm->s2, bar->addr, bar->addr, span, S2_READ | S2_WRITE | S2_DEVICE);
        if (rc) {
            log_err("vm %s: PCI %02x:%02x.%x BAR%u at 0x%llx: stage-2 map failed (%d)", vm->cfg->name, f->bus,
                    f->dev, f->fn, b, (unsigned long long)bar->addr, rc);
            return -1;
        }
        vbars[b] = (struct vpci_bar){ bar->addr, bar->size, bar->is64, bar->prefetch };
    }
    return 0;
}

static int attach_one(struct vm *vm, const struct config_pci *want)
{
    const char *name = vm->cfg->name;
    struct pci_func *f = pci_find(&host_pci, want->bus, want->dev, want->fn);
    struct vpci_bar vbars[VPCI_NR_BARS];

    if (!f) {
        log_err("vm %s: pci-devices: %02x:%02x.%x: no such PCI function on this machine", name, want->bus,
                want->dev, want->fn);
        return -1;
    }
    if (PCI_HDR_TYPE(f->header_type) != 0 || (f->class_rev >> 24) == 0x06) {
        log_err("vm %s: pci-devices: %02x:%02x.%x is a bridge: only endpoints can be assigned", name,
                f->bus, f->dev, f->fn);
        return -1;
    }
    if (owned(f)) {
        log_err("vm %s: pci-devices: %02x:%02x.%x already belongs to another VM", name, f->bus, f->dev,
                f->fn);
        return -1;
    }
    if (map_bars(vm, f, vbars) < 0 || vpci_add(&vm->vpci, f->dev, f->fn, &hw_ops, f, vbars) < 0)
        return -1;
    if (f->intid) {
        struct irq_route r = { .first = f->intid, .last = f->intid, .handle = route_assigned_intx,
                               .name = "assigned INTx", .ctx = vm, .arg = f->intid };
        /* Functions sharing an INTx line (slots 4 apart) would need one
         * row for several VMs: refused rather than mixed. */
        enum irq_route_err e = irq_route_add(&phys_irq_routes, &r);
        if (e != IRQ_ROUTE_OK && irq_route_find(&phys_irq_routes, f->intid)->ctx != vm) {
            log_err("vm %s: pci-devices: %02x:%02x.%x INTx %u: %s", name, f->bus, f->dev, f->fn, f->intid,
                    irq_route_strerror(e));
            return -1;
        }
        gic_route_spi(f->intid, pcpus[vm->vcpus[0].pcpu].mpidr);
        gic_enable_irq(f->intid);
    }
    vm->pci[vm->nr_pci++] = f;
    log_info("vm %s: PCI %02x:%02x.%x (%04x:%04x) assigned: stream %u through its stage 2, INTx %u", name,
             f->bus, f->dev, f->fn, f->vendor, f->device, f->sid, f->intid);
    return msi_attach(vm, f, &vm->vpci.f[vm->vpci.nr - 1]);
}

/* make bench's figure: what one page mapped and unmapped in a VM's stage 2
 * costs with the SMMU told (TLBI_S2_IPA + CMD_SYNC each time) and without,
 * in counter ticks (instructions under -icount shift=0). Measured before
 * the VM first runs, at an IPA below its RAM that nothing uses, so no CPU
 * has cached anything of it. */
#define BENCH_IPA   0x3f000000ULL

static uint64_t time_s2_change(struct vm *vm)
{
    uint64_t t0, t1;

    isb();
    t0 = read_sysreg(cntpct_el0);
    int rc = stage2_map(&vm->s2, BENCH_IPA, vm->ram_pa, PAGE_SIZE, S2_READ | S2_WRITE);
    if (rc == 0)
        rc = stage2_unmap(&vm->s2, BENCH_IPA, PAGE_SIZE);
    isb();
    t1 = read_sysreg(cntpct_el0);
    return rc == 0 ? t1 - t0 : 0;
}

static void measure_s2_change(struct vm *vm)
{
    uint64_t pa;
    unsigned prot;

    if (stage2_lookup(&vm->s2, BENCH_IPA, &pa, &prot) || io_bus_find(&vm->mmio, BENCH_IPA))
        return;
    vm->s2.observer = NULL;
    time_s2_change(vm);                 /* the tables on the way get allocated */
    uint64_t bare = time_s2_change(vm);
    vm->s2.observer = &vm->iommu;
    uint64_t told = time_s2_change(vm);
    log_info("vm %s: a stage-2 page map + unmap costs %llu counter ticks with the SMMU invalidated, %llu without",
             vm->cfg->name, (unsigned long long)told, (unsigned long long)bare);
}

int passthrough_vm_attach(struct vm *vm)
{
    const struct vm_config *cfg = vm->cfg;
    const char *why;

    memset(&vm->vpci, 0, sizeof(vm->vpci));
    vm->nr_pci = 0;
    if (!cfg->nr_pci)
        return 0;
    if ((why = passthrough_unavailable_why())) {
        /* Never a device without the SMMU confining its DMA. */
        log_err("vm %s: pci-devices: %s: the VM is not started", cfg->name, why);
        return -1;
    }
    for (unsigned i = 0; i < cfg->nr_pci; i++)
        if (attach_one(vm, &cfg->pci[i]) < 0)
            return -1;
    struct mmio_region ecam = { "pcie-ecam", VIRT_PCIE_ECAM_BASE, VIRT_PCIE_ECAM_SIZE, vpci_ecam_mmio,
                                &vm->vpci };
    if (io_bus_add(&vm->mmio, &ecam) != IO_BUS_OK) {
        log_err("vm %s: the PCIe ECAM region does not fit its bus", cfg->name);
        return -1;
    }
    /* Its own VMID space: the SMMU's TLBs are not the CPUs'. */
    vm->smmu_vmid = (uint16_t)(vm->id + 1);
    vm->iommu = (struct stage2_observer){ s2_changed, vm };
    vm->s2.observer = &vm->iommu;
    struct smmu_s2_cfg s2 = { .ttb = vm->s2.root, .vmid = vm->smmu_vmid, .ipa_bits = vm->s2.ipa_bits,
                              .start_level = vm->s2.start_level, .pa_bits = hyp_features.pa_bits };
    for (unsigned i = 0; i < vm->nr_pci; i++) {
        if (smmu_stream_s2(&host_smmu, vm->pci[i]->sid, &s2) < 0) {
            log_err("vm %s: the SMMU cannot translate stream %u through its stage 2", cfg->name,
                    vm->pci[i]->sid);
            return -1;
        }
    }
    measure_s2_change(vm);
    return 0;
}

void passthrough_vm_quiesce(struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_pci; i++) {
        struct pci_func *f = vm->pci[i];
        pci_quiesce(f);
        for (unsigned j = 0; j < nr_msi_routes; j++)
            if (msi_routes[j].f == f) {
                __atomic_store_n(&msi_routes[j].vintid, 0, __ATOMIC_RELEASE);
                program_hw_msi(&msi_routes[j], false, 0);
            }
        /* A forwarded INTx the old guest never deactivated. */
        if (f->intid)
            gic_deactivate(f->intid);
    }
    vpci_reset(&vm->vpci);
}
