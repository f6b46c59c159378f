/* The decoder every vGIC register file goes through (vgic_mmio.h), and the
 * row handlers the frames share. */
#include "vdev/vgic_mmio.h"

const struct vgic_mmio_region *vgic_mmio_find(const struct vgic_mmio_frame *f, uint64_t off)
{
    const struct vgic_mmio_region *row;
    unsigned lo = 0, hi = f->nr_rows;

    /* The last row starting at or before off is the only one that can
     * hold it. */
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;

        if (f->rows[mid].offset <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return 0;
    row = &f->rows[lo - 1];
    return off - row->offset < row->len ? row : 0;
}

bool vgic_mmio_decode(const struct vgic_mmio_frame *f, uint64_t off, unsigned size,
                      const struct vgic_mmio_region **row)
{
    unsigned widths;

    if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1)))
        return false;
    if (off >= f->size)
        return false;
    *row = vgic_mmio_find(f, off);
    widths = *row ? (*row)->widths : VGIC_MMIO_32BIT;
    return (widths & size) != 0;
}

static inline void perform(const struct vgic_mmio_frame *f, const struct vgic_mmio_region *row,
                           struct vgic *v, unsigned bank, unsigned caller, uint64_t off,
                           struct mmio_access *acc)
{
    uint32_t kick = 0;
    struct vgic_mmio_op op = {
        .v = v, .row = row, .bank = bank, .caller = caller, .size = acc->size, .kick = &kick,
    };
    bool served = row != 0;

    if (!acc->is_write)
        acc->value = 0;
    if (v->model != f->model)
        return;         /* not this model's register file: RAZ/WI */
    if (row) {
        op.off = (uint32_t)(off - row->offset);
        if (row->bits_per_irq) {
            op.intid = op.off * 8u / row->bits_per_irq;
            served = op.intid - f->first_intid < f->end_intid - f->first_intid;
        }
    }
    if (acc->is_write) {
        spin_lock(&v->lock);
        v->gen++;       /* every write may change what some vCPU's LRs should hold */
        if (served && row->write)
            row->write(&op, acc->value & (~0ull >> (64 - 8 * acc->size)));
        spin_unlock(&v->lock);
        vgic_kick_mask(v, kick);
        return;
    }
    if (!served || !row->read)
        return;
    if (row->flags & VGIC_MMIO_FIXED) {
        acc->value = row->read(&op);
        return;
    }
    spin_lock(&v->lock);
    acc->value = row->read(&op);
    spin_unlock(&v->lock);
    vgic_kick_mask(v, kick);
}

void vgic_mmio_perform(const struct vgic_mmio_frame *f, const struct vgic_mmio_region *row,
                       struct vgic *v, unsigned bank, unsigned caller, uint64_t off,
                       struct mmio_access *acc)
{
    perform(f, row, v, bank, caller, off, acc);
}

bool vgic_mmio_dispatch(const struct vgic_mmio_frame *f, struct vgic *v, unsigned bank,
                        unsigned caller, struct mmio_access *acc)
{
    const struct vgic_mmio_region *row;

    if (!vgic_mmio_decode(f, acc->offset, acc->size, &row))
        return false;
    perform(f, row, v, bank, caller, acc->offset, acc);
    return true;
}

uint64_t vgic_mmio_read_bitreg(const struct vgic_mmio_op *op)
{
    return vgic_bitreg_read(op->v, op->bank, op->intid, (enum vgic_bitreg)op->row->arg);
}

void vgic_mmio_write_bitreg(const struct vgic_mmio_op *op, uint64_t val)
{
    vgic_bitreg_write(op->v, op->bank, op->caller, op->intid, (enum vgic_bitreg)op->row->arg,
                      (uint32_t)val, op->kick);
}

/* IPRIORITYR: one byte per INTID, a byte or a word at a time. */
uint64_t vgic_mmio_read_priority(const struct vgic_mmio_op *op)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < op->size; i++)
        val |= (uint64_t)vgic_prio_read(op->v, op->bank, op->intid + i) << (8 * i);
    return val;
}

void vgic_mmio_write_priority(const struct vgic_mmio_op *op, uint64_t val)
{
    for (unsigned i = 0; i < op->size; i++)
        vgic_prio_write(op->v, op->bank, op->caller, op->intid + i, (uint8_t)(val >> (8 * i)),
                        op->kick);
}

uint64_t vgic_mmio_read_config(const struct vgic_mmio_op *op)
{
    return vgic_cfg_read(op->v, op->bank, op->intid);
}

void vgic_mmio_write_config(const struct vgic_mmio_op *op, uint64_t val)
{
    vgic_cfg_write(op->v, op->bank, op->intid, (uint32_t)val);
}

uint64_t vgic_mmio_read_group_enables(const struct vgic_mmio_op *op)
{
    struct mmio_access acc = { .size = 4, .is_write = false };

    vgic_ctlr_enables_access(op->v, op->caller, &acc, op->kick);
    return acc.value;
}

void vgic_mmio_write_group_enables(const struct vgic_mmio_op *op, uint64_t val)
{
    struct mmio_access acc = { .size = 4, .is_write = true, .value = val };

    vgic_ctlr_enables_access(op->v, op->caller, &acc, op->kick);
}

uint64_t vgic_mmio_read_v3_idreg(const struct vgic_mmio_op *op)
{
    return vgic_v3_idreg_read(op->row->offset + op->off);
}
