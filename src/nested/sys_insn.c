/* A guest hypervisor's TLB maintenance and address translation
 * instructions at its vEL2 (docs/nested.md §1.4, §9.5, §9.22): which
 * regime each means, what elvisor invalidates for it, and the AT forms run
 * in the right regime, S12 walking its stage 2 after. */
#include "nested/nested.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/tlb.h"
#include "core/vm.h"
#include "trap/exit.h"

/* Trapped system instructions (op0 = 1): TLB maintenance (CRn = 8, or 9
 * for the nXS forms) of the EL2 regimes and of stage 2 (op1 = 4, trapped
 * by NV) or of the EL1&0 regime (op1 = 0, trapped by TTLB); address
 * translation (CRn = 7, CRm = 8 or 9) of stage 1 of EL1&0 (op1 = 0,
 * trapped by HCR_EL2.AT) or of EL2 (op1 = 4, trapped by NV). */
#define SYS_INSN_OP0        1
#define SYS_INSN_EL1_OP1    0
#define TLBI_EL2_OP1        4
#define TLBI_CRN            8
#define TLBI_NXS_CRN        9
#define AT_CRN              7
#define AT_CRM              8
#define AT_PAN_CRM          9

/* The EL1 regime an EL1-named TLBI or AT from vEL2 means: with vE2H =
 * vTGE = 1 the guest hypervisor's own EL2&0 regime, else its guest's
 * EL1&0 regime (docs/nested.md §1.4). */
static bool l1_regime(const struct vcpu *v)
{
    return (nested_vhcr(v) & (HCR_EL2_E2H | HCR_EL2_TGE)) == (HCR_EL2_E2H | HCR_EL2_TGE);
}

/* TLB maintenance from vEL2. The guest hypervisor's own EL2&0 regime is the
 * hardware EL1&0 regime under the VM's VMID; its guest's EL1&0 regime runs
 * under the nested VMID on the VM's stage 2 (vHCR.VM = 0) or under a shadow
 * context's VMID (vHCR.VM = 1). Each is invalidated whole: more than
 * asked, never less. The EL2-only forms (op1 = 4: EL2 regimes, IPAS2*,
 * VMALLS12E1*, ALLE1*) may concern any, and may mean its stage 2 changed:
 * every shadow context is emptied. */
static void handle_tlbi(struct vcpu *v, unsigned op1)
{
    if (op1 == TLBI_EL2_OP1 || l1_regime(v))
        tlb_flush_vmid(vm_vttbr(v->vm));
    /* A nested context that never ran has no VMID and no entries. */
    if ((op1 == TLBI_EL2_OP1 || !l1_regime(v)) && vmid_last(&v->vm->l2_vmid))
        tlb_flush_vmid(nested_vttbr(v->vm));
    if (op1 == TLBI_EL2_OP1)
        shadow_s2_invalidate(v->vm, true);
    else if (!l1_regime(v))
        shadow_s2_invalidate(v->vm, false);
}

#define AT_FN(name, crm, op2) \
    static void name(uint64_t va) { sys_at(crm, op2, va); }
AT_FN(at_s1e1r, 8, 0)
AT_FN(at_s1e1w, 8, 1)
AT_FN(at_s1e0r, 8, 2)
AT_FN(at_s1e0w, 8, 3)
AT_FN(at_s1e1rp, 9, 0)
AT_FN(at_s1e1wp, 9, 1)

/* AT S1E1RP/WP check the PSTATE.PAN of the PE that executes them: elvisor's
 * at EL2 is made the guest's for the translation. */
static void at_with_pan(struct vcpu *v, void (*at)(uint64_t), uint64_t va, bool own)
{
    uint64_t pan = read_sysreg_s(SYS_PAN);

    write_sysreg_s(SYS_PAN, v->regs.pstate & PSR_PAN);
    isb();
    if (own)
        at(va);
    else
        nested_at_in_l2(v, at, va, (nested_vhcr(v) & HCR_EL2_VM) != 0);
    write_sysreg_s(SYS_PAN, pan);
    isb();
}

/* AT S1E1R/W, S1E0R/W, S1E1RP/WP (HCR_EL2.AT), AT S1E2R/W and AT
 * S12E1R/W, S12E0R/W (NV). The guest's own regime is in the hardware; its
 * guest's is loaded around the translation, and for S12 its stage 2 is
 * walked after (shadow_s2.c nested_at_s12; in its own regime, vE2H = vTGE
 * = 1, there is no stage 2 and S12 is the stage-1 form). Returns false for
 * the forms elvisor does not know (the sysreg table then makes them
 * UNDEFINED with a log line). */
#define AT_S12_FIRST_OP2    4
#define AT_S12_LAST_OP2     7

static bool handle_at(struct vcpu *v, const struct sysreg_access *a)
{
    static void (*const el1[])(uint64_t) = { at_s1e1r, at_s1e1w, at_s1e0r, at_s1e0w };
    void (*at)(uint64_t) = NULL;
    uint64_t va = vcpu_get_reg(v, a->reg);
    bool own = l1_regime(v);

    if (a->op1 == TLBI_EL2_OP1 && a->crm == AT_CRM && a->op2 >= AT_S12_FIRST_OP2 &&
        a->op2 <= AT_S12_LAST_OP2) {
        at = el1[a->op2 - AT_S12_FIRST_OP2];
        if (own) {
            at(va);
            isb();
        } else {
            nested_at_s12(v, at, va, (a->op2 & 1) != 0, (nested_vhcr(v) & HCR_EL2_VM) != 0);
        }
        vcpu_skip_instr(v);
        return true;
    }
    if (a->op1 == TLBI_EL2_OP1 && a->crm == AT_CRM && a->op2 <= 1) {
        at = a->op2 ? at_s1e1w : at_s1e1r;
        own = true;
    } else if (a->op1 == SYS_INSN_EL1_OP1 && a->crm == AT_CRM && a->op2 <= 3) {
        at = el1[a->op2];
    } else if (a->op1 == SYS_INSN_EL1_OP1 && a->crm == AT_PAN_CRM && a->op2 <= 1) {
        at = a->op2 ? at_s1e1wp : at_s1e1rp;
    }
    if (!at)
        return false;
    /* Only a CPU with FEAT_PAN2 traps them (else they are UNDEFINED at
     * EL1), so PSTATE.PAN exists. */
    if (a->crm == AT_PAN_CRM) {
        at_with_pan(v, at, va, own);
    } else if (own) {
        at(va);
        isb();
    } else {
        nested_at_in_l2(v, at, va, (nested_vhcr(v) & HCR_EL2_VM) != 0);
    }
    vcpu_skip_instr(v);
    return true;
}

bool nested_sys_insn(struct vcpu *v, uint64_t esr)
{
    struct sysreg_access a;

    esr_decode_sysreg(esr, &a);
    if (a.op0 != SYS_INSN_OP0)
        return false;
    if ((a.op1 == TLBI_EL2_OP1 || a.op1 == SYS_INSN_EL1_OP1) && (a.crn == TLBI_CRN || a.crn == TLBI_NXS_CRN)) {
        handle_tlbi(v, a.op1);
        vcpu_skip_instr(v);
        return true;
    }
    if (a.crn == AT_CRN && (a.op1 == TLBI_EL2_OP1 || a.op1 == SYS_INSN_EL1_OP1))
        return handle_at(v, &a);
    return false;
}
