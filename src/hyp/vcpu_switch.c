#include "hyp/vcpu_switch.h"
#include "arch/arm64/debug_regs.h"
#include "arch/arm64/el1_timer.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "core/vmid.h"
#include "vdev/vtimer.h"

void fpsimd_save(struct fpsimd_state *s);
void fpsimd_restore(const struct fpsimd_state *s);

/* v->timers hold the guest's view: each CVAL is what the guest wrote. A
 * hardware timer holds that CVAL itself when the hardware applies the
 * offset (CNTVOFF_EL2, CNTPOFF_EL2); the emulated physical timer holds
 * CVAL + offset, saturated, and the guest's CVAL is kept in memory at every
 * trapped write (trap/vtimer.c), so it is not read back here. */
static uint64_t hw_cval_offset(const struct vcpu *v, enum hw_timer t)
{
    return t == HW_TIMER_EL1_PHYS ? vtimer_ptimer_hw_offset(hyp_ptimer_emulated, v->vm->cnt_offset) : 0;
}

static bool hw_holds_guest_cval(enum hw_timer t)
{
    return t != HW_TIMER_EL1_PHYS || !hyp_ptimer_emulated;
}

static void timer_save(struct vcpu *v)
{
    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        enum vtimer_id id = v->tmap.hw[t];
        if (id == VTIMER_NR)
            continue;
        v->timers[id].ctl = hw_timer_ctl((enum hw_timer)t);
        if (hw_holds_guest_cval((enum hw_timer)t))
            v->timers[id].cval = hw_timer_cval((enum hw_timer)t);
        hw_timer_set_ctl((enum hw_timer)t, 0);
    }
}

/* Which timer each hardware one runs, and as which vINTID its interrupt
 * is forwarded (run/irq.c), for as long as the vCPU stays loaded. */
static void timer_map_load(struct vcpu *v)
{
    vcpu_timer_map(v, &v->tmap);
    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        enum vtimer_id id = v->tmap.hw[t];
        v->hw_timer_vintid[t] = id == VTIMER_NR ? 0 : (uint8_t)vtimer_ppi(id);
    }
}

static void timer_restore(struct vcpu *v)
{
    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        enum vtimer_id id = v->tmap.hw[t];
        if (id == VTIMER_NR)
            continue;
        hw_timer_set_cval((enum hw_timer)t,
                          vtimer_cval_to_hw(v->timers[id].cval, hw_cval_offset(v, (enum hw_timer)t)));
        hw_timer_set_ctl((enum hw_timer)t, v->timers[id].ctl);
    }
}

/* CNTVOFF_EL2 for the timer the hardware virtual timer runs: a guest's EL1
 * virtual timer counts from the VM's offset plus its own (v->timer_voff);
 * a guest hypervisor's CNTHV compares its physical count, the VM's. */
static void timer_load_cntvoff(const struct vcpu *v)
{
    uint64_t off = v->vm->cnt_offset;

    /* The VM's virtual offset includes the time it hid with its own time
     * (core/vtime.h), folded in before the load. */
    if (v->tmap.hw[HW_TIMER_EL1_VIRT] == VTIMER_EL1_VIRT)
        off = v->vm->vcnt_offset + v->timer_voff;
    write_sysreg(cntvoff_el2, off);
}

#define TIMER_PPIS  ((uint32_t)(BIT(HW_TIMER_PPI_EL1_PHYS) | BIT(HW_TIMER_PPI_EL1_VIRT)))

/* A timer PPI forwarded to this vCPU that its vGIC still holds pending or
 * active was acknowledged at EL2 and must stay active in the physical GIC
 * while the vCPU runs: the guest's deactivation through the LR HW bit is
 * what releases it, and until then the timer cannot interrupt again. The
 * vCPU that ran before may have left it active for its own reasons, so
 * every vCPU brings its own state (as KVM does on vcpu load). */
static void timer_ppis_load_active(struct vcpu *v)
{
    uint32_t active = 0;

    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        bool hw;
        if (v->hw_timer_vintid[t] &&
            vgic_irq_in_flight(&v->vm->vgic, v->id, v->hw_timer_vintid[t], &hw) && hw)
            active |= 1u << hw_timer_ppi((enum hw_timer)t);
    }
    gic_set_private_active(TIMER_PPIS, active);
}

/* The vGIC calls this on the CPU where vcpu_id is loaded (its flush
 * before entry, or the idle loop): a register write changed the state of
 * a forwarded PPI, which only this CPU's redistributor can reach. */
void vgic_set_phys_active(struct vgic *vgic, unsigned vcpu_id, uint32_t mask, uint32_t active)
{
    (void)vgic;
    (void)vcpu_id;
    gic_set_private_active(mask, active);
}

/* Only the CPU a vCPU is loaded on has its timers in the hardware. */
bool vgic_hw_line_level(struct vgic *vgic, unsigned vcpu_id, uint32_t intid, bool *level)
{
    const struct vcpu *loaded = this_pcpu()->loaded;

    if (!loaded || &loaded->vm->vgic != vgic || loaded->id != vcpu_id)
        return false;
    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        if (loaded->hw_timer_vintid[t] == intid) {
            *level = vtimer_ctl_line(hw_timer_ctl((enum hw_timer)t));
            return true;
        }
    }
    return false;
}

/* Lazy FP/SIMD switching. elvisor never uses the FP/SIMD registers, so
 * they keep the last owner's state while other vCPUs run without touching
 * them: a vCPU that is not this CPU's fp_owner runs with FP/SIMD trapped,
 * and its first use (an exit with EC 0x07) moves the registers in
 * vcpu_fp_claim(). A vCPU with an extension gets its registers at load:
 * its traps may belong to its guest hypervisor. */
void vcpu_fp_claim(struct vcpu *v)
{
    struct pcpu *p = this_pcpu();

    hyp_fp_trap(false);
    if (p->fp_owner == v)
        return;
    if (p->fp_owner)
        fpsimd_save(&p->fp_owner->fp);
    fpsimd_restore(&v->fp);
    p->fp_owner = v;
}

void vcpu_fp_release(struct vcpu *v)
{
    struct pcpu *p = this_pcpu();

    if (p->fp_owner != v)
        return;
    hyp_fp_trap(false);
    fpsimd_save(&v->fp);
    p->fp_owner = NULL;
    if (p->loaded && !p->loaded->ext)
        hyp_fp_trap(true);
}

static void fp_load(struct vcpu *v)
{
    if (v->ext)
        vcpu_fp_claim(v);
    else
        hyp_fp_trap(this_pcpu()->fp_owner != v);
}

void vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;

    /* The VMID check lives here, not on the exit path: a vCPU that stays
     * loaded keeps its VMID across rollovers (core/vmid_alloc.h). */
    write_sysreg(vttbr_el2, vm_vttbr_use(vm));
    if (!hyp_ptimer_emulated)
        write_sysreg_s(SYS_CNTPOFF_EL2, vm->cnt_offset);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    write_sysreg(vmpidr_el2, v->mpidr);
    write_sysreg(hcr_el2, v->hcr);
    if (v->ext)
        v->ext->load(v);
    el1_restore(v->sysreg);     /* the EL1 file: vcpu_reg.h's first cells */
    debug_state_restore(&v->dbg);
    fp_load(v);
    timer_map_load(v);
    timer_load_cntvoff(v);
    timer_ppis_load_active(v);
    timer_restore(v);
    vgic_hw_load_ctx(v);
    isb();
    v->loaded = true;
}

/* The GIC's VMCR and active priorities were saved at the last exit. */
void vcpu_put(struct vcpu *v)
{
    if (v->ext && v->ext->put)
        v->ext->put(v);
    el1_save(v->sysreg);
    debug_state_save(&v->dbg);
    /* FP/SIMD stays in the registers (fp_owner) until someone else's
     * first use or vcpu_fp_release(). */
    timer_save(v);
    vgic_hw_off(v);
    write_sysreg(hcr_el2, (hyp_vhe ? HCR_EL2_E2H : 0) | HCR_EL2_RW);
    isb();
    /* Its VMID need not be kept for this CPU at a rollover any more. */
    vmid_idle();
    v->loaded = false;
}

void vcpu_timers_remap(struct vcpu *v)
{
    uint8_t old[HW_TIMER_NR];
    uint32_t ppi[HW_TIMER_NR];

    for (unsigned t = 0; t < HW_TIMER_NR; t++) {
        old[t] = v->hw_timer_vintid[t];
        ppi[t] = hw_timer_ppi((enum hw_timer)t);
    }
    timer_save(v);
    timer_map_load(v);
    /* An interrupt forwarded from a hardware timer that now runs another
     * timer must no longer reach that PPI: the guest's deactivation of it
     * would deactivate the other timer's. It stays pending or active in
     * the vGIC as a software interrupt (the timer it came from, now in
     * memory, is polled). One still active from when its timer ran in
     * memory is forwarded again (its PPI made active), as KVM remaps it:
     * else the hardware timer, still firing, would raise it a second time.
     * Then the PPIs of the forwarded ones in flight are made active, as
     * timer_ppis_load_active() does: all under one vGIC lock. */
    uint32_t active = vgic_timers_remap(&v->vm->vgic, v->id, old, v->hw_timer_vintid, ppi, HW_TIMER_NR);
    timer_load_cntvoff(v);
    gic_set_private_active(TIMER_PPIS, active);
    timer_restore(v);
    isb();
}
