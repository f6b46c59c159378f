/* The shadow stage 2 of a guest's guest (docs/nested.md §5, §9.7): when the
 * guest hypervisor runs its guest with its own stage 2 on (vHCR.VM = 1),
 * the hardware translates that guest's IPAs with a shadow table elvisor
 * fills lazily, one 4 KiB page per stage-2 fault, with the composition of
 * the guest hypervisor's stage 2 (walked in software from vVTTBR/vVTCR in
 * the VNCR page) and the VM's own stage 2.
 *
 * Per VM: NS2_POOL_SLOTS shadow contexts keyed by (vVTTBR BADDR, VMID),
 * each with a permanent root table and a hardware VMID of its own, and a
 * bounded pool of table pages they share. A context is "dropped" by
 * clearing its root and invalidating its VMID (break before make), which
 * lets its pages be reused; when the pages run out every context is
 * dropped and refills on demand. */
#include "nested/nested.h"
#include "nested/s2_walk.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/tlb.h"
#include "core/guest_log.h"
#include "core/mm.h"
#include "core/vm.h"
#include "lib/log.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "trap/exit.h"
#include "trap/inject.h"

#define SHADOW_PAGES        64u     /* table pages per VM, roots not counted */
#define NO_OWNER            0xffu
#define TABLE_ENTRIES       512u

_Static_assert(NS2_POOL_SLOTS >= VM_MAX_VCPUS, "every vCPU can hold a slot");
_Static_assert(NS2_POOL_SLOTS < NO_OWNER, "owner fits a byte");

struct shadow_pool {
    spinlock_t lock;
    struct ns2_slot slots[NS2_POOL_SLOTS];
    uint64_t *root[NS2_POOL_SLOTS];
    /* Each context is a translation regime of its own: a VMID from the
     * allocator (core/vmid.h), taken when the context is first entered. */
    struct vmid_ctx vmid[NS2_POOL_SLOTS];
    uint8_t *pages;                 /* SHADOW_PAGES pages */
    uint8_t owner[SHADOW_PAGES];    /* slot, or NO_OWNER */
    uint64_t clock;
};

static struct shadow_pool pools[MAX_VMS];

static struct shadow_pool *pool_of(const struct vm *vm)
{
    return &pools[vm->id];
}

/* The TLB entries of a context: under the VMID it last ran with (none if
 * it never ran; one a rollover renewed has none left from before). */
static void flush_slot(const struct vm *vm, unsigned slot)
{
    const struct shadow_pool *p = pool_of(vm);
    uint16_t vmid = vmid_last(&p->vmid[slot]);

    if (vmid)
        tlb_flush_vmid(vmid_vttbr((uint64_t)(uintptr_t)p->root[slot], vmid));
}

int shadow_s2_init(struct vm *vm)
{
    struct shadow_pool *p = pool_of(vm);

    spin_lock_init(&p->lock);
    p->pages = hyp_alloc((uint64_t)SHADOW_PAGES * PAGE_SIZE, PAGE_SIZE);
    if (!p->pages)
        return -1;
    memset(p->owner, NO_OWNER, sizeof(p->owner));
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++) {
        p->root[i] = page_alloc();
        if (!p->root[i])
            return -1;
    }
    return 0;
}

/* Break before make for a whole context: no walker uses its tables once
 * the broadcast invalidation completes, so their pages can be reused. */
static void drop_locked(struct vm *vm, unsigned slot)
{
    struct shadow_pool *p = pool_of(vm);

    memset(p->root[slot], 0, PAGE_SIZE);
    flush_slot(vm, slot);
    for (unsigned i = 0; i < SHADOW_PAGES; i++)
        if (p->owner[i] == slot)
            p->owner[i] = NO_OWNER;
}

static void drop_all_locked(struct vm *vm)
{
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
        drop_locked(vm, i);
}

void shadow_s2_invalidate(struct vm *vm, bool tables)
{
    struct shadow_pool *p = pool_of(vm);

    spin_lock(&p->lock);
    for (unsigned i = 0; i < NS2_POOL_SLOTS; i++) {
        if (!p->slots[i].used)
            continue;
        if (tables)
            drop_locked(vm, i);
        else
            flush_slot(vm, i);
    }
    spin_unlock(&p->lock);
}

bool shadow_s2_enter(struct vcpu *v, uint64_t *root, struct vmid_ctx **vmid)
{
    struct vm *vm = v->vm;
    struct shadow_pool *p = pool_of(vm);
    uint64_t vv = vncr_reg_read(v, VREG_VTTBR_EL2);
    bool hit, recycled;

    spin_lock(&p->lock);
    unsigned slot = ns2_pool_select(p->slots, NS2_POOL_SLOTS, vv & NS2_VTTBR_BADDR_MASK,
                                    (uint16_t)(vv >> NS2_VTTBR_VMID_SHIFT), ++p->clock, &hit, &recycled);
    if (slot < NS2_POOL_SLOTS) {
        if (recycled)
            drop_locked(vm, slot);
        p->slots[slot].users++;
        v->nested->s2_slot = slot;
        *root = (uint64_t)(uintptr_t)p->root[slot];
        *vmid = &p->vmid[slot];
    }
    spin_unlock(&p->lock);
    return slot < NS2_POOL_SLOTS;
}

void shadow_s2_leave(struct vcpu *v)
{
    struct shadow_pool *p = pool_of(v->vm);
    unsigned slot = v->nested->s2_slot;

    if (slot >= NS2_POOL_SLOTS)
        return;
    spin_lock(&p->lock);
    if (p->slots[slot].users)
        p->slots[slot].users--;
    spin_unlock(&p->lock);
    v->nested->s2_slot = NS2_POOL_SLOTS;
}

static uint64_t *page_get_locked(struct shadow_pool *p, unsigned slot)
{
    for (unsigned i = 0; i < SHADOW_PAGES; i++) {
        if (p->owner[i] == NO_OWNER) {
            uint64_t *t = (uint64_t *)(uintptr_t)(p->pages + (uint64_t)i * PAGE_SIZE);
            memset(t, 0, PAGE_SIZE);
            p->owner[i] = (uint8_t)slot;
            return t;
        }
    }
    return NULL;
}

static unsigned index_at(uint64_t ipa, unsigned level)
{
    return (unsigned)((ipa >> NS2_LEVEL_SHIFT(level)) & (TABLE_ENTRIES - 1));
}

/* Installs one level-3 descriptor; false when the pages ran out. */
static bool install_locked(struct vm *vm, unsigned slot, uint64_t ipa, uint64_t desc)
{
    struct shadow_pool *p = pool_of(vm);
    uint64_t *table = p->root[slot];

    for (unsigned l = vm->s2.start_level; l < 3; l++) {
        uint64_t *e = &table[index_at(ipa, l)];
        if (!(*e & NS2_DESC_VALID)) {
            uint64_t *next = page_get_locked(p, slot);
            if (!next)
                return false;
            dsb(ishst);         /* the zeroed table before the link to it */
            *e = ((uint64_t)(uintptr_t)next & NS2_DESC_OA_MASK) | NS2_DESC_TABLE | NS2_DESC_VALID;
        }
        table = (uint64_t *)(uintptr_t)(*e & NS2_DESC_OA_MASK);
    }
    uint64_t *leaf = &table[index_at(ipa, 3)];
    if (*leaf == desc)
        return true;            /* another vCPU of the VM was first */
    if (*leaf & NS2_DESC_VALID) {
        *leaf = 0;
        flush_slot(vm, slot);
    }
    *leaf = desc;
    dsb(ishst);
    return true;
}

/* The guest hypervisor's tables are in the VM's RAM; anything else is not
 * a table it can have (an external abort on the walk). */
static bool read_l1(void *ctx, uint64_t ipa, uint64_t *desc)
{
    const struct vm *vm = ctx;

    if (!vm_ipa_is_ram(vm, ipa, sizeof(uint64_t)))
        return false;
    *desc = *(volatile const uint64_t *)(uintptr_t)(vm->ram_pa + (ipa - vm->ram_ipa));
    return true;
}

/* The stage-2 fault as the guest hypervisor's own hardware would give it:
 * ESR_EL2 with its walk's fault status, FAR_EL2 = the guest's VA, HPFAR_EL2
 * = the guest's IPA. */
static void inject_to_vel2(struct vcpu *v, uint64_t esr, unsigned fsc, uint64_t far, uint64_t ipa)
{
    nested_exit_to_vel2(v, ns2_fault_esr(esr, fsc));
    vcpu_reg_write_in(v, VREG_HYP_FAR_EL1, VCPU_CTX_HYP, far);
    vcpu_cell_write(v, VREG_HPFAR_EL2, ns2_hpfar(ipa));
}

static bool stage2_fault(uint64_t esr)
{
    uint64_t type = esr & ESR_FSC_TYPE_MASK;

    return type == ESR_FSC_TRANS || type == ESR_FSC_ACCESS || type == ESR_FSC_PERM;
}

bool shadow_s2_fault(struct vcpu *v, uint64_t esr)
{
    struct vm *vm = v->vm;
    struct vcpu_nested *n = v->nested;
    struct shadow_pool *p = pool_of(vm);
    uint64_t far = read_sysreg(far_el2), ipa;
    bool iabt = ESR_EC(esr) == EC_IABT_LOW;
    struct ns2_access acc = {
        .exec = iabt,
        /* A stage-1 walk of the guest's guest only reads its tables. */
        .write = !iabt && (esr & ESR_DABT_WNR) && !(esr & ESR_DABT_S1PTW),
        .el0 = (v->regs.pstate & PSR_MODE_MASK) == PSR_MODE_EL0t,
    };
    struct ns2_cfg cfg;
    struct ns2_walk w;

    if (n->s2_slot >= NS2_POOL_SLOTS)
        return false;
    if (!stage2_fault(esr)) {
        /* Not a fault of the shadow (an external abort): never handled at
         * the VM's IPA, which would bypass the guest hypervisor's stage 2. */
        vm_debug(v->vm, "vm %s vcpu %u: abort ESR 0x%llx of its guest's guest: external abort injected",
                  vm->cfg->name, v->id, (unsigned long long)esr);
        if (iabt)
            inject_iabt_sea(v, far);
        else
            inject_dabt_sea(v, far, acc.write);
        return true;
    }
    /* A permission fault on the shadow (L1 mapped the page read-only, or
     * not executable) leaves HPFAR_EL2 UNKNOWN outside a stage-1 walk: the
     * guest's guest's stage 1, live in the hardware, translates FAR. */
    if ((esr & (ESR_FSC_TYPE_MASK | ESR_DABT_S1PTW)) != ESR_FSC_PERM)
        ipa = fault_ipa(read_sysreg(hpfar_el2), far);
    else if (!exit_perm_fault_ipa(far, &ipa))
        return true;            /* its tables changed: retried */
    ns2_cfg_decode(vncr_reg_read(v, VREG_VTCR_EL2), vncr_reg_read(v, VREG_VTTBR_EL2), hyp_ipa_bits, &cfg);
    ns2_walk(&cfg, ipa, &acc, read_l1, vm, &w);
    if (!w.ok) {
        inject_to_vel2(v, esr, w.fsc, far, ipa);
        return true;
    }
    uint64_t l1_page = w.oa & ~(PAGE_SIZE - 1);
    if (!vm_ipa_is_ram(vm, l1_page, PAGE_SIZE)) {
        /* The guest hypervisor gave its guest one of the VM's devices (or
         * nothing): emulated as for the VM, at the VM's IPA. */
        if (iabt)
            inject_iabt_sea(v, far);
        else
            exit_dabt_at(v, esr, far, w.oa);
        return true;
    }
    if (hyp_ipa_bits < 64 && (ipa >> hyp_ipa_bits)) {
        vm_warn(v->vm, "vm %s vcpu %u: its guest's IPA 0x%llx is beyond elvisor's %u-bit stage 2: external "
                 "abort injected", vm->cfg->name, v->id, (unsigned long long)ipa, hyp_ipa_bits);
        if (iabt)
            inject_iabt_sea(v, far);
        else
            inject_dabt_sea(v, far, acc.write);
        return true;
    }
    uint64_t desc = ns2_shadow_desc(&w, S2_READ | S2_WRITE | S2_EXEC,
                                    vm->ram_pa + (l1_page - vm->ram_ipa));
    spin_lock(&p->lock);
    if (!install_locked(vm, n->s2_slot, ipa, desc)) {
        drop_all_locked(vm);
        if (!install_locked(vm, n->s2_slot, ipa, desc)) {
            spin_unlock(&p->lock);
            log_err("vm %s vcpu %u: no shadow stage-2 table for its guest's IPA 0x%llx: VM stopped",
                    vm->cfg->name, v->id, (unsigned long long)ipa);
            vm_power_off(vm, VM_STOPPED);
            return true;
        }
    }
    spin_unlock(&p->lock);
    /* The faulting access is retried. */
    return true;
}

/* Stage 1 as AT S1E* runs it (its tables' reads go through the shadow);
 * stage 2 walked in software over the guest hypervisor's tables, since the
 * shadow need not hold the page and PAR_EL1 must give its IPA, not the
 * VM's. */
void nested_at_s12(struct vcpu *v, void (*s1)(uint64_t va), uint64_t va, bool write, bool own_s2)
{
    struct ns2_access acc = { .write = write };
    struct ns2_cfg cfg;
    struct ns2_walk w;
    uint64_t par;

    nested_at_in_l2(v, s1, va, own_s2);
    par = el1_read(EL1_PAR);
    if (!own_s2 || (par & 1))
        return;
    ns2_cfg_decode(vncr_reg_read(v, VREG_VTCR_EL2), vncr_reg_read(v, VREG_VTTBR_EL2), hyp_ipa_bits, &cfg);
    ns2_walk(&cfg, ns2_par_ipa(par, va), &acc, read_l1, v->vm, &w);
    el1_write(EL1_PAR, ns2_par_s12(par, &w));
}
