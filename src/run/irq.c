#include "run/irq.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/platform.h"
#include "core/console.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "lib/log.h"
#include "run/sched.h"

void handle_phys_irqs(void)
{
    struct pcpu *p = this_pcpu();

    for (;;) {
        uint32_t ack;
        unsigned intid = gic_ack(&ack);

        if (intid >= GIC_INTID_SPURIOUS)
            break;
        gic_priority_drop(ack);
        /* The EL1 timers in the hardware are always the loaded vCPU's:
         * vcpu_put() turns them off, and the timers of a vCPU that is not
         * loaded are watched in software (vtimer_poll_unloaded()). */
        if ((intid == PPI_VIRT_TIMER || intid == PPI_PHYS_TIMER) && p->loaded) {
            /* Stays active until the guest deactivates the virtual one. */
            vgic_inject_hw(&p->loaded->vm->vgic, p->loaded->id, intid, intid);
            continue;
        }
        if (intid == PPI_VIRT_TIMER || intid == PPI_PHYS_TIMER) {
            log_warn("timer interrupt %u with no vCPU loaded", intid);
        } else if (intid == PPI_HYP_TIMER) {
            sched_tick_expired();
        } else if (intid == platform.uart_intid) {
            console_input_pump();
        }
        /* SGI_KICK and the maintenance interrupt need no work here: the
         * run loop re-reads vCPU state and the list registers after this. */
        gic_deactivate(ack);
    }
}
