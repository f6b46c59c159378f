/* The generic timers of a guest hypervisor (L1) and of its guest (L2),
 * docs/nested.md §9.9. A vEL2 vCPU has all four timer contexts of
 * vdev/vtimer.h; which two the hardware EL1 timers run follows its
 * context (KVM's get_timer_map does the same):
 *
 * - hyp context: L1's CNTHP and CNTHV. With vE2H = 1 its EL0 timer names
 *   (CNTP_*_EL0, CNTV_*_EL0), executed at hardware EL1, reach the hardware
 *   EL1 timers, which is where a VHE hypervisor expects its EL2 timers, so
 *   the hardware EL1 physical timer runs VTIMER_EL2_PHYS and the virtual
 *   one VTIMER_EL2_VIRT, forwarded as INTIDs 26 and 28 (run/irq.c). L2's
 *   EL1 timers live in the VNCR page (L1 writes CNTP/CNTV_CTL/CVAL_EL02 and
 *   CNTVOFF_EL2 there without a trap) and are polled in software.
 * - nested context (L2 runs): L2's EL1 timers run on the hardware ones,
 *   loaded from the page at the ERET and saved back into it, ISTATUS
 *   included, at the exit to vEL2; L1's EL2 timers wait in v->timers and
 *   are polled, their deadlines bounding L2's run through elvisor's own
 *   EL2 timer (run/sched.c).
 *
 * Counters: L1's physical count is the VM's (hardware − vm->cnt_offset),
 * which its CNTHP and CNTHV compare with (both use offset 0, D12.2.4.1).
 * L2's virtual count is L1's physical count − L1's CNTVOFF_EL2 (the page's),
 * so the hardware CNTVOFF_EL2 is vm->cnt_offset + that while L2 runs
 * (v->timer_voff) and vm->cnt_offset in hyp context. L2's physical timer
 * compares L1's physical count (the VM offset, as for any guest): L1's
 * CNTPOFF_EL2 is not applied (elvisor advertises no FEAT_ECV offsets
 * that work on QEMU, docs/vtimer.md). */
#include "nested/nested.h"

#include "arch/arm64/el1_timer.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"
#include "trap/sysreg_emul.h"
#include "trap/vtimer.h"

/* L2's EL1 timers and their registers (VNCR slots). */
static const struct {
    enum vtimer_id id;
    enum vcpu_reg ctl, cval;
} page_timers[] = {
    { VTIMER_EL1_PHYS, VREG_CNTP_CTL_EL0, VREG_CNTP_CVAL_EL0 },
    { VTIMER_EL1_VIRT, VREG_CNTV_CTL_EL0, VREG_CNTV_CVAL_EL0 },
};
#define NR_PAGE_TIMERS  (sizeof(page_timers) / sizeof(page_timers[0]))

void nested_timer_map(const struct vcpu *v, struct vtimer_map *m)
{
    if (nested_in_hyp(v))
        *m = (struct vtimer_map){ { [HW_TIMER_EL1_PHYS] = VTIMER_EL2_PHYS,
                                    [HW_TIMER_EL1_VIRT] = VTIMER_EL2_VIRT } };
    else
        *m = VTIMER_MAP_EL1;
}

/* The offset of L2's timer slot i from the page as it is now (L1 may have
 * written CNTVOFF_EL2 since elvisor last looked). */
static uint64_t page_offset(const struct vcpu *v, unsigned i)
{
    if (page_timers[i].id == VTIMER_EL1_VIRT)
        return v->vm->vcnt_offset + vncr_reg_read(v, VREG_CNTVOFF_EL2);
    return v->vm->cnt_offset;
}

/* The page, where L1 keeps L2's timers in hyp context, into v->timers, so
 * that the polls (trap/vtimer.c) and the load see what L1 last wrote. */
static void page_in(struct vcpu *v)
{
    for (unsigned i = 0; i < NR_PAGE_TIMERS; i++) {
        struct vtimer *t = &v->timers[page_timers[i].id];
        t->ctl = vtimer_ctl_write_value(*vncr_reg_slot(v, page_timers[i].ctl));
        t->cval = *vncr_reg_slot(v, page_timers[i].cval);
    }
    v->timer_voff = vncr_reg_read(v, VREG_CNTVOFF_EL2);
}

/* L2's timers as L2 left them into the page: CTL with the ISTATUS the
 * hardware computed, which L1 reads from the page without a trap. */
static void page_out(struct vcpu *v)
{
    for (unsigned i = 0; i < NR_PAGE_TIMERS; i++) {
        const struct vtimer *t = &v->timers[page_timers[i].id];
        *vncr_reg_slot(v, page_timers[i].ctl) = t->ctl;
        *vncr_reg_slot(v, page_timers[i].cval) = t->cval;
    }
}

/* In hyp context nothing computes ISTATUS for L2's timers: elvisor writes
 * it into the page's CTL before each entry (as KVM's
 * kvm_timer_update_status does); L1 sees a condition that became true
 * while it ran at its next exit. */
static void publish_one(struct vcpu *v, unsigned i, uint64_t now)
{
    uint64_t ctl = vtimer_ctl_write_value(*vncr_reg_slot(v, page_timers[i].ctl));

    if ((ctl & CNTx_CTL_ENABLE) &&
        vtimer_count(now, page_offset(v, i)) >= *vncr_reg_slot(v, page_timers[i].cval))
        ctl |= CNTx_CTL_ISTATUS;
    *vncr_reg_slot(v, page_timers[i].ctl) = ctl;
}

/* The scheduler polls before and after each pre_enter (run/sched.c), and
 * while the vCPU waits. The software timers and the page only change at an
 * exit (a trapped access, L1 running), the in-flight state of their
 * interrupts only with the vGIC's generation, and which timers are in
 * software only with the context: with none of these changed and the
 * earliest deadline still ahead, a new poll would fire nothing and find
 * the same deadline (about 165 instructions each, docs/nested.md §9.19).
 * ISTATUS is published every time: it also follows masked timers, which
 * set no deadline. */
static bool poll_still_holds(const struct vcpu *v, uint64_t now)
{
    const struct vcpu_nested *n = v->nested;

    return n->poll_valid && n->poll_exits == v->nr_exits && n->poll_in_hyp == nested_in_hyp(v) &&
           n->poll_gen == vgic_gen(&v->vm->vgic) && now < n->poll_next;
}

uint64_t nested_poll_timers(struct vcpu *v, uint64_t now)
{
    struct vcpu_nested *n = v->nested;
    bool fired;
    uint64_t next;

    if (poll_still_holds(v, now)) {
        next = n->poll_next;
    } else {
        if (nested_in_hyp(v))
            page_in(v);
        next = vtimer_poll_sw(v, now, &fired);
        n->poll_valid = !fired;
        n->poll_exits = v->nr_exits;
        n->poll_in_hyp = nested_in_hyp(v);
        n->poll_gen = vgic_gen(&v->vm->vgic);
        n->poll_next = next;
    }
    if (nested_in_hyp(v))
        for (unsigned i = 0; i < NR_PAGE_TIMERS; i++)
            publish_one(v, i, now);
    return next;
}

/* In hyp context a non-VHE L1's EL1 timer names trap (they are its
 * guest's, served from the page), and with FEAT_ECV a VHE L1's _EL02
 * CTL/CVAL do (el02_*): fixed per vCPU, computed once. */
uint64_t nested_hyp_cnthctl(bool nvhe)
{
    return hyp_cnthctl(nvhe ? HYP_TRAP_EL1_TIMERS : hyp_features.ecv ? HYP_TRAP_EL02_TIMERS : 0);
}

/* A non-VHE L1 at vEL2 names its guest's EL1 timers by CNTP_*_EL0 and
 * CNTV_*_EL0, and reads CNTVCT_EL0 with its own CNTVOFF_EL2: under NV1 the
 * CTL and CVAL would go to the page but TVAL and the counters would reach
 * the hardware, so every one of them traps (FEAT_ECV's EL1TVT/EL1TVCT,
 * EL1PCTEN/EL1PCEN clear) and is served from the page below. While its
 * guest runs, L1's CNTHCTL_EL2 says which of the guest's accesses trap
 * (to be forwarded to L1, forward.c); else elvisor's usual CNTHCTL_EL2. */
void nested_timer_traps(struct vcpu *v)
{
    uint64_t cnthctl;

    if (nested_in_hyp(v)) {
        cnthctl = v->nested->hyp_cnthctl;
    } else {
        uint64_t c = nested_vcnthctl(v);
        uint64_t traps_el02 = 0;
        unsigned traps = (c & NESTED_CNTHCTL_EL1PCTEN ? 0 : HYP_TRAP_EL1_PCT) |
                         (c & NESTED_CNTHCTL_EL1PTEN ? 0 : HYP_TRAP_EL1_PT);
        if (hyp_features.ecv)
            traps |= (c & NESTED_CNTHCTL_EL1TVT ? HYP_TRAP_EL1_VT : 0) |
                     (c & NESTED_CNTHCTL_EL1TVCT ? HYP_TRAP_EL1_VCT : 0);
        /* Its guest at a vEL2 of its own (§9.21): the guest hypervisor's
         * ECV traps of that guest's _EL02 timer accesses, which NV2 would
         * otherwise send to its page; they are its (forward.c, op1 5). */
        if (hyp_features.ecv && (v->hcr & (HCR_EL2_NV | HCR_EL2_NV2)) == (HCR_EL2_NV | HCR_EL2_NV2))
            traps_el02 = c & NESTED_CNTHCTL_EL02_TRAPS;
        cnthctl = hyp_cnthctl(traps) | traps_el02;
    }
    write_sysreg(cnthctl_el2, cnthctl);
    isb();
}

/* Leaving the CPU in hyp context: the scheduler polls v->timers of a vCPU
 * that is not loaded, so they must hold what L1 wrote into the page. */
void nested_put(struct vcpu *v)
{
    v->nested->poll_valid = false;
    if (nested_in_hyp(v))
        page_in(v);
    write_sysreg(cnthctl_el2, hyp_cnthctl(0));
    if (v->nested->mdcr_hw != v->nested->mdcr_base)
        write_sysreg(mdcr_el2, v->nested->mdcr_base);
    isb();
}

void nested_timers_enter_l2(struct vcpu *v)
{
    page_in(v);
    vcpu_timers_remap(v);
    nested_timer_traps(v);
    nested_debug_traps(v);
}

void nested_timers_exit_l2(struct vcpu *v)
{
    vcpu_timers_remap(v);
    page_out(v);
    nested_timer_traps(v);
    nested_debug_traps(v);
}

/* ---- Trapped timer registers of vEL2 ---- */

struct timer_reg {
    struct sysreg_desc desc;        /* first: handlers get back here from it */
    enum vtimer_id id;
    unsigned slot;                  /* L2's: index in page_timers */
};

static const struct timer_reg *timer_reg_of(const struct sysreg_desc *d)
{
    return (const struct timer_reg *)(const void *)d;
}

/* CNTHP_*_EL2 and CNTHV_*_EL2: L1's EL2 timers, wherever they are now
 * (the hardware EL1 timers in hyp context, where L1 runs). */
/* CNTHV (the EL2 virtual timer) comes with FEAT_VHE, which a non-VHE L1
 * does not have. */
static bool el2_timer_exists(const struct vcpu *v, enum vtimer_id id)
{
    return !(v->nested->nvhe && id == VTIMER_EL2_VIRT);
}

static bool el2_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vtimer_ctx_ctl(v, timer_reg_of(d)->id);
    return el2_timer_exists(v, timer_reg_of(d)->id);
}

static bool el2_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!el2_timer_exists(v, timer_reg_of(d)->id))
        return false;
    vtimer_ctx_set_ctl(v, timer_reg_of(d)->id, val);
    return true;
}

static bool el2_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = vtimer_ctx_cval(v, timer_reg_of(d)->id);
    return el2_timer_exists(v, timer_reg_of(d)->id);
}

static bool el2_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!el2_timer_exists(v, timer_reg_of(d)->id))
        return false;
    vtimer_ctx_set_cval(v, timer_reg_of(d)->id, val);
    return true;
}

static bool el2_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    enum vtimer_id id = timer_reg_of(d)->id;

    *val = vtimer_tval_read(vtimer_ctx_cval(v, id), vtimer_ctx_count(v, id));
    return el2_timer_exists(v, id);
}

static bool el2_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    enum vtimer_id id = timer_reg_of(d)->id;

    if (!el2_timer_exists(v, id))
        return false;
    vtimer_ctx_set_cval(v, id, vtimer_tval_to_cval(val, vtimer_ctx_count(v, id)));
    return true;
}

/* CNTP_TVAL_EL02 and CNTV_TVAL_EL02 have no VNCR slot (docs/nested.md
 * §2.4): computed from the page's CVAL and the count L2's timer compares
 * with (CNTV's includes L1's CNTVOFF_EL2). Only L1 in hyp context reaches
 * the _EL02 names; elsewhere they are UNDEFINED. */
static bool el02_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    unsigned i = timer_reg_of(d)->slot;

    if (!nested_in_hyp(v) || v->nested->nvhe)
        return false;
    *val = vtimer_tval_read(*vncr_reg_slot(v, page_timers[i].cval),
                            vtimer_count(hw_cntpct(), page_offset(v, i)));
    return true;
}

static bool el02_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    unsigned i = timer_reg_of(d)->slot;
    uint64_t now = hw_cntpct();

    if (!nested_in_hyp(v) || v->nested->nvhe)
        return false;
    *vncr_reg_slot(v, page_timers[i].cval) =
        vtimer_tval_to_cval(val, vtimer_count(now, page_offset(v, i)));
    publish_one(v, i, now);
    return true;
}

/* ---- A non-VHE L1's EL0 timer names in hyp context (its guest's timers) ----
 * Served from the page as the _EL02 names are for a VHE L1; anywhere else
 * (its guest's context, a VHE L1) by elvisor's own table. */
static bool page_view(const struct vcpu *v)
{
    return v->nested->nvhe && nested_in_hyp(v);
}

static bool plain_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    const struct sysreg_desc *plain = sysreg_find(d->key);

    return plain && plain->read(v, plain, val);
}

static bool plain_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    const struct sysreg_desc *plain = sysreg_find(d->key);

    return plain && plain->write(v, plain, val);
}

/* CTL and CVAL of L2's timer slot i in the page, ISTATUS as of now. */
static uint64_t page_ctl_read(struct vcpu *v, unsigned i)
{
    publish_one(v, i, hw_cntpct());
    return *vncr_reg_slot(v, page_timers[i].ctl);
}

static void page_ctl_write(struct vcpu *v, unsigned i, uint64_t val)
{
    *vncr_reg_slot(v, page_timers[i].ctl) = vtimer_ctl_write_value(val);
    publish_one(v, i, hw_cntpct());
}

static void page_cval_write(struct vcpu *v, unsigned i, uint64_t val)
{
    *vncr_reg_slot(v, page_timers[i].cval) = val;
    publish_one(v, i, hw_cntpct());
}

static bool el0_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (!page_view(v))
        return plain_read(v, d, val);
    *val = page_ctl_read(v, timer_reg_of(d)->slot);
    return true;
}

static bool el0_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!page_view(v))
        return plain_write(v, d, val);
    page_ctl_write(v, timer_reg_of(d)->slot, val);
    return true;
}

static bool el0_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (!page_view(v))
        return plain_read(v, d, val);
    *val = *vncr_reg_slot(v, page_timers[timer_reg_of(d)->slot].cval);
    return true;
}

static bool el0_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!page_view(v))
        return plain_write(v, d, val);
    page_cval_write(v, timer_reg_of(d)->slot, val);
    return true;
}

/* ---- A VHE L1's CNTP/CNTV_CTL/CVAL_EL02 ----
 * They have VNCR slots, so L1 reads the page without a trap, where
 * ISTATUS is as of its last exit. With FEAT_ECV elvisor traps them in hyp
 * context (CNTHCTL_EL2.EL1NVPCT/EL1NVVCT, nested_timer_traps), as KVM
 * does, so that ISTATUS follows the count while L1 runs; served from the
 * page. Elsewhere (a non-VHE L1, its guest) nothing traps them here. */
static bool el02_view(const struct vcpu *v)
{
    return !v->nested->nvhe && nested_in_hyp(v);
}

static bool el02_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (!el02_view(v))
        return false;
    *val = page_ctl_read(v, timer_reg_of(d)->slot);
    return true;
}

static bool el02_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!el02_view(v))
        return false;
    page_ctl_write(v, timer_reg_of(d)->slot, val);
    return true;
}

static bool el02_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (!el02_view(v))
        return false;
    *val = *vncr_reg_slot(v, page_timers[timer_reg_of(d)->slot].cval);
    return true;
}

static bool el02_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    if (!el02_view(v))
        return false;
    page_cval_write(v, timer_reg_of(d)->slot, val);
    return true;
}

static bool el0_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    unsigned i = timer_reg_of(d)->slot;

    if (!page_view(v))
        return plain_read(v, d, val);
    *val = vtimer_tval_read(*vncr_reg_slot(v, page_timers[i].cval),
                            vtimer_count(hw_cntpct(), page_offset(v, i)));
    return true;
}

static bool el0_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    unsigned i = timer_reg_of(d)->slot;
    uint64_t now = hw_cntpct();

    if (!page_view(v))
        return plain_write(v, d, val);
    *vncr_reg_slot(v, page_timers[i].cval) = vtimer_tval_to_cval(val, vtimer_count(now, page_offset(v, i)));
    publish_one(v, i, now);
    return true;
}

/* CNTVCT_EL0 at EL2 with E2H = 0 subtracts CNTVOFF_EL2 (D12.2.4.1). */
static bool el0_cntvct_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    if (!page_view(v))
        return plain_read(v, d, val);
    *val = vtimer_count(hw_cntpct(), page_offset(v, 1));
    return true;
}

static bool ro_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return false;
}

/* A row names its register once: the name string and SYS_<reg> key. */
#define EL2_TIMER(reg, rd, wr, id)  { { #reg, SYS_##reg, rd, wr }, id, 0 }
#define EL02_TVAL(reg, slot)        { { #reg, SYS_##reg, el02_tval_read, el02_tval_write }, VTIMER_NR, slot }
#define EL0_TIMER(reg, acc, slot)   { { #reg, SYS_##reg, el0_##acc##_read, el0_##acc##_write }, VTIMER_NR, slot }
#define EL0_COUNT(reg)              { { #reg, SYS_##reg, el0_cntvct_read, ro_write }, VTIMER_NR, 1 }
#define EL02_TIMER(reg, acc, slot)  { { #reg, SYS_##reg, el02_##acc##_read, el02_##acc##_write }, VTIMER_NR, slot }

static const struct timer_reg timer_regs[] = {
    EL2_TIMER(CNTHP_TVAL_EL2, el2_tval_read, el2_tval_write, VTIMER_EL2_PHYS),
    EL2_TIMER(CNTHP_CTL_EL2, el2_ctl_read, el2_ctl_write, VTIMER_EL2_PHYS),
    EL2_TIMER(CNTHP_CVAL_EL2, el2_cval_read, el2_cval_write, VTIMER_EL2_PHYS),
    EL2_TIMER(CNTHV_TVAL_EL2, el2_tval_read, el2_tval_write, VTIMER_EL2_VIRT),
    EL2_TIMER(CNTHV_CTL_EL2, el2_ctl_read, el2_ctl_write, VTIMER_EL2_VIRT),
    EL2_TIMER(CNTHV_CVAL_EL2, el2_cval_read, el2_cval_write, VTIMER_EL2_VIRT),
    EL02_TVAL(CNTP_TVAL_EL02, 0),
    EL02_TVAL(CNTV_TVAL_EL02, 1),
    EL02_TIMER(CNTP_CTL_EL02, ctl, 0),
    EL02_TIMER(CNTP_CVAL_EL02, cval, 0),
    EL02_TIMER(CNTV_CTL_EL02, ctl, 1),
    EL02_TIMER(CNTV_CVAL_EL02, cval, 1),
    EL0_TIMER(CNTP_TVAL_EL0, tval, 0),
    EL0_TIMER(CNTP_CTL_EL0, ctl, 0),
    EL0_TIMER(CNTP_CVAL_EL0, cval, 0),
    EL0_TIMER(CNTV_TVAL_EL0, tval, 1),
    EL0_TIMER(CNTV_CTL_EL0, ctl, 1),
    EL0_TIMER(CNTV_CVAL_EL0, cval, 1),
    EL0_COUNT(CNTVCT_EL0),
    EL0_COUNT(CNTVCTSS_EL0),
};
#define NR_TIMER_REGS   (sizeof(timer_regs) / sizeof(timer_regs[0]))

const struct sysreg_desc *nested_sysreg_lookup(uint32_t key)
{
    const struct sysreg_desc *d = nested_sysreg_find(key);

    if (d)
        return d;
    for (unsigned i = 0; i < NR_TIMER_REGS; i++)
        if (timer_regs[i].desc.key == key)
            return &timer_regs[i].desc;
    return NULL;
}
