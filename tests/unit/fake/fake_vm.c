#include "fake_vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "core/mm.h"
#include "core/irq_route.h"
#include "core/pcpu.h"
#include "core/vmid.h"
#include "nested/nested.h"
#include "run/irq.h"
#include "run/sched.h"

#define FAKE_RAM_SIZE   (512ULL << 20)
#define FAKE_POOL_SIZE  (32ULL << 20)

static struct vm_config configs[MAX_VMS];
/* A raw kernel: the guest's instructions are never executed. */
static const uint8_t kernel[4096];

/* The memory allocator has no reset: one region for the whole program,
 * each test's VMs take fresh RAM from it (guest RAM is zeroed). */
static void memory_once(void)
{
    static bool done;
    void *ram;

    if (done)
        return;
    ram = aligned_alloc(2ULL << 20, FAKE_RAM_SIZE);
    if (!ram)
        abort();
    mm_add_ram((uint64_t)(uintptr_t)ram, FAKE_RAM_SIZE);
    if (mm_init_hyp_pool(FAKE_POOL_SIZE) < 0)
        abort();
    done = true;
}

void fake_machine(unsigned nr_cpus)
{
    fake_arch_reset();
    memory_once();
    memset(pcpus, 0, sizeof(pcpus));
    memset(vms, 0, sizeof(vms));
    nr_vms = 0;
    nr_pcpus = nr_cpus;
    for (unsigned i = 0; i < nr_cpus; i++) {
        pcpus[i].id = i;
        pcpus[i].mpidr = i;
        pcpus[i].online = true;
    }
    hyp_features.vmid_bits = 16;
    hyp_features.nv = 2;
    vmid_init(16, 0, nr_cpus);
    /* As run/main.c at boot: the physical-interrupt routing table. */
    memset(&phys_irq_routes, 0, sizeof(phys_irq_routes));
    irq_routes_init();
    fake_reg(tpidr_el2) = (uint64_t)(uintptr_t)&pcpus[0];
    fake_reg(cntpct_el0) = 1000000;
}

struct vm *fake_vm(const char *name, unsigned nr_vcpus, const unsigned *cpus, bool virt_el2)
{
    struct vm_config *cfg = &configs[nr_vms];
    struct vm *vm = &vms[nr_vms];

    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->name, sizeof(cfg->name), "%s", name);
    cfg->nr_vcpus = nr_vcpus;
    cfg->mem_size = FAKE_VM_MEM;
    cfg->kernel = kernel;
    cfg->kernel_size = sizeof(kernel);
    cfg->kernel_format = KERNEL_FORMAT_RAW;
    cfg->bootargs = "";
    cfg->virt_el2 = virt_el2;
    cfg->has_cpu_map = true;
    for (unsigned i = 0; i < nr_vcpus; i++)
        cfg->cpu_map[i] = cpus ? cpus[i] : 0;
    if (vm_create(vm, nr_vms, cfg) < 0 || (virt_el2 && nested_vm_attach(vm) < 0) || vm_boot(vm) < 0) {
        fprintf(stderr, "fake_vm: vm %s not created:\n%s\n", name, fake_console());
        abort();
    }
    nr_vms++;
    return vm;
}

struct vcpu *fake_one_vcpu(const char *name, bool virt_el2)
{
    fake_machine(1);
    return &fake_vm(name, 1, NULL, virt_el2)->vcpus[0];
}

static void loop(void *arg)
{
    pcpu_loop(arg);
}

enum fake_stop fake_loop(unsigned cpu)
{
    fake_reg(tpidr_el2) = (uint64_t)(uintptr_t)&pcpus[cpu];
    return fake_run(loop, &pcpus[cpu]);
}

uint64_t fake_esr(unsigned ec, uint64_t iss)
{
    return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | iss;
}

/* Registers the guest set before an exit: its code is not run, so what
 * it would have computed is written into its registers as it "runs". */
struct guest_writes {
    unsigned nr;
    unsigned reg[4];
    uint64_t val[4];
};

static void guest_write_regs(void *regs, void *arg)
{
    struct vcpu_regs *r = regs;
    const struct guest_writes *w = arg;

    for (unsigned i = 0; i < w->nr; i++)
        r->x[w->reg[i]] = w->val[i];
}

/* As many as exits can be scripted at once (arch/fake/cpu.c). */
static struct guest_writes writes[64];
static unsigned next_writes;

static void push_with_regs(uint64_t esr, uint64_t far, uint64_t hpfar, const struct guest_writes *w)
{
    struct guest_writes *slot = &writes[next_writes++ % 64];

    *slot = *w;
    fake_exit_push(&(struct fake_exit){
        .code = EXIT_SYNC, .esr = esr, .far = far, .hpfar = hpfar,
        .guest = guest_write_regs, .arg = slot,
    });
}

void fake_exit_mmio(uint64_t ipa, unsigned size, unsigned reg, bool write, uint64_t value)
{
    unsigned sas = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    uint64_t iss = ESR_DABT_ISV | ((uint64_t)sas << ESR_DABT_SAS_SHIFT) |
                   ((uint64_t)reg << ESR_DABT_SRT_SHIFT) | (size == 8 ? ESR_DABT_SF : 0) |
                   (write ? ESR_DABT_WNR : 0);
    struct guest_writes w = { .nr = write, .reg = { reg }, .val = { value } };

    push_with_regs(fake_esr(EC_DABT_LOW, iss), 0xffff000000000000ULL | (ipa & 0xfff), (ipa >> 12) << 4, &w);
}

void fake_exit_smccc(unsigned ec, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct guest_writes w = { .nr = 4, .reg = { 0, 1, 2, 3 }, .val = { fid, a1, a2, a3 } };

    push_with_regs(fake_esr(ec, 0), 0, 0, &w);
}

void fake_exit_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    fake_exit_smccc(EC_HVC64, fid, a1, a2, a3);
}

void fake_exit_irq(unsigned intid)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_IRQ, .intid = intid });
}

/* ISS of EC 0x18: Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10] Rt[9:5] CRm[4:1] Direction[0] (1: read). */
static uint64_t sysreg_esr(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, bool read)
{
    return fake_esr(EC_SYS64, (3ULL << 20) | ((uint64_t)op2 << 17) | ((uint64_t)op1 << 14) |
                                  ((uint64_t)crn << 10) | ((uint64_t)rt << 5) | ((uint64_t)crm << 1) | read);
}

void fake_exit_mrs(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt)
{
    fake_exit_sync(sysreg_esr(op1, crn, crm, op2, rt, true));
}

void fake_exit_msr(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, uint64_t value)
{
    struct guest_writes w = { .nr = 1, .reg = { rt }, .val = { value } };

    push_with_regs(sysreg_esr(op1, crn, crm, op2, rt, false), 0, 0, &w);
}

void fake_exit_sync(uint64_t esr)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = esr });
}

#define GICR_SGI_FRAME          0x10000
#define GICR_IGROUPR0           (GICR_SGI_FRAME + 0x080)
#define GICR_ISENABLER0         (GICR_SGI_FRAME + 0x100)
#define GICD_CTLR_ARE_NS_GRP1   0x12
#define ICH_VMCR                S3_4_C12_C11_7
#define VMCR_VENG1              (1ULL << 1)
#define VMCR_VPMR_ALL           (0xffULL << 24)

static void open_cpu_interface(void *regs, void *arg)
{
    fake_reg(ICH_VMCR) = VMCR_VENG1 | VMCR_VPMR_ALL;
}

void fake_guest_takes_ppi(unsigned intid)
{
    fake_exit_push(&(struct fake_exit){ .code = EXIT_SYNC, .esr = fake_esr(EC_WFX, 1),
                                        .guest = open_cpu_interface });
    fake_exit_mmio(VIRT_GICD_BASE, 4, 1, true, GICD_CTLR_ARE_NS_GRP1);
    fake_exit_mmio(VIRT_GICR_BASE + GICR_IGROUPR0, 4, 1, true, 1u << intid);
    fake_exit_mmio(VIRT_GICR_BASE + GICR_ISENABLER0, 4, 1, true, 1u << intid);
}

void fake_l1_prepares_eret_to_l2(struct vcpu *v, uint64_t pc)
{
    vncr_write(v, VNCR_ICH_HCR_EL2, ICH_HCR_EL2_En);
    vncr_write(v, VNCR_ICH_VMCR_EL2, ICH_VMCR_EL2_VENG1 | (0xffULL << ICH_VMCR_EL2_VPMR_SHIFT));
    el1_write(EL1_ELR, pc);
    el1_write(EL1_SPSR, PSR_MODE_EL1h);
    vncr_write(v, VNCR_HCR_EL2, HCR_EL2_RW | HCR_EL2_IMO | HCR_EL2_FMO);
}

unsigned fake_guest_ack_and_eoi(void)
{
    unsigned intid = fake_guest_ack(1);

    if (intid != 1023)
        fake_guest_eoi(1, intid);
    return intid;
}
