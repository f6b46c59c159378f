/* The fake GICv3's virtual CPU interface: what the hardware does with the
 * list registers while a guest runs, from the GICv3 architecture
 * specification (IHI 0069, "Virtual interrupt handling and
 * prioritization" and the ICH_* register descriptions). The LRs,
 * ICH_HCR_EL2, ICH_VMCR_EL2 and ICH_AP<g>R0_EL2 live in the fake register
 * file (arch/fake/sysreg.c) where elvisor's world switch reads and writes
 * them; a test plays the guest with fake_guest_ack/eoi/dir (its ICV_IAR<g>,
 * ICV_EOIR<g> and ICV_DIR accesses), and elvisor reads ICH_ELRSR_EL2,
 * ICH_EISR_EL2 and ICH_MISR_EL2 as this file computes them.
 *
 * Modelled: LR states invalid / pending / active / pending and active;
 * acknowledge of the highest-priority pending LR under the priority mask,
 * the group enables and the running priority (the active priority
 * registers); priority drop; deactivation by EOI (VEOIM 0) or DIR (VEOIM 1),
 * with HW = 1 deactivating the physical INTID and an unmatched
 * deactivation counting in EOIcount (not for LPIs); EOI maintenance
 * (HW = 0, EOI = 1); the maintenance conditions of ICH_HCR_EL2 (UIE, NPIE,
 * LRENPIE, the group enable/disable ones) as a level while En = 1. Not
 * modelled: binary points (the group priority is the priority's PREbits),
 * the ICV_* registers other than these three, GICv2's GICH/GICV frames. */
#include "arch/fake/fake.h"

#include <stdio.h>
#include <string.h>

/* ICH_LR<n>_EL2 */
#define LR_VINTID_MASK      0xffffffffULL
#define LR_PINTID_SHIFT     32
#define LR_PINTID_MASK      (0x1fffULL << LR_PINTID_SHIFT)
#define LR_EOI              (1ULL << 41)
#define LR_PRIORITY_SHIFT   48
#define LR_GROUP            (1ULL << 60)
#define LR_HW               (1ULL << 61)
#define LR_PENDING          (1ULL << 62)
#define LR_ACTIVE           (1ULL << 63)
#define LR_STATE            (LR_PENDING | LR_ACTIVE)
/* ICH_HCR_EL2 */
#define HCR_EN              (1ULL << 0)
#define HCR_UIE             (1ULL << 1)
#define HCR_LRENPIE         (1ULL << 2)
#define HCR_NPIE            (1ULL << 3)
#define HCR_VGRP0EIE        (1ULL << 4)
#define HCR_VGRP0DIE        (1ULL << 5)
#define HCR_VGRP1EIE        (1ULL << 6)
#define HCR_VGRP1DIE        (1ULL << 7)
#define HCR_EOICOUNT_SHIFT  27
#define HCR_EOICOUNT_MASK   (0x1fULL << HCR_EOICOUNT_SHIFT)
/* ICH_VMCR_EL2 */
#define VMCR_VENG0          (1ULL << 0)
#define VMCR_VENG1          (1ULL << 1)
#define VMCR_VEOIM          (1ULL << 9)
#define VMCR_VPMR_SHIFT     24
/* ICH_MISR_EL2 */
#define MISR_EOI            (1ULL << 0)
#define MISR_U              (1ULL << 1)
#define MISR_LRENP          (1ULL << 2)
#define MISR_NP             (1ULL << 3)
#define MISR_VGRP0E         (1ULL << 4)
#define MISR_VGRP0D         (1ULL << 5)
#define MISR_VGRP1E         (1ULL << 6)
#define MISR_VGRP1D         (1ULL << 7)

/* As FAKE_VTR in gic.c: 4 LRs, 5 priority and preemption bits, so one
 * active-priority register per group of 32 levels, 8 apart. */
#define NR_LRS              4
#define PRIO_MASK           0xf8u
#define PRIO_SHIFT          3
#define IDLE_PRIORITY       0x100u
#define FIRST_LPI           8192u
#define SPURIOUS            1023u

#define ICH_HCR     "s3_4_c12_c11_0"
#define ICH_MISR    "s3_4_c12_c11_2"
#define ICH_EISR    "s3_4_c12_c11_3"
#define ICH_ELRSR   "s3_4_c12_c11_5"
#define ICH_VMCR    "s3_4_c12_c11_7"

uint64_t *fake_lr(unsigned n)
{
    char name[24];

    snprintf(name, sizeof(name), "s3_4_c12_c%u_%u", 12 + n / 8, n % 8);
    return fake_sysreg_slot(name);
}

static uint64_t *apr(unsigned group)
{
    return fake_sysreg_slot(group ? "s3_4_c12_c9_0" : "s3_4_c12_c8_0");
}

static unsigned lr_state_free(uint64_t lr)
{
    return (lr & LR_STATE) == 0;
}

static uint64_t elrsr(void)
{
    uint64_t r = 0;

    for (unsigned n = 0; n < NR_LRS; n++) {
        uint64_t lr = *fake_lr(n);

        if (lr_state_free(lr) && ((lr & LR_HW) || !(lr & LR_EOI)))
            r |= 1ULL << n;
    }
    return r;
}

static uint64_t eisr(void)
{
    uint64_t r = 0;

    for (unsigned n = 0; n < NR_LRS; n++) {
        uint64_t lr = *fake_lr(n);

        if (lr_state_free(lr) && !(lr & LR_HW) && (lr & LR_EOI))
            r |= 1ULL << n;
    }
    return r;
}

static uint64_t misr(void)
{
    uint64_t hcr = *fake_sysreg_slot(ICH_HCR), vmcr = *fake_sysreg_slot(ICH_VMCR), m = 0;
    unsigned valid = 0;
    bool pending = false;

    for (unsigned n = 0; n < NR_LRS; n++) {
        uint64_t lr = *fake_lr(n);

        valid += !lr_state_free(lr);
        pending |= (lr & LR_STATE) == LR_PENDING;
    }
    if (eisr())
        m |= MISR_EOI;
    if ((hcr & HCR_UIE) && valid <= 1)
        m |= MISR_U;
    if ((hcr & HCR_LRENPIE) && (hcr & HCR_EOICOUNT_MASK))
        m |= MISR_LRENP;
    if ((hcr & HCR_NPIE) && !pending)
        m |= MISR_NP;
    if (hcr & (vmcr & VMCR_VENG0 ? HCR_VGRP0EIE : HCR_VGRP0DIE))
        m |= vmcr & VMCR_VENG0 ? MISR_VGRP0E : MISR_VGRP0D;
    if (hcr & (vmcr & VMCR_VENG1 ? HCR_VGRP1EIE : HCR_VGRP1DIE))
        m |= vmcr & VMCR_VENG1 ? MISR_VGRP1E : MISR_VGRP1D;
    return m;
}

bool fake_vgic_read(const char *storage, uint64_t *v)
{
    if (strcmp(storage, ICH_ELRSR) == 0)
        *v = elrsr();
    else if (strcmp(storage, ICH_EISR) == 0)
        *v = eisr();
    else if (strcmp(storage, ICH_MISR) == 0)
        *v = misr();
    else
        return false;
    return true;
}

bool fake_vgic_read_only(const char *storage)
{
    return strcmp(storage, ICH_ELRSR) == 0 || strcmp(storage, ICH_EISR) == 0 ||
           strcmp(storage, ICH_MISR) == 0;
}

bool fake_maintenance_asserted(void)
{
    return (*fake_sysreg_slot(ICH_HCR) & HCR_EN) && misr() != 0;
}

static unsigned lr_priority(uint64_t lr)
{
    return (unsigned)(lr >> LR_PRIORITY_SHIFT) & PRIO_MASK;
}

static unsigned running_priority(void)
{
    uint32_t active = (uint32_t)(*apr(0) | *apr(1));

    return active ? (unsigned)__builtin_ctz(active) << PRIO_SHIFT : IDLE_PRIORITY;
}

/* The LR the virtual CPU interface signals: the highest-priority pending
 * one of an enabled group, above the priority mask and the running
 * priority; the lowest-numbered LR among equals. -1: none. */
static int signalled_lr(void)
{
    uint64_t vmcr = *fake_sysreg_slot(ICH_VMCR);
    unsigned pmr = (unsigned)(vmcr >> VMCR_VPMR_SHIFT) & PRIO_MASK, best_prio = IDLE_PRIORITY;
    int best = -1;

    if (!(*fake_sysreg_slot(ICH_HCR) & HCR_EN))
        return -1;
    for (unsigned n = 0; n < NR_LRS; n++) {
        uint64_t lr = *fake_lr(n);
        unsigned prio = lr_priority(lr);
        bool enabled = vmcr & (lr & LR_GROUP ? VMCR_VENG1 : VMCR_VENG0);

        if ((lr & LR_STATE) != LR_PENDING || !enabled || prio >= pmr || prio >= running_priority())
            continue;
        if (prio < best_prio) {
            best_prio = prio;
            best = (int)n;
        }
    }
    return best;
}

bool fake_guest_irq_signalled(void)
{
    return signalled_lr() >= 0;
}

unsigned fake_guest_ack(unsigned group)
{
    int n = signalled_lr();
    uint64_t *lr;
    unsigned intid;

    if (n < 0 || !(*fake_lr((unsigned)n) & LR_GROUP) != !group) {
        fake_log("guest ack%u %u", group, SPURIOUS);
        return SPURIOUS;
    }
    lr = fake_lr((unsigned)n);
    *lr = (*lr & ~LR_STATE) | LR_ACTIVE;
    *apr(group) |= 1ULL << (lr_priority(*lr) >> PRIO_SHIFT);
    intid = (unsigned)(*lr & LR_VINTID_MASK);
    fake_log("guest ack%u %u", group, intid);
    return intid;
}

static void count_unmatched(unsigned intid)
{
    uint64_t *hcr = fake_sysreg_slot(ICH_HCR);
    uint64_t count = (*hcr & HCR_EOICOUNT_MASK) >> HCR_EOICOUNT_SHIFT;

    fake_log("guest deactivation unmatched %u", intid);
    if (intid >= FIRST_LPI)
        return;
    count = (count + 1) & (HCR_EOICOUNT_MASK >> HCR_EOICOUNT_SHIFT);
    *hcr = (*hcr & ~HCR_EOICOUNT_MASK) | count << HCR_EOICOUNT_SHIFT;
}

static void deactivate(unsigned intid)
{
    for (unsigned n = 0; n < NR_LRS; n++) {
        uint64_t *lr = fake_lr(n);

        if ((*lr & LR_VINTID_MASK) != intid || !(*lr & LR_ACTIVE))
            continue;
        *lr &= ~LR_ACTIVE;
        if (*lr & LR_HW)
            fake_gic_hw_deactivate((unsigned)((*lr & LR_PINTID_MASK) >> LR_PINTID_SHIFT));
        return;
    }
    count_unmatched(intid);
}

void fake_guest_eoi(unsigned group, unsigned intid)
{
    uint64_t *active = apr(group);

    fake_log("guest eoi%u %u", group, intid);
    /* Priority drop: without an active priority the write has no effect. */
    if (!*active)
        return;
    *active &= *active - 1;
    if (!(*fake_sysreg_slot(ICH_VMCR) & VMCR_VEOIM))
        deactivate(intid);
}

void fake_guest_dir(unsigned intid)
{
    fake_log("guest dir %u", intid);
    if (*fake_sysreg_slot(ICH_VMCR) & VMCR_VEOIM)
        deactivate(intid);
}
