#include "vdev/v2m.h"

/* MSI_TYPER: first SPI's INTID in [25:16], count in [9:0]. IIDR: the
 * product ID Arm's GICv2m reports (0x53 in [31:20], Arm's JEP106 code
 * 0x43b), so that drivers take the frame for what it is. */
#define TYPER_BASE_SHIFT    16
#define TYPER_FIELD_MAX     0x3ffu
#define V2M_IIDR_VALUE      ((0x53u << 20) | 0x43bu)
#define SPI_FIRST           32u
#define SPI_LAST            1019u

int v2m_init(struct v2m *m, uint32_t spi_first, uint32_t nr_spis, void (*raise)(void *ctx, uint32_t intid),
             void *ctx)
{
    if (spi_first < SPI_FIRST || nr_spis == 0 || spi_first > SPI_LAST || nr_spis > SPI_LAST + 1 - spi_first ||
        !raise)
        return -1;
    *m = (struct v2m){ spi_first, nr_spis, raise, ctx, 0 };
    return 0;
}

static bool in_range(const struct v2m *m, uint64_t intid)
{
    return intid >= m->spi_first && intid - m->spi_first < m->nr_spis;
}

bool v2m_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc)
{
    struct v2m *m = dev;

    (void)vcpu_id;
    if (acc->size != 4 || (acc->offset & 3) || acc->offset >= V2M_FRAME_SIZE)
        return false;
    if (acc->is_write) {
        if (acc->offset != V2M_MSI_SETSPI_NS)
            return true;
        /* The INTID is the low bits of the write; the rest is ignored. */
        uint32_t intid = (uint32_t)acc->value & TYPER_FIELD_MAX;
        if (in_range(m, intid))
            m->raise(m->ctx, intid);
        else
            m->ignored++;
        return true;
    }
    switch (acc->offset) {
    case V2M_MSI_TYPER:
        acc->value = (uint64_t)m->spi_first << TYPER_BASE_SHIFT | m->nr_spis;
        break;
    case V2M_MSI_IIDR:
        acc->value = V2M_IIDR_VALUE;
        break;
    default:
        acc->value = 0;
    }
    return true;
}

bool v2m_owns(const struct v2m *m, uint64_t base, uint64_t addr, uint32_t data)
{
    return addr == base + V2M_MSI_SETSPI_NS && in_range(m, data);
}
