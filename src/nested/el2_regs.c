/* The guest hypervisor's EL2 system registers that still trap under NV2
 * (no VNCR slot; docs/nested.md §2.3), in the descriptor shape of
 * trap/sysreg_emul.c. sysreg_trap() searches this table first for a vCPU
 * with virtual EL2.
 *
 * With vE2H RES1 an EL2 register such as SCTLR_EL2 has the layout of its
 * EL1 counterpart, and the hardware EL1 register is where the guest
 * hypervisor's value lives in hyp context (its EL1-named accesses reach it
 * without a trap): a trapped access by the EL2 name reads or writes that
 * hardware register. Bits the EL1 counterpart lacks, and registers without
 * one, are kept in struct vcpu_nested. Host-tested by
 * tests/unit/test_nested_el2_regs.c. */
#include "nested/nested.h"

#include <stddef.h>

#include "arch/arm64/el1_regs.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"
#include "trap/sysreg_emul.h"
#include "vdev/vgic.h"

#define NO_HW_HOME          (-1)
#define ALL_BITS            (~0ULL)

/* CNTHCTL_EL2 (E2H = 1 layout) fields that CNTKCTL_EL1 also has: EL0PCTEN,
 * EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN, EVNTIS. The others
 * (EL1PCTEN, EL1PTEN, ECV, EL1TVT, EL1TVCT, EL1NVPCT, EL1NVVCT) control EL1
 * of the guest's guest and are kept aside. */
#define CNTKCTL_BITS        (GENMASK(9, 0) | BIT(17))
#define CNTHCTL_BITS        GENMASK(17, 0)
/* CPTR_EL2 (E2H = 1 layout): ZEN, FPEN, SMEN, TTA, E0POE are CPACR_EL1's;
 * TAM and TCPAC are EL2 only. */
#define CPACR_BITS          GENMASK(29, 16)
#define CPTR_BITS           GENMASK(31, 16)
/* MDCR_EL2 without a PMU, SPE or trace (hidden from the guest): TDE, TDA,
 * TDOSA, TDRA. */
#define MDCR_BITS           (MDCR_TDE | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA)
/* HPFAR_EL2: FIPA[47:4] and NS. */
#define HPFAR_BITS          (GENMASK(47, 4) | BIT(63))
#define ICC_SRE_EL2_VALUE   (ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB | ICC_SRE_ENABLE)

struct el2_reg {
    struct sysreg_desc desc;        /* first: handlers get back here from it */
    enum nested_el2_reg idx;
    int hw;                         /* enum el1_reg holding hw_bits, or NO_HW_HOME */
    uint64_t hw_bits;
    uint64_t writable;              /* what a write keeps; the rest reads 0 */
};

static const struct el2_reg *el2_reg_of(const struct sysreg_desc *d)
{
    return (const struct el2_reg *)(const void *)((const char *)d - offsetof(struct el2_reg, desc));
}

static bool hw_home(const struct vcpu *v, const struct el2_reg *r)
{
    return r->hw != NO_HW_HOME && v->nested->in_hyp;
}

static bool el2_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    const struct el2_reg *r = el2_reg_of(d);
    uint64_t kept = v->nested->el2[r->idx];

    if (hw_home(v, r))
        *val = (el1_read((enum el1_reg)r->hw) & r->hw_bits) | (kept & ~r->hw_bits);
    else
        *val = kept;
    return true;
}

static bool el2_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    const struct el2_reg *r = el2_reg_of(d);

    val &= r->writable;
    if (hw_home(v, r)) {
        el1_write((enum el1_reg)r->hw, val & r->hw_bits);
        v->nested->el2[r->idx] = val & ~r->hw_bits;
    } else {
        v->nested->el2[r->idx] = val;
    }
    return true;
}

/* IMPLEMENTATION DEFINED registers with nothing implemented. */
static bool raz_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = 0;
    return true;
}

static bool wi_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return true;
}

/* The system-register interface is always on (elvisor gives no memory-mapped
 * GICv3 CPU interface), and the guest cannot turn it off; a GICv2 VM has
 * no such register. */
static bool icc_sre_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = ICC_SRE_EL2_VALUE;
    return v->vm->gic_version == 3;
}

static bool icc_sre_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return v->vm->gic_version == 3;
}

/* The GICv3 virtualization interface its LRs, ICH_HCR and ICH_VMCR are in
 * the VNCR page; these read-only registers trap and are computed from
 * that page (vgic_calc.c). No GICv3, no ICH_* registers: UNDEFINED. */
static unsigned ich_nr_lrs(const struct vcpu *v)
{
    return (unsigned)(v->nested->ich_vtr & ICH_VTR_LISTREGS_MASK) + 1;
}

static const uint64_t *ich_lrs(const struct vcpu *v)
{
    return &v->nested->vncr[VNCR_ICH_LR0_EL2 / sizeof(uint64_t)];
}

static bool ich_vtr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = v->nested->ich_vtr;
    return v->vm->gic_version == 3;
}

static bool ich_misr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_misr(vncr_read(v->nested, VNCR_ICH_HCR_EL2),
                           vncr_read(v->nested, VNCR_ICH_VMCR_EL2), ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

static bool ich_eisr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_eisr(ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

static bool ich_elrsr_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = nested_ich_elrsr(ich_lrs(v), ich_nr_lrs(v));
    return v->vm->gic_version == 3;
}

/* Read-only registers: MSR is UNDEFINED. */
static bool ro_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    return false;
}

/* The guest's guest's CNTKCTL_EL1 (the _EL12 name has no VNCR slot); it
 * takes effect in the nested context (increment 2). */
static bool cntkctl12_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val)
{
    *val = v->nested->l2_cntkctl;
    return true;
}

static bool cntkctl12_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val)
{
    v->nested->l2_cntkctl = val & CNTKCTL_BITS;
    return true;
}

#define HOME(name, enc, i, hwreg, bits, wr) \
    { { name, enc, el2_read, el2_write }, i, hwreg, bits, wr }
#define KEPT(name, enc, i, wr) \
    { { name, enc, el2_read, el2_write }, i, NO_HW_HOME, 0, wr }
#define FIXED(name, enc, rd, wr) \
    { { name, enc, rd, wr }, 0, NO_HW_HOME, 0, 0 }

static const struct el2_reg el2_regs[] = {
    HOME("SCTLR_EL2", SYSREG_KEY(3, 4, 1, 0, 0), NEL2_SCTLR, EL1_SCTLR, ALL_BITS, ALL_BITS),
    FIXED("ACTLR_EL2", SYSREG_KEY(3, 4, 1, 0, 1), raz_read, wi_write),
    KEPT("MDCR_EL2", SYSREG_KEY(3, 4, 1, 1, 1), NEL2_MDCR, MDCR_BITS),
    HOME("CPTR_EL2", SYSREG_KEY(3, 4, 1, 1, 2), NEL2_CPTR, EL1_CPACR, CPACR_BITS, CPTR_BITS),
    FIXED("HACR_EL2", SYSREG_KEY(3, 4, 1, 1, 7), raz_read, wi_write),
    HOME("TTBR0_EL2", SYSREG_KEY(3, 4, 2, 0, 0), NEL2_TTBR0, EL1_TTBR0, ALL_BITS, ALL_BITS),
    HOME("TTBR1_EL2", SYSREG_KEY(3, 4, 2, 0, 1), NEL2_TTBR1, EL1_TTBR1, ALL_BITS, ALL_BITS),
    HOME("TCR_EL2", SYSREG_KEY(3, 4, 2, 0, 2), NEL2_TCR, EL1_TCR, ALL_BITS, ALL_BITS),
    HOME("AFSR0_EL2", SYSREG_KEY(3, 4, 5, 1, 0), NEL2_AFSR0, EL1_AFSR0, ALL_BITS, ALL_BITS),
    HOME("AFSR1_EL2", SYSREG_KEY(3, 4, 5, 1, 1), NEL2_AFSR1, EL1_AFSR1, ALL_BITS, ALL_BITS),
    KEPT("HPFAR_EL2", SYSREG_KEY(3, 4, 6, 0, 4), NEL2_HPFAR, HPFAR_BITS),
    HOME("MAIR_EL2", SYSREG_KEY(3, 4, 10, 2, 0), NEL2_MAIR, EL1_MAIR, ALL_BITS, ALL_BITS),
    HOME("AMAIR_EL2", SYSREG_KEY(3, 4, 10, 3, 0), NEL2_AMAIR, EL1_AMAIR, ALL_BITS, ALL_BITS),
    HOME("VBAR_EL2", SYSREG_KEY(3, 4, 12, 0, 0), NEL2_VBAR, EL1_VBAR, ALL_BITS, ALL_BITS),
    FIXED("ICC_SRE_EL2", SYSREG_KEY(3, 4, 12, 9, 5), icc_sre_read, icc_sre_write),
    FIXED("ICH_VTR_EL2", SYSREG_KEY(3, 4, 12, 11, 1), ich_vtr_read, ro_write),
    FIXED("ICH_MISR_EL2", SYSREG_KEY(3, 4, 12, 11, 2), ich_misr_read, ro_write),
    FIXED("ICH_EISR_EL2", SYSREG_KEY(3, 4, 12, 11, 3), ich_eisr_read, ro_write),
    FIXED("ICH_ELRSR_EL2", SYSREG_KEY(3, 4, 12, 11, 5), ich_elrsr_read, ro_write),
    HOME("CONTEXTIDR_EL2", SYSREG_KEY(3, 4, 13, 0, 1), NEL2_CONTEXTIDR, EL1_CONTEXTIDR, ALL_BITS,
         ALL_BITS),
    HOME("CNTHCTL_EL2", SYSREG_KEY(3, 4, 14, 1, 0), NEL2_CNTHCTL, EL1_CNTKCTL, CNTKCTL_BITS,
         CNTHCTL_BITS),
    FIXED("CNTKCTL_EL12", SYSREG_KEY(3, 5, 14, 1, 0), cntkctl12_read, cntkctl12_write),
};

#define NR_EL2_REGS (sizeof(el2_regs) / sizeof(el2_regs[0]))

const struct sysreg_desc *nested_sysreg_find(uint32_t key)
{
    for (unsigned i = 0; i < NR_EL2_REGS; i++)
        if (el2_regs[i].desc.key == key)
            return &el2_regs[i].desc;
    return NULL;
}

/* The descriptors are not contiguous (each sits in its el2_reg). */
const struct sysreg_desc *nested_sysreg_at(unsigned i)
{
    return i < NR_EL2_REGS ? &el2_regs[i].desc : NULL;
}
