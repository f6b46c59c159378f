/* Boot: the boot CPU discovers the machine, sets up EL2, creates the VMs
 * from the bundle and starts the other CPUs; every CPU then runs its vCPUs. */
#include "arch/arm64/firmware.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/pl011.h"
#include "arch/arm64/platform.h"
#include "arch/arm64/pmu_count.h"
#include "arch/arm64/sysreg.h"
#include "core/config.h"
#include "core/console.h"
#include "core/mm.h"
#include "core/passthrough.h"
#include "core/pcpu.h"
#include "core/power.h"
#include "core/vm.h"
#include "core/vmid.h"
#include "hyp/vcpu_switch.h"
#include "lib/log.h"
#include "lib/string.h"
#include "nested/nested.h"
#include "run/irq.h"
#include "run/sched.h"
#include "trap/sysreg_emul.h"

#define HYP_POOL_SIZE   (32ULL << 20)

struct platform platform;
static struct elvisor_config config;

extern char _image_start[], _image_end[];
extern char secondary_entry[];

void primary_main(uint64_t dtb);
void secondary_main(unsigned idx);
void hyp_exception(uint64_t kind, uint64_t *regs);

static void __attribute__((noreturn)) fatal(const char *what)
{
    log_err("cannot continue: powering off");
    machine_power_off(ELVISOR_EXIT_FATAL, "%s", what);
}

static void enable_cpu_irqs(void)
{
    gic_enable_irq(SGI_KICK);
    gic_enable_irq(PPI_MAINTENANCE);
    gic_enable_irq(HW_TIMER_PPI_EL1_VIRT);
    gic_enable_irq(HW_TIMER_PPI_EL1_PHYS);
    gic_enable_irq(PPI_HYP_TIMER);
}

static void print_features(void)
{
    const struct cpu_features *f = &hyp_features;

    log_info("CPU: VH=%u E2H0=%d (%s) NV=%u%s ECV=%u FGT=%u VMID=%u bits PARange=%u bits GIC=v%u "
             "BRPs=%u WRPs=%u",
             f->e2h != E2H_NO_VHE, f->e2h0, cpu_features_e2h_name(f->e2h), f->nv,
             f->nv >= 2 ? " (NV2)" : f->nv == 1 ? " (NV)" : "", f->ecv, f->fgt, f->vmid_bits,
             f->pa_bits, platform.gic_version, f->brps, f->wrps);
    log_info("running in %s mode, IPA size %u bits, %u CPUs", hyp_vhe ? "VHE" : "nVHE", hyp_ipa_bits,
             nr_pcpus);
    log_info("guest physical counter and timer: %s",
             hyp_ptimer_emulated ? "trapped and emulated" : "offset by CNTPOFF_EL2");
}

/* The value of a "key=N" word of elvisor's command line (decimal), or 0
 * when it is absent or not a number. */
static unsigned bootargs_uint(const char *args, const char *key)
{
    size_t n = strlen(key);

    for (const char *s = args; *s;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
            e++;
        if ((size_t)(e - s) > n + 1 && strncmp(s, key, n) == 0 && s[n] == '=') {
            unsigned v = 0;
            for (const char *d = s + n + 1; d < e; d++) {
                if (*d < '0' || *d > '9' || v > 1000)
                    return 0;
                v = v * 10 + (unsigned)(*d - '0');
            }
            return v;
        }
        s = e;
    }
    return 0;
}

/* The VMID space: the CPU's width, or with `vmid-bits=N` (a test aid) a
 * smaller one, so that a test crosses generations after a few resets. */
static void setup_vmids(void)
{
    unsigned want = bootargs_uint(platform.bootargs, "vmid-bits");
    unsigned bits = vmid_init(hyp_features.vmid_bits, want, nr_pcpus);

    if (want)
        log_info("VMIDs: %u bits (vmid-bits=%u; the CPU has %u), %u usable", bits, want,
                 hyp_features.vmid_bits, (1u << bits) - 1u);
}

static void setup_memory(uint64_t dtb)
{
    for (unsigned i = 0; i < platform.nr_mem; i++)
        mm_add_ram(platform.mem_base[i], platform.mem_size[i]);
    mm_reserve((uint64_t)(uintptr_t)_image_start, (uint64_t)(_image_end - _image_start));
    mm_reserve(dtb & ~0xfffULL, platform.dtb_size + 0x1000);
    if (platform.initrd_end)
        mm_reserve(platform.initrd_start, platform.initrd_end - platform.initrd_start);
    if (mm_init_hyp_pool(HYP_POOL_SIZE) < 0)
        fatal("no memory for elvisor's own pool");
    uint64_t *l1 = page_alloc();
    if (!l1)
        fatal("no memory for elvisor's page table");
    hyp_mmu_build(l1, platform.mem_base[0], platform.mem_size[0]);
}

/* How long a secondary CPU may take from PSCI CPU_ON to its run loop. */
#define SECONDARY_START_TIMEOUT_MS  5000

static bool wait_online(const struct pcpu *p)
{
    uint64_t freq = read_sysreg(cntfrq_el0);
    uint64_t deadline = read_sysreg(cntpct_el0) + freq / 1000 * SECONDARY_START_TIMEOUT_MS;

    /* spin_relax: under QEMU's round-robin the secondary runs only when
     * this CPU's turn ends. */
    while (!__atomic_load_n(&p->online, __ATOMIC_ACQUIRE)) {
        if (read_sysreg(cntpct_el0) > deadline)
            return false;
        spin_relax();
    }
    return true;
}

static void start_secondaries(void)
{
    for (unsigned i = 1; i < nr_pcpus; i++) {
        int64_t rc = firmware_cpu_on(pcpus[i].mpidr, (uint64_t)(uintptr_t)secondary_entry, i);
        if (rc != 0) {
            log_warn("CPU %u (MPIDR 0x%llx) did not start: PSCI %lld", i,
                     (unsigned long long)pcpus[i].mpidr, (long long)rc);
            continue;
        }
        if (!wait_online(&pcpus[i]))
            log_warn("CPU %u (MPIDR 0x%llx) accepted CPU_ON but did not come online within %u ms", i,
                     (unsigned long long)pcpus[i].mpidr, SECONDARY_START_TIMEOUT_MS);
    }
}

/* A VM with a vCPU on a CPU that never started would wait for it forever. */
static bool vm_cpus_online(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        unsigned c = vm->vcpus[i].pcpu;
        if (!__atomic_load_n(&pcpus[c].online, __ATOMIC_ACQUIRE)) {
            log_err("vm %s: vCPU %u is placed on CPU %u, which is not running: VM not started",
                    vm->cfg->name, i, c);
            return false;
        }
    }
    return true;
}

static void create_vms(void)
{
    char err[160];
    const void *bundle = (const void *)(uintptr_t)platform.initrd_start;

    if (!platform.initrd_end) {
        log_err("no VM bundle: pass one as QEMU's -initrd (see docs/configuration.md)");
        fatal("no VM bundle");
    }
    if (config_parse(bundle, platform.initrd_end - platform.initrd_start, &config, err, sizeof(err)) < 0) {
        log_err("%s", err);
        fatal("invalid VM bundle");
    }
    /* A VM that cannot be created is stopped alone; the others run. */
    for (unsigned i = 0; i < config.nr_vms; i++) {
        /* A guest hypervisor's vCPUs get virtual EL2 once the VM exists. */
        if (vm_create(&vms[i], i, &config.vms[i]) < 0 ||
            (config.vms[i].virt_el2 && nested_vm_attach(&vms[i]) < 0)) {
            log_err("vm %s: not created: VM stopped", config.vms[i].name);
            vms[i].cfg = &config.vms[i];
            vms[i].state = VM_STOPPED;
        }
        nr_vms++;
    }
}

void primary_main(uint64_t dtb)
{
    const char *why = "";
    uint64_t self;

    pcpus[0].id = 0;
    write_sysreg(tpidr_el2, (uint64_t)(uintptr_t)&pcpus[0]);
    if (platform_parse((const void *)(uintptr_t)dtb, &platform, &why) < 0) {
        /* Without a UART address there is nowhere to say why. */
        for (;;)
            wfi();
    }
    pl011_init(platform.uart_base);
    pl011_status_init(platform.status_uart_base);
    firmware_set_conduit(platform.psci_smc);
    if (bootargs_has(platform.bootargs, "debug"))
        log_level = LOG_DEBUG;
    log_info("elvisor starting at EL2");

    /* Physical CPU 0 is the boot CPU whatever its place in the DTB. */
    self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    nr_pcpus = 1;
    pcpus[0].mpidr = self;
    for (unsigned i = 0; i < platform.nr_cpus && nr_pcpus < MAX_PCPUS; i++) {
        if ((platform.cpu_mpidr[i] & MPIDR_AFF_MASK) == self)
            continue;
        pcpus[nr_pcpus].id = nr_pcpus;
        pcpus[nr_pcpus].mpidr = platform.cpu_mpidr[i];
        nr_pcpus++;
    }

    hyp_floor_allowed = bootargs_has(platform.bootargs, "bench-floor");
    hyp_features_probe(bootargs_has(platform.bootargs, "nvhe"));
    id_regs_offer_mops(hyp_guest_mops);
    pmu_el2_counting = bootargs_has(platform.bootargs, "count-el2") && hyp_features.pmu;
    if (bootargs_has(platform.bootargs, "count-el2") && !hyp_features.pmu)
        log_warn("count-el2: this CPU has no Arm PMU: elvisor's instructions are not counted");
    if (bootargs_has(platform.bootargs, "nvhe") && hyp_vhe)
        log_warn("nVHE requested but this CPU cannot clear HCR_EL2.E2H: using VHE");
    setup_memory(dtb);
    hyp_cpu_init();
    hyp_check_cntpoff();
    print_features();
    setup_vmids();

    if (gic_init(&platform) < 0)
        fatal("the GIC cannot be set up");
    if (gic_cpu_init(self) < 0) {
        log_err("the boot CPU's GIC CPU interface cannot be set up");
        fatal("the boot CPU's GIC CPU interface cannot be set up");
    }
    vgic_hw_cpu_init();
    irq_routes_init();
    enable_cpu_irqs();
    if (platform.uart_intid >= 32) {
        gic_route_spi(platform.uart_intid, self);
        gic_enable_irq(platform.uart_intid);
        pl011_enable_input();
    }
    passthrough_host_init(self);
    pcpus[0].online = true;

    create_vms();
    start_secondaries();
    for (unsigned i = 0; i < nr_vms; i++) {
        if (vms[i].state == VM_STOPPED)
            continue;
        if (!vm_cpus_online(&vms[i]) || vm_boot(&vms[i]) < 0)
            vms[i].state = VM_STOPPED;
    }
    pcpu_loop(&pcpus[0]);
}

void secondary_main(unsigned idx)
{
    struct pcpu *p = &pcpus[idx];

    write_sysreg(tpidr_el2, (uint64_t)(uintptr_t)p);
    hyp_cpu_init();
    if (gic_cpu_init(p->mpidr) < 0) {
        log_err("the GIC CPU interface of CPU %u cannot be set up", idx);
        for (;;)
            wfi();
    }
    vgic_hw_cpu_init();
    enable_cpu_irqs();
    p->online = true;
    pcpu_loop(p);
}

void hyp_exception(uint64_t kind, uint64_t *regs)
{
    log_err("PANIC: exception %llu taken at EL2: ESR 0x%llx ELR 0x%llx FAR 0x%llx x0 0x%llx x30 0x%llx",
            (unsigned long long)kind, (unsigned long long)read_sysreg(esr_el2),
            (unsigned long long)read_sysreg(elr_el2), (unsigned long long)read_sysreg(far_el2),
            (unsigned long long)regs[0], (unsigned long long)regs[30]);
    machine_power_off(ELVISOR_EXIT_FATAL, "exception taken at EL2 (ESR 0x%llx)",
                      (unsigned long long)read_sysreg(esr_el2));
}
