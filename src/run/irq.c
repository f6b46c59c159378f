#include "run/irq.h"

#include "arch/arm64/gic.h"
#include "arch/arm64/hw_timer.h"
#include "arch/arm64/platform.h"
#include "core/console.h"
#include "core/irq_route.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "lib/log.h"
#include "run/sched.h"

/* The EL1 timers in the hardware are always the loaded vCPU's: vcpu_put()
 * turns them off, and the timers of a vCPU that is not loaded are watched
 * in software (vtimer_poll_unloaded()). Each is forwarded as the interrupt
 * of the timer it runs (vcpu_load()). */
static bool route_loaded_timer(const struct irq_route *r, unsigned intid)
{
    struct vcpu *v = this_pcpu()->loaded;
    enum hw_timer t = hw_timer_of_ppi(intid);

    if (v && v->hw_timer_vintid[t]) {
        /* Stays active until the guest deactivates the virtual one. */
        vgic_inject_hw(&v->vm->vgic, v->id, v->hw_timer_vintid[t], intid);
        return false;
    }
    log_warn("timer interrupt %u with no vCPU timer on it", intid);
    return true;
}

static bool route_hyp_timer(const struct irq_route *r, unsigned intid)
{
    sched_tick_expired();
    return true;
}

static bool route_console(const struct irq_route *r, unsigned intid)
{
    console_input_pump();
    return true;
}

/* SGI_KICK and the maintenance interrupt need no work here: the run loop
 * re-reads vCPU state and the list registers after this. */
static bool route_run_loop(const struct irq_route *r, unsigned intid)
{
    return true;
}

static void add_route(uint32_t first, uint32_t last, irq_route_fn fn, const char *name)
{
    struct irq_route r = { .first = first, .last = last, .handle = fn, .name = name };
    enum irq_route_err e = irq_route_add(&phys_irq_routes, &r);

    if (e != IRQ_ROUTE_OK)
        log_err("interrupt %u-%u (%s): %s", first, last, name, irq_route_strerror(e));
}

void irq_routes_init(void)
{
    add_route(SGI_KICK, SGI_KICK, route_run_loop, "kick");
    add_route(PPI_MAINTENANCE, PPI_MAINTENANCE, route_run_loop, "GIC maintenance");
    add_route(PPI_HYP_TIMER, PPI_HYP_TIMER, route_hyp_timer, "scheduler tick");
    for (enum hw_timer t = 0; t < HW_TIMER_NR; t++)
        add_route(hw_timer_ppi(t), hw_timer_ppi(t), route_loaded_timer, "vCPU timer");
    if (platform.uart_intid >= GIC_SPI_BASE)
        add_route(platform.uart_intid, platform.uart_intid, route_console, "console UART");
}

void handle_phys_irqs(void)
{
    for (;;) {
        uint32_t ack;
        unsigned intid = gic_ack(&ack);

        /* 1020-1023 are special (1023: nothing pending); LPIs (8192 up,
         * assigned functions' MSIs) are routed like the rest. */
        if (intid >= GIC_INTID_SPECIAL && intid <= GIC_INTID_SPURIOUS)
            break;
        gic_priority_drop(ack);
        const struct irq_route *r = irq_route_find(&phys_irq_routes, intid);
        /* An interrupt with no row was enabled by mistake: dropped. */
        if (!r || r->handle(r, intid))
            gic_deactivate(ack);
    }
}
