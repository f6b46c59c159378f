/* Virtual EL2 on FEAT_NV2 (docs/nested.md). A vCPU of a VM configured with
 * `virt-el2` starts in its virtual EL2 ("hyp context"): it runs at
 * physical EL1 with HCR_EL2.{NV,NV2} set, so that CurrentEL reads EL2, the
 * EL2 registers with a VNCR page slot become loads and stores in that page,
 * and the rest of its EL2 accesses, ERET and HVC trap to elvisor.
 *
 * With vE2H RES1 (ID_AA64MMFR4_EL1.E2H0 = NI_NV1), the guest hypervisor's
 * EL2 registers that have an EL1 counterpart of the same layout live in
 * the hardware EL1 registers while it runs in hyp context: its EL1-named
 * accesses reach them without a trap, as its EL2 registers, and exceptions
 * it takes to itself arrive at its VBAR_EL2. Where each of its registers
 * lives in each context is the vCPU register file's table
 * (core/vcpu_reg.h).
 *
 * docs/nested.md §9.5 to §9.12: the hyp context, the nested context (the
 * guest's own guest at EL1/EL0), and the guest hypervisor's stage 2 for it
 * through a shadow stage 2 (shadow_s2.c). */
#ifndef ELVISOR_NESTED_NESTED_H
#define ELVISOR_NESTED_NESTED_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/sysreg.h"
#include "core/vcpu.h"
#include "core/vmid_alloc.h"
#include "nested/vncr.h"
#include "vdev/vgic.h"

struct vcpu;
struct vm;

/* Exits to elvisor per exit of its guest it handles, by kind of exit
 * (exit_stats.c): a histogram of counts, the last bucket "that or more". */
enum nested_xkind { NESTED_X_HVC, NESTED_X_OTHER, NESTED_X_IRQ, NESTED_X_ERET, NESTED_X_NR };
#define NESTED_X_BUCKETS        256
struct nested_xstats {
    uint64_t open_at;           /* the vCPU's nr_exits at the forwarded exit */
    uint8_t open_kind;          /* its enum nested_xkind + 1; 0: none open */
    uint32_t hist[NESTED_X_NR][NESTED_X_BUCKETS];
};
struct nested_xsummary {
    uint64_t count;
    unsigned min, median, max;  /* exits each; NESTED_X_BUCKETS - 1 means that or more */
};
/* The kind of a synchronous exit by its syndrome: its HVC, its ERET (a
 * guest hypervisor at a vEL2 of its own, §9.21), the rest. */
enum nested_xkind nested_xkind_of(uint64_t esr);
void nested_xstats_open(struct nested_xstats *s, enum nested_xkind k, uint64_t nr_exits);
void nested_xstats_close(struct nested_xstats *s, uint64_t nr_exits);
void nested_xstats_summary(const struct nested_xstats *s, enum nested_xkind k, struct nested_xsummary *out);

/* Its HCR_EL2 as elvisor reads it, (page & keep) | set (nested_vhcr_masks). */
struct nested_vhcr_masks {
    uint64_t keep, set;
};

struct vcpu_nested {
    bool nvhe;                  /* virt-el2-mode = "nvhe": vE2H RES0, NV1 in hyp context */
    uint8_t reg_ctx[2];         /* v->reg_ctx for [in hyp context] (enum vcpu_ctx, by nvhe) */
    uint64_t guest_hcr;         /* HCR_EL2 a plain EL1 guest of this VM gets */
    uint64_t hyp_cnthctl;       /* CNTHCTL_EL2 in hyp context (timers.c) */
    struct nested_vhcr_masks vhcr_masks;   /* its HCR_EL2 as read (nested_vhcr_effective) */
    uint64_t mdcr_base, mdcr_hw;    /* MDCR_EL2 without its traps, and as written (nested_debug_traps) */
    uint64_t ich_vtr;           /* ICH_VTR_EL2 it reads; 0 without GICv3 */
    uint32_t ich_hw_lrs;        /* its LRs with HW = 1 in its guest's run (bit n: LR n) */
    uint32_t ich_img_lrs;       /* the LRs of ich_img loaded non-zero (the others are zero) */
    bool ich_live;              /* ich_img is in the hardware (its guest's run) */
    struct vgic_v3_cpu_if ich_img;
    /* The nested context's stage 2: the VM's or a shadow's root, and the
     * VMID context it runs under (put in VTTBR_EL2 through the allocator). */
    uint64_t l2_root;
    struct vmid_ctx *l2_vmid;
    unsigned s2_slot;           /* shadow stage-2 slot held, NS2_POOL_SLOTS if none */
    uint64_t vhcr_logged;       /* unhonoured vHCR bits already reported (a union) */
    struct nested_xstats xstats;
    bool fp_trap_hw;            /* CPTR_EL2 traps FP/SIMD for its guest (nested_pre_enter) */
    bool cpacr_trap_hw;         /* CPTR_EL2 traps CPACR_EL1 for its guest (TCPAC) */
    bool nv2;                   /* virt-el2-nv2: FEAT_NV2 offered (§9.21) */
    /* While its guest runs at a vEL2 of its own (its vHCR.{NV,NV2}): the
     * guest hypervisor's VNCR page for it, elvisor's address of it, the
     * hardware VNCR_EL2; 0 otherwise. */
    uint64_t l2_vncr;
    /* Its maintenance interrupt's level as last given to the vGIC (update_mi):
     * mi_known false until then, and after a reset. */
    bool mi_known, mi_level;
    /* The last poll of its software timers (timers.c), reused while nothing
     * it depends on can have changed: no exit, no vGIC change, the same
     * context, not yet due. poll_valid false forces a poll. */
    bool poll_valid, poll_in_hyp;
    uint64_t poll_exits, poll_next;
    uint32_t poll_gen;
};

/* Its VNCR page (v->vncr, 4 KiB; the hardware VNCR_EL2 in hyp context)
 * by byte offset, for the tests; elvisor names registers (below). */
static inline uint64_t vncr_read(const struct vcpu *v, unsigned off)
{
    return v->vncr[off / sizeof(uint64_t)];
}

static inline void vncr_write(struct vcpu *v, unsigned off, uint64_t val)
{
    v->vncr[off / sizeof(uint64_t)] = val;
}

/* In hyp context: vEL2 (or vEL0 with vE2H = vTGE = 1), by the context the
 * register file locates its registers by (nested_set_in_hyp()). */
static inline bool nested_in_hyp(const struct vcpu *v)
{
    return vcpu_ctx_is_hyp((enum vcpu_ctx)v->reg_ctx);
}

/* A register whose only home is the VNCR page (core/vcpu_reg.h's
 * VCPU_VNCR_ONLY): the same slot in every context of a nested vCPU, so the
 * hyp context's location serves, and a constant r makes it one access. */
static inline uint64_t vncr_reg_read(const struct vcpu *v, enum vcpu_reg r)
{
    return vcpu_reg_read_in(v, r, VCPU_CTX_HYP);
}

static inline void vncr_reg_write(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
    vcpu_reg_write_in(v, r, VCPU_CTX_HYP, val);
}

/* Its HCR_EL2 (vHCR) as elvisor reads it: the page's value with what the
 * VM's ID registers make RES0/RES1 applied (vhcr_masks). */
static inline uint64_t nested_vhcr(const struct vcpu *v)
{
    const struct nested_vhcr_masks *m = &v->nested->vhcr_masks;

    return (vncr_reg_read(v, VREG_HCR_EL2) & m->keep) | m->set;
}

/* The slot of r, and of the registers after it in VCPU_VNCR_ONLY (the
 * LRs, the active priorities: consecutive in the page too). For an r the
 * caller indexes: every VCPU_VNCR_ONLY row is the same VNCR slot in every
 * nested context (tests/unit/fake/test_vcpu_reg.c checks both), so the
 * slot is the access, without vcpu_reg_read_in()'s switch on the kind. */
static inline uint64_t *vncr_reg_slot(const struct vcpu *v, enum vcpu_reg r)
{
    return &v->vncr[vcpu_reg_loc[r][VCPU_CTX_HYP].at / sizeof(uint64_t)];
}

/* Enters or leaves hyp context: the register file locates the vCPU's
 * registers by the same context (core/vcpu_reg.h). */
void nested_set_in_hyp(struct vcpu *v, bool in_hyp);

/* ---- Pure (nested_calc.c, host-tested) ---- */

/* HCR_EL2 while the vCPU runs in hyp context; nvhe: its vE2H is 0. */
uint64_t nested_hyp_hcr(uint64_t guest_hcr, bool nvhe);

/* HCR_EL2 while the vCPU runs its guest's guest (nested context). */
uint64_t nested_l2_hcr(uint64_t guest_hcr, uint64_t vhcr);
uint64_t nested_l2_hcrx(uint64_t guest_hcrx, uint64_t vhcrx);

/* vHCR bits elvisor forwards the traps of (docs/nested.md §9.3). */
#define NESTED_VHCR_FORWARDED   (HCR_EL2_TWI | HCR_EL2_TWE | HCR_EL2_TID3 | HCR_EL2_TSC | HCR_EL2_TID2 | HCR_EL2_TIDCP | HCR_EL2_TACR | \
                                 HCR_EL2_TSW | HCR_EL2_TPCP | HCR_EL2_TPU | HCR_EL2_TTLB | HCR_EL2_TVM | HCR_EL2_TRVM | HCR_EL2_TLOR | \
                                 HCR_EL2_TID1 | HCR_EL2_TID5)
/* vHCR bits whose effect elvisor gives its guest's guest: the execution
 * state, E2H (RES1), TGE and HCD (ERET and HVC decisions), barrier and
 * walk attributes that elvisor's own HCR already makes at least as strong,
 * the pointer-authentication and MTE (ATA, bit 56, which Linux sets at
 * boot) controls of features that are hidden, VM (the shadow stage 2),
 * IMO and FMO (nested_check_irq), AMO, VSE, VI and VF (its guest's
 * virtual SError, IRQ and FIQ, nested_l2_hcr), and FEAT_EVT's TID4, TICAB,
 * TOCU, TTLBIS and TTLBOS, RES0 for a VM that is not offered EVT (none is:
 * trap/id_regs.c), so without effect, as on a PE without EVT. */
#define NESTED_VHCR_HONOURED    (HCR_EL2_RW | HCR_EL2_E2H | HCR_EL2_TGE | HCR_EL2_HCD | HCR_EL2_FB | HCR_EL2_BSU_MASK | \
                                 HCR_EL2_SWIO | HCR_EL2_PTW | HCR_EL2_API | HCR_EL2_APK | HCR_EL2_ATA | HCR_EL2_VM | HCR_EL2_IMO | HCR_EL2_FMO | \
                                 HCR_EL2_AMO | HCR_EL2_VSE | HCR_EL2_VI | HCR_EL2_VF | NESTED_VHCR_EVT_RES0)
#define NESTED_VHCR_EVT_RES0    (HCR_EL2_TID4 | HCR_EL2_TICAB | HCR_EL2_TOCU | HCR_EL2_TTLBIS | HCR_EL2_TTLBOS)
/* vHCR bits a guest hypervisor offered FEAT_NV2 (virt-el2-nv2) sets to
 * give its own guest a virtual EL2: the hardware runs that guest with them
 * (nested_l2_hcr), VNCR_EL2 at the guest hypervisor's page (§9.21). */
#define NESTED_VHCR_NV          (HCR_EL2_NV | HCR_EL2_NV2 | HCR_EL2_AT)
/* The VNCR slot an EL1- or EL0-named access of its guest goes to while
 * that guest runs with hw_hcr (NV2 with NV, NV1 for most names), or
 * SYSREG_NO_VNCR: where elvisor traps such an access for a reason of its
 * own, it makes the access the hardware would have made (§9.23). */
uint32_t nested_l2_vncr_slot(uint32_t key, uint64_t hw_hcr);
/* Makes such an access of its guest's (ESR) on the guest hypervisor's
 * page; false when it is not one (el2_regs.c). */
bool nested_l2_vncr_access(struct vcpu *v, uint64_t esr);
/* The bits of vHCR its guest's guest would not get (logged). */
uint64_t nested_vhcr_unhonoured(uint64_t vhcr);
/* Of those, the ones not reported before (added to *reported): a value
 * that alternates between two sets is reported once, not at every entry. */
uint64_t nested_vhcr_unreported(uint64_t vhcr, uint64_t *reported);

/* What an exit from the nested context becomes. */
enum nested_l2_exit {
    NESTED_L2_ELVISOR,      /* the guest hypervisor did not ask: as for an EL1 guest */
    NESTED_L2_TO_VEL2,      /* injected into vEL2 (lower EL, AArch64) */
    NESTED_L2_UNDEF,        /* UNDEFINED in the guest's guest (HVC with HCD) */
    NESTED_L2_ID_UNDEF,     /* a feature ID register it does not have (inject_id_space_undef) */
};
/* The guest hypervisor's controls an exit of its guest is judged by:
 * its HCR_EL2 (effective) and CNTHCTL_EL2 in the E2H = 1 layout. */
struct nested_ctls {
    uint64_t hcr, cnthctl, mdcr;
    uint64_t ich_hcr;       /* its ICH_HCR_EL2's traps, 0 unless L2 runs on its LRs */
    uint64_t cptr;          /* NESTED_CPTR_*: what its CPTR_EL2 traps of its guest's EL1 */
    uint64_t offered;       /* NESTED_OFFERS_*: optional features the VM's CPUs show */
};
/* Exception classes whose forwarding rows test only its HCR_EL2 (or
 * nothing): the others' controls need not be gathered for them
 * (test_nested checks the table keeps to it). */
#define NESTED_FWD_HCR_ONLY(ec) ((ec) != EC_SYS64 && (ec) != EC_FP_ASIMD)
#define NESTED_CPTR_TFP         BIT(0)      /* FP/SIMD */
#define NESTED_CPTR_TTA         BIT(1)      /* trace registers */
#define NESTED_CPTR_TAM         BIT(2)      /* activity monitors */
#define NESTED_CPTR_TCPAC       BIT(3)      /* CPACR_EL1 */
/* Features whose registers exist for the VM only when offered: a trap of
 * an absent register is not taken, the access is UNDEFINED (Arm ARM). */
#define NESTED_OFFERS_AMU       BIT(0)
#define NESTED_OFFERS_TRACE     BIT(1)
/* Its CPTR_EL2's traps of its guest's EL1 and EL0 (TGE clear) as
 * NESTED_CPTR_* bits; e2h: the E2H = 1 layout. */
uint64_t nested_cptr_traps(uint64_t cptr, bool e2h);
/* Whether a CPTR_EL2 value traps FP/SIMD at EL1 and EL0 while its guest
 * runs (TGE clear): e2h, the E2H = 1 layout (FPEN 0b00 or 0b10), else
 * the E2H = 0 one (TFP). */
bool nested_cptr_traps_fp(uint64_t cptr, bool e2h);
/* ICH_HCR_EL2 traps of its guest's ICC_* accesses (GICv3). */
#define NESTED_ICH_HCR_TC       BIT(10)
#define NESTED_ICH_HCR_TALL0    BIT(11)
#define NESTED_ICH_HCR_TALL1    BIT(12)
#define NESTED_ICH_HCR_TDIR     BIT(14)
#define NESTED_ICH_HCR_TRAPS    (NESTED_ICH_HCR_TC | NESTED_ICH_HCR_TALL0 | NESTED_ICH_HCR_TALL1 | \
                                 NESTED_ICH_HCR_TDIR)
#define NESTED_CNTHCTL_EL1PCTEN BIT(10)     /* E2H = 1 layout */
#define NESTED_CNTHCTL_EL1PTEN  BIT(11)
#define NESTED_CNTHCTL_EL1TVT   BIT(13)     /* FEAT_ECV */
#define NESTED_CNTHCTL_EL1TVCT  BIT(14)
#define NESTED_CNTHCTL_EL1NVPCT BIT(15)     /* FEAT_ECV: CNTP_*_EL02 trap under NV2 */
#define NESTED_CNTHCTL_EL1NVVCT BIT(16)     /* CNTV_*_EL02 */
#define NESTED_CNTHCTL_EL02_TRAPS (NESTED_CNTHCTL_EL1NVPCT | NESTED_CNTHCTL_EL1NVVCT)
/* Its guest's EL1 may use the physical counter and timer: CNTHCTL_EL2's
 * reset value as elvisor gives it (the architecture leaves it UNKNOWN). */
#define NESTED_CNTHCTL_OPEN     (NESTED_CNTHCTL_EL1PCTEN | NESTED_CNTHCTL_EL1PTEN)
/* forward.c: the table of what its guest's exits are forwarded on. */
enum nested_l2_exit nested_l2_exit_kind(uint64_t esr, const struct nested_ctls *c);
/* The same by a scan of the whole table, which the index behind
 * nested_l2_exit_kind() must agree with (host test); and whether that
 * index is in use (false: the table outgrew it and every lookup scans). */
enum nested_l2_exit nested_l2_exit_kind_scan(uint64_t esr, const struct nested_ctls *c);
bool nested_fwd_indexed(void);
/* The debug traps its MDCR_EL2 asks for: TDA, TDOSA, TDRA (all with TDE). */
uint64_t nested_mdcr_traps(uint64_t mdcr);
/* Its CNTHCTL_EL2 in the E2H = 1 layout (e2h: it is in that layout). */
uint64_t nested_cnthctl_e2h1(uint64_t cnthctl, bool e2h);

#define NESTED_VECTOR_LOWER_A64_SYNC    0x400u
#define NESTED_VECTOR_IRQ_OFFSET        0x80u   /* IRQ entry after the sync one */
#define NESTED_VECTOR_FIQ_OFFSET        0x100u  /* FIQ entry after the sync one */

/* Exception entry into vEL2 from its guest's EL1/EL0: the guest's ELR_EL2,
 * SPSR_EL2 and the hardware PC and PSTATE to continue with. */
struct nested_exc {
    uint64_t elr, spsr, pc, pstate;
};
/* sctlr: the guest hypervisor's SCTLR_EL2; pan/ssbs: FEAT_PAN/FEAT_SSBS. */
void nested_exc_to_vel2(uint64_t vbar, uint64_t pc, uint64_t pstate, uint64_t sctlr, bool pan,
                        bool ssbs, struct nested_exc *e);

/* The guest hypervisor's HCR_EL2 as elvisor must read it: E2H is RES1,
 * or RES0 for a non-VHE one (nvhe). */
uint64_t nested_vhcr_effective(uint64_t vncr_hcr, bool nvhe, bool nv2, bool nv1);
/* The same as two masks, for a vCPU to keep: (vncr_hcr & keep) | set. */
void nested_vhcr_masks(bool nvhe, bool nv2, bool nv1, struct nested_vhcr_masks *m);

/* A non-VHE guest hypervisor's SCTLR_EL2, TCR_EL2, CPTR_EL2 (E2H = 0
 * layouts) as the hardware EL1 registers that give them effect while it
 * runs at EL1 with NV1. */
uint64_t nested_sctlr_el2_to_el1(uint64_t sctlr_el2);
uint64_t nested_tcr_el2_to_el1(uint64_t tcr_el2);
uint64_t nested_cptr_el2_to_cpacr(uint64_t cptr_el2);

/* PSTATE.M between hardware (EL1h/EL1t) and what the guest sees (EL2h/EL2t)
 * in an SPSR; EL0t and everything else is unchanged. */
uint64_t nested_spsr_to_vel2(uint64_t hw_pstate);
uint64_t nested_spsr_from_vel2(uint64_t spsr);

enum nested_eret_kind {
    NESTED_ERET_HYP,        /* returns within hyp context: new hardware PSTATE */
    NESTED_ERET_NESTED,     /* to the guest's own EL1/EL0 (its guest) */
    NESTED_ERET_ILLEGAL,    /* illegal exception return: PSTATE.IL set */
};

/* ERET from hyp context with the guest's SPSR_EL2 and effective HCR_EL2;
 * cur_pstate is the hardware PSTATE at the ERET. *pstate is the hardware
 * PSTATE to continue with (HYP and ILLEGAL; the PC is ELR_EL2 for both). */
enum nested_eret_kind nested_eret(uint64_t spsr, uint64_t vhcr, uint64_t cur_pstate, uint64_t *pstate);

/* The trapped ICH_* registers of the guest hypervisor (vgic_calc.c),
 * computed from the nr list-register images of its VNCR page. */
uint64_t nested_ich_vtr(unsigned nr_lrs, unsigned nr_apr);
uint64_t nested_ich_elrsr(const uint64_t *lr, unsigned nr);
uint64_t nested_ich_eisr(const uint64_t *lr, unsigned nr);
uint64_t nested_ich_misr(uint64_t hcr, uint64_t vmcr, const uint64_t *lr, unsigned nr);
/* Its LR as loaded for its guest (pintid: the physical interrupt its HW
 * entry's pINTID is forwarded from, or 0), and folded back at the exit. */
uint64_t nested_shadow_lr(uint64_t lr, uint32_t pintid);
uint64_t nested_fold_lr(uint64_t l1_lr, uint64_t hw_lr);
/* The interrupt of its own an LR with HW = 1 names (its pINTID field). */
uint32_t nested_lr_pintid(uint64_t lr);
bool nested_mi_level(uint64_t hcr, uint64_t vmcr, const uint64_t *lr, unsigned nr);
#define NESTED_MI_INTID         25u     /* its maintenance interrupt, PPI 9 */

/* The world switch of its GIC interface (nested.c, from sched.c run()):
 * before an entry, its maintenance-interrupt level and, in the nested
 * context with its ICH_HCR_EL2.En set, its LRs loaded for its guest (true:
 * elvisor's own LRs stay out of this run); after that run, folded back. */
bool nested_vgic_enter(struct vcpu *v);
void nested_vgic_exit(struct vcpu *v);

/* ---- Hypervisor side (nested.c) ---- */

/* Refuses virt-el2 on a CPU without FEAT_NV2, with a log line. */
int nested_vm_check(const struct vm *vm);
/* Gives every vCPU of a VM created with virt-el2 its virtual EL2: the
 * state, and the hooks (core/vcpu_ext.h) through which the layers below
 * reach it. Negative, with a log line, when the CPU or memory cannot. */
int nested_vm_attach(struct vm *vm);
/* Allocates the vCPU's nested state and VNCR page. */
int nested_vcpu_init(struct vcpu *v, uint64_t guest_hcr);
/* Architectural reset into vEL2 (after vcpu_reset's EL1 reset). */
void nested_vcpu_reset(struct vcpu *v);
/* With vcpu_load: VNCR_EL2. */
void nested_load(struct vcpu *v);
/* Exits a vEL2 vCPU handles differently (HVC, ERET, EL2 TLB maintenance,
 * VNCR faults); false when the normal exit table applies. */
bool nested_handle_sync(struct vcpu *v, uint64_t esr);
/* A TLBI or AT instruction trapped from vEL2 (sys_insn.c): handled, or
 * false for any other system instruction or register access. */
bool nested_sys_insn(struct vcpu *v, uint64_t esr);
/* The context switch (ctx.c). The guest's guest's VTTBR_EL2 on the VM's
 * stage 2 (vHCR.VM = 0), for TLB maintenance: under the VM's l2_vmid. */
uint64_t nested_vttbr(const struct vm *vm);
/* VPIDR/VMPIDR_EL2 for the context the vCPU is in. */
void nested_load_ids(const struct vcpu *v);
void nested_hcrx(const struct vcpu *v, bool in_hyp);
/* ERET from vEL2 into the nested context at pc/pstate (vCPU loaded), on
 * the stage 2 at root under the VMID of vmid. */
void nested_enter_l2(struct vcpu *v, uint64_t vhcr, uint64_t root, struct vmid_ctx *vmid, uint64_t pc,
                     uint64_t pstate);
/* Leaving the nested context: VNCR_EL2 back on the vCPU's own page if its
 * guest ran on its hypervisor's (nested.c, for ctx.c). */
void nested_vncr_leave_l2(struct vcpu *v);
/* A trap from the nested context taken by vEL2 with syndrome esr. */
void nested_exit_to_vel2(struct vcpu *v, uint64_t esr);
/* What its CPTR_EL2 traps of its guest now, NESTED_CPTR_* (ctx.c). */
uint64_t nested_l2_cptr_traps(const struct vcpu *v);
/* An IRQ from the nested context taken by vEL2 (VBAR_EL2 + 0x480). */
void nested_irq_to_vel2(struct vcpu *v);
/* An FIQ from the nested context taken by vEL2 (VBAR_EL2 + 0x500). */
void nested_fiq_to_vel2(struct vcpu *v);
/* Before each entry of a vEL2 vCPU: with vHCR.IMO set, an interrupt of
 * the guest hypervisor pending while its guest runs ends that guest's
 * run with an IRQ exception into vEL2. */
void nested_check_irq(struct vcpu *v);
/* Runs at(va) with the guest's guest's EL1&0 regime in the hardware, on the
 * shadow of its hypervisor's stage 2 when own_s2 (vHCR.VM). */
void nested_at_in_l2(struct vcpu *v, void (*at)(uint64_t va), uint64_t va, bool own_s2);
/* AT S12E*: s1 (its AT S1E* form) in its guest's regime, then, with its
 * stage 2 on, that stage 2 walked for the IPA; PAR_EL1 gets both stages'
 * result (shadow_s2.c). */
void nested_at_s12(struct vcpu *v, void (*s1)(uint64_t va), uint64_t va, bool write, bool own_s2);

/* The shadow stage 2 (shadow_s2.c). Per-VM pool, set up with vCPU 0. */
int shadow_s2_init(struct vm *vm);
/* Takes the shadow context for the vVTTBR in the page (vHCR.VM = 1): its
 * root table in *root and its VMID context in *vmid; false when every
 * context is held (cannot happen with a slot per vCPU). */
bool shadow_s2_enter(struct vcpu *v, uint64_t *root, struct vmid_ctx **vmid);
/* Gives the context back (the vCPU leaves the nested context). */
void shadow_s2_leave(struct vcpu *v);
/* An abort of the guest's guest on a shadow: a shadow entry installed,
 * the fault injected into vEL2, the access emulated, or an external abort
 * for it; false when the vCPU holds no shadow (vHCR.VM = 0). */
bool shadow_s2_fault(struct vcpu *v, uint64_t esr);
/* The guest hypervisor's TLB maintenance: with tables, every shadow
 * context is emptied (stage 2 changed); without, only the hardware TLB of
 * their VMIDs is invalidated (its guest's stage 1 changed). */
void shadow_s2_invalidate(struct vm *vm, bool tables);

/* The timers (timers.c): which ones the hardware EL1 timers run in the
 * vCPU's context (the timer_map hook), the polls of the others (the
 * poll_timers and put hooks), the switch at the ERET into its guest and at
 * the exits back to vEL2 (after in_hyp changes), and the trap table:
 * el2_regs.c's, then the trapped timer registers. */
struct vtimer_map;
void nested_timer_map(const struct vcpu *v, struct vtimer_map *m);
uint64_t nested_poll_timers(struct vcpu *v, uint64_t now);
void nested_put(struct vcpu *v);
void nested_timers_enter_l2(struct vcpu *v);
void nested_timers_exit_l2(struct vcpu *v);
const struct sysreg_desc *nested_sysreg_lookup(uint32_t key);

/* The SPSR an exception elvisor injects into the vCPU must carry. */
uint64_t nested_injected_spsr(const struct vcpu *v, uint64_t hw_pstate);

/* The EL2 register table (el2_regs.c): searched before the normal table of
 * trapped registers for a vEL2 vCPU. */
struct sysreg_desc;
const struct sysreg_desc *nested_sysreg_find(uint32_t key);
/* A non-VHE guest hypervisor's EL2 registers in their reset shape, and
 * their EL1 homes in the vCPU's EL1 file (not loaded). */
void nested_el2_reset_nvhe(struct vcpu *v);
/* CNTHCTL_EL2 for the vCPU's context: a non-VHE guest hypervisor's EL1
 * timer and counter accesses trap in hyp context (timers.c). */
void nested_timer_traps(struct vcpu *v);
uint64_t nested_hyp_cnthctl(bool nvhe);
/* MDCR_EL2's debug traps for the vCPU's context: its guest's accesses its
 * MDCR_EL2 traps (nested.c). */
void nested_debug_traps(struct vcpu *v);
/* Its CNTHCTL_EL2 in the E2H = 1 layout (nested.c). */
uint64_t nested_vcnthctl(const struct vcpu *v);
/* Entry i of the table, NULL past its end (for tests that walk it). */
const struct sysreg_desc *nested_sysreg_at(unsigned i);

#endif
