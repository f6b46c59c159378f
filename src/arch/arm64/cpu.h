/* What the hardware layer keeps for each physical CPU: the two words the
 * exit vectors use, and the CPU's own GIC redistributor. TPIDR_EL2 points
 * at it; the core's struct pcpu starts with it (core/pcpu.h), so the
 * hardware layer reaches its part without knowing the rest. */
#ifndef ELVISOR_ARCH_CPU_H
#define ELVISOR_ARCH_CPU_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arm64/asm_offsets.h"
#include "arch/arm64/sysreg.h"

struct arch_cpu {
    void *guest_regs;           /* struct vcpu_regs of the vCPU in the guest */
    uint64_t hyp_sp;            /* elvisor's SP while the guest runs */
    uint64_t gicr_base;         /* this CPU's physical redistributor (GICv3) */
};
_Static_assert(offsetof(struct arch_cpu, guest_regs) == PCPU_GUEST_REGS, "asm offset");
_Static_assert(offsetof(struct arch_cpu, hyp_sp) == PCPU_HYP_SP, "asm offset");

static inline struct arch_cpu *arch_this_cpu(void)
{
    return (struct arch_cpu *)(uintptr_t)read_sysreg(tpidr_el2);
}

#endif
