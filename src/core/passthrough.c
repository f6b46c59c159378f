#include "core/passthrough.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/sysreg.h"
#include "core/irq_route.h"
#include "core/mm.h"
#include "lib/log.h"
#include "lib/ratelimit.h"
#include "lib/spinlock.h"

/* Bus 0 only (arch/arm64/pci.h): 256 requester IDs. */
#define STREAM_ID_BITS      8
/* SMMU events of no VM's device: at most this many lines per 5 s. */
#define HOST_EVENT_BURST    10
#define HOST_EVENT_WINDOW_MS 5000

struct pci_host host_pci;
struct smmu host_smmu;
static bool have_pci;

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

static void smmu_event(void *ctx, const struct smmu_event *e)
{
    host_event(e);
}

static bool route_smmu_eventq(const struct irq_route *r, unsigned intid)
{
    smmu_drain_events(&host_smmu, smmu_event, NULL);
    return true;
}

static bool route_smmu_gerror(const struct irq_route *r, unsigned intid)
{
    uint32_t g = smmu_take_gerror(&host_smmu);

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
    route_smmu_irq(platform.smmu_eventq_intid, route_smmu_eventq, "SMMU event queue", boot_mpidr);
    route_smmu_irq(platform.smmu_gerror_intid, route_smmu_gerror, "SMMU global error", boot_mpidr);
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
