/* Per-physical-CPU state. TPIDR_EL2 points at the running CPU's struct
 * pcpu; the exit vectors use its first two fields. */
#ifndef ELVISOR_CORE_PCPU_H
#define ELVISOR_CORE_PCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/asm_offsets.h"

struct vcpu;

struct pcpu {
    void *guest_regs;           /* struct vcpu_regs of the vCPU in the guest */
    uint64_t hyp_sp;            /* elvisor's SP while the guest runs */
    unsigned id;
    uint64_t mpidr;
    uint64_t gicr_base;         /* this CPU's physical redistributor */
    volatile bool online;
    struct vcpu *loaded;        /* vCPU whose state is in the hardware, or NULL */
    struct vcpu *runq[MAX_PCPUS * 2];   /* vCPUs placed on this CPU */
    unsigned nr_runq;
    unsigned next;              /* round-robin cursor */
};
_Static_assert(offsetof(struct pcpu, guest_regs) == PCPU_GUEST_REGS, "asm offset");
_Static_assert(offsetof(struct pcpu, hyp_sp) == PCPU_HYP_SP, "asm offset");

extern struct pcpu pcpus[MAX_PCPUS];
extern unsigned nr_pcpus;

struct pcpu *this_pcpu(void);

#endif
