/* The hardware virtual CPU interface around guest runs: the vGIC's shadow
 * (struct vgic_v3_cpu_if / vgic_v2_cpu_if) goes into ICH_*_EL2 system
 * registers on a GICv3 and into the memory-mapped GICH frame on a GICv2. */
#include "arch/arm64/gic.h"
#include "arch/arm64/sysreg.h"
#include "core/vm.h"
#include "hyp/vcpu_switch.h"

/* ---- GICv3: ICH_*_EL2 ---------------------------------------------------- */

#define AP_ACCESS(op, n, cif)                                                   \
    do {                                                                        \
        if (op) {                                                               \
            cif->ap0r[n] = (uint32_t)read_sysreg_s(SYS_ICH_AP0R##n##_EL2);      \
            cif->ap1r[n] = (uint32_t)read_sysreg_s(SYS_ICH_AP1R##n##_EL2);      \
        } else {                                                                \
            write_sysreg_s(SYS_ICH_AP0R##n##_EL2, cif->ap0r[n]);                \
            write_sysreg_s(SYS_ICH_AP1R##n##_EL2, cif->ap1r[n]);                \
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

#define LR_READ_CASE(n) case n: return read_sysreg_s(SYS_ICH_LR##n##_EL2)
#define LR_WRITE_CASE(n) case n: write_sysreg_s(SYS_ICH_LR##n##_EL2, val); break

static uint64_t lr_read(unsigned n)
{
    switch (n) {
    LR_READ_CASE(0); LR_READ_CASE(1); LR_READ_CASE(2); LR_READ_CASE(3);
    LR_READ_CASE(4); LR_READ_CASE(5); LR_READ_CASE(6); LR_READ_CASE(7);
    LR_READ_CASE(8); LR_READ_CASE(9); LR_READ_CASE(10); LR_READ_CASE(11);
    LR_READ_CASE(12); LR_READ_CASE(13); LR_READ_CASE(14); LR_READ_CASE(15);
    default:
        return 0;
    }
}

static void lr_write(unsigned n, uint64_t val)
{
    switch (n) {
    LR_WRITE_CASE(0); LR_WRITE_CASE(1); LR_WRITE_CASE(2); LR_WRITE_CASE(3);
    LR_WRITE_CASE(4); LR_WRITE_CASE(5); LR_WRITE_CASE(6); LR_WRITE_CASE(7);
    LR_WRITE_CASE(8); LR_WRITE_CASE(9); LR_WRITE_CASE(10); LR_WRITE_CASE(11);
    LR_WRITE_CASE(12); LR_WRITE_CASE(13); LR_WRITE_CASE(14); LR_WRITE_CASE(15);
    default:
        break;
    }
}

/* Outside a guest run every hardware LR is zero; a run loads only the LRs
 * the flush filled, and the save reads and zeroes only those. */
static void v3_load_lrs(struct vgic_vcpu *vc, struct vgic_v3_cpu_if *cif)
{
    vc->lr_live = vc->lr_used;
    for (uint64_t m = vc->lr_live; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctzll(m);
        lr_write(n, cif->lr[n]);
    }
    write_sysreg_s(SYS_ICH_HCR_EL2, cif->hcr);
}

static void v3_save_lrs(struct vgic_vcpu *vc, struct vgic_v3_cpu_if *cif)
{
    for (uint64_t m = vc->lr_live; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctzll(m);
        cif->lr[n] = lr_read(n);
        lr_write(n, 0);
    }
    vc->lr_live = 0;
    cif->hcr = read_sysreg_s(SYS_ICH_HCR_EL2);
    /* The guest changes its priority mask, group enables and active
     * priorities without trapping; WFI decisions need the current ones. */
    cif->vmcr = read_sysreg_s(SYS_ICH_VMCR_EL2);
    vgic_hw_aprs(cif, true);
    /* The maintenance interrupt is level: with the interface off it drops
     * until the next entry loads list registers that no longer call for it. */
    write_sysreg_s(SYS_ICH_HCR_EL2, 0);
}

void vgic_hw_load_image(struct vgic_v3_cpu_if *cif, uint32_t lrs)
{
    for (uint32_t m = lrs; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctz(m);
        lr_write(n, cif->lr[n]);
    }
    write_sysreg_s(SYS_ICH_VMCR_EL2, cif->vmcr);
    vgic_hw_aprs(cif, false);
    write_sysreg_s(SYS_ICH_HCR_EL2, cif->hcr);
}

void vgic_hw_save_image(struct vgic_v3_cpu_if *cif, uint32_t lrs)
{
    for (uint32_t m = lrs; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctz(m);
        cif->lr[n] = lr_read(n);
        lr_write(n, 0);
    }
    cif->hcr = read_sysreg_s(SYS_ICH_HCR_EL2);
    cif->vmcr = read_sysreg_s(SYS_ICH_VMCR_EL2);
    vgic_hw_aprs(cif, true);
    write_sysreg_s(SYS_ICH_HCR_EL2, 0);
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

static void v2_load_lrs(struct vgic_vcpu *vc, struct vgic_v2_cpu_if *cif)
{
    vc->lr_live = vc->lr_used;
    for (uint64_t m = vc->lr_live; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctzll(m);
        gich_wr(GICH_LR_OFF(n), cif->lr[n]);
    }
    gich_wr(GICH_HCR_OFF, cif->hcr);
}

static void v2_save_lrs(struct vgic_vcpu *vc, struct vgic_v2_cpu_if *cif)
{
    for (uint64_t m = vc->lr_live; m; m &= m - 1) {
        unsigned n = (unsigned)__builtin_ctzll(m);
        cif->lr[n] = gich_rd(GICH_LR_OFF(n));
        gich_wr(GICH_LR_OFF(n), 0);
    }
    vc->lr_live = 0;
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
        v2_load_lrs(&g->vcpu[v->id], vgic_v2_cpu_if(g, v->id));
    else
        v3_load_lrs(&g->vcpu[v->id], vgic_v3_cpu_if(g, v->id));
}

void vgic_hw_save_lrs(struct vcpu *v)
{
    struct vgic *g = &v->vm->vgic;

    if (g->model == VGIC_MODEL_V2)
        v2_save_lrs(&g->vcpu[v->id], vgic_v2_cpu_if(g, v->id));
    else
        v3_save_lrs(&g->vcpu[v->id], vgic_v3_cpu_if(g, v->id));
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

        write_sysreg_s(SYS_ICH_VMCR_EL2, cif->vmcr);
        vgic_hw_aprs(cif, false);
    }
}

void vgic_hw_off(struct vcpu *v)
{
    if (v->vm->vgic.model == VGIC_MODEL_V2)
        gich_wr(GICH_HCR_OFF, 0);
    else
        write_sysreg_s(SYS_ICH_HCR_EL2, 0);
}

void vgic_hw_cpu_init(void)
{
    /* LRs reset to UNKNOWN values; the lazy load relies on zeros. */
    if (gic_version() == 2) {
        unsigned nr = (unsigned)(gic_read_vtr() & GICH_VTR_LISTREGS_MASK) + 1;
        for (unsigned n = 0; n < nr; n++)
            gich_wr(GICH_LR_OFF(n), 0);
        gich_wr(GICH_HCR_OFF, 0);
    } else {
        unsigned nr = (unsigned)(gic_read_vtr() & ICH_VTR_EL2_ListRegs_MASK) + 1;
        for (unsigned n = 0; n < nr; n++)
            lr_write(n, 0);
        write_sysreg_s(SYS_ICH_HCR_EL2, 0);
    }
}
