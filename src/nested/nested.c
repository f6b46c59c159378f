/* Virtual EL2 for a VM with `virt-el2`: its vCPUs' VNCR pages, their reset
 * into vEL2, and the exits that mean something else when the vCPU is the
 * guest's own hypervisor (docs/nested.md §9.5). */
#include "nested/nested.h"
#include "nested/s2_walk.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hw_timer.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/tlb.h"
#include "core/mm.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"
#include "lib/log.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "trap/exit.h"
#include "trap/inject.h"
#include "trap/sysreg_emul.h"

#define ESR_HVC_IMM_MASK    0xffffULL
#define ESR_ERET_ERETA      BIT(1)  /* ERETAA/ERETAB rather than ERET */
#define ID_AA64PFR0_RAS(pfr0) (((pfr0) >> 28) & 0xf)  /* FEAT_RAS */
#define VSESR_EL2           S3_4_C5_C2_3


/* hyp_features.e2h0 is the signed field: NI_NV1 (0b1110) reads -2, NI
 * (0b1111, E2H RES1 with NV1 implemented: elvisor as a guest hypervisor
 * offered FEAT_NV2 sees it) -1. */
static bool hyp_has_nv1(void)
{
    return id_mmfr4_has_nv1((uint64_t)((unsigned)hyp_features.e2h0 & 0xf) << ID_AA64MMFR4_EL1_E2H0_SHIFT);
}

int nested_vm_check(const struct vm *vm)
{
    if (hyp_features.nv < ID_AA64MMFR2_EL1_NV_NV2) {
        log_err("vm %s: virt-el2 needs FEAT_NV2 (ID_AA64MMFR2_EL1.NV = 2), this CPU has NV = %u",
                vm->cfg->name, hyp_features.nv);
        return -1;
    }
    if (!vm->cfg->virt_el2_nvhe)
        return 0;
    /* E2H0 = NI_NV1 makes the hardware's HCR_EL2.NV1 RES0, and without
     * NV1 the guest's EL1-named accesses would reach the hardware
     * registers that hold its own EL2 state. */
    if (!hyp_has_nv1()) {
        log_err("vm %s: virt-el2-mode = \"nvhe\" needs HCR_EL2.NV1, which this CPU does not have "
                "(ID_AA64MMFR4_EL1.E2H0 = %d)", vm->cfg->name, hyp_features.e2h0);
        return -1;
    }
    /* Its EL1 virtual timer and counter accesses at vEL2 mean its guest's
     * timer (in the VNCR page) and count with its CNTVOFF_EL2: only
     * FEAT_ECV's EL1TVT/EL1TVCT make them trap. */
    if (hyp_features.ecv < 1) {
        log_err("vm %s: virt-el2-mode = \"nvhe\" needs FEAT_ECV (CNTHCTL_EL2.EL1TVT/EL1TVCT), this CPU has "
                "ID_AA64MMFR0_EL1.ECV = 0", vm->cfg->name);
        return -1;
    }
    return 0;
}

int nested_vcpu_init(struct vcpu *v, uint64_t guest_hcr)
{
    struct vcpu_nested *n = hyp_alloc(sizeof(*n), sizeof(uint64_t));

    if (n)
        v->vncr = page_alloc();
    if (!n || !v->vncr) {
        log_err("vm %s: no memory for vCPU %u's virtual EL2 state", v->vm->cfg->name, v->id);
        return -1;
    }
    n->guest_hcr = guest_hcr;
    n->nvhe = v->vm->cfg->virt_el2_nvhe;
    n->nv2 = v->vm->cfg->virt_el2_nv2;
    nested_vhcr_masks(n->nvhe, n->nv2, hyp_has_nv1(), &n->vhcr_masks);
    n->reg_ctx[false] = n->nvhe ? VCPU_CTX_NESTED_NVHE : VCPU_CTX_NESTED;
    n->reg_ctx[true] = n->nvhe ? VCPU_CTX_HYP_NVHE : VCPU_CTX_HYP;
    n->hyp_cnthctl = nested_hyp_cnthctl(n->nvhe);
    n->s2_slot = NS2_POOL_SLOTS;
    if (v->vm->gic_version == 3) {
        const struct vgic_v3_cpu_if *cif = vgic_v3_cpu_if(&v->vm->vgic, v->id);
        n->ich_vtr = nested_ich_vtr(cif->nr_lrs, cif->nr_apr);
    }
    v->nested = n;
    /* The nested context's VMID comes from the allocator at its first use,
     * one no translation is tagged with: nothing to flush here. */
    if (v->id == 0) {
        if (shadow_s2_init(v->vm) < 0) {
            log_err("vm %s: no memory for the shadow stage 2 of its guest's guests", v->vm->cfg->name);
            return -1;
        }
    }
    return 0;
}

/* What a CPU entered at EL2 finds: HCR_EL2 with E2H (RES1 here; RES0 for
 * a non-VHE one) and the rest 0, VPIDR/VMPIDR_EL2 reset to its own
 * MIDR/MPIDR, and its EL2 registers in their reset shape; SCTLR_EL2 with
 * E2H = 1 is SCTLR_EL1's reset value, which vcpu_reset has already put in
 * place. */
void nested_vcpu_reset(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;

    if (!nested_in_hyp(v))
        shadow_s2_leave(v);
    /* The guest hypervisor starts over: none of its stage-2 tables hold. */
    if (v->id == 0)
        shadow_s2_invalidate(v->vm, true);
    memset(v->vncr, 0, VNCR_PAGE_SIZE);
    n->vhcr_logged = 0;
    n->xstats.open_kind = 0;
    n->mi_known = false;
    n->poll_valid = false;
    n->l2_vncr = 0;
    v->timer_voff = 0;
    vncr_reg_write(v, VREG_HCR_EL2, n->nvhe ? 0 : HCR_EL2_E2H);
    vncr_reg_write(v, VREG_VPIDR_EL2, read_sysreg(midr_el1));
    vncr_reg_write(v, VREG_VMPIDR_EL2, v->mpidr);
    nested_set_in_hyp(v, true);
    v->hcr = nested_hyp_hcr(n->guest_hcr, n->nvhe);
    if (n->nvhe)
        nested_el2_reset_nvhe(v);
    /* Its guest may use the EL1 physical counter and timer until it says
     * otherwise (the E2H = 0 layout has those enables at bits 0 and 1). */
    vcpu_cell_write(v, VREG_CNTHCTL_EL2, n->nvhe ? 3 : NESTED_CNTHCTL_OPEN);
}

/* MDCR_EL2's debug traps, which a guest hypervisor's MDCR_EL2 may ask for
 * its guest (nested_debug_traps). */
#define MDCR_DEBUG_TRAPS    (MDCR_EL2_TDA | MDCR_EL2_TDOSA | MDCR_EL2_TDRA)

void nested_load(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;

    /* elvisor's identity map makes the page's address its VA at EL2; its
     * guest at a vEL2 of its own runs on its hypervisor's page. */
    write_sysreg_s(SYS_VNCR_EL2, (!nested_in_hyp(v) && n->l2_vncr) ? n->l2_vncr : (uint64_t)(uintptr_t)v->vncr);

    /* vcpu_load put the VM's own VTTBR in place; the nested context runs
     * its own regime, whose VMID may have to be renewed too. */
    if (!nested_in_hyp(v))
        write_sysreg(vttbr_el2, vmid_vttbr(n->l2_root, vmid_use(n->l2_vmid)));
    nested_load_ids(v);
    nested_hcrx(v, nested_in_hyp(v));
    nested_timer_traps(v);
    n->mdcr_base = read_sysreg(mdcr_el2) & ~MDCR_DEBUG_TRAPS;
    n->mdcr_hw = n->mdcr_base;
    nested_debug_traps(v);
    /* vcpu_load claims FP/SIMD for it untrapped right after this. */
    n->fp_trap_hw = false;
    n->cpacr_trap_hw = false;
}

/* While its guest runs, the hardware traps the debug register accesses its
 * MDCR_EL2 asks for (forwarded, forward.c); elvisor's own MDCR_EL2 traps
 * none of them. Only nested code writes MDCR_EL2 while the vCPU is
 * loaded, so the value read at load (mdcr_base) and the last one written
 * (mdcr_hw) stand for the hardware's: written only when it changes (when
 * elvisor is itself a guest hypervisor each access traps). */
void nested_debug_traps(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;
    uint64_t mdcr = n->mdcr_base;

    if (!nested_in_hyp(v))
        mdcr |= nested_mdcr_traps(vcpu_cell_read(v, VREG_MDCR_EL2));
    if (mdcr == n->mdcr_hw)
        return;
    write_sysreg(mdcr_el2, mdcr);
    isb();
    n->mdcr_hw = mdcr;
}

/* Its guest at a vEL2 of its own runs with the hardware HCR_EL2.NV, under
 * which an exception from EL1 to EL1 reports EL2 in SPSR.M: an injected
 * one too. */
uint64_t nested_injected_spsr(const struct vcpu *v, uint64_t hw_pstate)
{
    return (nested_in_hyp(v) || (v->hcr & HCR_EL2_NV)) ? nested_spsr_to_vel2(hw_pstate) : hw_pstate;
}

/* Its controls over its guest's timers sit in the bits of CNTHCTL_EL2 kept
 * aside (el2_regs.c), with E2H = 0 the whole register. */
uint64_t nested_vcnthctl(const struct vcpu *v)
{
    return nested_cnthctl_e2h1(vcpu_cell_read(v, VREG_CNTHCTL_EL2), !v->nested->nvhe);
}

/* An HVC at vEL2 is for the guest's own EL2, its "current EL": PSCI goes
 * through SMC for a guest with EL2, as on QEMU's virt with EL2. */
static void handle_hvc(struct vcpu *v, uint64_t esr)
{
    if (nested_vhcr(v) & HCR_EL2_HCD) {
        /* HVC disabled: UNDEFINED at the HVC itself, which ELR_EL2 is past. */
        v->regs.pc -= 4;
        inject_undef(v);
        return;
    }
    inject_hvc(v, (uint16_t)(esr & ESR_HVC_IMM_MASK));
}

static const char *mode_name(uint64_t spsr)
{
    switch (spsr & PSR_MODE_MASK) {
    case PSR_MODE_EL0t: return "EL0t";
    case PSR_MODE_EL1t: return "EL1t";
    case PSR_MODE_EL1h: return "EL1h";
    default: return "?";
    }
}

/* What elvisor does not give the guest's guest yet is said once per
 * vCPU and bit, never silently dropped (a guest hypervisor may alternate
 * values across its guest's entries, as Linux 7.3's nVHE KVM does with
 * TID5 and TID5 | TID1: once per value was a line per entry). */
static void log_unhonoured(struct vcpu *v, uint64_t vh)
{
    uint64_t bits = nested_vhcr_unreported(vh, &v->nested->vhcr_logged);

    if (!bits)
        return;
    log_warn("vm %s vcpu %u: HCR_EL2 bits 0x%llx of the guest hypervisor are not honoured for its guest "
             "yet (docs/nested.md §9.6)", v->vm->cfg->name, v->id, (unsigned long long)bits);
}

static uint64_t *page_lrs(struct vcpu *v)
{
    return vncr_reg_slot(v, VREG_ICH_LR0_EL2);
}

static unsigned page_nr_lrs(const struct vcpu_nested *n)
{
    return (unsigned)(n->ich_vtr & ICH_VTR_EL2_ListRegs_MASK) + 1;
}

/* Its maintenance interrupt follows its ICH_HCR_EL2, ICH_VMCR_EL2 and LRs
 * in the page, which it writes without a trap: evaluated before every
 * entry and after every run of its guest. */
static void update_mi(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;
    bool level = nested_mi_level(vncr_reg_read(v, VREG_ICH_HCR_EL2), vncr_reg_read(v, VREG_ICH_VMCR_EL2), page_lrs(v),
                                 page_nr_lrs(n));

    /* Nothing else drives this line: an unchanged level is not given
     * again (the vGIC's lock and generation, twice per L2 exit). */
    if (n->mi_known && level == n->mi_level)
        return;
    vgic_set_irq_level(&v->vm->vgic, v->id, NESTED_MI_INTID, level);
    n->mi_known = true;
    n->mi_level = level;
}

/* The physical INTID elvisor forwards its interrupt vintid from right now
 * (on this CPU, as a hardware timer's PPI), or 0: only while the hardware
 * timer running that timer holds it is the physical PPI its state. */
static uint32_t forwarded_from(struct vcpu *v, uint32_t vintid)
{
    bool hw;

    for (unsigned t = 0; t < HW_TIMER_NR; t++)
        if (v->hw_timer_vintid[t] == vintid && vgic_irq_in_flight(&v->vm->vgic, v->id, vintid, &hw) && hw)
            return hw_timer_ppi((enum hw_timer)t);
    return 0;
}

bool nested_vgic_enter(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;
    struct vgic_v3_cpu_if *img = &n->ich_img;
    uint64_t hcr = vncr_reg_read(v, VREG_ICH_HCR_EL2);
    unsigned nr = page_nr_lrs(n);

    if (v->vm->gic_version != 3)
        return false;
    /* With its IMO/FMO set its guest's ICC_* accesses mean the virtual
     * interface it programs, enabled or not (KVM leaves ICH_HCR_EL2.En
     * clear while no LR is in use): never elvisor's, which holds its own
     * interrupts and priorities. */
    if (nested_in_hyp(v) || !(nested_vhcr(v) & (HCR_EL2_IMO | HCR_EL2_FMO)))
        return false;
    img->nr_apr = vgic_v3_cpu_if(&v->vm->vgic, v->id)->nr_apr;
    /* An LR with HW = 1 names one of its own (virtual) interrupts: linked
     * to the physical one elvisor forwards it from, if any, else a software
     * LR asking for EOI maintenance, so that its guest's deactivation exits
     * at once; either way elvisor's vGIC deactivates its own interrupt at
     * that exit (nested_vgic_exit). An invalid LR stays out of the
     * hardware: its maintenance conditions are the page's (update_mi), and
     * one with EOI set would assert the hardware's maintenance interrupt
     * at every entry while the guest hypervisor does not take its own. */
    n->ich_hw_lrs = 0;
    n->ich_img_lrs = 0;
    for (unsigned i = 0; i < nr; i++) {
        uint64_t lr = page_lrs(v)[i];
        uint32_t pintid = 0;

        if (!(lr & ICH_LR_EL2_State_MASK)) {
            img->lr[i] = 0;
            continue;
        }
        if (lr & ICH_LR_EL2_HW) {
            n->ich_hw_lrs |= 1u << i;
            pintid = forwarded_from(v, nested_lr_pintid(lr));
        }
        img->lr[i] = nested_shadow_lr(lr, pintid);
        if (img->lr[i])
            n->ich_img_lrs |= 1u << i;
    }
    /* Its maintenance conditions are evaluated from the page (update_mi),
     * never signalled by the hardware, which would exit its guest in a
     * loop. Its traps of its guest's ICC_* accesses (TC, TALL0/1, TDIR)
     * trap to elvisor, which forwards them (forward.c). */
    img->hcr = (hcr & (ICH_HCR_EL2_En | NESTED_ICH_HCR_TRAPS)) | (hcr & ICH_HCR_EL2_EOIcount_MASK);
    img->vmcr = vncr_reg_read(v, VREG_ICH_VMCR_EL2);
    for (unsigned i = 0; i < VGIC_V3_MAX_APRS; i++) {
        img->ap0r[i] = (uint32_t)vncr_reg_slot(v, VREG_ICH_AP0R0_EL2)[i];
        img->ap1r[i] = (uint32_t)vncr_reg_slot(v, VREG_ICH_AP1R0_EL2)[i];
    }
    vgic_hw_load_image(img, n->ich_img_lrs);
    n->ich_live = true;
    return true;
}

void nested_vgic_exit(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;
    struct vgic_v3_cpu_if *img = &n->ich_img;
    uint64_t hcr = vncr_reg_read(v, VREG_ICH_HCR_EL2);

    if (!n->ich_live)
        return;
    n->ich_live = false;
    vgic_hw_save_image(img, n->ich_img_lrs);
    /* Back to its own interface state for its next run in hyp context. */
    vgic_hw_load_ctx(v);
    /* An LR loaded as zero is still zero (vgic_hw_save_image), and folding
     * a zero into its page LR changes nothing: its state was invalid. */
    for (uint32_t m = n->ich_img_lrs; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctz(m);
        /* Its guest ended an interrupt linked to one of its own: that one
         * is deactivated, as the hardware does for a physical pINTID. */
        if ((n->ich_hw_lrs & (1u << i)) && !(img->lr[i] & ICH_LR_EL2_State_MASK))
            vgic_deactivate(&v->vm->vgic, v->id, nested_lr_pintid(page_lrs(v)[i]));
        page_lrs(v)[i] = nested_fold_lr(page_lrs(v)[i], img->lr[i]);
    }
    n->ich_hw_lrs = 0;
    /* A forwarded one's physical PPI is released here, where it is loaded. */
    vgic_apply_hw_resync(&v->vm->vgic, v->id);
    vncr_reg_write(v, VREG_ICH_HCR_EL2, (hcr & ~ICH_HCR_EL2_EOIcount_MASK) | (img->hcr & ICH_HCR_EL2_EOIcount_MASK));
    vncr_reg_write(v, VREG_ICH_VMCR_EL2, img->vmcr);
    for (unsigned i = 0; i < VGIC_V3_MAX_APRS; i++) {
        vncr_reg_slot(v, VREG_ICH_AP0R0_EL2)[i] = img->ap0r[i];
        vncr_reg_slot(v, VREG_ICH_AP1R0_EL2)[i] = img->ap1r[i];
    }
    update_mi(v);
}

/* Its guest took the virtual SError its VSE raised: the hardware cleared
 * HCR_EL2.VSE, and so does its own HCR_EL2 (Arm ARM), before that value
 * is written again (an exit to vEL2, a reload). */
static void vse_taken(struct vcpu *v)
{
    if (nested_in_hyp(v) || !(v->hcr & HCR_EL2_VSE) || (read_sysreg(hcr_el2) & HCR_EL2_VSE))
        return;
    v->hcr &= ~HCR_EL2_VSE;
    vncr_reg_write(v, VREG_HCR_EL2, vncr_reg_read(v, VREG_HCR_EL2) & ~HCR_EL2_VSE);
}

/* Its own interrupts are its EL2's while its guest runs as its HCR_EL2
 * routes them: FIQs (group 0 on GICv3) with FMO, IRQs with IMO. One not
 * routed stays pending for its next run at vEL2 (elvisor does not give
 * its guest the guest hypervisor's interrupts). FIQ is taken first. */
void nested_check_irq(struct vcpu *v)
{
    uint64_t route;
    unsigned groups;

    if (v->vm->gic_version == 3)
        update_mi(v);
    vse_taken(v);
    route = nested_vhcr(v) & (HCR_EL2_IMO | HCR_EL2_FMO);
    if (nested_in_hyp(v) || !route)
        return;
    groups = vgic_vcpu_pending_groups(&v->vm->vgic, v->id);
    if ((route & HCR_EL2_FMO) && (groups & VGIC_PENDING_FIQ))
        nested_fiq_to_vel2(v);
    else if ((route & HCR_EL2_IMO) && (groups & VGIC_PENDING_IRQ))
        nested_irq_to_vel2(v);
}

/* Its ELR_EL2 (an ERET from vEL2): VCPU_CTX_HYP's location is
 * VCPU_CTX_HYP_NVHE's too, so a constant context serves both. */
static uint64_t hyp_elr(const struct vcpu *v)
{
    return vcpu_reg_read_in(v, VREG_HYP_ELR_EL1, VCPU_CTX_HYP);
}

/* Its VNCR_EL2 (the page slot: NV2 sends its accesses there) is a VA of
 * its EL2&0 regime, which is the hardware EL1&0 regime in hyp context: the
 * MMU translates it (AT S1E1R; PAR_EL1, which is the guest's, kept), then
 * the VM's stage 2 (its RAM is one block in elvisor's identity map). Only
 * a page of its RAM will do; 0 otherwise. Translated at every entry, so
 * that its stage 1 may change between them (KVM caches it instead). */
#define PAR_F               BIT(0)
#define PAR_PA_MASK         GENMASK(47, 12)
static uint64_t l1_vncr_page(struct vcpu *v, uint64_t va)
{
    uint64_t par_saved = read_sysreg(par_el1), par, ipa;

    sys_at(8, 0, va & ~(uint64_t)(VNCR_PAGE_SIZE - 1));
    isb();
    par = read_sysreg(par_el1);
    write_sysreg(par_el1, par_saved);
    if (par & PAR_F)
        return 0;
    ipa = par & PAR_PA_MASK;
    if (!vm_ipa_is_ram(v->vm, ipa, VNCR_PAGE_SIZE))
        return 0;
    return v->vm->ram_pa + (ipa - v->vm->ram_ipa);
}

void nested_vncr_leave_l2(struct vcpu *v)
{
    v->nested->l2_vncr = 0;
    write_sysreg_s(SYS_VNCR_EL2, (uint64_t)(uintptr_t)v->vncr);
}

/* Its guest is to run at a vEL2 of its own (vHCR.{NV,NV2}): on its page.
 * One elvisor cannot reach stops the VM (the hardware would take a fault
 * to elvisor's EL2 at the guest's first access, with nothing to give the
 * guest hypervisor; KVM injects an SError-like abort). */
static bool enter_l2_vncr(struct vcpu *v, uint64_t vh, uint64_t spsr)
{
    uint64_t va = vncr_read(v, VNCR_VNCR_EL2);

    if ((vh & (HCR_EL2_NV | HCR_EL2_NV2)) != (HCR_EL2_NV | HCR_EL2_NV2))
        return true;
    v->nested->l2_vncr = l1_vncr_page(v, va);
    if (!v->nested->l2_vncr) {
        log_err("vm %s vcpu %u: ERET from vEL2 to %s at 0x%llx with HCR_EL2.NV2: its VNCR_EL2 0x%llx does not "
                "translate to a page of its RAM: VM stopped", v->vm->cfg->name, v->id, mode_name(spsr),
                (unsigned long long)hyp_elr(v), (unsigned long long)va);
        vm_power_off(v->vm, VM_STOPPED);
        return false;
    }
    write_sysreg_s(SYS_VNCR_EL2, v->nested->l2_vncr);
    return true;
}

static void enter_l2(struct vcpu *v, uint64_t spsr)
{
    uint64_t vh = nested_vhcr(v), root = v->vm->s2.root;
    struct vmid_ctx *vmid = &v->vm->l2_vmid;

    if (!enter_l2_vncr(v, vh, spsr))
        return;
    if ((vh & HCR_EL2_VM) && !shadow_s2_enter(v, &root, &vmid)) {
        log_err("vm %s vcpu %u: ERET from vEL2 to %s at 0x%llx: no free shadow stage 2: VM stopped",
                v->vm->cfg->name, v->id, mode_name(spsr), (unsigned long long)hyp_elr(v));
        vm_power_off(v->vm, VM_STOPPED);
        return;
    }
    log_unhonoured(v, vh);
    /* Its virtual SError's syndrome (FEAT_RAS, which the VM shows as the
     * CPU has it) sits in the page. */
    if ((nested_l2_hcr(v->nested->guest_hcr, vh) & HCR_EL2_VSE) && ID_AA64PFR0_RAS(read_sysreg(id_aa64pfr0_el1)))
        write_sysreg(VSESR_EL2, vncr_reg_read(v, VREG_VSESR_EL2));
    nested_xstats_close(&v->nested->xstats, v->nr_exits);
    nested_enter_l2(v, vh, root, vmid, hyp_elr(v), spsr);
}

/* The guest's ELR_EL2 and SPSR_EL2 are the hardware ELR_EL1 and SPSR_EL1
 * while it runs in hyp context (NV2 redirects them). */
static void handle_eret(struct vcpu *v, uint64_t esr)
{
    uint64_t spsr = vcpu_reg_read_in(v, VREG_HYP_SPSR_EL1, VCPU_CTX_HYP), pstate = 0;

    if (esr & ESR_ERET_ERETA) {
        /* Pointer authentication is hidden from guests. */
        inject_undef(v);
        return;
    }
    switch (nested_eret(spsr, nested_vhcr(v), v->regs.pstate, &pstate)) {
    case NESTED_ERET_HYP:
    case NESTED_ERET_ILLEGAL:
        v->regs.pc = hyp_elr(v);
        v->regs.pstate = pstate;
        return;
    case NESTED_ERET_NESTED:
    default:
        enter_l2(v, spsr);
        return;
    }
}

/* Its ICH_HCR_EL2 traps its guest's ICC_* accesses only where its guest
 * runs on its interface image (nested_vgic_enter's condition). */
static uint64_t l2_ich_traps(struct vcpu *v)
{
    if (v->vm->gic_version != 3 || !(nested_vhcr(v) & (HCR_EL2_IMO | HCR_EL2_FMO)))
        return 0;
    return vncr_reg_read(v, VREG_ICH_HCR_EL2) & NESTED_ICH_HCR_TRAPS;
}

/* An access to the VNCR page faulted: the page is elvisor's own memory, or
 * for a guest at a vEL2 of its own its hypervisor's page in the VM's RAM,
 * both always mapped at EL2, so this is elvisor's bug, not the guest's. */
static void handle_vncr_abort(struct vcpu *v, uint64_t esr)
{
    log_err("vm %s vcpu %u: fault on the VNCR page (ESR 0x%llx, FAR 0x%llx, pc 0x%llx): VM stopped",
            v->vm->cfg->name, v->id, (unsigned long long)esr, (unsigned long long)read_sysreg(far_el2),
            (unsigned long long)v->regs.pc);
    vm_power_off(v->vm, VM_STOPPED);
}

/* An exit from the guest's guest: forwarded to vEL2 when its hypervisor
 * asked for it, UNDEFINED where no EL2 or firmware would serve it, else
 * handled as for an EL1 guest (docs/nested.md §9.3). */
static bool handle_l2_sync(struct vcpu *v, uint64_t esr)
{
    vse_taken(v);
    /* Its guest at a vEL2 of its own faulted on its hypervisor's VNCR page
     * (elvisor maps the VM's RAM, so this is elvisor's bug): the VM alone. */
    if (ESR_EC(esr) == EC_DABT_LOW && (esr & ESR_DABT_VNCR)) {
        handle_vncr_abort(v, esr);
        return true;
    }
    if ((ESR_EC(esr) == EC_DABT_LOW || ESR_EC(esr) == EC_IABT_LOW) && v->nested->s2_slot < NS2_POOL_SLOTS &&
        shadow_s2_fault(v, esr))
        return true;
    /* Only register accesses and FP/SIMD have rows testing more than its
     * HCR_EL2 (NESTED_FWD_HCR_ONLY): the hypercall path reads no more.
     * No AMU or trace unit is offered (trap/id_regs.c): their registers
     * are UNDEFINED for its guest whatever its CPTR_EL2 says. */
    struct nested_ctls c = { .hcr = nested_vhcr(v) };

    if (!NESTED_FWD_HCR_ONLY(ESR_EC(esr))) {
        c.cnthctl = nested_vcnthctl(v);
        c.mdcr = vcpu_cell_read(v, VREG_MDCR_EL2);
        c.ich_hcr = l2_ich_traps(v);
        c.cptr = nested_l2_cptr_traps(v);
    }

    switch (nested_l2_exit_kind(esr, &c)) {
    case NESTED_L2_TO_VEL2:
        nested_exit_to_vel2(v, esr);
        return true;
    case NESTED_L2_UNDEF:
        /* At the instruction itself, which ELR_EL2 is past for an HVC. */
        if (ESR_EC(esr) == EC_HVC64)
            v->regs.pc -= 4;
        inject_undef(v);
        return true;
    case NESTED_L2_ID_UNDEF:
        inject_id_space_undef(v, esr);
        return true;
    case NESTED_L2_ELVISOR:
    default:
        return nested_l2_vncr_access(v, esr);
    }
}

bool nested_handle_sync(struct vcpu *v, uint64_t esr)
{
    if (!nested_in_hyp(v))
        return handle_l2_sync(v, esr);
    switch (ESR_EC(esr)) {
    case EC_HVC64:
        handle_hvc(v, esr);
        return true;
    case EC_ERET:
        handle_eret(v, esr);
        return true;
    case EC_SYS64:
        return nested_sys_insn(v, esr);
    case EC_DABT_CUR:
        if (!(esr & ESR_DABT_VNCR))
            return false;
        handle_vncr_abort(v, esr);
        return true;
    default:
        return false;
    }
}

/* Before each entry: an interrupt for the guest hypervisor may end its
 * guest's run first; then its guest runs on its list registers or not. */
/* While its guest runs, elvisor's CPTR_EL2 traps FP/SIMD and CPACR_EL1
 * accesses when its own does (forwarded, forward.c); otherwise the vCPU
 * owns the FP/SIMD registers untrapped (vcpu_fp_claim at load). A VHE
 * guest hypervisor's CPACR_EL1 accesses always trap: in its hyp context
 * the name is its CPTR_EL2 (el2_regs.c cpacr_read), and keeping the trap
 * while its guest runs saves a CPTR_EL2 write at every switch (its
 * guest's rare accesses are emulated). Written when that changes. */
static void cptr_traps(struct vcpu *v)
{
    struct vcpu_nested *n = v->nested;
    uint64_t traps = nested_in_hyp(v) ? 0 : nested_l2_cptr_traps(v);
    bool fp = (traps & NESTED_CPTR_TFP) != 0;
    bool cpacr = !n->nvhe || (traps & NESTED_CPTR_TCPAC) != 0;

    if (fp != n->fp_trap_hw || cpacr != n->cpacr_trap_hw) {
        hyp_cptr_trap(fp, cpacr);
        n->fp_trap_hw = fp;
        n->cpacr_trap_hw = cpacr;
    }
}

/* A VHE guest hypervisor writes its CPTR_EL2 through the CPACR_EL1 name,
 * which traps (cptr_traps), and Linux's KVM does so at every entry to its
 * guest and every exit from it: on the exit fast path. In hyp context
 * nothing pre_enter() computes depends on it (cptr_traps does not read it
 * there); a maintenance-interrupt condition L1 set up in its page before
 * the write is seen at the next exit that is not fast, as it is seen at
 * the next exit anyway (update_mi). */
static bool nested_exit_is_fast(const struct vcpu *v, uint64_t esr)
{
    return ESR_EC(esr) == EC_SYS64 && esr_sysreg_key(esr) == SYS_CPACR_EL1 && nested_in_hyp(v) &&
           !v->nested->nvhe;
}

static bool nested_pre_enter(struct vcpu *v)
{
    nested_check_irq(v);
    cptr_traps(v);
    return nested_vgic_enter(v);
}

/* At the VM's stop: what its guest's exits cost (exit_stats.c), one line
 * per vCPU that ran a guest; tools/bench.sh reads it. */
static void nested_report(const struct vcpu *v)
{
    struct nested_xsummary h, o, i, e;

    nested_xstats_summary(&v->nested->xstats, NESTED_X_HVC, &h);
    nested_xstats_summary(&v->nested->xstats, NESTED_X_OTHER, &o);
    nested_xstats_summary(&v->nested->xstats, NESTED_X_IRQ, &i);
    nested_xstats_summary(&v->nested->xstats, NESTED_X_ERET, &e);
    if (!h.count && !o.count && !i.count && !e.count)
        return;
    /* Its guest's ERETs exist only at three levels (§9.21): said then. */
    char eret[64] = "";
    if (e.count)
        elv_snprintf(eret, sizeof(eret), ", eret %llu: %u/%u/%u", (unsigned long long)e.count, e.min, e.median, e.max);
    log_info("vm %s vcpu %u: elvisor exits per exit of its guest handled at its vEL2 (count: min/median/max): "
             "hvc %llu: %u/%u/%u, other %llu: %u/%u/%u, irq %llu: %u/%u/%u%s", v->vm->cfg->name, v->id,
             (unsigned long long)h.count, h.min, h.median, h.max, (unsigned long long)o.count, o.min, o.median,
             o.max, (unsigned long long)i.count, i.min, i.median, i.max, eret);
}

static void nested_vcpu_put(struct vcpu *v)
{
    vse_taken(v);
    nested_put(v);
    nested_hcrx(v, true);       /* the other vCPUs' value */
}

static const struct vcpu_ext_ops nested_ext_ops = {
    .reset = nested_vcpu_reset,
    .load = nested_load,
    .pre_enter = nested_pre_enter,
    .post_exit = nested_vgic_exit,
    .sync_exit = nested_handle_sync,
    .exit_is_fast = nested_exit_is_fast,
    .sysreg = nested_sysreg_lookup,
    .inject_spsr = nested_injected_spsr,
    .timer_map = nested_timer_map,
    .poll_timers = nested_poll_timers,
    .put = nested_vcpu_put,
    .report = nested_report,
};

int nested_vm_attach(struct vm *vm)
{
    if (nested_vm_check(vm) < 0)
        return -1;
    /* The forward table's index (forward.c) costs about 600,000
     * instructions to build: here, when the VM is created, not at its
     * guest's first register access (counter's first-instruction checks
     * at L2 saw it). */
    (void)nested_fwd_indexed();
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = &vm->vcpus[i];
        if (nested_vcpu_init(v, v->hcr) < 0)
            return -1;
        v->ext = &nested_ext_ops;
    }
    return 0;
}
