#include "core/sched.h"

#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/vcpu_switch.h"
#include "core/exit.h"
#include "core/pcpu.h"
#include "core/power.h"
#include "core/vm.h"
#include "lib/log.h"

struct pcpu pcpus[MAX_PCPUS];
unsigned nr_pcpus;

struct pcpu *this_pcpu(void)
{
    return (struct pcpu *)(uintptr_t)read_sysreg(tpidr_el2);
}

static void unload(struct pcpu *p, struct vcpu *v)
{
    if (p->loaded == v) {
        vcpu_put(v);
        p->loaded = NULL;
    }
}

/* The boot vCPU's CPU reloads a VM once every other vCPU of it is parked. */
static void finish_reset(struct vm *vm)
{
    for (unsigned i = 1; i < vm->nr_vcpus; i++)
        if (!vm->vcpus[i].parked)
            return;
    if (vm_reset(vm) < 0) {
        log_err("vm %s: reset failed: VM stopped", vm->cfg->name);
        vm->state = VM_STOPPED;
    }
}

static bool all_vms_down(void)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i].state == VM_RUNNING || vms[i].state == VM_RESETTING)
            return false;
    return true;
}

static void __attribute__((noreturn)) power_off_when_all_down(void)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i].state == VM_STOPPED)
            machine_power_off(ELVISOR_EXIT_VM_STOPPED, "all VMs are down; vm %s was stopped by elvisor",
                              vms[i].cfg->name);
    machine_power_off(ELVISOR_EXIT_OK, "all VMs are down");
}

static struct vcpu *pick(struct pcpu *p)
{
    for (unsigned n = 0; n < p->nr_runq; n++) {
        unsigned idx = (p->next + n) % p->nr_runq;
        struct vcpu *v = p->runq[idx];
        struct vm *vm = v->vm;

        if (vm->state != VM_RUNNING) {
            unload(p, v);
            if (!v->parked) {
                __atomic_store_n(&v->parked, true, __ATOMIC_RELEASE);
                /* The CPU finishing a reset waits for every vCPU to park. */
                if (v->id != 0)
                    vcpu_kick(&vm->vcpus[0]);
            }
            if (vm->state == VM_RESETTING && v->id == 0)
                finish_reset(vm);
            /* A finished reset has made this vCPU runnable again. */
            if (vm->state != VM_RUNNING)
                continue;
        }
        v->parked = false;
        if (v->on_pending) {
            /* PSCI CPU_ON (or boot): start afresh from the entry point. */
            unload(p, v);
            vcpu_reset(v, v->on_entry, v->on_context);
            v->on_pending = false;
        }
        if (v->power != VCPU_ON) {
            unload(p, v);
            continue;
        }
        if (v->wait == VCPU_WAIT_WFI) {
            if (!vgic_vcpu_has_pending(&vm->vgic, v->id))
                continue;
            v->wait = VCPU_RUNNING;
        }
        p->next = (idx + 1) % p->nr_runq;
        return v;
    }
    return NULL;
}

static void run(struct pcpu *p, struct vcpu *v)
{
    struct vgic *vgic = &v->vm->vgic;
    uint64_t code;

    if (p->loaded != v) {
        if (p->loaded)
            vcpu_put(p->loaded);
        vcpu_load(v);
        p->loaded = v;
    }
    vgic_flush_lrs(vgic, v->id);
    vgic_hw_load_lrs(v);
    code = guest_enter(&v->regs);
    vgic_hw_save_lrs(v);
    vgic_sync_lrs(vgic, v->id);
    handle_exit(v, code);
}

void pcpu_loop(struct pcpu *p)
{
    for (;;) {
        struct vcpu *v = pick(p);

        if (v) {
            run(p, v);
            continue;
        }
        /* Whichever CPU sees it first: the last VM may live on any CPU. */
        if (all_vms_down())
            power_off_when_all_down();
        /* Interrupts stay masked at EL2: WFI still wakes on a pending one,
         * which is then handled here. */
        wfi();
        handle_phys_irqs();
    }
}
