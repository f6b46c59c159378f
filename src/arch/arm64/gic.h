/* The physical GIC as elvisor uses it: interrupts are taken at EL2 with
 * split priority drop and deactivation (EOImode = 1) so that an interrupt
 * forwarded to a vCPU stays active until the guest deactivates it.
 *
 * One interface over two drivers: gicv3.c (system-register CPU interface,
 * redistributors) and gicv2.c (memory-mapped GICC, GICD_SGIR, GICH). The
 * driver is chosen once, by gic_init(), from the boot DTB. */
#ifndef ELVISOR_ARCH_GIC_H
#define ELVISOR_ARCH_GIC_H

#include <stdbool.h>
#include <stdint.h>

struct platform;

#define SGI_KICK    0       /* "look at your vCPUs again" between physical CPUs */

/* Distributor, once, on the boot CPU. Negative when the GIC cannot host
 * VMs (e.g. a GICv2 without the virtualization extensions). */
int gic_init(const struct platform *p);
/* This CPU's redistributor (v3) or banked registers (v2) and CPU interface. */
int gic_cpu_init(uint64_t mpidr);
unsigned gic_version(void);

void gic_enable_irq(unsigned intid);
/* SPIs go to one physical CPU. */
void gic_route_spi(unsigned intid, uint64_t mpidr);
/* An SPI whose source pulses it (the SMMU's queues and errors) must be
 * edge-triggered: as a level it would be gone before the CPU takes it.
 * Call while the SPI is disabled. */
void gic_set_spi_edge(unsigned intid, bool edge);
void gic_send_sgi(unsigned sgi, uint64_t target_mpidr);

/* Acknowledges the highest-priority pending interrupt: returns its INTID,
 * or GIC_INTID_SPURIOUS (1023), and in *ack what priority drop and
 * deactivation must be given back (a GICv2 SGI carries its source CPU). */
unsigned gic_ack(uint32_t *ack);
void gic_priority_drop(uint32_t ack);
void gic_deactivate(uint32_t ack);

/* This CPU's SGIs and PPIs (bit n = INTID n): for each bit in mask, the
 * active state becomes the one in `active`. A PPI forwarded to a vCPU stays
 * active until its guest deactivates it, so it moves with that vCPU when
 * the CPU switches vCPUs (vcpu_load()). */
void gic_set_private_active(uint32_t mask, uint32_t active);

/* A CPU's SGIs and PPIs as its GIC shows them (bit n = INTID n), for the
 * operator's console. GICv3: any CPU's, from its redistributor. GICv2
 * banks them in the distributor per CPU, so only the calling CPU's can be
 * read: false for another. */
struct gic_private_state {
    uint32_t enabled, pending, active;
};
bool gic_private_state(uint64_t mpidr, struct gic_private_state *s);

/* Number of list registers the virtual CPU interface has: ICH_VTR_EL2
 * (v3) or GICH_VTR (v2), raw. */
uint64_t gic_read_vtr(void);

/* GICv3 LPIs, for the ITS (gicv3.c; call only when gic_version() is 3).
 * Boot CPU, once: LPIs below 2^id_bits (fewer if the distributor has
 * fewer) on in every redistributor, all disabled in the shared
 * configuration table. Returns the number of redistributors, or negative
 * with the reason in *why. */
int gicv3_lpis_init(unsigned id_bits, void *(*alloc)(uint64_t size, uint64_t align), const char **why);
/* The highest LPI INTID the tables cover (0 before gicv3_lpis_init()). */
unsigned gicv3_lpi_last(void);
/* An LPI's enable bit, priority as every other interrupt's; the ITS must
 * then be told (INV) for a cached copy to follow. */
void gicv3_lpi_set_enabled(unsigned lpi, bool on);
/* The MAPC/SYNC target (its_target()) of CPU mpidr's redistributor. */
int64_t gicv3_its_target(uint64_t mpidr, bool pta);

/* The driver behind the interface; only gic.c and the drivers use it. */
struct gic_ops {
    unsigned version;
    int (*init)(const struct platform *p);
    int (*cpu_init)(uint64_t mpidr);
    void (*enable_irq)(unsigned intid);
    void (*route_spi)(unsigned intid, uint64_t mpidr);
    void (*set_spi_edge)(unsigned intid, bool edge);
    void (*send_sgi)(unsigned sgi, uint64_t target_mpidr);
    unsigned (*ack)(uint32_t *ack);
    void (*priority_drop)(uint32_t ack);
    void (*deactivate)(uint32_t ack);
    void (*set_private_active)(uint32_t mask, uint32_t active);
    bool (*private_state)(uint64_t mpidr, struct gic_private_state *s);
    uint64_t (*read_vtr)(void);
};
extern const struct gic_ops gicv2_ops, gicv3_ops;

/* GICv2 virtual CPU interface frames, for the world switch and VM setup. */
uint64_t gicv2_gich_base(void);
uint64_t gicv2_gicv_base(void);

#endif
