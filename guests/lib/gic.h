/* Minimal GICv3 driver: distributor, this CPU's redistributor and the
 * ICC_* system-register CPU interface. All interrupts are Group 1. */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include <stdint.h>

/* Distributor registers (offsets from GICD_BASE). */
#define GICD_CTLR           0x0000
#define GICD_TYPER          0x0004
#define GICD_IIDR           0x0008
#define GICD_IGROUPR(n)     (0x0080 + 4 * (n))
#define GICD_ISENABLER(n)   (0x0100 + 4 * (n))
#define GICD_ICENABLER(n)   (0x0180 + 4 * (n))
#define GICD_ICPENDR(n)     (0x0280 + 4 * (n))
#define GICD_ICACTIVER(n)   (0x0380 + 4 * (n))
#define GICD_IPRIORITYR(i)  (0x0400 + (i))          /* byte per INTID */
#define GICD_IROUTER(i)     (0x6000 + 8 * (i))      /* 64 bits per SPI */
#define GICD_PIDR2          0xFFE8

#define GICD_CTLR_ENABLE_GRP1 (1U << 1)  /* EnableGrp1 / EnableGrp1NS */
#define GICD_CTLR_ARE         (1U << 4)  /* ARE / ARE_NS */
#define GICD_CTLR_RWP         (1U << 31)
#define GICD_TYPER_ITLINES(t) ((t) & 0x1F)

/* Redistributor RD_base frame. */
#define GICR_CTLR           0x0000
#define GICR_TYPER          0x0008
#define GICR_WAKER          0x0014
#define GICR_TYPER_LAST     (1UL << 4)
#define GICR_TYPER_AFF(t)   ((t) >> 32)
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)

/* Redistributor SGI_base frame. */
#define GICR_IGROUPR0       0x0080
#define GICR_ISENABLER0     0x0100
#define GICR_ICENABLER0     0x0180
#define GICR_ICPENDR0       0x0280
#define GICR_IPRIORITYR(i)  (0x0400 + (i))

/* CPU interface. */
#define ICC_IAR_INTID_MASK      0xFFFFFFUL
#define GIC_INTID_SPECIAL_FIRST 1020
#define ICC_SRE_SRE             (1UL << 0)
#define ICC_SRE_DFB             (1UL << 1)
#define ICC_SRE_DIB             (1UL << 2)
#define ICC_PMR_ALLOW_ALL       0xFF
#define ICC_IGRPEN1_ENABLE      1UL
#define ICC_SGI1R_TARGETS_SHIFT 0
#define ICC_SGI1R_AFF1_SHIFT    16
#define ICC_SGI1R_INTID_SHIFT   24
#define ICC_SGI1R_AFF2_SHIFT    32
#define ICC_SGI1R_IRM           (1UL << 40)
#define ICC_SGI1R_RS_SHIFT      44
#define ICC_SGI1R_AFF3_SHIFT    48

#define GIC_DEFAULT_PRIORITY    0xA0
#define GIC_NR_PRIVATE          32

void gic_dist_init(void);
/* Wakes and configures this CPU's redistributor, enables its CPU interface.
 * Returns 0, or -1 when no redistributor matches this CPU's MPIDR. */
int gic_cpu_init(void);
uintptr_t gic_rd_base(void);        /* this CPU's RD_base, after gic_cpu_init */
uintptr_t gic_sgi_base(void);       /* this CPU's SGI_base */
/* Another CPU's SGI_base (0 if that CPU has not initialised its GIC yet). */
uintptr_t gic_sgi_base_of(unsigned cpu);

void gic_enable_private(unsigned intid);    /* SGI or PPI on this CPU */
void gic_disable_private(unsigned intid);
void gic_clear_pending_private(unsigned intid);

uint64_t gic_ack(void);
void gic_eoi(uint64_t iar);

/* Sends SGI intid to the CPU with affinity mpidr (target-list form). */
void gic_send_sgi(unsigned intid, uint64_t mpidr);
/* Sends SGI intid to every CPU but this one (IRM broadcast). */
void gic_send_sgi_others(unsigned intid);
uint64_t gic_sgi1r_value(unsigned intid, uint64_t mpidr);

#endif
