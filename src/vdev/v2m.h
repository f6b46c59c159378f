/* A VM's GICv2m-style MSI frame (step 4 of MSIs for assigned functions,
 * docs/device-assignment.md): 4 KiB, MSI_TYPER says which SPIs it
 * offers, a write of an INTID of that range to MSI_SETSPI_NS raises that
 * SPI as an edge. Linux's GICv3 driver uses such a frame under the GIC
 * node when GICD_TYPER.LPIS is 0, as elvisor's vGICv3 reports. Pure: the
 * SPI is raised through the hook given; host-tested in
 * tests/unit/test_v2m.c. A VM has one when one of its assigned functions'
 * MSI is offered (core/passthrough.c, device class "gicv2m"). */
#ifndef ELVISOR_VDEV_V2M_H
#define ELVISOR_VDEV_V2M_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/mmio.h"

#define V2M_FRAME_SIZE      0x1000u
#define V2M_MSI_TYPER       0x008u
#define V2M_MSI_SETSPI_NS   0x040u
#define V2M_MSI_IIDR        0xfccu

struct v2m {
    uint32_t spi_first, nr_spis;        /* INTIDs [spi_first, + nr_spis) */
    void (*raise)(void *ctx, uint32_t intid);
    void *ctx;
    unsigned long long ignored;         /* SETSPI writes outside the range */
};

/* Negative when the range is not one MSI_TYPER can say (first SPI
 * below 32 or above 1019, count 0 or past 1019, or over 10 bits). */
int v2m_init(struct v2m *m, uint32_t spi_first, uint32_t nr_spis, void (*raise)(void *ctx, uint32_t intid),
             void *ctx);
/* The frame's MMIO handler (dev: the struct v2m). 32-bit accesses only;
 * other offsets read 0 and ignore writes, as the frame's reserved space. */
bool v2m_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);
/* The address and data a device's MSI must carry to raise intid through
 * the frame at base: whether intid is one of the frame's. */
bool v2m_owns(const struct v2m *m, uint64_t base, uint64_t addr, uint32_t data);

#endif
