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
         * loaded are watched in software (vtimer_poll_unloaded()). Each is
         * forwarded as the interrupt of the timer it runs (vcpu_load()). */
        enum hw_timer t = hw_timer_of_ppi(intid);
        if (t != HW_TIMER_NR && p->loaded && p->loaded->hw_timer_vintid[t]) {
            /* Stays active until the guest deactivates the virtual one. */
            vgic_inject_hw(&p->loaded->vm->vgic, p->loaded->id, p->loaded->hw_timer_vintid[t], intid);
            continue;
        }
        if (t != HW_TIMER_NR) {
            log_warn("timer interrupt %u with no vCPU timer on it", intid);
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
