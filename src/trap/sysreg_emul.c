#include "trap/sysreg_emul.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/id_reg_hw.h"
#include "core/guest_log.h"
#include "core/vm.h"
#include "lib/log.h"
#include "trap/exit.h"
#include "trap/inject.h"
#include "trap/vtimer.h"

/* HCR_EL2.TID3 traps the ID register space: op0 = 3, op1 = 0, CRn = 0,
 * CRm = 1..7 (CRm = 0 holds MIDR, MPIDR and friends, which do not trap). */
#define ID_SPACE_CRM_FIRST  1
#define ID_SPACE_CRM_LAST   7

static bool is_id_space(uint32_t key)
{
    unsigned crm = SYSREG_KEY_CRM(key);

    return sysreg_key_in_id_block(key) && crm >= ID_SPACE_CRM_FIRST && crm <= ID_SPACE_CRM_LAST;
}

static bool id_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    uint64_t hw = arch_read_id_reg(SYSREG_KEY_CRM(d->key), SYSREG_KEY_OP2(d->key));

    const struct vm_config *c = v->vm->cfg;

    *val = c->virt_el2 ? id_reg_sanitize_vel2(d->key, hw, hyp_ipa_bits, c->virt_el2_nvhe, c->virt_el2_nv2)
                       : id_reg_sanitize(d->key, hw, hyp_ipa_bits);
    return true;
}

static bool refuse_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return false;
}

static bool refuse_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    return false;
}

static bool sgi1r_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    uint32_t gen_before;

    /* The vGIC notes an SGI to others only, for the exit fast path. */
    (void)vgic_send_sgi_to_others(&v->vm->vgic, v->id, val, &gen_before);
    return true;
}

/* Group 0 SGIs and the alias for the other security state have no use in
 * a guest with one security state: writes are ignored. */
static bool ignore_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return true;
}

/* The name string and the key from one database name. */
#define SYSREG_ROW(reg, rd, wr) { #reg, SYS_##reg, rd, wr }

static const struct sysreg_desc sysregs[] = {
    SYSREG_ROW(ICC_SGI1R_EL1, refuse_read, sgi1r_write),
    SYSREG_ROW(ICC_ASGI1R_EL1, refuse_read, ignore_write),
    SYSREG_ROW(ICC_SGI0R_EL1, refuse_read, ignore_write),
    /* Trapped only without CNTPOFF_EL2 (trap/vtimer.c). The counters are read-only. */
    SYSREG_ROW(CNTPCT_EL0, vtimer_cntpct_read, refuse_write),
    SYSREG_ROW(CNTPCTSS_EL0, vtimer_cntpctss_read, refuse_write),
    SYSREG_ROW(CNTP_TVAL_EL0, vtimer_ptimer_tval_read, vtimer_ptimer_tval_write),
    SYSREG_ROW(CNTP_CTL_EL0, vtimer_ptimer_ctl_read, vtimer_ptimer_ctl_write),
    SYSREG_ROW(CNTP_CVAL_EL0, vtimer_ptimer_cval_read, vtimer_ptimer_cval_write),
};

/* Every ID register shares one descriptor shape; built on lookup. */
static const struct sysreg_desc id_desc = { "ID register", 0, id_read, refuse_write };

#define NR_SYSREGS (sizeof(sysregs) / sizeof(sysregs[0]))

const struct sysreg_desc *sysreg_table(unsigned *count)
{
    *count = NR_SYSREGS;
    return sysregs;
}

const struct sysreg_desc *sysreg_find(uint32_t key)
{
    for (unsigned i = 0; i < NR_SYSREGS; i++)
        if (sysregs[i].key == key)
            return &sysregs[i];
    return NULL;
}

void sysreg_trap(struct vcpu *v, uint64_t esr)
{
    struct sysreg_access a;
    const struct sysreg_desc *d;
    struct sysreg_desc id;
    bool ok;

    esr_decode_sysreg(esr, &a);
    uint32_t key = sysreg_access_key(&a);
    /* A guest hypervisor's trapped EL2 registers come first. */
    d = v->ext ? v->ext->sysreg(key) : NULL;
    if (!d)
        d = sysreg_find(key);
    if (!d && is_id_space(key)) {
        id = id_desc;
        id.key = key;
        d = &id;
    }
    if (!d) {
        vm_warn(v->vm, "vm %s vcpu %u: %s of unhandled system register S%u_%u_C%u_C%u_%u at pc 0x%llx: undefined instruction injected",
                 v->vm->cfg->name, v->id, a.is_read ? "read" : "write", a.op0, a.op1, a.crn, a.crm,
                 a.op2, (unsigned long long)v->regs.pc);
        inject_undef(v);
        return;
    }
    if (a.is_read) {
        uint64_t val = 0;
        ok = d->read(v, d, &val);
        if (ok)
            vcpu_set_reg(v, a.reg, val);
    } else {
        ok = d->write(v, d, vcpu_get_reg(v, a.reg));
    }
    if (!ok) {
        vm_warn(v->vm, "vm %s vcpu %u: %s of %s refused: undefined instruction injected", v->vm->cfg->name,
                 v->id, a.is_read ? "read" : "write", d->name);
        inject_undef(v);
        return;
    }
    vcpu_skip_instr(v);
}
