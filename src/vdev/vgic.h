/* Virtual GIC: per-VM interrupt state, the GICv3 distributor and
 * redistributor register files, the GICv2 distributor register file, and
 * list-register management for both.
 *
 * The guest's CPU interface is the hardware virtual CPU interface (ICV_*
 * system registers on GICv3, the GICV frame on GICv2), fed through
 * ICH_LR<n>_EL2 / GICH_LR<n>. This code never touches hardware: it edits a
 * per-vCPU shadow of the ICH_* or GICH_* registers (struct vgic_v3_cpu_if,
 * struct vgic_v2_cpu_if) that the world switch copies to and from the CPU
 * around each guest run. A struct vgic is one model or the other, fixed by
 * vgic_init() (GICv3) or vgic_init_v2() (GICv2).
 *
 * Calling sequence for one vCPU, all under the caller's own scheduling:
 *   exit from guest -> world switch saves ICH_* into cpu_if
 *                   -> vgic_sync_lrs()        (before handling the exit)
 *   handle the exit (MMIO traps, SGI traps, WFI via vgic_vcpu_has_pending())
 *   vgic_flush_lrs() -> world switch loads cpu_if into ICH_* -> enter guest
 *
 * Every public function takes the per-VM lock itself. vgic_kick_vcpu() is
 * called after the lock has been dropped; vgic_set_phys_active() is called
 * (from vgic_flush_lrs() or vgic_apply_hw_resync(), on the CPU the vCPU is
 * loaded on) when a register write changed a forwarded PPI's state; see
 * docs/vtimer.md. vgic_hw_line_level() is called with the lock held.
 *
 * Layout: vgic_core.c holds the GIC-version-independent interrupt state,
 * vgic_regs.c the register accessors the region tables share (bit,
 * priority, configuration, target registers, group enables, ID registers),
 * vgic_lr.c the list-register policy shared by both models (flush, sync,
 * WFI test), vgic_v3_lr.c / vgic_v2_lr.c the ICH_LR / GICH_LR encodings,
 * vgic_v3_dist.c and vgic_v3_redist.c the GICv3 register files,
 * vgic_v2_dist.c the GICv2 distributor: each a table of regions that
 * vgic_mmio.c decodes.
 */
#ifndef ELVISOR_VDEV_VGIC_H
#define ELVISOR_VDEV_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/sysreg.h"
#include "lib/spinlock.h"
#include "vdev/mmio.h"

/* ---- Sizes and INTID ranges ------------------------------------------- */

#define VGIC_MAX_VCPUS          8u
#define VGIC_V2_MAX_VCPUS       8u      /* GICv2: eight CPU interfaces */
#define VGIC_NR_SGIS            16u
#define VGIC_NR_PRIVATE_IRQS    32u     /* SGIs 0-15 + PPIs 16-31 */
#define VGIC_SPI_BASE           32u
#define VGIC_MAX_SPIS           988u    /* INTIDs 32..1019; 1020-1023 are special */
#define VGIC_DEFAULT_SPIS       64u
#define VGIC_MAX_INTID          1019u

/* Passed as the calling vCPU by a context that is not running on behalf of
 * any vCPU (e.g. a physical device interrupt handler): everyone is kicked. */
#define VGIC_NO_VCPU            0xffffffffu

/* Priorities keep the top 5 bits: the minimum a GICv3 virtual CPU interface
 * implements, so every value stored here is one the hardware can represent. */
#define VGIC_PRIO_MASK          0xf8u
#define VGIC_IDLE_PRIORITY      0x100u  /* running priority with nothing active */

/* ---- Hardware virtual CPU interface (ICH_*_EL2) ----------------------- */

#define VGIC_V3_MAX_LRS         16u
#define VGIC_V2_MAX_LRS         64u
#define VGIC_MAX_LRS            64u     /* the larger of the two */
#define VGIC_V3_MAX_APRS        4u

/* The ICH_*_EL2 fields come from the register database (arch/arm64/sysreg.h). */
/* Preemption bits a GICv3 CPU interface has: 5 to 7 (1, 2 or 4 APRs). */
#define VGIC_MIN_PREEMPT_BITS   5u
#define VGIC_MAX_PREEMPT_BITS   7u

struct vgic_v3_cpu_if {        /* shadow of the hardware ICH_* state of one vCPU */
    uint64_t lr[16];           /* ICH_LR<n>_EL2 */
    uint64_t hcr;              /* ICH_HCR_EL2 (En, UIE, NPIE, LRENPIE...) */
    uint64_t vmcr;             /* ICH_VMCR_EL2 */
    uint32_t ap0r[4], ap1r[4]; /* ICH_AP0R<n>/AP1R<n>_EL2 */
    uint32_t nr_lrs;           /* ICH_VTR_EL2.ListRegs + 1, set at init */
    uint32_t nr_apr;           /* from ICH_VTR_EL2.PREbits: 1, 2 or 4 */
};

/* ---- Hardware virtual CPU interface, GICv2 (GICH_* MMIO frame) -------- */

/* GICH_LR<n> */
#define GICH_LR_VIRTUALID_MASK  0x3ffu                  /* [9:0] */
#define GICH_LR_PHYSID_SHIFT    10                      /* [19:10], HW == 1 */
#define GICH_LR_PHYSID_MASK     (0x3ffu << GICH_LR_PHYSID_SHIFT)
#define GICH_LR_CPUID_SHIFT     10                      /* [12:10], HW == 0: SGI source */
#define GICH_LR_CPUID_MASK      (0x7u << GICH_LR_CPUID_SHIFT)
#define GICH_LR_EOI             (1u << 19)              /* HW == 0: maintenance IRQ on EOI */
#define GICH_LR_PRIORITY_SHIFT  23                      /* [27:23] priority[7:3] */
#define GICH_LR_PRIORITY_MASK   (0x1fu << GICH_LR_PRIORITY_SHIFT)
#define GICH_LR_STATE_SHIFT     28                      /* [29:28] */
#define GICH_LR_STATE_MASK      (3u << GICH_LR_STATE_SHIFT)
#define GICH_LR_STATE_PENDING   (1u << GICH_LR_STATE_SHIFT)
#define GICH_LR_STATE_ACTIVE    (2u << GICH_LR_STATE_SHIFT)
#define GICH_LR_GRP1            (1u << 30)              /* 1: Group 1, 0: Group 0 */
#define GICH_LR_HW              (1u << 31)              /* deactivation also deactivates PhysicalID */

/* GICH_HCR */
#define GICH_HCR_EN             (1u << 0)
#define GICH_HCR_UIE            (1u << 1)       /* maintenance IRQ when <= 1 LR valid */
#define GICH_HCR_LRENPIE        (1u << 2)
#define GICH_HCR_NPIE           (1u << 3)
#define GICH_HCR_EOICOUNT_SHIFT 27              /* [31:27] */
#define GICH_HCR_EOICOUNT_MASK  (0x1fu << GICH_HCR_EOICOUNT_SHIFT)

/* GICH_VMCR: the guest's GICV_CTLR, GICV_PMR, GICV_BPR and GICV_ABPR */
#define GICH_VMCR_VMGRP0EN      (1u << 0)
#define GICH_VMCR_VMGRP1EN      (1u << 1)
#define GICH_VMCR_VMACKCTL      (1u << 2)
#define GICH_VMCR_VMFIQEN       (1u << 3)
#define GICH_VMCR_VMCBPR        (1u << 4)
#define GICH_VMCR_VEM           (1u << 9)
#define GICH_VMCR_VMABP_SHIFT   18              /* [20:18] */
#define GICH_VMCR_VMBP_SHIFT    21              /* [23:21] */
#define GICH_VMCR_VMPRIMASK_SHIFT 27            /* [31:27] priority mask[7:3] */
#define GICH_VMCR_VMPRIMASK_MASK (0x1fu << GICH_VMCR_VMPRIMASK_SHIFT)

/* GICH_VTR */
#define GICH_VTR_LISTREGS_MASK  0x3fu           /* [5:0] number of LRs - 1 */

struct vgic_v2_cpu_if {         /* shadow of one vCPU's GICH_* state */
    uint32_t hcr;               /* GICH_HCR */
    uint32_t vmcr;              /* GICH_VMCR */
    uint32_t apr;               /* GICH_APR: bit n = priority n << 3 active */
    uint32_t lr[VGIC_V2_MAX_LRS];  /* GICH_LR<n> */
    uint32_t nr_lrs;            /* GICH_VTR.ListRegs + 1, set at init */
};

/* ---- Interrupt state -------------------------------------------------- */

enum vgic_model {
    VGIC_MODEL_V3 = 0,          /* vgic_init() */
    VGIC_MODEL_V2,              /* vgic_init_v2() */
};

#define VGIC_NONE8              0xffu           /* no vCPU, in 8-bit vCPU fields */

/* One interrupt as a GIC distributor/redistributor sees it. */
struct vgic_irq {
    uint64_t irouter;       /* SPIs: GICD_IROUTER<n> as the guest wrote it */
    uint16_t intid;
    uint16_t pintid;        /* physical INTID when hw */
    uint8_t priority;       /* already masked with VGIC_PRIO_MASK */
    uint8_t target;         /* vCPU a pending SPI is delivered to, VGIC_NONE8: nobody */
    uint8_t lr_owner;       /* vCPU whose list register holds it, VGIC_NONE8: none */
    uint8_t active_vcpu;    /* vCPU that last held it active (SPIs), VGIC_NONE8: none */
    bool enabled;
    bool pending_latch;     /* edge seen / ISPENDR; level IRQs also pend on line_level */
    bool line_level;        /* level-triggered input line */
    bool active;
    bool group1;
    bool edge;              /* GICD_ICFGR: edge-triggered */
    bool hw;                /* forwarded physical interrupt: LR gets HW + pINTID */
    /* GICv2 model only. */
    uint8_t itargets;       /* SPIs: GICD_ITARGETSR byte, bits < nr_vcpus */
    /* SGIs: pending state per source vCPU (GICv2 SGIs are one interrupt per
     * (SGI, source) pair). sgi_sources holds the sources pending outside
     * any LR, and pending_latch == (sgi_sources != 0) at all times;
     * sgi_lr_src is the source of the instance in the LR, and stays the
     * source of the active instance after sync. */
    uint8_t sgi_sources;
    uint8_t sgi_lr_src;
    /* A register write changed pending/active while the IRQ sat in a running
     * vCPU's LR: at that vCPU's sync the register write wins over the LR. */
    bool pending_written;
    bool active_written;
    /* hw only: the guest set pending through ISPENDR, which latches it
     * whatever the line does, until acknowledged or cleared by ICPENDR. */
    bool pending_soft;
};

struct vgic_vcpu {
    uint64_t mpidr;                         /* MPIDR_EL1 the guest sees */
    bool processor_sleep;                   /* GICR_WAKER.ProcessorSleep */
    struct vgic_irq priv[VGIC_NR_PRIVATE_IRQS];
    struct vgic_v3_cpu_if cpu_if;           /* GICv3 model */
    struct vgic_v2_cpu_if cpu_if_v2;        /* GICv2 model */
    struct vgic_irq *lr_irq[VGIC_MAX_LRS];  /* what each used LR holds */
    uint64_t lr_used;                       /* bit n: lr_irq[n] is set */
    /* Bit n: the hardware LR n was loaded with a non-zero value for the
     * current run (world-switch bookkeeping, see arch vgic_hw.c). */
    uint64_t lr_live;
    /* The LRs hold what a flush at vgic.gen == quiet_gen gives: until gen
     * moves (every change that could alter the choice moves it, and so
     * does a sync that frees an LR), the next flush has nothing to do. */
    bool quiet;
    uint32_t quiet_gen;
    /* Bit n: private INTID n is forwarded (hw) and a register write changed
     * its pending or active state. The physical interrupt was acknowledged
     * at EL2 and stays active while the vGIC holds the virtual one pending
     * or active; a write can end that without the LR deactivation that
     * would have released it, so the CPU this vCPU is loaded on must set
     * the physical active state again (vgic_flush_lrs() or
     * vgic_apply_hw_resync()). Every write that sets a bit moves gen. */
    uint32_t hw_resync;
    /* Bit n: private INTID n may be pending, active or in an LR
     * (vgic_irq_busy()); see struct vgic's spi_busy. */
    uint32_t priv_busy;
    /* sgi_only: this vCPU's last SGI to other vCPUs only (not itself) was
     * the change that moved gen from sgi_from_gen to sgi_from_gen + 1
     * (vgic_moved_only_by_own_sgi()). */
    bool sgi_only;
    uint32_t sgi_from_gen;
};

struct vgic {
    spinlock_t lock;                        /* guards everything below */
    enum vgic_model model;                  /* fixed at init */
    unsigned nr_vcpus;
    unsigned nr_spis;                       /* implemented SPIs */
    bool grp0_enabled;                      /* GICD_CTLR.EnableGrp0 */
    bool grp1_enabled;                      /* GICD_CTLR.EnableGrp1 */
    /* Moves on every change that could alter what some vCPU's LRs should
     * hold (any register write, injection, or LR state folded back). */
    uint32_t gen;
    struct vgic_vcpu vcpu[VGIC_MAX_VCPUS];
    /* vgic_mpidr_affinity() of each vCPU's MPIDR, fixed at init: an SGI's
     * target list is matched against it on every ICC_SGI1R_EL1 write. */
    uint32_t vcpu_aff[VGIC_MAX_VCPUS];
    struct vgic_irq spi[VGIC_MAX_SPIS];
    /* Bit n: spi[n] may be pending, active or in an LR. The LR flush and
     * the WFI test visit only the interrupts these bitmaps name, never
     * every interrupt of the VM: vgic_note_change() sets the bit after any
     * change, the visitors clear it when vgic_irq_busy() no longer holds. */
    uint64_t spi_busy[(VGIC_MAX_SPIS + 63) / 64];
    /* Bit n: spi[n] is forwarded (hw) and a register write ended its
     * pending or active state while it sat in some vCPU's LR; the physical
     * SPI is deactivated once that vCPU has synced (vgic_resync_hw_spis()).
     * spi_hw_resync_any: some bit is set. */
    uint64_t spi_hw_resync[(VGIC_MAX_SPIS + 63) / 64];
    bool spi_hw_resync_any;
};

/* ---- Public API ------------------------------------------------------- */

/* Resets all state to power-on values. nr_vcpus 1..VGIC_MAX_VCPUS;
 * vcpu_mpidr[i] is the MPIDR_EL1 of vCPU i (only Aff3..Aff0 matter);
 * nr_spis 0 selects VGIC_DEFAULT_SPIS, else 1..VGIC_MAX_SPIS (GICD_TYPER
 * advertises whole blocks of 32; the rest of the last block is RAZ/WI).
 * Every interrupt starts Group 1, disabled, priority 0, level-triggered
 * (SGIs edge). Each vCPU's cpu_if is zeroed: the caller must then run
 * vgic_v3_cpu_if_init() on it. Returns 0, or -1 on bad arguments. */
int vgic_init(struct vgic *v, unsigned nr_vcpus, const uint64_t *vcpu_mpidr, unsigned nr_spis);

/* The same reset state, but a GICv2 model: nr_vcpus 1..8 (the GICv2
 * limit); vCPU i is GIC CPU interface i (ITARGETSR bit i); nr_spis as in
 * vgic_init(). GICv2 differences: every interrupt starts Group 0 (IGROUPR
 * resets to 0 and Linux only sets GICD_CTLR.EnableGrp0 and
 * GICV_CTLR.EnableGrp0), SGIs are always enabled, and every SPI's
 * ITARGETSR resets to 0x01 (vCPU 0). Each vCPU's cpu_if_v2 is zeroed: the
 * caller must then run vgic_v2_cpu_if_init() on it. 0, or -1 on bad args. */
int vgic_init_v2(struct vgic *v, unsigned nr_vcpus, unsigned nr_spis);

/* Fills nr_lrs / nr_apr from the CPU's ICH_VTR_EL2 and resets the shadow. */
void vgic_v3_cpu_if_init(struct vgic_v3_cpu_if *cif, uint64_t ich_vtr_el2);

/* Fills nr_lrs from GICH_VTR (ListRegs [5:0]) and resets the shadow,
 * hcr = GICH_HCR_EN. */
void vgic_v2_cpu_if_init(struct vgic_v2_cpu_if *cif, uint32_t gich_vtr);

/* The shadow the world switch loads before entry and saves after exit;
 * NULL for a bad vcpu_id, or when the vgic is the other model. */
struct vgic_v3_cpu_if *vgic_v3_cpu_if(struct vgic *v, unsigned vcpu_id);
struct vgic_v2_cpu_if *vgic_v2_cpu_if(struct vgic *v, unsigned vcpu_id);

/* MMIO handlers (mmio_handler_fn); dev is the struct vgic. The distributor
 * region is 64 KiB; the redistributor region holds one 0x20000 frame per
 * vCPU (RD_base then SGI_base), frame index = offset / 0x20000, which may
 * name another vCPU than vcpu_id (the accessor). Return false only for a
 * bad size or alignment, or an offset outside the distributor's 64 KiB. */
bool vgic_v3_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);
bool vgic_v3_redist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);

#define VGIC_V3_DIST_SIZE       0x10000ull
#define VGIC_V3_REDIST_STRIDE   0x20000ull

/* GICv2 distributor register file (QEMU virt: IPA 0x08000000, 64 KiB; the
 * registers fill the first 4 KiB, offsets 0x1000..0xffff are RAZ/WI).
 * Returns false only for a bad size or alignment, or an offset outside the
 * 64 KiB. The guest's CPU interface (GICC at 0x08010000) is the hardware
 * GICV frame mapped by stage 2: it is never emulated. On a vgic of the
 * other model, each model's handlers are RAZ/WI. */
bool vgic_v2_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);

#define VGIC_V2_DIST_SIZE       0x10000ull

/* For the exit fast path (trap/exit.c), read without the lock: the vGIC's
 * generation, which moves on every change that may concern some vCPU's
 * LRs, and whether vcpu_id's LRs hold nothing (only vcpu_id's own CPU
 * changes lr_used). Another CPU that changes what vcpu_id's LRs should
 * hold (hw_resync included) also kicks it, and that interrupt ends its
 * next run at once. */
static inline uint32_t vgic_gen(const struct vgic *v)
{
    return __atomic_load_n(&v->gen, __ATOMIC_RELAXED);
}

static inline bool vgic_lrs_idle(const struct vgic *v, unsigned vcpu_id)
{
    return !v->vcpu[vcpu_id].lr_used;
}

/* Do vcpu_id's LRs hold what a flush would give them (nothing changed
 * since the last flush, or a WFI wake-up flushed them)? Without the lock,
 * for the run loop on vcpu_id's CPU, the only writer of quiet: another
 * CPU that moves gen meanwhile kicks this one, whose interrupt ends the
 * coming run at once, and the flush after it sees the move. */
static inline bool vgic_lrs_current(const struct vgic *v, unsigned vcpu_id)
{
    const struct vgic_vcpu *vc = &v->vcpu[vcpu_id];

    return vc->quiet && vc->quiet_gen == vgic_gen(v);
}

/* Was the one change since gen (now gen + 1) vcpu_id's own SGI to other
 * vCPUs only? News for them (they were kicked), none for vcpu_id, whose
 * exit may re-enter at once (trap/exit.c). gen never goes back, so a
 * record from an earlier exit (sgi_from_gen < gen) cannot match. Read on
 * the CPU that wrote it. */
static inline bool vgic_moved_only_by_own_sgi(const struct vgic *v, unsigned vcpu_id, uint32_t gen)
{
    const struct vgic_vcpu *vc = &v->vcpu[vcpu_id];

    return vgic_gen(v) == gen + 1 && vc->sgi_only && vc->sgi_from_gen == gen;
}

/* Interrupt sources. vcpu_id is the calling vCPU (VGIC_NO_VCPU if none):
 * for SGIs/PPIs it also selects whose private interrupt; for SPIs it only
 * avoids kicking the caller. Out-of-range INTIDs are ignored. On a GICv2
 * model an SGI pended by vgic_inject_edge() has vcpu_id as its source. */
void vgic_set_irq_level(struct vgic *v, unsigned vcpu_id, uint32_t intid, bool level);
void vgic_inject_edge(struct vgic *v, unsigned vcpu_id, uint32_t intid);
/* Physical interrupt pintid (16..1019) fired and was priority-dropped only:
 * pend vintid with the LR HW bit so that the guest's deactivation also
 * deactivates pintid. The mapping sticks to vintid from then on. */
void vgic_inject_hw(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t pintid);
/* Ends the forwarding of vintid (e.g. while its timer is emulated in
 * software): later injections are plain virtual interrupts again. An LR
 * already holding it keeps its HW bit until the next sync. */
void vgic_unmap_hw(struct vgic *v, unsigned vcpu_id, uint32_t vintid);

/* Deactivates intid of vcpu_id as ICACTIVER would (a pending state stays);
 * a forwarded one's physical PPI follows at the next flush or
 * vgic_apply_hw_resync(). A guest hypervisor's guest deactivated it through
 * a list register with HW = 1 that named it (docs/nested.md §9.8). */
void vgic_deactivate(struct vgic *v, unsigned vcpu_id, uint32_t intid);
/* Forwards private vintid of vcpu_id from PPI pintid again when it is
 * active as a software interrupt (outside any LR): a timer's interrupt
 * that was taken while another context ran that timer in memory and is
 * still being handled when the hardware timer runs it again. True when it
 * did: the caller must then make pintid active (the invariant of forwarded
 * interrupts: physical active while the virtual one is in flight). */
bool vgic_remap_hw_active(struct vgic *v, unsigned vcpu_id, uint32_t vintid, uint32_t pintid);
/* The nr hardware timers of vcpu_id ran the timers whose PPIs are old[t]
 * and now run those of now[t] (0: none), hardware timer t's PPI being
 * pintid[t]: an interrupt in flight forwarded from a timer that moved is
 * unmapped, one active in software for a timer now on hardware timer t is
 * forwarded from pintid[t] again (the two calls above), under one lock.
 * Returns the PPIs (bit pintid[t]) to make active on this CPU: those of
 * now[] in flight and forwarded (vgic_timer_remap.c). */
uint32_t vgic_timers_remap(struct vgic *v, unsigned vcpu_id, const uint8_t *old, const uint8_t *now,
                           const uint32_t *pintid, unsigned nr);

/* Is vintid of vcpu_id (a PPI) pending or active, outside any LR (call it
 * between runs)? *forwarded, when not NULL, says whether it carries the HW
 * mapping. The scheduler asks for the timer PPIs of a vCPU that is not
 * loaded: such an interrupt needs no new injection, and while it is
 * forwarded the physical PPI must be active whenever that vCPU is loaded,
 * so that the guest's deactivation through the LR is what releases it. */
bool vgic_irq_in_flight(struct vgic *v, unsigned vcpu_id, uint32_t vintid, bool *forwarded);

/* On the physical CPU vcpu_id is loaded on, outside any run (e.g. before
 * it sleeps while that vCPU waits in WFI): give the forwarded private
 * interrupts that register writes changed (hw_resync) their physical
 * active state, active exactly while the vGIC holds them pending or
 * active. vgic_flush_lrs() does the same before every entry that follows
 * such a write. */
void vgic_apply_hw_resync(struct vgic *v, unsigned vcpu_id);

/* Trapped guest write of ICC_SGI1R_EL1 by src_vcpu. GICv3 model only (a
 * GICv2 guest sends SGIs through GICD_SGIR); ignored on a GICv2 model. */
void vgic_send_sgi(struct vgic *v, unsigned src_vcpu, uint64_t icc_sgi1r);
/* The same, saying whether src_vcpu is not among the targets, and then
 * the only change was gen moving from *gen_before to *gen_before + 1 for
 * them (also noted for vgic_moved_only_by_own_sgi()). */
bool vgic_send_sgi_to_others(struct vgic *v, unsigned src_vcpu, uint64_t icc_sgi1r,
                             uint32_t *gen_before);

/* Before entry: fill free LRs with the interrupts this vCPU should see,
 * active ones first, then pending by priority; set ICH_HCR_EL2.UIE /
 * GICH_HCR.UIE when some did not fit. After exit: fold every used LR back
 * and free it. Both models (the model picks the shadow and the encoding). */
void vgic_flush_lrs(struct vgic *v, unsigned vcpu_id);
void vgic_sync_lrs(struct vgic *v, unsigned vcpu_id);

/* For WFI, after vgic_sync_lrs(): does an interrupt exist that this vCPU's
 * virtual CPU interface would signal (pending, enabled, group enabled in
 * GICD_CTLR and ICH_VMCR / GICH_VMCR, priority above the priority mask
 * and the running priority from the active priority registers)? */
bool vgic_vcpu_has_pending(struct vgic *v, unsigned vcpu_id);
/* The same, by how the interface would signal it: as a virtual FIQ
 * (group 0 with GICv3's system registers, or with GICv2's FIQEn) or IRQ
 * (group 1, and GICv2's group 0 without FIQEn); a guest hypervisor's FMO
 * and IMO route the two apart. */
#define VGIC_PENDING_FIQ    1u
#define VGIC_PENDING_IRQ    2u
unsigned vgic_vcpu_pending_groups(struct vgic *v, unsigned vcpu_id);
/* The same question for a vCPU that runs as soon as the answer is yes
 * (alone on its CPU, waiting in WFI): one pass under the lock that, when
 * something would wake it, also flushes its LRs, so that the
 * vgic_flush_lrs() before its entry finds nothing left to do. No: nothing
 * changed. */
bool vgic_flush_lrs_if_pending(struct vgic *v, unsigned vcpu_id);

/* Provided by core (and by unit tests): make vcpu_id exit, or wake from
 * WFI, so that it syncs and re-flushes its LRs. Called without the vGIC
 * lock held; may be called for a vCPU that has nothing new to see. */
void vgic_kick_vcpu(struct vgic *v, unsigned vcpu_id);

/* Provided by core (and by unit tests): on the physical CPU vcpu_id is
 * loaded on, for each private INTID bit in mask, make the physical
 * interrupt active if its bit in active is set, inactive otherwise (bits
 * are physical INTIDs: a guest hypervisor's EL2 timer is forwarded as
 * vINTID 26 or 28 from the EL1 timer's 30 or 27). A PPI made inactive
 * while its level input is still high is pending again at once, and its
 * EL2 acknowledgement forwards it anew. It only writes the physical GIC:
 * vgic_flush_lrs() calls it with the vGIC lock held. */
void vgic_set_phys_active(struct vgic *v, unsigned vcpu_id, uint32_t mask, uint32_t active);

/* Provided by core (and by unit tests): deactivate forwarded SPI pintid
 * in the physical distributor (any CPU can). The vGIC calls it, with its
 * lock held, when a register write left the virtual SPI neither pending
 * nor active outside every LR: without it the physical one would stay
 * active, and its device could never interrupt again. */
void vgic_release_phys_spi(struct vgic *v, uint32_t pintid);

/* Provided by core (and by unit tests): the level of the input line of
 * forwarded private interrupt intid of vcpu_id (its timer's output), if
 * it can be known here: true, with *level, when vcpu_id is loaded on this
 * physical CPU (its timers are the hardware's); false otherwise. Called
 * with the vGIC lock held. */
bool vgic_hw_line_level(struct vgic *v, unsigned vcpu_id, uint32_t intid, bool *level);

/* ---- For vGIC front ends (register files) only ------------------------ */
/* Callers hold v->lock. "bank" is the vCPU whose SGIs/PPIs an INTID < 32
 * means; "caller" is the accessing vCPU; *kick collects one bit per vCPU
 * to pass to vgic_kick_mask() once the lock is released. */

enum vgic_bitreg {
    VGIC_BITREG_GROUP,
    VGIC_BITREG_SET_ENABLE, VGIC_BITREG_CLEAR_ENABLE,
    VGIC_BITREG_SET_PENDING, VGIC_BITREG_CLEAR_PENDING,
    VGIC_BITREG_SET_ACTIVE, VGIC_BITREG_CLEAR_ACTIVE,
};

/* Registers laid out identically in the GICv2/v3 distributor and the GICv3
 * SGI_base frame: one bit per INTID, 32 INTIDs per 32-bit register. */
#define VGIC_REG_IGROUPR        0x0080u
#define VGIC_REG_ISENABLER      0x0100u
#define VGIC_REG_ICENABLER      0x0180u
#define VGIC_REG_ISPENDR        0x0200u
#define VGIC_REG_ICPENDR        0x0280u
#define VGIC_REG_ISACTIVER      0x0300u
#define VGIC_REG_ICACTIVER      0x0380u
#define VGIC_REG_BITREG_END     0x0400u
#define VGIC_REG_IPRIORITYR     0x0400u     /* one byte per INTID */
#define VGIC_REG_ICFGR          0x0c00u     /* two bits per INTID */
#define VGIC_REG_IGRPMODR       0x0d00u
#define VGIC_REG_NSACR          0x0e00u
#define VGIC_REG_IDREGS         0xffd0u     /* PIDR4..CIDR3, up to 0xfffc */

/* GICD_IROUTER<n>: the fields an SPI's route keeps (vgic_core.c routes by
 * them, vgic_regs.c stores a guest's write through them). */
#define GICD_IROUTER_AFF0_2_MASK    0x00ffffffull       /* Aff2:Aff1:Aff0 [23:0] */
#define GICD_IROUTER_IRM            (1ull << 31)        /* 1: any participating PE */
#define GICD_IROUTER_AFF3_SHIFT     32                  /* [39:32] */
#define GICD_IROUTER_AFF3_MASK      (0xffull << GICD_IROUTER_AFF3_SHIFT)

/* ICC_SGI1R_EL1.TargetList covers Aff0 values RS*16 .. RS*16+15. */
#define VGIC_SGI_TARGETS_PER_RANGE 16u

struct vgic_irq *vgic_get_irq(struct vgic *v, unsigned bank, uint32_t intid);
uint32_t vgic_bitreg_read(struct vgic *v, unsigned bank, uint32_t first_intid,
                          enum vgic_bitreg reg);
void vgic_bitreg_write(struct vgic *v, unsigned bank, unsigned caller, uint32_t first_intid,
                       enum vgic_bitreg reg, uint32_t val, uint32_t *kick);
uint8_t vgic_prio_read(struct vgic *v, unsigned bank, uint32_t intid);
void vgic_prio_write(struct vgic *v, unsigned bank, unsigned caller, uint32_t intid,
                     uint8_t prio, uint32_t *kick);
/* GICD_ICFGR layout: 2 bits per INTID, bit 1 of each pair = edge. */
uint32_t vgic_cfg_read(struct vgic *v, unsigned bank, uint32_t first_intid);
void vgic_cfg_write(struct vgic *v, unsigned bank, uint32_t first_intid, uint32_t val);
void vgic_irouter_write(struct vgic *v, unsigned caller, uint32_t intid, uint64_t val,
                        uint32_t *kick);
void vgic_set_group_enables(struct vgic *v, unsigned caller, bool grp0, bool grp1,
                            uint32_t *kick);
/* GICD_CTLR bits EnableGrp0 [0] and EnableGrp1 [1], the same in the GICv3
 * (DS = 1) and GICv2 (no Security Extensions) distributors: a 32-bit
 * access; a read gives just those two bits. */
void vgic_ctlr_enables_access(struct vgic *v, unsigned caller, struct mmio_access *acc,
                              uint32_t *kick);
void vgic_set_processor_sleep(struct vgic *v, unsigned vcpu_id, bool sleep);
uint32_t vgic_mpidr_affinity(uint64_t mpidr);   /* Aff3:Aff2:Aff1:Aff0 packed in 32 bits */
/* GICv2: GICD_ITARGETSR byte of an SPI (0 for other INTIDs), and its write
 * (bits of CPU interfaces past nr_vcpus are dropped; re-routes the SPI to
 * the lowest-numbered targeted vCPU, none targeted: not delivered). */
uint8_t vgic_itargets_read(struct vgic *v, uint32_t intid);
void vgic_itargets_write(struct vgic *v, unsigned caller, uint32_t intid, uint8_t targets,
                         uint32_t *kick);
/* GICv2 SGIs: pend or clear SGI sgi (0-15) of vCPU target from source
 * vCPU src; ignored for bad vCPU numbers. */
void vgic_v2_sgi_set_pending(struct vgic *v, unsigned caller, unsigned target, uint32_t sgi,
                             unsigned src, bool pending, uint32_t *kick);
/* src_vcpu sent an SGI to targets (a vCPU mask), which moved gen from
 * gen_before, and nothing else did: see vgic_moved_only_by_own_sgi(). */
void vgic_note_own_sgi(struct vgic *v, unsigned src_vcpu, uint32_t targets, uint32_t gen_before);
/* Does irq carry per-source pending state (an SGI of a GICv2 model)? */
/* Inline: the LR flush asks it of every interrupt it places. */
static inline bool vgic_irq_has_sources(const struct vgic *v, const struct vgic_irq *irq)
{
    return v->model == VGIC_MODEL_V2 && irq->intid < VGIC_NR_SGIS;
}
/* Mask of the vCPUs that exist: bit i for vCPU i. */
uint32_t vgic_vcpu_mask(const struct vgic *v);
/* GICD_IIDR / GICR_IIDR: no JEP106 implementer, so that no guest applies
 * a silicon erratum workaround to us; ProductID [31:24] 'E'. */
#define VGIC_V3_IIDR            (0x45u << 24)

/* GICv2 GICD_IIDR: the same, no JEP106 implementer. */
#define VGIC_V2_IIDR            VGIC_V3_IIDR

/* Identification registers (0xffd0..0xfffc in the GICv3 frames, 0xfd0..
 * 0xffc in the GICv2 distributor; off is relative to the 4 KiB page):
 * PIDR2.ArchRev = arch_rev, CoreSight CIDR0-3, everything else 0. */
uint32_t vgic_idreg_read(uint64_t off, unsigned arch_rev);
/* GICv3 identification registers (0xffd0..0xfffc), same in both frames. */
uint32_t vgic_v3_idreg_read(uint64_t off);
void vgic_kick_mask(struct vgic *v, uint32_t kick);

/* Internal to the vGIC files, shared between core and the LR code. */
/* Inline: the LR flush asks both of every interrupt on every entry. */
static inline bool vgic_irq_is_pending(const struct vgic_irq *irq)
{
    return irq->pending_latch || (!irq->edge && !irq->hw && irq->line_level);
}

/* Could irq be pending, active or in an LR? A superset of what the LR
 * flush and the WFI test look for, independent of the configuration
 * (trigger, HW mapping, enable, group) that may change under it. */
static inline bool vgic_irq_busy(const struct vgic_irq *irq)
{
    return irq->pending_latch || irq->line_level || irq->active || irq->sgi_sources ||
           irq->lr_owner != VGIC_NONE8;
}

static inline bool vgic_irq_group_enabled(const struct vgic *v, const struct vgic_irq *irq)
{
    return irq->group1 ? v->grp1_enabled : v->grp0_enabled;
}
void vgic_note_change(struct vgic *v, struct vgic_irq *irq, unsigned caller, uint32_t *kick);
/* Sets irq's bit in its busy bitmap if vgic_irq_busy() (vgic_note_change()
 * does it for every change). */
void vgic_mark_busy(struct vgic *v, struct vgic_irq *irq);
/* A register write changed the pending or active state of irq (of bank):
 * if it is a forwarded private interrupt, note it in that vCPU's
 * hw_resync and kick that vCPU unless it is the caller; a forwarded SPI
 * no longer in flight is released at once, or noted in spi_hw_resync
 * while an LR holds it. */
void vgic_note_hw_write(struct vgic *v, struct vgic_irq *irq, unsigned bank, unsigned caller,
                        uint32_t *kick);
/* Under the lock: takes vc's hw_resync and returns the physical INTIDs of
 * those interrupts, saying in *active which of them the vGIC holds pending
 * or active (an LR counts as both). */
uint32_t vgic_take_hw_resync(struct vgic_vcpu *vc, uint32_t *active);
/* Under the lock: release the physical SPIs spi_hw_resync names whose
 * virtual SPI has left every LR since (vgic_flush_lrs()). */
void vgic_resync_hw_spis(struct vgic *v);
/* GICv2 SGIs: the source whose instance the next LR for irq carries (the
 * active one if active, else the lowest pending), and moving one source's
 * pending state between sgi_sources and an LR. */
unsigned vgic_sgi_lr_source(const struct vgic_irq *irq);
void vgic_sgi_source_set(struct vgic_irq *irq, unsigned src);
void vgic_sgi_source_clear(struct vgic_irq *irq, unsigned src);

/* ---- List-register encodings (vgic_lr.c <-> vgic_v2_lr.c / vgic_v3_lr.c) */

/* One list register, model-neutral. */
struct vgic_lr_desc {
    uint32_t intid;
    uint16_t pintid;        /* hw */
    uint8_t priority;       /* 8-bit scale, already masked with VGIC_PRIO_MASK */
    uint8_t source;         /* GICv2 SGIs: source CPU interface */
    bool pending;
    bool active;
    bool group1;
    bool hw;
    bool eoi;               /* maintenance interrupt on deactivation (not with hw) */
};

/* What decides whether the virtual CPU interface signals an interrupt. */
struct vgic_cpu_if_view {
    unsigned pmr;           /* priority mask, 8-bit scale: signal if prio < pmr */
    unsigned rpr;           /* running priority, 0x100 when nothing is active */
    unsigned shift;         /* 8 - preemption bits */
    bool grp0_en;
    bool grp1_en;
    bool grp0_fiq;          /* group 0 is signalled as FIQ */
};

struct vgic_lr_ops {
    unsigned max_lrs;                                       /* size of the shadow's lr[] */
    unsigned (*nr_lrs)(const struct vgic_vcpu *vc);         /* usable, <= max_lrs */
    void (*write)(struct vgic_vcpu *vc, unsigned n, const struct vgic_lr_desc *d);
    /* Fills state (pending, active), priority and group1 from LR n. */
    void (*read)(const struct vgic_vcpu *vc, unsigned n, struct vgic_lr_desc *d);
    void (*set_eoi)(struct vgic_vcpu *vc, unsigned n);      /* no-op on a HW LR */
    void (*clear)(struct vgic_vcpu *vc, unsigned n);
    void (*set_hcr)(struct vgic_vcpu *vc, bool underflow);  /* En, and UIE = underflow */
    void (*view)(const struct vgic_vcpu *vc, struct vgic_cpu_if_view *w);
};

/* ---- For the operator's console (core/monitor.c, vgic_view.c) ---------- */

/* One interrupt's state as vgic_snapshot() copies it. */
struct vgic_irq_view {
    uint16_t intid;
    uint16_t pintid;        /* hw: the physical INTID it is forwarded from */
    uint8_t priority;
    uint8_t lr_owner;       /* vCPU whose LR holds it, VGIC_NONE8: none */
    uint8_t target;         /* SPIs: vCPU a pending one goes to */
    bool enabled, pending, active, hw, group1, edge;
};

/* Copies, under the lock, the interrupts of bank that are enabled,
 * pending, active or in an LR, in INTID order: vCPU bank's SGIs and PPIs,
 * or the SPIs with bank VGIC_NO_VCPU (LPIs are not covered). At most max
 * go into out; returns how many there were. */
unsigned vgic_snapshot(struct vgic *v, unsigned bank, struct vgic_irq_view *out, unsigned max);

extern const struct vgic_lr_ops vgic_v3_lr_ops;
extern const struct vgic_lr_ops vgic_v2_lr_ops;

#endif
