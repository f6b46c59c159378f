/* The hardware virtual CPU interface around guest runs: the vGIC's shadow
 * (struct vgic_v3_cpu_if / vgic_v2_cpu_if) goes into ICH_*_EL2 system
 * registers on a GICv3 and into the memory-mapped GICH frame on a GICv2. */
#include "arch/arm64/gic.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/vcpu_switch.h"
#include "core/vm.h"

/* ---- GICv3: ICH_*_EL2 ---------------------------------------------------- */

#define AP_ACCESS(op, n, cif)                                                   \
    do {                                                                        \
        if (op) {                                                               \
            cif->ap0r[n] = (uint32_t)read_sysreg(S3_4_C12_C8_##n);              \
            cif->ap1r[n] = (uint32_t)read_sysreg(S3_4_C12_C9_##n);              \
        } else {                                                                \
            write_sysreg(S3_4_C12_C8_##n, cif->ap0r[n]);                        \
            write_sysreg(S3_4_C12_C9_##n, cif->ap1r[n]);                        \
        }                                                                       \
    } while (0)

static void vgic_hw_aprs(struct vgic_v3_cpu_if *cif, bool save)
{
    switch (cif->nr_apr) {
    case 4:
        AP_ACCESS(save, 3, cif);
        AP_ACCESS(save, 2, cif);
        /* fall through */
    case 2:
        AP_ACCESS(save, 1, cif);
        /* fall through */
    default:
        AP_ACCESS(save, 0, cif);
    }
}

#define LR_CASE(n, crm, op2)                                                    \
    case n:                                                                     \
        if (save)                                                               \
            cif->lr[n] = read_sysreg(S3_4_C12_C##crm##_##op2);                  \
        else                                                                    \
            write_sysreg(S3_4_C12_C##crm##_##op2, cif->lr[n]);                  \
        break

static void lr_access(struct vgic_v3_cpu_if *cif, unsigned n, bool save)
{
    switch (n) {
    LR_CASE(0, 12, 0); LR_CASE(1, 12, 1); LR_CASE(2, 12, 2); LR_CASE(3, 12, 3);
    LR_CASE(4, 12, 4); LR_CASE(5, 12, 5); LR_CASE(6, 12, 6); LR_CASE(7, 12, 7);
    LR_CASE(8, 13, 0); LR_CASE(9, 13, 1); LR_CASE(10, 13, 2); LR_CASE(11, 13, 3);
    LR_CASE(12, 13, 4); LR_CASE(13, 13, 5); LR_CASE(14, 13, 6); LR_CASE(15, 13, 7);
    default:
        break;
    }
}

static void v3_load_lrs(struct vgic_v3_cpu_if *cif)
{
    for (unsigned n = 0; n < cif->nr_lrs; n++)
        lr_access(cif, n, false);
    write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, cif->hcr);
}

static void v3_save_lrs(struct vgic_v3_cpu_if *cif)
{
    for (unsigned n = 0; n < cif->nr_lrs; n++)
        lr_access(cif, n, true);
    cif->hcr = read_sysreg(S3_4_C12_C11_0);
    /* The guest changes its priority mask, group enables and active
     * priorities without trapping; WFI decisions need the current ones. */
    cif->vmcr = read_sysreg(S3_4_C12_C11_7);
    vgic_hw_aprs(cif, true);
    /* The maintenance interrupt is level: with the interface off it drops
     * until the next entry loads list registers that no longer call for it. */
    write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, 0);
}

/* ---- GICv2: the GICH frame (this CPU's banked view) ---------------------- */

#define GICH_HCR_OFF        0x0000
#define GICH_VMCR_OFF       0x0008
#define GICH_APR_OFF        0x00f0
#define GICH_LR_OFF(n)      (0x0100 + 4 * (n))

static inline uint32_t gich_rd(unsigned off)
{
    return *(volatile uint32_t *)(uintptr_t)(gicv2_gich_base() + off);
}

static inline void gich_wr(unsigned off, uint32_t val)
{
    *(volatile uint32_t *)(uintptr_t)(gicv2_gich_base() + off) = val;
}

static void v2_load_lrs(struct vgic_v2_cpu_if *cif)
{
    for (unsigned n = 0; n < cif->nr_lrs; n++)
        gich_wr(GICH_LR_OFF(n), cif->lr[n]);
    gich_wr(GICH_HCR_OFF, cif->hcr);
}

static void v2_save_lrs(struct vgic_v2_cpu_if *cif)
{
    for (unsigned n = 0; n < cif->nr_lrs; n++)
        cif->lr[n] = gich_rd(GICH_LR_OFF(n));
    cif->hcr = gich_rd(GICH_HCR_OFF);
    /* As on GICv3: the guest's PMR, enables and active priorities change
     * without trapping, and WFI decisions need them. */
    cif->vmcr = gich_rd(GICH_VMCR_OFF);
    cif->apr = gich_rd(GICH_APR_OFF);
    gich_wr(GICH_HCR_OFF, 0);
}

/* ---- Both ---------------------------------------------------------------- */

void vgic_hw_load_lrs(struct vcpu *v)
{
    struct vgic *g = &v->vm->vgic;

    if (g->model == VGIC_MODEL_V2)
        v2_load_lrs(vgic_v2_cpu_if(g, v->id));
    else
        v3_load_lrs(vgic_v3_cpu_if(g, v->id));
}

void vgic_hw_save_lrs(struct vcpu *v)
{
    struct vgic *g = &v->vm->vgic;

    if (g->model == VGIC_MODEL_V2)
        v2_save_lrs(vgic_v2_cpu_if(g, v->id));
    else
        v3_save_lrs(vgic_v3_cpu_if(g, v->id));
}

void vgic_hw_load_ctx(struct vcpu *v)
{
    struct vgic *g = &v->vm->vgic;

    if (g->model == VGIC_MODEL_V2) {
        struct vgic_v2_cpu_if *cif = vgic_v2_cpu_if(g, v->id);

        gich_wr(GICH_VMCR_OFF, cif->vmcr);
        gich_wr(GICH_APR_OFF, cif->apr);
    } else {
        struct vgic_v3_cpu_if *cif = vgic_v3_cpu_if(g, v->id);

        write_sysreg(S3_4_C12_C11_7 /* ICH_VMCR_EL2 */, cif->vmcr);
        vgic_hw_aprs(cif, false);
    }
}

void vgic_hw_off(struct vcpu *v)
{
    if (v->vm->vgic.model == VGIC_MODEL_V2)
        gich_wr(GICH_HCR_OFF, 0);
    else
        write_sysreg(S3_4_C12_C11_0 /* ICH_HCR_EL2 */, 0);
}
