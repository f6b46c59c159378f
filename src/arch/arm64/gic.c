#include "arch/arm64/gic.h"
#include "arch/arm64/platform.h"
#include "lib/log.h"

static const struct gic_ops *gic;

int gic_init(const struct platform *p)
{
    switch (p->gic_version) {
    case 2:
        gic = &gicv2_ops;
        break;
    case 3:
        gic = &gicv3_ops;
        break;
    default:
        log_err("no GICv2 or GICv3 in the boot device tree");
        return -1;
    }
    return gic->init(p);
}

unsigned gic_version(void) { return gic->version; }
int gic_cpu_init(uint64_t mpidr) { return gic->cpu_init(mpidr); }
void gic_enable_irq(unsigned intid) { gic->enable_irq(intid); }
void gic_route_spi(unsigned intid, uint64_t mpidr) { gic->route_spi(intid, mpidr); }
void gic_set_spi_edge(unsigned intid, bool edge) { gic->set_spi_edge(intid, edge); }
void gic_send_sgi(unsigned sgi, uint64_t target_mpidr) { gic->send_sgi(sgi, target_mpidr); }
unsigned gic_ack(uint32_t *ack) { return gic->ack(ack); }
void gic_priority_drop(uint32_t ack) { gic->priority_drop(ack); }
void gic_deactivate(uint32_t ack) { gic->deactivate(ack); }
void gic_set_private_active(uint32_t mask, uint32_t active) { gic->set_private_active(mask, active); }
bool gic_private_state(uint64_t mpidr, struct gic_private_state *s) { return gic->private_state(mpidr, s); }
uint64_t gic_read_vtr(void) { return gic->read_vtr(); }
