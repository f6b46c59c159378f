/* The vGIC's register files as tables. Each frame (GICv3 distributor,
 * redistributor RD_base and SGI_base, GICv2 distributor) is a sorted array
 * of regions, one row per register or per bank of per-interrupt registers,
 * and one decoder walks it: it refuses the accesses the GIC architecture
 * does not allow (unaligned, a width the row does not take, past the frame),
 * answers the holes as RAZ/WI, and calls the row's read or write handler
 * under the vGIC lock with the kick envelope around it.
 *
 * Access rules, as in the Arm GIC architecture (IHI 0069, 12.1.3; IHI 0048,
 * 4.1.4): every register takes a 32-bit access; bytes only where the row
 * says so (IPRIORITYR, ITARGETSR, C/SPENDSGIR), 64 bits only on the 64-bit
 * registers (GICD_IROUTER, GICR_TYPER, the LPI registers), never 16 bits.
 * A reserved offset (no row) is RAZ/WI to a 32-bit access and refused to
 * any other. */
#ifndef ELVISOR_VDEV_VGIC_MMIO_H
#define ELVISOR_VDEV_VGIC_MMIO_H

#include "vdev/vgic.h"

/* Access widths a row takes: the flag is the access size in bytes. */
#define VGIC_MMIO_8BIT          1u
#define VGIC_MMIO_16BIT         2u
#define VGIC_MMIO_32BIT         4u
#define VGIC_MMIO_64BIT         8u

/* The row's value is fixed when the VM is built (TYPER, IIDR, the ID
 * registers): read without the lock. */
#define VGIC_MMIO_FIXED         (1u << 0)

/* INTIDs a per-interrupt register bank can describe: 0..1023. */
#define VGIC_MMIO_INTIDS        1024u

struct vgic_mmio_region;

/* One access, decoded: what a row's handler needs. */
struct vgic_mmio_op {
    struct vgic *v;
    const struct vgic_mmio_region *row;
    unsigned bank;          /* the vCPU whose SGIs/PPIs INTIDs < 32 mean */
    unsigned caller;        /* the accessing vCPU */
    uint32_t off;           /* of the access, from the row's first byte */
    uint32_t intid;         /* per-interrupt rows: first INTID the access covers */
    unsigned size;          /* 1, 2, 4 or 8 bytes */
    uint32_t *kick;         /* vCPUs to kick once the lock is dropped */
};

/* A read returns the access's bytes (little-endian, low bytes first); a
 * write gets the stored value cut to the access's size. A NULL read
 * handler reads as zero, a NULL write handler ignores writes. */
typedef uint64_t (*vgic_mmio_read_fn)(const struct vgic_mmio_op *op);
typedef void (*vgic_mmio_write_fn)(const struct vgic_mmio_op *op, uint64_t val);

struct vgic_mmio_region {
    uint32_t offset;        /* first byte, from the start of the frame */
    uint32_t len;           /* bytes */
    uint8_t bits_per_irq;   /* 0: one register; else bits each INTID has */
    uint8_t widths;         /* VGIC_MMIO_*BIT the row takes */
    uint8_t flags;          /* VGIC_MMIO_FIXED */
    uint8_t arg;            /* the handler's own (the bit register of a bitreg row) */
    vgic_mmio_read_fn read;
    vgic_mmio_write_fn write;
};

/* A register. */
#define VGIC_MMIO_REG(off, bytes, w, fl, rd, wr) \
    { .offset = (off), .len = (bytes), .widths = (w), .flags = (fl), .read = (rd), .write = (wr) }

/* A bank of per-interrupt registers: bits per INTID for all 1024 INTIDs. */
#define VGIC_MMIO_PER_IRQ(off, bits, w, a, rd, wr)                                    \
    { .offset = (off), .len = VGIC_MMIO_INTIDS * (bits) / 8u, .bits_per_irq = (bits), \
      .widths = (w), .arg = (a), .read = (rd), .write = (wr) }

/* One of the seven one-bit-per-INTID banks laid out alike in every frame. */
#define VGIC_MMIO_BITREG(off, reg, wr) \
    VGIC_MMIO_PER_IRQ(off, 1, VGIC_MMIO_32BIT, reg, vgic_mmio_read_bitreg, wr)

/* All seven, IGROUPR to ICACTIVER (0x80..0x3ff), written through wr. */
#define VGIC_MMIO_BITREGS(wr)                                           \
    VGIC_MMIO_BITREG(VGIC_REG_IGROUPR, VGIC_BITREG_GROUP, wr),          \
    VGIC_MMIO_BITREG(VGIC_REG_ISENABLER, VGIC_BITREG_SET_ENABLE, wr),   \
    VGIC_MMIO_BITREG(VGIC_REG_ICENABLER, VGIC_BITREG_CLEAR_ENABLE, wr), \
    VGIC_MMIO_BITREG(VGIC_REG_ISPENDR, VGIC_BITREG_SET_PENDING, wr),    \
    VGIC_MMIO_BITREG(VGIC_REG_ICPENDR, VGIC_BITREG_CLEAR_PENDING, wr),  \
    VGIC_MMIO_BITREG(VGIC_REG_ISACTIVER, VGIC_BITREG_SET_ACTIVE, wr),   \
    VGIC_MMIO_BITREG(VGIC_REG_ICACTIVER, VGIC_BITREG_CLEAR_ACTIVE, wr)

struct vgic_mmio_frame {
    const char *name;
    const struct vgic_mmio_region *rows;    /* sorted by offset, disjoint */
    unsigned nr_rows;
    uint32_t size;                          /* bytes; accesses past it are refused */
    enum vgic_model model;                  /* on a vGIC of the other model: RAZ/WI */
    /* The INTIDs the per-interrupt rows serve; the rest of each bank is
     * RAZ/WI (the distributor's 0-31 with affinity routing, the
     * redistributor's past 31). */
    uint32_t first_intid, end_intid;
};

#define VGIC_MMIO_FRAME(nm, r, sz, mdl, first, end)                                  \
    { .name = (nm), .rows = (r), .nr_rows = sizeof(r) / sizeof((r)[0]), .size = (sz), \
      .model = (mdl), .first_intid = (first), .end_intid = (end) }

/* The row holding off, or NULL: a hole. */
const struct vgic_mmio_region *vgic_mmio_find(const struct vgic_mmio_frame *f, uint64_t off);

/* Is a size-byte access at off one the frame takes? Gives its row (NULL
 * for a hole). */
bool vgic_mmio_decode(const struct vgic_mmio_frame *f, uint64_t off, unsigned size,
                      const struct vgic_mmio_region **row);

/* Performs an access vgic_mmio_decode() took, at off of the frame, on
 * bank's registers: a read starts from zero; a vGIC of another model,
 * a hole or an INTID outside the frame's reads as zero and ignores writes. */
void vgic_mmio_perform(const struct vgic_mmio_frame *f, const struct vgic_mmio_region *row,
                       struct vgic *v, unsigned bank, unsigned caller, uint64_t off,
                       struct mmio_access *acc);

/* Both: false when the access is refused. */
bool vgic_mmio_dispatch(const struct vgic_mmio_frame *f, struct vgic *v, unsigned bank,
                        unsigned caller, struct mmio_access *acc);

/* Handlers rows of every frame share (the row's arg is the bit register;
 * bank is the op's). */
uint64_t vgic_mmio_read_bitreg(const struct vgic_mmio_op *op);
void vgic_mmio_write_bitreg(const struct vgic_mmio_op *op, uint64_t val);
uint64_t vgic_mmio_read_priority(const struct vgic_mmio_op *op);
void vgic_mmio_write_priority(const struct vgic_mmio_op *op, uint64_t val);
uint64_t vgic_mmio_read_config(const struct vgic_mmio_op *op);
void vgic_mmio_write_config(const struct vgic_mmio_op *op, uint64_t val);
/* GICD_CTLR's EnableGrp0 [0] and EnableGrp1 [1]. */
uint64_t vgic_mmio_read_group_enables(const struct vgic_mmio_op *op);
void vgic_mmio_write_group_enables(const struct vgic_mmio_op *op, uint64_t val);
uint64_t vgic_mmio_read_v3_idreg(const struct vgic_mmio_op *op);

#endif
