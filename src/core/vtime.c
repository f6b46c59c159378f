#include "core/vtime.h"

#include "core/vm.h"
#include "lib/spinlock.h"

static void fold_locked(struct vm *vm, uint64_t now)
{
    if (vm->stolen_since) {
        vm->vcnt_offset += now - vm->stolen_since;
        vm->stolen_since = 0;
    }
}

void vtime_preempted(struct vcpu *v, uint64_t now)
{
    struct vm *vm = v->vm;

    if (!vm->cfg->own_time || v->time_preempted)
        return;
    spin_lock(&vm->lock);
    v->time_preempted = true;
    if (++vm->nr_preempted >= vm_nr_vcpus_on(vm) && !vm->stolen_since)
        vm->stolen_since = now ? now : 1;
    spin_unlock(&vm->lock);
}

void vtime_resume(struct vcpu *v, uint64_t now)
{
    struct vm *vm = v->vm;

    if (!vm->cfg->own_time)
        return;
    spin_lock(&vm->lock);
    if (v->time_preempted) {
        v->time_preempted = false;
        vm->nr_preempted--;
    }
    fold_locked(vm, now);
    spin_unlock(&vm->lock);
}

uint64_t vtime_offset_at(struct vm *vm, uint64_t now)
{
    uint64_t off;

    if (!vm->cfg->own_time)
        return vm->vcnt_offset;
    spin_lock(&vm->lock);
    off = vm->vcnt_offset + (vm->stolen_since ? now - vm->stolen_since : 0);
    spin_unlock(&vm->lock);
    return off;
}

void vtime_reset(struct vm *vm, uint64_t now)
{
    spin_lock(&vm->lock);
    fold_locked(vm, now);
    vm->nr_preempted = 0;
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        vm->vcpus[i].time_preempted = false;
    spin_unlock(&vm->lock);
}
