/* Who a physical interrupt is for: a table of INTID ranges, each with the
 * handler that takes it (elvisor's own timer, the console UART, the loaded
 * vCPU's forwarded timer PPIs, an assigned device's SPI forwarded to its
 * VM, the SMMU's interrupts). Rows are added while the boot CPU sets the
 * machine up, before any CPU takes interrupts, and only read afterwards;
 * sorted by INTID and never overlapping. Pure: host-tested in
 * tests/unit/test_irq_route.c. */
#ifndef ELVISOR_CORE_IRQ_ROUTE_H
#define ELVISOR_CORE_IRQ_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_ROUTE_MAX   32

struct irq_route;

/* Handles INTID intid of route r, already acknowledged and priority-dropped.
 * Returns true when the interrupt must be deactivated now, false when its
 * deactivation was handed on (a list register with the HW bit: the guest's
 * EOI deactivates it). */
typedef bool (*irq_route_fn)(const struct irq_route *r, unsigned intid);

struct irq_route {
    uint32_t first, last;       /* INTIDs, inclusive */
    irq_route_fn handle;
    const char *name;           /* for log lines */
    void *ctx;                  /* the handler's object (a VM, a driver) */
    uint32_t arg;               /* the handler's number (a vINTID) */
};

struct irq_routes {
    struct irq_route r[IRQ_ROUTE_MAX];
    unsigned n;
};

enum irq_route_err {
    IRQ_ROUTE_OK = 0,
    IRQ_ROUTE_FULL = -1,        /* IRQ_ROUTE_MAX rows already */
    IRQ_ROUTE_EMPTY = -2,       /* last < first, or no handler */
    IRQ_ROUTE_OVERLAP = -3,     /* an INTID already has a row */
};

enum irq_route_err irq_route_add(struct irq_routes *t, const struct irq_route *r);
const char *irq_route_strerror(enum irq_route_err e);

/* The row intid falls in, or NULL. The table is short (a handful of rows,
 * on the path of every timer interrupt): a scan in INTID order. */
static inline const struct irq_route *irq_route_find(const struct irq_routes *t, uint32_t intid)
{
    for (unsigned i = 0; i < t->n; i++) {
        const struct irq_route *r = &t->r[i];
        if (intid < r->first)
            return 0;           /* sorted: no later row holds it */
        if (intid <= r->last)
            return r;
    }
    return 0;
}

/* elvisor's table, filled at boot (run/irq.c, and the device-assignment
 * code for assigned devices' interrupts). */
extern struct irq_routes phys_irq_routes;

#endif
