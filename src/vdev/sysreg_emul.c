#include "vdev/sysreg_emul.h"

#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"
#include "core/esr.h"
#include "core/exit.h"
#include "core/inject.h"
#include "core/vm.h"
#include "lib/log.h"
#include "vdev/vtimer.h"

/* The ID register space (op0=3, op1=0, CRn=0, CRm=1..7) read from the
 * hardware; unallocated encodings read as zero there too. */
#define ID_CASE(crm, op2) \
    case (crm) * 8 + (op2): return read_sysreg(S3_0_C0_C##crm##_##op2)
#define ID_ROW(crm) \
    ID_CASE(crm, 0); ID_CASE(crm, 1); ID_CASE(crm, 2); ID_CASE(crm, 3); \
    ID_CASE(crm, 4); ID_CASE(crm, 5); ID_CASE(crm, 6); ID_CASE(crm, 7)

static uint64_t read_hw_id_reg(unsigned crm, unsigned op2)
{
    switch (crm * 8 + op2) {
    ID_ROW(1); ID_ROW(2); ID_ROW(3); ID_ROW(4); ID_ROW(5); ID_ROW(6); ID_ROW(7);
    default:
        return 0;
    }
}

static bool is_id_space(uint32_t key)
{
    unsigned crm = (key >> 3) & 0xf;

    return (key & ~(uint32_t)0x7f) == SYSREG_KEY(3, 0, 0, 0, 0) && crm >= 1 && crm <= 7;
}

static bool id_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    unsigned crm = (d->key >> 3) & 0xf, op2 = d->key & 7;

    *val = id_reg_sanitize(d->key, read_hw_id_reg(crm, op2), hyp_ipa_bits);
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
    vgic_send_sgi(&v->vm->vgic, v->id, val);
    return true;
}

/* Group 0 SGIs and the alias for the other security state have no use in
 * a guest with one security state: writes are ignored. */
static bool ignore_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return true;
}

static const struct sysreg_desc sysreg_table[] = {
    { "ICC_SGI1R_EL1", SYSREG_KEY(3, 0, 12, 11, 5), refuse_read, sgi1r_write },
    { "ICC_ASGI1R_EL1", SYSREG_KEY(3, 0, 12, 11, 6), refuse_read, ignore_write },
    { "ICC_SGI0R_EL1", SYSREG_KEY(3, 0, 12, 11, 7), refuse_read, ignore_write },
    /* Trapped only without CNTPOFF_EL2 (vtimer.c). The counters are read-only. */
    { "CNTPCT_EL0", SYSREG_KEY(3, 3, 14, 0, 1), vtimer_cntpct_read, refuse_write },
    { "CNTPCTSS_EL0", SYSREG_KEY(3, 3, 14, 0, 5), vtimer_cntpctss_read, refuse_write },
    { "CNTP_TVAL_EL0", SYSREG_KEY(3, 3, 14, 2, 0), vtimer_ptimer_tval_read, vtimer_ptimer_tval_write },
    { "CNTP_CTL_EL0", SYSREG_KEY(3, 3, 14, 2, 1), vtimer_ptimer_ctl_read, vtimer_ptimer_ctl_write },
    { "CNTP_CVAL_EL0", SYSREG_KEY(3, 3, 14, 2, 2), vtimer_ptimer_cval_read, vtimer_ptimer_cval_write },
};

/* Every ID register shares one descriptor shape; built on lookup. */
static struct sysreg_desc id_desc = { "ID register", 0, id_read, refuse_write };

const struct sysreg_desc *sysreg_find(uint32_t key)
{
    for (unsigned i = 0; i < sizeof(sysreg_table) / sizeof(sysreg_table[0]); i++)
        if (sysreg_table[i].key == key)
            return &sysreg_table[i];
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
    d = sysreg_find(key);
    if (!d && is_id_space(key)) {
        id = id_desc;
        id.key = key;
        d = &id;
    }
    if (!d) {
        log_warn("vm %s vcpu %u: %s of unhandled system register S%u_%u_C%u_C%u_%u at pc 0x%llx: undefined instruction injected",
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
        log_warn("vm %s vcpu %u: %s of %s refused: undefined instruction injected", v->vm->cfg->name,
                 v->id, a.is_read ? "read" : "write", d->name);
        inject_undef(v);
        return;
    }
    vcpu_skip_instr(v);
}
