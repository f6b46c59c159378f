#include "core/vm.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/console.h"
#include "core/guest_log.h"
#include "core/loader.h"
#include "core/mm.h"
#include "core/pcpu.h"
#include "core/vm_devices.h"
#include "core/vtime.h"
#include "lib/log.h"
#include "lib/string.h"

#include <stddef.h>

struct vm vms[MAX_VMS];
unsigned nr_vms;

#define GUEST_DTB_MAX   (64 * 1024)
#define DTB_SLOT        (2ULL << 20)

/* HCR_EL2 while a plain EL1 guest runs: stage 2 on, physical interrupts to
 * EL2, virtual interrupts from the vGIC, WFI/WFE and SMC trapped, ID
 * registers trapped (TID3) so they can be sanitized, TLB maintenance
 * broadcast so a vCPU's TLBI reaches its siblings on other CPUs. */
static uint64_t guest_hcr(void)
{
    return HCR_EL2_VM | HCR_EL2_SWIO | HCR_EL2_FMO | HCR_EL2_IMO | HCR_EL2_AMO | HCR_EL2_TWI |
           HCR_EL2_TWE | HCR_EL2_TSC | HCR_EL2_TID3 | HCR_EL2_FB | SYSREG_ENUM(HCR_EL2_BSU, IS) |
           HCR_EL2_RW | (hyp_vhe ? HCR_EL2_E2H : 0);
}

static uint64_t vcpu_mpidr_of(unsigned i)
{
    /* Aff0 = vCPU index: matches the cpu@N reg values of the guest DTB. */
    return MPIDR_EL1_RES1 | i;
}

/* A VM gets the host's GIC version: the hardware virtual CPU interface is
 * the host's (QEMU's GICv3 has no GICv2 compatibility mode). */
static int choose_gic(struct vm *vm, const struct vm_config *cfg)
{
    unsigned host = gic_version();

    vm->gic_version = cfg->gic_version ? cfg->gic_version : host;
    if (vm->gic_version != host) {
        log_err("vm %s: gic-version = <%u> needs a GICv%u host, this machine has a GICv%u "
                "(QEMU: -M virt,gic-version=%u)", cfg->name, vm->gic_version, vm->gic_version, host,
                vm->gic_version);
        return -1;
    }
    if (vm->gic_version == 2 && vm->nr_vcpus > VGIC_V2_MAX_VCPUS) {
        log_err("vm %s: %u vCPUs, but a GICv2 serves at most %u", cfg->name, vm->nr_vcpus,
                VGIC_V2_MAX_VCPUS);
        return -1;
    }
    return 0;
}

/* vCPU i goes to physical CPU cpus[i] as configured, or to CPU i (modulo
 * the CPUs there are) by default. A configured CPU this machine lacks is an
 * error, not a silent move: the user placed it there for a reason. */
static int place_vcpus(struct vm *vm)
{
    const struct vm_config *cfg = vm->cfg;
    unsigned added[MAX_PCPUS] = { 0 };

    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        unsigned c = cfg->has_cpu_map ? cfg->cpu_map[i] : i % nr_pcpus;
        if (c >= nr_pcpus) {
            log_err("vm %s: vCPU %u is placed on CPU %u, but this machine has %u CPU%s", cfg->name, i, c,
                    nr_pcpus, nr_pcpus == 1 ? "" : "s");
            return -1;
        }
        if (pcpus[c].nr_runq + added[c] >= sizeof(pcpus[c].runq) / sizeof(pcpus[c].runq[0])) {
            log_err("vm %s: vCPU %u cannot be placed on CPU %u: it already runs %u vCPUs, the most it can",
                    cfg->name, i, c, pcpus[c].nr_runq + added[c]);
            return -1;
        }
        added[c]++;
        vm->vcpus[i].pcpu = c;
    }
    return 0;
}

int vm_create(struct vm *vm, unsigned id, const struct vm_config *cfg)
{
    int rc;

    memset(vm, 0, sizeof(*vm));
    vm->cfg = cfg;
    vm->id = id;
    spin_lock_init(&vm->lock);
    spin_lock_init(&vm->log_lock);
    vm->nr_vcpus = cfg->nr_vcpus;
    vm->ram_ipa = VIRT_RAM_BASE;
    vm->ram_size = cfg->mem_size;
    vm->ro_page_ipa = VM_NO_RO_PAGE;
    if (choose_gic(vm, cfg) < 0)
        return -1;

    if (vm->ram_ipa + vm->ram_size > (1ULL << hyp_ipa_bits)) {
        log_err("vm %s: %llu MiB of RAM does not fit a %u-bit IPA space", cfg->name,
                (unsigned long long)(vm->ram_size >> 20), hyp_ipa_bits);
        return -1;
    }
    vm->ram_pa = ram_alloc(vm->ram_size, 2ULL << 20);
    if (!vm->ram_pa) {
        log_err("vm %s: not enough physical memory for %llu MiB (free: %llu MiB)", cfg->name,
                (unsigned long long)(vm->ram_size >> 20), (unsigned long long)(mm_free_bytes() >> 20));
        return -1;
    }
    /* Memory that held another VM or elvisor's data must not leak. */
    memset((void *)(uintptr_t)vm->ram_pa, 0, vm->ram_size);

    rc = stage2_init(&vm->s2, hyp_ipa_bits, page_alloc);
    if (rc == 0)
        rc = stage2_map(&vm->s2, vm->ram_ipa, vm->ram_pa, vm->ram_size, S2_READ | S2_WRITE | S2_EXEC);
    if (rc) {
        log_err("vm %s: building stage-2 tables failed (%d)", cfg->name, rc);
        return -1;
    }
    if (place_vcpus(vm) < 0)
        return -1;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->vm = vm;
        v->id = i;
        v->mpidr = vcpu_mpidr_of(i);
    }
    if (vm_devices_create(vm) < 0)
        return -1;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->hcr = guest_hcr();
        v->power = VCPU_OFF;
        struct pcpu *p = &pcpus[v->pcpu];
        p->runq[p->nr_runq] = v;
        __atomic_store_n(&p->nr_runq, p->nr_runq + 1, __ATOMIC_RELEASE);
    }
    vm->created = true;
    /* No TLB flush: the VM gets its VMID when a vCPU is first loaded, one
     * no translation is tagged with (core/vmid_alloc.h). */
    return 0;
}

bool vm_ipa_is_ram(const struct vm *vm, uint64_t ipa, uint64_t len)
{
    return ipa >= vm->ram_ipa && len <= vm->ram_size && ipa - vm->ram_ipa <= vm->ram_size - len;
}

bool vm_write_ipa(struct vm *vm, uint64_t ipa, const void *src, uint64_t len)
{
    if (!vm_ipa_is_ram(vm, ipa, len))
        return false;
    memcpy((void *)(uintptr_t)(vm->ram_pa + (ipa - vm->ram_ipa)), src, len);
    return true;
}

static bool vm_zero_ipa(struct vm *vm, uint64_t ipa, uint64_t len)
{
    if (!vm_ipa_is_ram(vm, ipa, len))
        return false;
    memset((void *)(uintptr_t)(vm->ram_pa + (ipa - vm->ram_ipa)), 0, len);
    return true;
}

/* The kernel at its planned place, the initrd page-aligned below the DTB
 * slot at the top of RAM: false (logged) when they do not fit. */
static bool load_images(struct vm *vm, struct load_plan *plan, uint64_t *initrd_ipa)
{
    const struct vm_config *cfg = vm->cfg;
    const char *why;
    uint64_t ram_end = vm->ram_ipa + vm->ram_size;

    if (loader_plan(cfg->kernel, cfg->kernel_size, cfg->kernel_format, vm->ram_ipa, vm->ram_size, plan, &why) < 0) {
        log_err("vm %s: cannot load kernel: %s", cfg->name, why);
        return false;
    }
    for (unsigned i = 0; i < plan->nr_segments; i++) {
        const struct load_segment *s = &plan->seg[i];
        vm_write_ipa(vm, s->ipa, cfg->kernel + s->file_off, s->file_size);
        vm_zero_ipa(vm, s->ipa + s->file_size, s->mem_size - s->file_size);
    }
    vm->dtb_ipa = ram_end - DTB_SLOT;
    *initrd_ipa = 0;
    if (cfg->initrd) {
        *initrd_ipa = (vm->dtb_ipa - cfg->initrd_size) & ~(PAGE_SIZE - 1);
        if (cfg->initrd_size > vm->dtb_ipa - vm->ram_ipa || *initrd_ipa < plan->end) {
            log_err("vm %s: initrd (%llu KiB) does not fit in VM memory above the kernel", cfg->name,
                    (unsigned long long)(cfg->initrd_size >> 10));
            return false;
        }
        vm_write_ipa(vm, *initrd_ipa, cfg->initrd, cfg->initrd_size);
    }
    if (plan->end > vm->dtb_ipa) {
        log_err("vm %s: kernel leaves no room for the device tree", cfg->name);
        return false;
    }
    return true;
}

/* The VM's own DTB (core/vm_dtb.h) in its slot at the top of its RAM. */
static bool write_guest_dtb(struct vm *vm, uint64_t initrd_ipa)
{
    const struct vm_config *cfg = vm->cfg;
    static uint8_t dtb[GUEST_DTB_MAX];
    static spinlock_t dtb_lock = SPINLOCK_INIT;
    uint64_t mpidrs[VM_MAX_VCPUS];

    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        mpidrs[i] = vm->vcpus[i].mpidr & MPIDR_AFF_MASK;
    struct vm_dtb_params p = {
        .ram_base = vm->ram_ipa,
        .ram_size = vm->ram_size,
        .nr_vcpus = vm->nr_vcpus,
        .vcpu_mpidr = mpidrs,
        .bootargs = cfg->bootargs,
        .initrd_start = initrd_ipa,
        .initrd_end = cfg->initrd ? initrd_ipa + cfg->initrd_size : 0,
        /* QEMU's virt tells a guest with EL2 to call PSCI by SMC: its HVCs
         * are for its own EL2. */
        .psci_method = cfg->virt_el2 ? "smc" : "hvc",
        .virt_el2 = cfg->virt_el2,
        .gic_version = vm->gic_version,
        .write_devices = vm_devices_describe,
        .devices = vm,
    };
    vm_devices_chosen(vm, &p.chosen);
    spin_lock(&dtb_lock);
    int size = vm_dtb_build(&p, dtb, sizeof(dtb));
    if (size > 0)
        vm_write_ipa(vm, vm->dtb_ipa, dtb, (uint64_t)size);
    spin_unlock(&dtb_lock);
    if (size <= 0) {
        log_err("vm %s: building the device tree failed (%d)", cfg->name, size);
        return false;
    }
    return true;
}

int vm_boot(struct vm *vm)
{
    const struct vm_config *cfg = vm->cfg;
    struct load_plan plan;
    uint64_t initrd_ipa;

    if (!load_images(vm, &plan, &initrd_ipa) || !write_guest_dtb(vm, initrd_ipa))
        return -1;

    vm->entry = plan.entry;
    log_info("vm %s: %u vCPU, %llu MiB at PA 0x%llx, %s entry 0x%llx, DTB 0x%llx%s", cfg->name,
             vm->nr_vcpus, (unsigned long long)(vm->ram_size >> 20), (unsigned long long)vm->ram_pa,
             loader_kind_name(plan.kind), (unsigned long long)plan.entry,
             (unsigned long long)vm->dtb_ipa, cfg->initrd ? ", initrd" : "");

    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        v->power = VCPU_OFF;
        v->on_pending = false;
    }
    /* Last, so that zeroing RAM and loading the images do not count as
     * guest time. A reset keeps the offset: the counters run on, as they
     * do across a reset under KVM. */
    if (!vm->counter_started) {
        isb();
        vm->cnt_offset = read_sysreg(cntpct_el0);
        vm->vcnt_offset = vm->cnt_offset;
        vm->counter_started = true;
    }
    struct vcpu *boot = &vm->vcpus[0];
    boot->on_entry = plan.entry;
    boot->on_context = vm->dtb_ipa;
    boot->on_pending = true;
    /* Published in this order, with release: see runnable() in sched.c. */
    __atomic_store_n(&boot->power, VCPU_ON, __ATOMIC_RELEASE);
    __atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
    vcpu_kick(boot);
    return 0;
}

int vm_reset(struct vm *vm)
{
    int rc;

    /* Under the VM lock: console input arriving on another CPU raises the
     * UART's line in this vGIC while it is rebuilt otherwise. */
    if (vm_devices_reset(vm) < 0)
        return -1;
    vtime_reset(vm, read_sysreg(cntpct_el0));
    /* Its devices' DMA stops before the images are reloaded over it. */
    vm_devices_quiesce(vm);
    /* The rebooted guest builds new stage-1 tables, perhaps with the same
     * ASIDs: the old kernel's cached translations must not be hit. As a VM
     * recreated under KVM, it takes fresh VMIDs (every vCPU is parked and
     * put, so no CPU runs them); the old ones stay taken until the next
     * rollover flushes their entries. Resets thus consume VMIDs, which is
     * what makes a rollover come in a test. */
    vmid_ctx_renew(&vm->vmid);
    vmid_ctx_renew(&vm->l2_vmid);
    rc = vm_boot(vm);
    /* Input held back while the old guest's FIFO was full would wait for
     * a read of a FIFO the reset emptied: let it in now. */
    if (rc == 0)
        console_input_guest_read();
    return rc;
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if ((vm->vcpus[i].mpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
            return &vm->vcpus[i];
    return NULL;
}

static void kick_all(struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vcpu_kick(&vm->vcpus[i]);
}

void vcpu_wait_for_irq(struct vcpu *v)
{
    v->wait = VCPU_WAIT_WFI;
    /* An idle guest may be waiting at a prompt it printed without '\n'. */
    if (nr_vms > 1)
        console_guest_flush(v->vm->id, v->vm->cfg->name);
}

/* One line per vCPU: how often it exited and why (kvm_stat's question). */
static void log_exit_stats(const struct vm *vm)
{
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        const struct vcpu *v = &vm->vcpus[i];
        const uint32_t *ec = v->nr_sync_exits;
        uint64_t known = v->nr_irq_exits + ec[EC_WFX] + ec[EC_HVC64] + ec[EC_SMC64] + ec[EC_SYS64] +
                         ec[EC_DABT_LOW] + ec[EC_IABT_LOW];

        log_debug("vm %s vcpu %u: %llu exits: irq %llu, wfx %u, hvc %u, smc %u, sysreg %u, dabt %u, "
                  "iabt %u, other %llu", vm->cfg->name, i, (unsigned long long)v->nr_exits,
                  (unsigned long long)v->nr_irq_exits, ec[EC_WFX], ec[EC_HVC64], ec[EC_SMC64],
                  ec[EC_SYS64], ec[EC_DABT_LOW], ec[EC_IABT_LOW],
                  (unsigned long long)(v->nr_exits - known));
        if (v->ext && v->ext->report)
            v->ext->report(v);
    }
}

void vm_power_off(struct vm *vm, enum vm_state why)
{
    vm_devices_quiesce(vm);
    vm_log_flush(vm);
    log_exit_stats(vm);
    vmid_log_summary();
    console_guest_flush(vm->id, vm->cfg->name);
    vm->state = why;
    kick_all(vm);
}

bool vm_operator_stop(struct vm *vm)
{
    enum vm_state from = VM_RUNNING;

    /* Only from running: a reset under way would set it running again. */
    if (!__atomic_compare_exchange_n(&vm->state, &from, VM_STOPPED, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return false;
    vm_devices_quiesce(vm);
    vm_log_flush(vm);
    log_exit_stats(vm);
    vmid_log_summary();
    console_guest_flush(vm->id, vm->cfg->name);
    kick_all(vm);
    return true;
}

bool vm_operator_reset(struct vm *vm, enum vm_state from)
{
    if (!vm->created)
        return false;
    console_guest_flush(vm->id, vm->cfg->name);
    /* As vm_request_reset(): the parked handshake with runnable(). */
    if (!__atomic_compare_exchange_n(&vm->state, &from, VM_RESETTING, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST))
        return false;
    kick_all(vm);
    return true;
}

void vm_request_reset(struct vm *vm)
{
    console_guest_flush(vm->id, vm->cfg->name);
    /* Sequentially consistent: the handshake with a vCPU leaving its parked
     * state (runnable() and finish_reset() in sched.c). */
    __atomic_store_n(&vm->state, VM_RESETTING, __ATOMIC_SEQ_CST);
    kick_all(vm);
}

void vcpu_kick(struct vcpu *v)
{
    struct pcpu *self = this_pcpu();

    if (v->pcpu != self->id)
        gic_send_sgi(SGI_KICK, pcpus[v->pcpu].mpidr);
    else
        self->resched = true;   /* no interrupt comes: the loop must look before it sleeps */
}

void vgic_kick_vcpu(struct vgic *vgic, unsigned vcpu_id)
{
    struct vm *vm = (struct vm *)(void *)((char *)vgic - offsetof(struct vm, vgic));

    if (vcpu_id < vm->nr_vcpus)
        vcpu_kick(&vm->vcpus[vcpu_id]);
}
