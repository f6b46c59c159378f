/* A virtual CPU: the state that must be swapped when a physical CPU runs a
 * different vCPU, and the bookkeeping of its power state. */
#ifndef ELVISOR_CORE_VCPU_H
#define ELVISOR_CORE_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/asm_offsets.h"
#include "arch/arm64/debug_regs.h"
#include "arch/arm64/el1_regs.h"
#include "core/vcpu_ext.h"
#include "core/vcpu_reg.h"
#include "vdev/vtimer.h"

struct vm;

/* What guest_enter()/the exit vectors move on every entry and exit. */
struct vcpu_regs {
    uint64_t x[31];
    uint64_t pc;        /* ELR_EL2 */
    uint64_t pstate;    /* SPSR_EL2 */
};
_Static_assert(offsetof(struct vcpu_regs, pc) == VCPU_REGS_PC, "asm offset");
_Static_assert(offsetof(struct vcpu_regs, pstate) == VCPU_REGS_PSTATE, "asm offset");

struct fpsimd_state {
    uint64_t v[64];     /* q0..q31 as pairs of 64-bit halves */
    uint64_t fpsr, fpcr;
};

enum vcpu_power {
    VCPU_OFF,
    VCPU_ON,
};

/* Why the scheduler must not run a vCPU that is powered on. */
enum vcpu_wait {
    VCPU_RUNNING,
    VCPU_WAIT_WFI,      /* in WFI / CPU_SUSPEND until an interrupt is pending */
};

/* Room for the nested-virtualization state (virtual EL2 registers, VNCR
 * page, shadow stage-2) that a vCPU with vEL2 carries. */
struct vcpu_nested;

struct vcpu {
    struct vcpu_regs regs;
    /* Its system registers (core/vcpu_reg.h): the EL1 file first, then
     * the cells of values not in the hardware; vcpu_reg_read() finds each. */
    uint64_t sysreg[VCPU_NR_CELLS];
    uint64_t *vncr;             /* its VNCR page (nested virtualization), else NULL */
    uint8_t reg_ctx;            /* enum vcpu_ctx its registers are located by */
    struct fpsimd_state fp;
    /* Its timers (vdev/vtimer.h): in memory while the vCPU is not loaded,
     * and then too for those no hardware timer runs (vcpu_timer_map()). */
    struct vtimer timers[VTIMER_NR];
    /* While loaded: the map it was loaded with, and the vINTID each
     * hardware EL1 timer's interrupt is forwarded as (0: none). */
    struct vtimer_map tmap;
    uint8_t hw_timer_vintid[HW_TIMER_NR];
    /* Added to the VM's counter offset for its EL1 virtual timer and
     * counter: a guest hypervisor's CNTVOFF_EL2 for its guest (nested
     * virtualization keeps it); 0 for a plain guest. */
    uint64_t timer_voff;
    struct debug_state dbg;

    struct vm *vm;
    unsigned id;
    unsigned pcpu;              /* physical CPU this vCPU runs on */
    uint64_t mpidr;             /* VMPIDR_EL2 */
    uint64_t hcr;               /* HCR_EL2 while this vCPU runs */

    /* Written under vm->lock by other vCPUs (PSCI CPU_ON, reset, power-off). */
    volatile enum vcpu_power power;
    volatile bool on_pending;   /* CPU_ON accepted, not yet running */
    uint64_t on_entry, on_context;
    volatile bool parked;       /* stopped and unloaded while its VM is not running */
    enum vcpu_wait wait;
    bool loaded;                /* EL1/timer/GIC state is in the hardware */
    bool time_preempted;        /* counted in vm->nr_preempted (core/vtime.c) */

    /* A vCPU that is more than a plain EL1 guest (core/vcpu_ext.h): its
     * hooks and its state, which only the extension reads. */
    const struct vcpu_ext_ops *ext;     /* NULL: plain EL1 guest */
    struct vcpu_nested *nested;

    /* Synchronous exceptions injected in a row, each at the vector entry
     * the one before sent the vCPU to: its handler faults on its own first
     * instruction and can never get further (trap/inject.c). */
    uint64_t inject_vector;
    unsigned inject_repeats;

    /* Exit statistics: all exits, physical interrupts, synchronous exits
     * by ESR_EL2.EC (logged with the `debug` boot option at power-off). */
    uint64_t nr_exits;
    uint64_t nr_irq_exits;
    uint32_t nr_sync_exits[64];
};

/* Which of the vCPU's timers the hardware EL1 timers run while it is
 * loaded: its extension's rule for its current context, else the plain
 * guest's (each EL1 timer on its own). */
static inline void vcpu_timer_map(const struct vcpu *v, struct vtimer_map *m)
{
    if (v->ext && v->ext->timer_map)
        v->ext->timer_map(v, m);
    else
        *m = VTIMER_MAP_EL1;
}

/* Register r's value where location l says it lives. */
static inline uint64_t vcpu_loc_read(const struct vcpu *v, struct vcpu_loc l)
{
    switch (l.kind) {
    case VCPU_LOC_EL1:
        return v->loaded ? el1_read((enum el1_reg)l.at) : v->sysreg[l.at];
    case VCPU_LOC_CELL:
        return v->sysreg[l.at];
    case VCPU_LOC_VNCR:
        return v->vncr[l.at / sizeof(uint64_t)];
    default:
        return 0;
    }
}

static inline void vcpu_loc_write(struct vcpu *v, struct vcpu_loc l, uint64_t val)
{
    switch (l.kind) {
    case VCPU_LOC_EL1:
        if (v->loaded)
            el1_write((enum el1_reg)l.at, val);
        else
            v->sysreg[l.at] = val;
        break;
    case VCPU_LOC_CELL:
        v->sysreg[l.at] = val;
        break;
    case VCPU_LOC_VNCR:
        v->vncr[l.at / sizeof(uint64_t)] = val;
        break;
    default:
        break;
    }
}

/* A register in a context the caller knows: with both constant, the
 * table lookup folds away and this is one access. */
static inline uint64_t vcpu_reg_read_in(const struct vcpu *v, enum vcpu_reg r, enum vcpu_ctx c)
{
    return vcpu_loc_read(v, vcpu_reg_loc[r][c]);
}

static inline void vcpu_reg_write_in(struct vcpu *v, enum vcpu_reg r, enum vcpu_ctx c, uint64_t val)
{
    vcpu_loc_write(v, vcpu_reg_loc[r][c], val);
}

/* Whether a context runs the guest hypervisor itself (its vEL2): the
 * hardware EL1 registers are its own, VREG_HYP_<reg>. */
static inline bool vcpu_ctx_is_hyp(enum vcpu_ctx c)
{
    return c & 1;
}

/* A register in the vCPU's current context, loaded or not. */
static inline uint64_t vcpu_reg_read(const struct vcpu *v, enum vcpu_reg r)
{
    return vcpu_reg_read_in(v, r, (enum vcpu_ctx)v->reg_ctx);
}

static inline void vcpu_reg_write(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
    vcpu_reg_write_in(v, r, (enum vcpu_ctx)v->reg_ctx, val);
}

/* A register whose location is its own cell in every context it exists
 * in (VCPU_EL2_KEPT's; tests/unit/fake/test_vcpu_reg.c checks the table
 * says so): read and written without the lookup, on the nested exit path. */
static inline uint64_t vcpu_cell_read(const struct vcpu *v, enum vcpu_reg r)
{
    return v->sysreg[r];
}

static inline void vcpu_cell_write(struct vcpu *v, enum vcpu_reg r, uint64_t val)
{
    v->sysreg[r] = val;
}

/* Architectural reset of a vCPU that starts at entry with x0 = arg. */
void vcpu_reset(struct vcpu *v, uint64_t entry, uint64_t arg);

#endif
