/* Emulated Arm PL011 UART (r1p5, 32-entry FIFOs), one per VM.
 *
 * Pure device logic: no locking, no hardware. The owner serializes every
 * call for one instance (the per-VM lock), routes trapped MMIO to
 * vuart_mmio(), feeds console input through vuart_rx_push(), and receives
 * output and interrupt-line changes through the two callbacks.
 *
 * Model, chosen so that Linux's amba-pl011 driver and earlycon neither stall
 * nor lose data:
 *  - Transmission is instantaneous: every UARTDR write reaches tx() at once
 *    (or the RX FIFO when CR.LBE loops it back), so TXFF never sets, TXFE
 *    and the idle BUSY=0 always hold.
 *  - TXRIS is latched by every UARTDR write (the TX FIFO just drained below
 *    its trigger level) and cleared only by UARTICR. It is clear at reset,
 *    as on hardware, which is why drivers write data before unmasking TXIM.
 *  - RXRIS and RTRIS are levels derived from the RX FIFO fill: RX at or above
 *    the IFLS trigger (any data with FEN=0), RT for data below it. UARTICR
 *    cannot clear them while the data is there; the guest must drain it.
 *  - The interrupt line is (RIS & IMSC) != 0; set_irq() is called only when
 *    that level changes (it starts low and init does not report it).
 *  - Reads of 1, 2, 4 or 8 bytes, naturally aligned, are accepted at every
 *    offset below VUART_MMIO_SIZE and return the little-endian byte lanes
 *    of the 32-bit registers they cover (8 bytes: two registers), as a
 *    read of the read view below would; only a read that covers DR's first
 *    byte pops the RX FIFO. Writes of 1, 2 or 4 bytes store the
 *    zero-extended value; writes not starting at a register's first byte
 *    and reserved offsets are ignored. 8-byte writes, misaligned and
 *    out-of-range accesses make vuart_mmio() return false.
 *  - The read view (optional, vuart_attach_view()): a page the device keeps
 *    equal to what every read of the window returns, for the owner to map
 *    read-only at the UART's address so that the guest's reads (FR polls,
 *    CR, IMSC, the ID registers...) need no exit. Only DR's read has a side
 *    effect, and only while the RX FIFO holds data, so the view is valid
 *    exactly while the FIFO is empty: the device closes it (gate(ctx,
 *    false)) before the first byte enters the FIFO and reopens it
 *    (gate(ctx, true)) once a read drained the FIFO and the page shows it.
 */
#ifndef ELVISOR_VDEV_VUART_H
#define ELVISOR_VDEV_VUART_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/mmio.h"

/* ---- Guest platform contract (QEMU virt) ------------------------------ */

#define VUART_MMIO_BASE         0x09000000ull
#define VUART_MMIO_SIZE         0x1000ull
#define VUART_SPI               1u              /* INTID 33, level-sensitive */
#define VUART_INTID             (32u + VUART_SPI)

#define VUART_FIFO_DEPTH        32u

/* ---- Register offsets ------------------------------------------------- */

#define VUART_DR                0x000
#define VUART_RSR_ECR           0x004
#define VUART_FR                0x018
#define VUART_ILPR              0x020
#define VUART_IBRD              0x024
#define VUART_FBRD              0x028
#define VUART_LCR_H             0x02c
#define VUART_CR                0x030
#define VUART_IFLS              0x034
#define VUART_IMSC              0x038
#define VUART_RIS               0x03c
#define VUART_MIS               0x040
#define VUART_ICR               0x044
#define VUART_DMACR             0x048
#define VUART_PERIPHID0         0xfe0           /* PeriphID0-3, then PCellID0-3 */
#define VUART_PCELLID0          0xff0

/* ---- Register fields -------------------------------------------------- */

#define VUART_DR_DATA_MASK      0xffu

#define VUART_FR_CTS            (1u << 0)
#define VUART_FR_DSR            (1u << 1)
#define VUART_FR_DCD            (1u << 2)
#define VUART_FR_BUSY           (1u << 3)
#define VUART_FR_RXFE           (1u << 4)
#define VUART_FR_TXFF           (1u << 5)
#define VUART_FR_RXFF           (1u << 6)
#define VUART_FR_TXFE           (1u << 7)
#define VUART_FR_RI             (1u << 8)

#define VUART_ILPR_MASK         0xffu
#define VUART_IBRD_MASK         0xffffu
#define VUART_FBRD_MASK         0x3fu

#define VUART_LCR_H_FEN         (1u << 4)
#define VUART_LCR_H_MASK        0xffu

#define VUART_CR_UARTEN         (1u << 0)
#define VUART_CR_LBE            (1u << 7)
#define VUART_CR_TXE            (1u << 8)
#define VUART_CR_RXE            (1u << 9)
#define VUART_CR_MASK           0xff87u         /* bits [6:3] are reserved */
#define VUART_CR_RESET          (VUART_CR_TXE | VUART_CR_RXE)

#define VUART_IFLS_TX_SHIFT     0
#define VUART_IFLS_RX_SHIFT     3
#define VUART_IFLS_SEL_MASK     0x7u
#define VUART_IFLS_MASK         0x3fu
#define VUART_IFLS_RESET        0x12u           /* both FIFOs at 1/2 */

/* IMSC, RIS, MIS and ICR share one layout. */
#define VUART_INT_RI            (1u << 0)
#define VUART_INT_CTS           (1u << 1)
#define VUART_INT_DCD           (1u << 2)
#define VUART_INT_DSR           (1u << 3)
#define VUART_INT_RX            (1u << 4)
#define VUART_INT_TX            (1u << 5)
#define VUART_INT_RT            (1u << 6)
#define VUART_INT_FE            (1u << 7)
#define VUART_INT_PE            (1u << 8)
#define VUART_INT_BE            (1u << 9)
#define VUART_INT_OE            (1u << 10)
#define VUART_INT_MASK          0x7ffu

/* ---- Device state ----------------------------------------------------- */

struct vuart {
    void (*tx)(void *ctx, char c);
    void (*set_irq)(void *ctx, bool level);
    void *ctx;

    uint8_t rx_fifo[VUART_FIFO_DEPTH];
    unsigned rx_head;                   /* index of the oldest entry */
    unsigned rx_count;

    uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc;
    uint32_t ris_latched;               /* interrupt bits that are not levels */
    bool irq_level;                     /* last level given to set_irq() */

    uint32_t *view;                     /* the read view, or NULL */
    void (*gate)(void *ctx, bool open);
    bool view_open;                     /* last state given to gate() */
};

/* Resets the device (PL011 reset values, empty FIFO, line low). tx and
 * set_irq must not be NULL; both are called with the owner's lock held
 * and must not call back into the vuart. */
void vuart_init(struct vuart *u, void (*tx)(void *ctx, char c),
                void (*set_irq)(void *ctx, bool level), void *ctx);

/* mmio_handler_fn for the region at VUART_MMIO_BASE; dev is the vuart. */
bool vuart_mmio(void *dev, unsigned vcpu_id, struct mmio_access *acc);

/* Console input. Returns false, leaving the device untouched, when the RX
 * FIFO is full (32 entries, 1 while LCR_H.FEN is clear); the caller keeps
 * the byte and retries once vuart_rx_space() is non-zero. Input is accepted
 * whatever CR.UARTEN/RXE say, so nothing typed before the driver enables
 * the receiver is lost. */
bool vuart_rx_push(struct vuart *u, char c);

/* Gives the device its read view: VUART_MMIO_SIZE bytes, 4-byte aligned,
 * written with single 32-bit stores whatever the guest may be reading at
 * the time. The device writes the whole image and calls gate(ctx, true)
 * (the FIFO is empty after vuart_init()). From then on, under the owner's
 * lock: gate(ctx, false) comes before any byte enters the RX FIFO and must
 * return only once no CPU can read the view any more (its reads trap
 * again); gate(ctx, true) once a DR read emptied the FIFO and the view is
 * up to date. Between the two the view is not kept. While it is open, the
 * owner makes the device's stores visible to the guest's reads (which may
 * be non-cacheable) after each write vuart_mmio() handles, and in
 * gate(ctx, true); a view word changes only in a write or in RX activity. */
void vuart_attach_view(struct vuart *u, uint32_t *view, void (*gate)(void *ctx, bool open));

/* Free RX FIFO entries at the current FIFO depth. */
unsigned vuart_rx_space(const struct vuart *u);

/* Current interrupt line level, for an owner that must resynchronise. */
bool vuart_irq_level(const struct vuart *u);

#endif
