#include "arch/arm64/pci.h"

#define BAR_MIN_SIZE    0x1000ULL

int pci_bars_place(struct pci_bar *bars[], unsigned n, uint64_t base, uint64_t size)
{
    uint64_t next = base, end = base + size;
    int rc = 0;

    for (unsigned i = 0; i < n; i++)
        bars[i]->addr = 0;
    /* Largest first: every placement is then aligned for the next one
     * without gaps, the packing a power-of-two set allows. */
    for (;;) {
        struct pci_bar *pick = 0;
        for (unsigned i = 0; i < n; i++) {
            struct pci_bar *b = bars[i];
            if (b->io || b->size == 0 || b->addr || (b->size & (b->size - 1)))
                continue;
            if (!pick || b->size > pick->size)
                pick = b;
        }
        if (!pick)
            break;
        uint64_t sz = pick->size < BAR_MIN_SIZE ? BAR_MIN_SIZE : pick->size;
        uint64_t at = (next + sz - 1) & ~(sz - 1);
        if (at < next || at + sz > end || at + sz < at || (!pick->is64 && at + sz > (1ULL << 32))) {
            pick->addr = 0;
            pick->size = 0;         /* not placed: left disabled */
            rc = -1;
            continue;
        }
        pick->addr = at;
        next = at + sz;
    }
    return rc;
}
