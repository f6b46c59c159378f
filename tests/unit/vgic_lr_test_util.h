/* What the list-register tests of both models share (test_vgic_lr.c for
 * GICv3, test_vgic_v2_lr.c for GICv2): the LRs read and set through the
 * shadow of whichever model `vg` is, and the scenarios the model-neutral
 * LR policy (vgic_lr.c) must pass alike in both. Include after
 * vgic_test_util.h, with both LR encodings' sources. */
#ifndef VGIC_LR_TEST_UTIL_H
#define VGIC_LR_TEST_UTIL_H

/* LR state as both encodings hold it: 1 pending, 2 active, 3 both. */
#define LR_PENDING      1u
#define LR_ACTIVE       2u

static bool lr_model_v3(void) { return vg.model == VGIC_MODEL_V3; }

static unsigned lr_slots(void)
{
    return lr_model_v3() ? VGIC_V3_MAX_LRS : VGIC_V2_MAX_LRS;
}

static unsigned lr_slot_state(unsigned id, unsigned n)
{
    if (lr_model_v3())
        return (unsigned)(vgic_v3_cpu_if(&vg, id)->lr[n] >> ICH_LR_EL2_State_SHIFT);
    return (vgic_v2_cpu_if(&vg, id)->lr[n] & GICH_LR_STATE_MASK) >> GICH_LR_STATE_SHIFT;
}

static uint32_t lr_slot_intid(unsigned id, unsigned n)
{
    if (lr_model_v3())
        return (uint32_t)(vgic_v3_cpu_if(&vg, id)->lr[n] & ICH_LR_EL2_vINTID_MASK);
    return vgic_v2_cpu_if(&vg, id)->lr[n] & GICH_LR_VIRTUALID_MASK;
}

static bool lr_slot_eoi(unsigned id, unsigned n)
{
    if (lr_model_v3())
        return vgic_v3_cpu_if(&vg, id)->lr[n] & ICH_LR_EL2_HW0_EOI;
    return vgic_v2_cpu_if(&vg, id)->lr[n] & GICH_LR_EOI;
}

/* What the guest's virtual CPU interface does to LR n. */
static void lr_slot_set_state(unsigned id, int n, unsigned state)
{
    assert_true(n >= 0);
    if (lr_model_v3()) {
        uint64_t *lr = &vgic_v3_cpu_if(&vg, id)->lr[n];

        *lr = (*lr & ~ICH_LR_EL2_State_MASK) | (uint64_t)state << ICH_LR_EL2_State_SHIFT;
    } else {
        uint32_t *lr = &vgic_v2_cpu_if(&vg, id)->lr[n];

        *lr = (*lr & ~GICH_LR_STATE_MASK) | state << GICH_LR_STATE_SHIFT;
    }
}

static unsigned used_lrs(unsigned id)
{
    unsigned n = 0;

    for (unsigned i = 0; i < lr_slots(); i++)
        n += lr_slot_state(id, i) != 0;
    return n;
}

/* Index of the LR holding intid, or -1. */
static int find_lr(unsigned id, uint32_t intid)
{
    for (unsigned i = 0; i < lr_slots(); i++)
        if (lr_slot_state(id, i) && lr_slot_intid(id, i) == intid)
            return (int)i;
    return -1;
}

static void enable_spi(uint32_t intid, uint8_t prio)
{
    struct vgic_irq *irq = vgic_get_irq(&vg, 0, intid);

    irq->enabled = true;
    irq->priority = prio;
}

/* Complete everything the guest was given: what a vCPU does between a
 * flush and the next exit when it handles every interrupt. */
static unsigned run_guest_once(unsigned id)
{
    unsigned taken;

    flush_lrs(&vg, id);
    taken = used_lrs(id);
    for (unsigned i = 0; i < lr_slots(); i++)
        lr_slot_set_state(id, (int)i, 0);
    vgic_sync_lrs(&vg, id);
    return taken;
}

/* vCPUs 0..nr_vcpus-1 run until nobody is given anything (at most
 * max_rounds): then nothing is pending for them, no interrupt sits in an
 * LR, and the 64 SPIs are neither pending nor in an LR. */
static void drain_and_check_quiet(unsigned nr_vcpus, unsigned max_rounds)
{
    for (unsigned round = 0; round < max_rounds; round++) {
        unsigned taken = 0;

        for (unsigned i = 0; i < nr_vcpus; i++)
            taken += run_guest_once(i);
        if (!taken)
            break;
    }
    for (unsigned i = 0; i < nr_vcpus; i++) {
        assert_false(vgic_vcpu_has_pending(&vg, i));
        for (unsigned s = 0; s < VGIC_NR_PRIVATE_IRQS; s++)
            assert_int_equal(vg.vcpu[i].priv[s].lr_owner, VGIC_NONE8);
    }
    for (unsigned i = 0; i < 64; i++) {
        assert_int_equal(vg.spi[i].lr_owner, VGIC_NONE8);
        assert_false(vgic_irq_is_pending(&vg.spi[i]));
    }
}

/* A level SPI (INTID 33, the PL011's) on vCPU 0, enabled in the group the
 * model's setup() enables: it goes into an LR with an EOI maintenance
 * request, comes back pending while the line stays high after the guest
 * handled it, and once the line drops while the guest has it active, it
 * is active only, then gone. */
static void check_level_repends_while_line_high(void)
{
    int n;

    enable_spi(33, 0x80);
    vgic_set_irq_level(&vg, 0, 33, true);
    flush_lrs(&vg, 0);
    n = find_lr(0, 33);
    assert_true(n >= 0);
    assert_true(lr_slot_eoi(0, (unsigned)n));      /* tell us when it is done */
    lr_slot_set_state(0, n, 0);                    /* handled, line still high */
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    n = find_lr(0, 33);
    assert_true(n >= 0);
    assert_int_equal(lr_slot_state(0, (unsigned)n), LR_PENDING);
    lr_slot_set_state(0, n, LR_ACTIVE);            /* the line drops while acked */
    vgic_set_irq_level(&vg, 0, 33, false);
    vgic_sync_lrs(&vg, 0);
    assert_true(vg.spi[1].active);
    assert_false(vgic_irq_is_pending(&vg.spi[1]));
    flush_lrs(&vg, 0);
    n = find_lr(0, 33);
    assert_int_equal(lr_slot_state(0, (unsigned)n), LR_ACTIVE);
    lr_slot_set_state(0, n, 0);
    vgic_sync_lrs(&vg, 0);
    flush_lrs(&vg, 0);
    assert_int_equal(used_lrs(0), 0);
}

#endif
