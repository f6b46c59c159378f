/* SMCCC 1.1 and PSCI 1.1 for guests: vCPU power management and the VM's
 * own power-off and reset. Unknown calls return NOT_SUPPORTED. */
#include "trap/smccc.h"

#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/pcpu.h"
#include "core/guest_log.h"
#include "core/vm.h"
#include "lib/log.h"
#include "trap/exit.h"

static bool is_64bit_call(uint32_t fid)
{
    return (fid & 0x40000000U) != 0;
}

static uint64_t arg(struct vcpu *v, unsigned n, uint32_t fid)
{
    uint64_t val = v->regs.x[n];

    /* SMC32/HVC32 calls pass 32-bit arguments: upper halves are ignored. */
    return is_64bit_call(fid) ? val : (val & 0xffffffffULL);
}

static int64_t psci_cpu_on(struct vcpu *v, uint32_t fid)
{
    struct vm *vm = v->vm;
    struct vcpu *target = vm_vcpu_by_mpidr(vm, arg(v, 1, fid));
    uint64_t entry = arg(v, 2, fid), context = arg(v, 3, fid);
    int64_t ret;

    if (!target)
        return PSCI_RET_INVALID_PARAMS;
    if (!vm_ipa_is_ram(vm, entry, 4) || (entry & 3))
        return PSCI_RET_INVALID_ADDRESS;
    spin_lock(&vm->lock);
    if (target->power == VCPU_ON) {
        ret = target->on_pending ? PSCI_RET_ON_PENDING : PSCI_RET_ALREADY_ON;
    } else {
        /* The physical CPU that owns the target resets it before running it. */
        target->on_entry = entry;
        target->on_context = context;
        target->on_pending = true;
        /* Last, with release: the target's CPU reads power first. */
        __atomic_store_n(&target->power, VCPU_ON, __ATOMIC_RELEASE);
        ret = PSCI_RET_SUCCESS;
    }
    spin_unlock(&vm->lock);
    if (ret == PSCI_RET_SUCCESS)
        vcpu_kick(target);
    return ret;
}

/* A VM whose last vCPU turns itself off can never run again (no vCPU is
 * left to call CPU_ON): it is off, as if it had called SYSTEM_OFF. */
static void psci_cpu_off(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned on;

    spin_lock(&vm->lock);
    v->power = VCPU_OFF;
    on = vm_nr_vcpus_on(vm);
    spin_unlock(&vm->lock);
    /* A reset in progress powers vCPU 0 on again by itself. */
    if (on == 0 && vm->state == VM_RUNNING) {
        log_info("vm %s: its last vCPU turned itself off (PSCI CPU_OFF): powered off", vm->cfg->name);
        vm_power_off(vm, VM_OFF);
    }
}

static int64_t psci_affinity_info(struct vcpu *v, uint32_t fid)
{
    struct vcpu *target = vm_vcpu_by_mpidr(v->vm, arg(v, 1, fid));

    if (arg(v, 2, fid) != 0 || !target)
        return PSCI_RET_INVALID_PARAMS;
    if (target->power == VCPU_OFF)
        return PSCI_AFFINITY_OFF;
    return target->on_pending ? PSCI_AFFINITY_ON_PENDING : PSCI_AFFINITY_ON;
}

static int64_t psci_features(uint32_t queried)
{
    switch (queried) {
    case SMCCC_VERSION:
    case PSCI_VERSION:
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:   /* original power-state format, no OS-initiated mode */
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
        return PSCI_RET_SUCCESS;
    default:
        return PSCI_RET_NOT_SUPPORTED;
    }
}

static int64_t smccc_arch_features(uint32_t queried)
{
    switch (queried) {
    case SMCCC_VERSION:
    case SMCCC_ARCH_FEATURES:
        return SMCCC_RET_SUCCESS;
    default:
        /* No firmware workarounds are offered or needed under emulation. */
        return SMCCC_RET_NOT_SUPPORTED;
    }
}

/* elvisor's own calls (arch/arm64/smccc.h); anything else is unknown. */
static __attribute__((noinline)) int64_t elvisor_call(uint32_t fid)
{
    /* Only a vCPU alone on its CPU may ask for the floor: the floor
     * vectors serve whoever runs there. */
    if (fid == ELVISOR_BENCH_FLOOR_ON && hyp_floor_allowed && this_pcpu()->nr_runq == 1) {
        hyp_floor_enter();
        return SMCCC_RET_SUCCESS;
    }
    return SMCCC_RET_NOT_SUPPORTED;
}

bool smccc_handle(struct vcpu *v)
{
    uint32_t fid = (uint32_t)v->regs.x[0];
    int64_t ret;

    switch (fid) {
    case SMCCC_VERSION:
        ret = SMCCC_VERSION_1_1;
        break;
    case SMCCC_ARCH_FEATURES:
        ret = smccc_arch_features((uint32_t)v->regs.x[1]);
        break;
    case PSCI_VERSION:
        ret = PSCI_VERSION_1_1;
        break;
    case PSCI_FEATURES:
        ret = psci_features((uint32_t)v->regs.x[1]);
        break;
    case PSCI_CPU_SUSPEND_32:
    case PSCI_CPU_SUSPEND_64:
        /* Every power state is treated as standby: wake on an interrupt. */
        ret = PSCI_RET_SUCCESS;
        if (!vgic_vcpu_has_pending(&v->vm->vgic, v->id))
            vcpu_wait_for_irq(v);
        break;
    case PSCI_CPU_OFF:
        psci_cpu_off(v);
        return false;
    case PSCI_CPU_ON_32:
    case PSCI_CPU_ON_64:
        ret = psci_cpu_on(v, fid);
        break;
    case PSCI_AFFINITY_INFO_32:
    case PSCI_AFFINITY_INFO_64:
        ret = psci_affinity_info(v, fid);
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        ret = PSCI_TOS_NOT_PRESENT;
        break;
    case PSCI_SYSTEM_OFF:
        log_info("vm %s: powered off by the guest", v->vm->cfg->name);
        vm_power_off(v->vm, VM_OFF);
        return false;
    case PSCI_SYSTEM_RESET:
        vm_info(v->vm, "vm %s: reset by the guest", v->vm->cfg->name);
        vm_request_reset(v->vm);
        return false;
    default:
        ret = elvisor_call(fid);
        break;
    }
    v->regs.x[0] = (uint64_t)ret;
    return true;
}
