/* The GICv3 setup the vGIC delivery tests share (test_vgic_lr.c,
 * test_vgic_lr_quiet.c): four vCPUs with QEMU's CPU interface. Include
 * after the vGIC sources and vgic_test_util.h. */
#ifndef VGIC_V3_LR_TEST_SETUP_H
#define VGIC_V3_LR_TEST_SETUP_H

/* Four vCPUs: 0.0.0.0, 0.0.0.1, 0.0.1.0, 0.0.1.1 */
static const uint64_t mpidrs[4] = { 0x80000000, 0x80000001, 0x80000100, 0x80000101 };

/* QEMU's ICH_VTR_EL2: 4 LRs, 5 priority and preemption bits. */
#define VTR_4LRS ((4ull << ICH_VTR_EL2_PRIbits_SHIFT) | (4ull << ICH_VTR_EL2_PREbits_SHIFT) | 3)

#define VMCR_OPEN (ICH_VMCR_EL2_VENG1 | ICH_VMCR_EL2_VENG0 | (0xffull << ICH_VMCR_EL2_VPMR_SHIFT))

static uint32_t lr_intid(uint64_t lr) { return (uint32_t)(lr & ICH_LR_EL2_vINTID_MASK); }
static unsigned lr_state(uint64_t lr) { return (unsigned)(lr >> ICH_LR_EL2_State_SHIFT); }
static unsigned lr_prio(uint64_t lr)
{
    return (unsigned)((lr & ICH_LR_EL2_Priority_MASK) >> ICH_LR_EL2_Priority_SHIFT);
}

static struct vgic_v3_cpu_if *cif(unsigned id) { return vgic_v3_cpu_if(&vg, id); }

static int setup(void **state)
{
    (void)state;
    for (unsigned k = 0; k < VGIC_MAX_VCPUS; k++) kick_count[k] = 0;
    assert_int_equal(vgic_init(&vg, 4, mpidrs, 64), 0);
    for (unsigned i = 0; i < 4; i++) {
        vgic_v3_cpu_if_init(cif(i), VTR_4LRS);
        cif(i)->vmcr = VMCR_OPEN;
        vg.vcpu[i].processor_sleep = false;
    }
    vg.grp0_enabled = vg.grp1_enabled = true;
    return 0;
}

#endif
