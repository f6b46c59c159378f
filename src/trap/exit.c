#include "trap/exit.h"

#include "arch/arm64/asm_offsets.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/mops.h"
#include "arch/arm64/sysreg.h"
#include "core/guest_log.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"
#include "lib/log.h"
#include "trap/inject.h"
#include "trap/smccc.h"

typedef void (*exit_handler_fn)(struct vcpu *v, uint64_t esr);

static void handle_wfx(struct vcpu *v, uint64_t esr)
{
    vcpu_skip_instr(v);
    /* WFE only yields; WFI waits until an interrupt is pending. */
    if ((esr & ESR_WFX_TI_MASK) == 0 && !vgic_vcpu_has_pending(&v->vm->vgic, v->id))
        vcpu_wait_for_irq(v);
}

static void handle_hvc(struct vcpu *v, uint64_t esr)
{
    /* ELR_EL2 already points past an HVC. */
    smccc_handle(v);
}

static void handle_smc(struct vcpu *v, uint64_t esr)
{
    /* A trapped SMC reports the SMC itself; SMCCC over SMC works like HVC. */
    vcpu_skip_instr(v);
    smccc_handle(v);
}

/* First FP/SIMD use of a vCPU whose registers were elsewhere: the same
 * instruction runs again once they are in. */
static void handle_fp_trap(struct vcpu *v, uint64_t esr)
{
    vcpu_fp_claim(v);
}

static void handle_sysreg(struct vcpu *v, uint64_t esr)
{
    sysreg_trap(v, esr);
}

/* Inlined into the exit path (an MMIO access is the most common exit);
 * exit_dabt_at() is the same for the nested stage-2 fault path. */
static inline __attribute__((always_inline)) void dabt_at(struct vcpu *v, uint64_t esr, uint64_t far,
                                                         uint64_t ipa)
{
    struct dabt_info d;
    const struct mmio_region *r;

    esr_decode_dabt(esr, &d);
    r = io_bus_find(&v->vm->mmio, ipa);
    /* One test of the syndrome for the three ways an access cannot be
     * emulated (no ISV, on a stage-1 walk, cache maintenance). */
    if (!r || (esr & (ESR_DABT_ISV | ESR_DABT_S1PTW | ESR_DABT_CM)) != ESR_DABT_ISV) {
        /* Not an access elvisor can emulate: the guest sees the abort a bus
         * error would give, and carries on or crashes on its own. */
        vm_debug(v->vm, "vm %s vcpu %u: %s at IPA 0x%llx (pc 0x%llx): external abort injected",
                  v->vm->cfg->name, v->id, r ? "unemulable access" : "access outside RAM and devices",
                  (unsigned long long)ipa, (unsigned long long)v->regs.pc);
        if (d.cache_maint && r) {
            /* Cache maintenance by VA on a device region has no effect. */
            vcpu_skip_instr(v);
            return;
        }
        inject_dabt_sea(v, far, d.is_write);
        return;
    }

    struct mmio_access acc = {
        .offset = ipa - r->base,
        .size = d.size,
        .is_write = d.is_write,
        .value = d.is_write ? vcpu_get_reg(v, d.reg) : 0,
    };
    if (acc.is_write && acc.size < 8)
        acc.value &= (1ULL << (8 * acc.size)) - 1;
    if (!r->handler(r->dev, v->id, &acc)) {
        inject_dabt_sea(v, far, d.is_write);
        return;
    }
    if (!acc.is_write)
        vcpu_set_reg(v, d.reg, dabt_load_value(&d, acc.value));
    vcpu_skip_instr(v);
}

void exit_dabt_at(struct vcpu *v, uint64_t esr, uint64_t far, uint64_t ipa)
{
    dabt_at(v, esr, far, ipa);
}

#define PAR_EL1_F           BIT(0)
#define PAR_EL1_PA_MASK     GENMASK(51, 12)

bool exit_perm_fault_ipa(uint64_t far, uint64_t *ipa)
{
    uint64_t saved = read_sysreg(par_el1), par;

    sys_at(8, 0, far);          /* AT S1E1R */
    isb();
    par = read_sysreg(par_el1);
    write_sysreg(par_el1, saved);
    if (par & PAR_EL1_F)
        return false;
    *ipa = (par & PAR_EL1_PA_MASK) | (far & 0xfff);
    return true;
}

static void handle_dabt(struct vcpu *v, uint64_t esr)
{
    uint64_t far = read_sysreg(far_el2), ipa;

    if ((esr & (ESR_FSC_TYPE_MASK | ESR_DABT_S1PTW)) != ESR_FSC_PERM)
        ipa = fault_ipa(read_sysreg(hpfar_el2), far);
    else if (v->vm->ro_page_ipa != VM_NO_RO_PAGE)
        ipa = v->vm->ro_page_ipa | (far & 0xfff);     /* its only read-only page */
    else if (!exit_perm_fault_ipa(far, &ipa))
        return;
    dabt_at(v, esr, far, ipa);
}

static void handle_iabt(struct vcpu *v, uint64_t esr)
{
    uint64_t far = read_sysreg(far_el2);

    vm_debug(v->vm, "vm %s vcpu %u: instruction fetch outside RAM at 0x%llx", v->vm->cfg->name, v->id,
              (unsigned long long)far);
    inject_iabt_sea(v, far);
}

/* SVE and SME are not offered (their ID fields read 0, CPTR_EL2 traps
 * them): what a CPU without them does is UNDEFINED, quietly. */
/* A copy or set that cannot go on where it stopped (HCRX_EL2.MCE2 sends it
 * here): restart it from its prologue. */
static void handle_mops(struct vcpu *v, uint64_t esr)
{
    mops_restart(v->regs.x, &v->regs.pc, &v->regs.pstate, esr);
}

static void handle_hidden_feature(struct vcpu *v, uint64_t esr)
{
    inject_undef(v);
}

static void handle_unknown(struct vcpu *v, uint64_t esr)
{
    vm_warn(v->vm, "vm %s vcpu %u: unhandled trap EC 0x%x ESR 0x%llx at pc 0x%llx: undefined instruction injected",
             v->vm->cfg->name, v->id, ESR_EC(esr), (unsigned long long)esr,
             (unsigned long long)v->regs.pc);
    inject_undef(v);
}

/* What handles each exit, by ESR_EL2.EC. A fast kind needs neither the
 * scheduler nor the vGIC's view of the vCPU's list registers: the run step
 * may handle it with the guest's GIC state left in the hardware and enter
 * again at once (exit_fast(), trap/exit.h). Whatever such a handler
 * changes that the run loop must see (power, a VM reset, an interrupt for
 * this vCPU) sends it the slow way after the fact. */
struct exit_kind {
    exit_handler_fn handle;
    bool fast;
};

static const struct exit_kind exit_table[EC_NR] = {
    [EC_WFX] = { handle_wfx, false },
    [EC_FP_ASIMD] = { handle_fp_trap, true },
    [EC_HVC64] = { handle_hvc, true },
    [EC_SMC64] = { handle_smc, true },
    [EC_SYS64] = { handle_sysreg, true },
    [EC_SVE] = { handle_hidden_feature, false },
    [EC_SME] = { handle_hidden_feature, false },
    [EC_DABT_LOW] = { handle_dabt, true },
    [EC_IABT_LOW] = { handle_iabt, false },
    [EC_MOPS] = { handle_mops, true },
};

static inline void count_sync_exit(struct vcpu *v, uint64_t esr)
{
    v->nr_exits++;
    v->nr_sync_exits[ESR_EC(esr)]++;
}

/* Nothing the run loop decides has changed since the vGIC was at gen
 * (but this exit's own SGI to other vCPUs, ICC_SGI1R_EL1 or GICD_SGIR,
 * which kicked them): v may enter again as it is. Relaxed loads: what
 * this exit's handler changed is seen in program order, and another CPU
 * that changes v's VM or power state kicks v's CPU, whose interrupt ends
 * the next run at once and takes the run loop's own (acquiring) look. */
static inline bool vgic_unchanged_for(const struct vcpu *v, uint32_t gen)
{
    return vgic_gen(&v->vm->vgic) == gen || vgic_moved_only_by_own_sgi(&v->vm->vgic, v->id, gen);
}

static inline bool stays_entered(const struct pcpu *p, const struct vcpu *v, uint32_t gen)
{
    return vgic_unchanged_for(v, gen) && !__atomic_load_n(&p->resched, __ATOMIC_RELAXED) &&
           __atomic_load_n(&v->vm->state, __ATOMIC_RELAXED) == VM_RUNNING &&
           __atomic_load_n(&v->power, __ATOMIC_RELAXED) == VCPU_ON &&
           !__atomic_load_n(&v->on_pending, __ATOMIC_RELAXED) && v->wait == VCPU_RUNNING;
}

static inline __attribute__((always_inline)) struct vcpu *vcpu_of_regs(void *regs)
{
    return (struct vcpu *)(void *)((char *)regs - offsetof(struct vcpu, regs));
}

/* The handling both fast paths share, once the exit is known to be fast. */
static inline __attribute__((always_inline)) uint64_t handle_fast(struct vcpu *v, uint64_t esr,
                                                                  exit_handler_fn fn)
{
    uint32_t gen = vgic_gen(&v->vm->vgic);

    count_sync_exit(v, esr);
    fn(v, esr);
    return stays_entered(this_pcpu(), v, gen) ? EXIT_REENTER : EXIT_SYNC_DONE;
}

uint64_t exit_fast(void *regs)
{
    struct vcpu *v = vcpu_of_regs(regs);
    uint64_t esr = read_sysreg(esr_el2);
    const struct exit_kind *k = &exit_table[ESR_EC(esr)];

    if (!k->fast || !vgic_lrs_idle(&v->vm->vgic, v->id))
        return EXIT_SYNC;
    return handle_fast(v, esr, k->handle);
}

/* As handle_exit() does for a vCPU with an extension: its handler first. */
static void ext_then_table(struct vcpu *v, uint64_t esr)
{
    exit_handler_fn fn = exit_table[ESR_EC(esr)].handle;

    if (!v->ext->sync_exit(v, esr))
        (fn ? fn : handle_unknown)(v, esr);
}

uint64_t exit_fast_ext(void *regs)
{
    struct vcpu *v = vcpu_of_regs(regs);
    uint64_t esr = read_sysreg(esr_el2);

    if (!v->ext->exit_is_fast(v, esr) || !vgic_lrs_idle(&v->vm->vgic, v->id))
        return EXIT_SYNC;
    return handle_fast(v, esr, ext_then_table);
}

bool handle_exit(struct vcpu *v, uint64_t exit_code)
{
    if (exit_code != EXIT_SYNC)
        v->nr_exits++;
    switch (exit_code) {
    case EXIT_SYNC: {
        uint64_t esr = read_sysreg(esr_el2);
        exit_handler_fn fn = exit_table[ESR_EC(esr)].handle;
        count_sync_exit(v, esr);
        if (v->ext && v->ext->sync_exit(v, esr))
            break;
        (fn ? fn : handle_unknown)(v, esr);
        break;
    }
    case EXIT_IRQ:
        v->nr_irq_exits++;
        return true;
    case EXIT_FIQ:
        break;
    case EXIT_SERROR:
    default:
        log_err("vm %s vcpu %u: SError from the guest (ESR 0x%llx): VM stopped", v->vm->cfg->name,
                v->id, (unsigned long long)read_sysreg(esr_el2));
        vm_power_off(v->vm, VM_STOPPED);
        break;
    }
    return false;
}
