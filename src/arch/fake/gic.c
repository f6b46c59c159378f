/* The fake GIC: interrupts a test makes pending are acknowledged in that
 * order; what elvisor does to them is logged. */
#include "arch/fake/fake.h"

#include <stdio.h>
#include <stdlib.h>

#include "arch/arm64/gic.h"

#define FAKE_MAX_PENDING 32
/* ICH_VTR_EL2 / GICH_VTR as QEMU gives it: 4 list registers, 5 priority bits. */
#define FAKE_VTR         ((4ULL << 29) | (4ULL << 26) | 3)

static unsigned pending[FAKE_MAX_PENDING];
static unsigned nr_pending;
static uint32_t private_active;
static unsigned version;
/* The GICv2 virtual interface control frame (GICH) in memory. */
static uint32_t gich[0x1000 / 4];
static uint8_t gicv[0x2000] __attribute__((aligned(4096)));

void fake_gic_reset(void)
{
    nr_pending = 0;
    private_active = 0;
    version = 3;
    for (unsigned i = 0; i < sizeof(gich) / sizeof(gich[0]); i++)
        gich[i] = 0;
}

void fake_gic_raise(unsigned intid)
{
    if (nr_pending == FAKE_MAX_PENDING) {
        fprintf(stderr, "fake arch: more than %u interrupts pending\n", FAKE_MAX_PENDING);
        abort();
    }
    pending[nr_pending++] = intid;
}

bool fake_gic_has_pending(void)
{
    return nr_pending > 0;
}

bool fake_gic_is_pending(unsigned intid)
{
    for (unsigned i = 0; i < nr_pending; i++)
        if (pending[i] == intid)
            return true;
    return false;
}

uint32_t fake_gic_private_active(void)
{
    return private_active;
}

void fake_gic_set_version(unsigned v)
{
    version = v;
}

int gic_init(const struct platform *p)
{
    return 0;
}

int gic_cpu_init(uint64_t mpidr)
{
    return 0;
}

unsigned gic_version(void)
{
    return version;
}

void gic_enable_irq(unsigned intid)
{
    fake_log("gic enable %u", intid);
}

void gic_set_spi_edge(unsigned intid, bool edge)
{
    fake_log("gic spi %u %s", intid, edge ? "edge" : "level");
}

void gic_route_spi(unsigned intid, uint64_t mpidr)
{
    fake_log("gic route %u 0x%llx", intid, (unsigned long long)mpidr);
}

void gic_send_sgi(unsigned sgi, uint64_t target_mpidr)
{
    fake_log("gic sgi %u 0x%llx", sgi, (unsigned long long)target_mpidr);
}

unsigned gic_ack(uint32_t *ack)
{
    unsigned intid = GIC_INTID_SPURIOUS;

    if (nr_pending) {
        intid = pending[0];
        for (unsigned i = 1; i < nr_pending; i++)
            pending[i - 1] = pending[i];
        nr_pending--;
    }
    *ack = intid;
    fake_log("gic ack %u", intid);
    return intid;
}

void gic_priority_drop(uint32_t ack)
{
    fake_log("gic drop %u", ack);
}

void gic_deactivate(uint32_t ack)
{
    fake_log("gic deactivate %u", ack);
}

void gic_set_private_active(uint32_t mask, uint32_t active)
{
    private_active = (private_active & ~mask) | (active & mask);
    fake_log("gic active 0x%x 0x%x", mask, active);
}

/* A list register with HW = 1 deactivated the physical interrupt. */
void fake_gic_hw_deactivate(unsigned pintid)
{
    if (pintid < 32)
        private_active &= ~(1u << pintid);
    fake_log("gic hw deactivate %u", pintid);
}

/* The fake has one CPU's state: whatever CPU is asked for. */
bool gic_private_state(uint64_t mpidr, struct gic_private_state *s)
{
    (void)mpidr;
    s->enabled = 0;
    s->pending = 0;
    s->active = private_active;
    return true;
}

uint64_t gic_read_vtr(void)
{
    return FAKE_VTR;
}

uint64_t gicv2_gich_base(void)
{
    return (uint64_t)(uintptr_t)gich;
}

uint64_t gicv2_gicv_base(void)
{
    return (uint64_t)(uintptr_t)gicv;
}

/* The fake GIC has no LPIs (its platform has no ITS either). */
int gicv3_lpis_init(unsigned id_bits, void *(*alloc)(uint64_t size, uint64_t align), const char **why)
{
    *why = "the fake GIC has no LPIs";
    return -1;
}

unsigned gicv3_lpi_last(void)
{
    return 0;
}

void gicv3_lpi_set_enabled(unsigned lpi, bool on)
{
    fake_log("gic lpi %u %s", lpi, on ? "on" : "off");
}

int64_t gicv3_its_target(uint64_t mpidr, bool pta)
{
    return -1;
}
