#include "core/irq_route.h"

struct irq_routes phys_irq_routes;

enum irq_route_err irq_route_add(struct irq_routes *t, const struct irq_route *r)
{
    unsigned at = 0;

    if (r->last < r->first || !r->handle)
        return IRQ_ROUTE_EMPTY;
    if (t->n >= IRQ_ROUTE_MAX)
        return IRQ_ROUTE_FULL;
    while (at < t->n && t->r[at].first < r->first)
        at++;
    if (at > 0 && t->r[at - 1].last >= r->first)
        return IRQ_ROUTE_OVERLAP;
    if (at < t->n && t->r[at].first <= r->last)
        return IRQ_ROUTE_OVERLAP;
    for (unsigned i = t->n; i > at; i--)
        t->r[i] = t->r[i - 1];
    t->r[at] = *r;
    t->n++;
    return IRQ_ROUTE_OK;
}

const char *irq_route_strerror(enum irq_route_err e)
{
    switch (e) {
    case IRQ_ROUTE_OK:      return "ok";
    case IRQ_ROUTE_FULL:    return "the interrupt routing table is full";
    case IRQ_ROUTE_EMPTY:   return "empty INTID range or no handler";
    case IRQ_ROUTE_OVERLAP: return "an INTID of the range already has a route";
    }
    return "unknown error";
}
