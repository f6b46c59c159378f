/* Virtual GIC: per-VM interrupt state, the GICv3 distributor and
 * redistributor register files, and list-register management.
 *
 * The guest's CPU interface is the hardware virtual CPU interface (ICV_*),
 * fed through ICH_LR<n>_EL2. This code never touches hardware: it edits a
 * per-vCPU shadow of the ICH_* registers (struct vgic_v3_cpu_if) that the
 * world switch copies to and from the CPU around each guest run.
 *
 * Calling sequence for one vCPU, all under the caller's own scheduling:
 *   exit from guest -> world switch saves ICH_* into cpu_if
 *                   -> vgic_sync_lrs()        (before handling the exit)
 *   handle the exit (MMIO traps, SGI traps, WFI via vgic_vcpu_has_pending())
 *   vgic_flush_lrs() -> world switch loads cpu_if into ICH_* -> enter guest
 *
 * Every public function takes the per-VM lock itself. vgic_kick_vcpu() is
 * called after the lock has been dropped.
 *
 * Layout: vgic_core.c holds the GIC-version-independent interrupt state
 * (a later GICv2 front end reuses it), vgic_v3_lr.c the ICH_LR encoding,
 * vgic_v3_dist.c and vgic_v3_redist.c the GICv3 register files.
 */
#ifndef ELVISOR_VDEV_VGIC_H
#define ELVISOR_VDEV_VGIC_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/spinlock.h"
#include "vdev/mmio.h"

/* ---- Sizes and INTID ranges ------------------------------------------- */

#define VGIC_MAX_VCPUS          8u
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

/* ---- Hardware virtual CPU interface (ICH_*_EL2) ----------------------- */

#define VGIC_V3_MAX_LRS         16u
#define VGIC_V3_MAX_APRS        4u

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK      0xffffffffull           /* [31:0] */
#define ICH_LR_PINTID_SHIFT     32                      /* [44:32], HW == 1 */
#define ICH_LR_PINTID_MASK      (0x1fffull << ICH_LR_PINTID_SHIFT)
#define ICH_LR_EOI              (1ull << 41)            /* HW == 0: maintenance IRQ on EOI */
#define ICH_LR_PRIORITY_SHIFT   48                      /* [55:48] */
#define ICH_LR_PRIORITY_MASK    (0xffull << ICH_LR_PRIORITY_SHIFT)
#define ICH_LR_GROUP            (1ull << 60)            /* 1: Group 1 (vIRQ), 0: Group 0 (vFIQ) */
#define ICH_LR_HW               (1ull << 61)            /* deactivation also deactivates pINTID */
#define ICH_LR_STATE_SHIFT      62                      /* [63:62] */
#define ICH_LR_STATE_MASK       (3ull << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_PENDING    (1ull << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_ACTIVE     (2ull << ICH_LR_STATE_SHIFT)

/* ICH_HCR_EL2 */
#define ICH_HCR_EN              (1ull << 0)     /* virtual CPU interface enable */
#define ICH_HCR_UIE             (1ull << 1)     /* maintenance IRQ when <= 1 LR valid */
#define ICH_HCR_LRENPIE         (1ull << 2)     /* maintenance IRQ while EOIcount != 0 */
#define ICH_HCR_NPIE            (1ull << 3)     /* maintenance IRQ when no LR pending */
#define ICH_HCR_EOICOUNT_SHIFT  27              /* [31:27] */
#define ICH_HCR_EOICOUNT_MASK   (0x1full << ICH_HCR_EOICOUNT_SHIFT)

/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG0          (1ull << 0)     /* guest ICC_IGRPEN0_EL1 */
#define ICH_VMCR_VENG1          (1ull << 1)     /* guest ICC_IGRPEN1_EL1 */
#define ICH_VMCR_VPMR_SHIFT     24              /* [31:24] guest ICC_PMR_EL1 */
#define ICH_VMCR_VPMR_MASK      (0xffull << ICH_VMCR_VPMR_SHIFT)

/* ICH_VTR_EL2 */
#define ICH_VTR_LISTREGS_MASK   0x1full         /* [4:0] number of LRs - 1 */
#define ICH_VTR_PREBITS_SHIFT   26              /* [28:26] preemption bits - 1 */
#define ICH_VTR_PRIBITS_SHIFT   29              /* [31:29] priority bits - 1 */
#define ICH_VTR_BITS_MASK       0x7ull

struct vgic_v3_cpu_if {        /* shadow of the hardware ICH_* state of one vCPU */
    uint64_t lr[16];           /* ICH_LR<n>_EL2 */
    uint64_t hcr;              /* ICH_HCR_EL2 (En, UIE, NPIE, LRENPIE...) */
    uint64_t vmcr;             /* ICH_VMCR_EL2 */
    uint32_t ap0r[4], ap1r[4]; /* ICH_AP0R<n>/AP1R<n>_EL2 */
    uint32_t nr_lrs;           /* ICH_VTR_EL2.ListRegs + 1, set at init */
    uint32_t nr_apr;           /* from ICH_VTR_EL2.PREbits: 1, 2 or 4 */
};

/* ---- Interrupt state -------------------------------------------------- */

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
    /* A register write changed pending/active while the IRQ sat in a running
     * vCPU's LR: at that vCPU's sync the register write wins over the LR. */
    bool pending_written;
    bool active_written;
};

struct vgic_vcpu {
    uint64_t mpidr;                         /* MPIDR_EL1 the guest sees */
    bool processor_sleep;                   /* GICR_WAKER.ProcessorSleep */
    struct vgic_irq priv[VGIC_NR_PRIVATE_IRQS];
    struct vgic_v3_cpu_if cpu_if;
    struct vgic_irq *lr_irq[VGIC_V3_MAX_LRS];   /* what each used LR holds */
};

struct vgic {
    spinlock_t lock;                        /* guards everything below */
    unsigned nr_vcpus;
    unsigned nr_spis;                       /* implemented SPIs */
    bool grp0_enabled;                      /* GICD_CTLR.EnableGrp0 */
    bool grp1_enabled;                      /* GICD_CTLR.EnableGrp1 */
    struct vgic_vcpu vcpu[VGIC_MAX_VCPUS];
    struct vgic_irq spi[VGIC_MAX_SPIS];
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

/* Fills nr_lrs / nr_apr from the CPU's ICH_VTR_EL2 and resets the shadow. */
void vgic_v3_cpu_if_init(struct vgic_v3_cpu_if *cif, uint64_t ich_vtr_el2);

/* The shadow the world switch loads before entry and saves after exit;
 * NULL for a bad vcpu_id. */
struct vgic_v3_cpu_if *vgic_v3_cpu_if(struct vgic *v, unsigned vcpu_id);

/* MMIO handlers (mmio_handler_fn); dev is the struct vgic. The distributor
 * region is 64 KiB; the redistributor region holds one 0x20000 frame per
 * vCPU (RD_base then SGI_base), frame index = offset / 0x20000, which may
 * name another vCPU than vcpu_id (the accessor). Return false only for a
 * bad size or alignment, or an offset outside the distributor's 64 KiB. */
bool vgic_v3_dist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);
bool vgic_v3_redist_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);

#define VGIC_V3_DIST_SIZE       0x10000ull
#define VGIC_V3_REDIST_STRIDE   0x20000ull

/* Interrupt sources. vcpu_id is the calling vCPU (VGIC_NO_VCPU if none):
 * for SGIs/PPIs it also selects whose private interrupt; for SPIs it only
 * avoids kicking the caller. Out-of-range INTIDs are ignored. */
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

/* Trapped guest write of ICC_SGI1R_EL1 by src_vcpu. */
void vgic_send_sgi(struct vgic *v, unsigned src_vcpu, uint64_t icc_sgi1r);

/* Before entry: fill free LRs with the interrupts this vCPU should see,
 * active ones first, then pending by priority; set ICH_HCR_EL2.UIE when
 * some did not fit. After exit: fold every used LR back and free it. */
void vgic_flush_lrs(struct vgic *v, unsigned vcpu_id);
void vgic_sync_lrs(struct vgic *v, unsigned vcpu_id);

/* For WFI, after vgic_sync_lrs(): does an interrupt exist that this vCPU's
 * virtual CPU interface would signal (pending, enabled, group enabled in
 * GICD_CTLR and ICH_VMCR, priority above VPMR and the running priority)? */
bool vgic_vcpu_has_pending(struct vgic *v, unsigned vcpu_id);

/* Provided by core (and by unit tests): make vcpu_id exit, or wake from
 * WFI, so that it syncs and re-flushes its LRs. Called without the vGIC
 * lock held; may be called for a vCPU that has nothing new to see. */
void vgic_kick_vcpu(struct vgic *v, unsigned vcpu_id);

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

/* ICC_SGI1R_EL1.TargetList covers Aff0 values RS*16 .. RS*16+15. */
#define VGIC_SGI_TARGETS_PER_RANGE 16u

/* Does off fall in one of the bit registers above? Gives which, and the
 * first INTID that 32-bit register covers. */
bool vgic_bitreg_decode(uint64_t off, enum vgic_bitreg *reg, uint32_t *first_intid);

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
void vgic_set_processor_sleep(struct vgic *v, unsigned vcpu_id, bool sleep);
uint32_t vgic_mpidr_affinity(uint64_t mpidr);   /* Aff3:Aff2:Aff1:Aff0 packed in 32 bits */
/* GICD_IIDR / GICR_IIDR: no JEP106 implementer, so that no guest applies
 * a silicon erratum workaround to us; ProductID [31:24] 'E'. */
#define VGIC_V3_IIDR            (0x45u << 24)

/* GICv3 identification registers (0xffd0..0xfffc), same in both frames. */
uint32_t vgic_v3_idreg_read(uint64_t off);
void vgic_kick_mask(struct vgic *v, uint32_t kick);

/* Internal to the vGIC files, shared between core and the LR code. */
bool vgic_irq_is_pending(const struct vgic_irq *irq);
bool vgic_irq_group_enabled(const struct vgic *v, const struct vgic_irq *irq);
void vgic_note_change(struct vgic *v, struct vgic_irq *irq, unsigned caller, uint32_t *kick);

#endif
