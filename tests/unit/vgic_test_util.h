/* What the vGIC unit tests share: the model under test (`vg`), a kick
 * recorder standing in for elvisor's vcpu_kick(), and MMIO access helpers.
 * Include after the vGIC sources. */
#ifndef VGIC_TEST_UTIL_H
#define VGIC_TEST_UTIL_H

/* Atomic: test_concurrent_smoke kicks from several threads. */
static _Atomic unsigned kick_count[VGIC_MAX_VCPUS];

void vgic_kick_vcpu(struct vgic *v, unsigned vcpu_id)
{
    (void)v;
    assert_true(vcpu_id < VGIC_MAX_VCPUS);
    kick_count[vcpu_id]++;
}

/* What vgic_set_phys_active() was last asked, per vCPU, standing in for
 * the physical redistributor: phys_active holds the PPIs' active bits. */
static unsigned phys_calls[VGIC_MAX_VCPUS];
static uint32_t phys_active[VGIC_MAX_VCPUS];

void vgic_set_phys_active(struct vgic *v, unsigned vcpu_id, uint32_t mask, uint32_t active)
{
    (void)v;
    assert_true(vcpu_id < VGIC_MAX_VCPUS);
    assert_int_equal(active & ~mask, 0);
    phys_calls[vcpu_id]++;
    phys_active[vcpu_id] = (phys_active[vcpu_id] & ~mask) | active;
}

/* The physical SPIs vgic_release_phys_spi() deactivated, in order. */
static unsigned spi_released[8];
static unsigned spi_releases;

void vgic_release_phys_spi(struct vgic *v, uint32_t pintid)
{
    (void)v;
    if (spi_releases < sizeof(spi_released) / sizeof(spi_released[0]))
        spi_released[spi_releases] = pintid;
    spi_releases++;
}

/* The timer lines vgic_hw_line_level() reports: known only for the vCPU
 * named "loaded here" (VGIC_NO_VCPU: none), level per private INTID. */
static unsigned line_vcpu = VGIC_NO_VCPU;
static uint32_t line_high;

bool vgic_hw_line_level(struct vgic *v, unsigned vcpu_id, uint32_t intid, bool *level)
{
    (void)v;
    if (vcpu_id != line_vcpu || intid >= VGIC_NR_PRIVATE_IRQS)
        return false;
    *level = (line_high >> intid) & 1u;
    return true;
}

static struct vgic vg;

/* The delivery tests set interrupt state up by writing the model's fields
 * directly, which no real path does: such writes do not move vgic.gen, so
 * every flush through here rescans (test_quiet_* in test_vgic_lr.c covers
 * the skip through the real API). */
static void flush_lrs(struct vgic *g, unsigned vcpu_id)
{
    g->gen++;
    vgic_flush_lrs(g, vcpu_id);
}

/* One access to a register file; a read starts from garbage so that an
 * unset value shows. */
static bool mmio_do(mmio_handler_fn fn, unsigned vcpu, uint64_t off, unsigned size, bool write,
                    uint64_t *val)
{
    struct mmio_access acc = { .offset = off, .size = size, .is_write = write,
                               .value = write ? *val : 0xdeadbeefdeadbeefull };
    bool ok = fn(&vg, vcpu, &acc);

    if (!write)
        *val = acc.value;
    return ok;
}

#endif
