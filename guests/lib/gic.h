/* Minimal GIC driver for the test guests, GICv2 or GICv3 as the DTB's
 * interrupt-controller node says (guest_gic_probe()).
 *
 * GICv3: distributor (ARE on, all interrupts Group 1), this CPU's
 * redistributor and the ICC_* system-register CPU interface.
 * GICv2 (IHI 0048B): distributor with banked private registers, the
 * memory-mapped GICC CPU interface; all interrupts Group 0, signalled as IRQ
 * (GICC_CTLR.FIQEn = 0).
 *
 * Unless a test checks something version-specific it uses only the
 * version-neutral part: CPUs are logical indexes (smp.h), INTIDs are plain
 * numbers, an acknowledged value from guest_gic_ack() goes back to guest_gic_eoi(). */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include <stdbool.h>
#include <stdint.h>

/* Distributor registers (offsets from the GICD base), common to v2 and v3. */
#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_IIDR           0x0008
#define GICD_IGROUPR(n)     (0x0080 + 4 * (n))
#define GICD_ISENABLER(n)   (0x0100 + 4 * (n))
#define GICD_ICENABLER(n)   (0x0180 + 4 * (n))
#define GICD_ISPENDR(n)     (0x0200 + 4 * (n))
#define GICD_ICPENDR(n)     (0x0280 + 4 * (n))
#define GICD_ISACTIVER(n)   (0x0300 + 4 * (n))
#define GICD_ICACTIVER(n)   (0x0380 + 4 * (n))
#define GICD_IPRIORITYR(i)  (0x0400 + (i))          /* byte per INTID */
/* GICv3 only. */
#define GICD_IROUTER(i)     (0x6000 + 8 * (i))      /* 64 bits per SPI */
#define GICD_PIDR2          0xFFE8
/* GICv2 only. */
#define GICD_ITARGETSR(i)   (0x0800 + (i))          /* byte per INTID */
#define GICD_SGIR           0x0F00
#define GICD_CPENDSGIR(i)   (0x0F10 + (i))          /* byte per SGI */
#define GICD_SPENDSGIR(i)   (0x0F20 + (i))
#define GICD_PIDR2_V2       0x0FE8                  /* ICPIDR2 */

#define GICD_CTLR_ENABLE_GRP0 (1U << 0)  /* GICv2 without Security Extensions */
#define GICD_CTLR_ENABLE_GRP1 (1U << 1)  /* EnableGrp1 / EnableGrp1NS */
#define GICD_CTLR_ARE         (1U << 4)  /* ARE / ARE_NS */
#define GICD_CTLR_RWP         (1U << 31)
#define GICD_TYPER_ITLINES(t) ((t) & 0x1F)
#define GICD_TYPER_CPUNUMBER(t) (((t) >> 5) & 0x7)  /* GICv2: CPU interfaces - 1 */
#define GICD_PIDR2_ARCHREV(v) (((v) >> 4) & 0xF)

#define GICD_SGIR_FILTER_LIST   (0U << 24)  /* TargetListFilter: CPUTargetList */
#define GICD_SGIR_FILTER_OTHERS (1U << 24)  /* all CPU interfaces but the sender */
#define GICD_SGIR_FILTER_SELF   (2U << 24)  /* only the sender */
#define GICD_SGIR_TARGETS_SHIFT 16
#define GICD_SGIR_INTID_MASK    0xFU

/* GICv2 CPU interface (offsets from the GICC base). */
#define GICC_CTLR           0x0000
#define GICC_PMR            0x0004
#define GICC_BPR            0x0008
#define GICC_IAR            0x000C
#define GICC_EOIR           0x0010
#define GICC_RPR            0x0014
#define GICC_HPPIR          0x0018
#define GICC_IIDR           0x00FC
#define GICC_CTLR_ENABLE_GRP0 (1U << 0)
#define GICC_IAR_INTID_MASK   0x3FFU
#define GICC_IAR_CPUID(iar)   (((iar) >> 10) & 0x7)  /* SGIs: the sender's interface */

/* GICv3 redistributor RD_base frame. */
#define GICR_CTLR           0x0000
#define GICR_TYPER          0x0008
#define GICR_WAKER          0x0014
#define GICR_TYPER_LAST     (1UL << 4)
#define GICR_TYPER_AFF(t)   ((t) >> 32)
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)

/* GICv3 redistributor SGI_base frame. */
#define GICR_IGROUPR0       0x0080
#define GICR_ISENABLER0     0x0100
#define GICR_ICENABLER0     0x0180
#define GICR_ICPENDR0       0x0280
#define GICR_ICACTIVER0     0x0380
#define GICR_IPRIORITYR(i)  (0x0400 + (i))

/* GICv3 CPU interface. */
#define ICC_IAR_INTID_MASK      0xFFFFFFUL
#define ICC_SRE_SRE             (1UL << 0)
#define ICC_SRE_DFB             (1UL << 1)
#define ICC_SRE_DIB             (1UL << 2)
#define ICC_IGRPEN1_ENABLE      1UL
#define ICC_SGI1R_TARGETS_SHIFT 0
#define ICC_SGI1R_AFF1_SHIFT    16
#define ICC_SGI1R_INTID_SHIFT   24
#define ICC_SGI1R_AFF2_SHIFT    32
#define ICC_SGI1R_IRM           (1UL << 40)
#define ICC_SGI1R_RS_SHIFT      44
#define ICC_SGI1R_AFF3_SHIFT    48

#define GIC_INTID_SPECIAL_FIRST 1020    /* 1020-1023: special (spurious) */
#define GIC_PMR_ALLOW_ALL       0xFF
#define GIC_DEFAULT_PRIORITY    0xA0
#define GIC_NR_SGIS             16
#define GIC_NR_PRIVATE          32

/* --- set-up (the library does this; tests do not) ------------------------ */

/* Reads the GIC version and addresses from the DTB's interrupt-controller
 * node ("arm,gic-v3", or "arm,cortex-a15-gic"/"arm,gic-400" for v2). Without
 * one it assumes GICv3 at the platform.h addresses; missing reg entries also
 * fall back to platform.h. Returns the version. */
unsigned guest_gic_probe(const void *dtb);
/* True when guest_gic_probe() found the GIC in the DTB (not the fallback). */
bool guest_gic_from_dtb(void);
void guest_gic_dist_init(void);
/* Sets up this CPU's part of the GIC and enables its CPU interface (v3:
 * wakes its redistributor; v2: learns its CPU interface number). Returns
 * 0, or -1 when no redistributor matches this CPU's MPIDR (v3). */
int guest_gic_cpu_init(void);

/* --- version-neutral API ------------------------------------------------- */

unsigned guest_gic_version(void);         /* 2 or 3 */
uintptr_t guest_gic_dist_base(void);      /* GICD */
/* GICD_PIDR2 (v3) / ICPIDR2 (v2): its ArchRev field is the version. */
uintptr_t guest_gic_pidr2_addr(void);

void guest_gic_enable_private(unsigned intid);    /* SGI or PPI on this CPU */
void guest_gic_disable_private(unsigned intid);
/* Clears the pending state of a PPI, or of an SGI from every source (v2). */
void guest_gic_clear_pending_private(unsigned intid);
/* Whether the private interrupt is enabled on this CPU. */
bool guest_gic_private_enabled(unsigned intid);
/* This CPU's GICR_ISPENDR0 / GICR_ISACTIVER0 bit (v3), the banked
 * GICD_ISPENDR0 / GICD_ISACTIVER0 bit (v2), of a PPI. */
bool guest_gic_private_pending(unsigned intid);
bool guest_gic_private_active(unsigned intid);
/* Sets / clears a PPI's active state through ISACTIVER0 / ICACTIVER0 of
 * the same frame. */
void guest_gic_set_active_private(unsigned intid);
void guest_gic_clear_active_private(unsigned intid);
void guest_gic_enable_spi(unsigned intid);
void guest_gic_disable_spi(unsigned intid);
/* Routes SPI intid to logical CPU cpu (v3: GICD_IROUTER, v2: GICD_ITARGETSR). */
void guest_gic_route_spi(unsigned intid, unsigned cpu);
/* Priority of an interrupt (for SGIs/PPIs: this CPU's copy). */
void guest_gic_set_priority(unsigned intid, uint8_t prio);
/* This CPU's priority mask: interrupts at prio or numerically higher are masked. */
void guest_gic_set_pmr(uint8_t prio);

/* Acknowledges the highest-priority pending interrupt; the value goes back
 * to guest_gic_eoi() unchanged (v2 keeps the SGI source in it). */
uint64_t guest_gic_ack(void);
void guest_gic_eoi(uint64_t iar);
unsigned guest_gic_iar_intid(uint64_t iar);

/* Sends SGI intid to logical CPU cpu (v3: ICC_SGI1R target list; v2: GICD_SGIR
 * CPUTargetList). */
void guest_gic_send_sgi(unsigned intid, unsigned cpu);
/* Sends SGI intid to every CPU but this one (v3: IRM broadcast; v2: GICD_SGIR
 * TargetListFilter = 1). */
void guest_gic_send_sgi_others(unsigned intid);

/* --- GICv3 only ---------------------------------------------------------- */

uintptr_t guest_gic_rd_base(void);  /* this CPU's RD_base, after guest_gic_cpu_init */
uintptr_t guest_gic_sgi_base(void);       /* this CPU's SGI_base */
/* Another CPU's SGI_base (0 if that CPU has not initialised its GIC yet). */
uintptr_t guest_gic_sgi_base_of(unsigned cpu);
uint64_t guest_gic_sgi1r_value(unsigned intid, uint64_t mpidr);

/* --- GICv2 only ---------------------------------------------------------- */

uintptr_t guest_gic_cpuif_base(void);     /* GICC */
/* The CPU interface mask of logical CPU cpu (one bit, as in GICD_ITARGETSR
 * and GICD_SGIR.CPUTargetList), learnt by that CPU in guest_gic_cpu_init() from
 * GICD_ITARGETSR0 (0 before). */
uint8_t guest_gic_cpu_target_mask(unsigned cpu);
/* The word GICD_ITARGETSR0 (INTIDs 0-3) read on that CPU in guest_gic_cpu_init():
 * the CPU's own mask in every byte. A uniprocessor GICv2 makes ITARGETSRn
 * RAZ/WI: then it is 0 and the mask above is 1. */
uint32_t guest_gic_cpu_itargetsr0(unsigned cpu);

#endif
