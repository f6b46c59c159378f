/* How many exits to elvisor one exit of its guest costs when the guest
 * hypervisor handles it (issue 9's measurement, docs/nested.md §9.17): from
 * the exit elvisor forwards to vEL2 to the ERET that resumes its guest,
 * both included, so a hypervisor that traps nothing on the way costs 2.
 * NEVE (SOSP 2017) published 82 to 126 without NV2-style deferral and 15
 * with it. Pure: the vCPU's exit counter comes in as nr_exits.
 * Host-tested by tests/unit/test_nested_xstats.c. */
#include "nested/nested.h"

#include "arch/arm64/esr.h"

enum nested_xkind nested_xkind_of(uint64_t esr)
{
    switch (ESR_EC(esr)) {
    case EC_HVC64:
        return NESTED_X_HVC;
    case EC_ERET:
        return NESTED_X_ERET;
    default:
        return NESTED_X_OTHER;
    }
}

void nested_xstats_open(struct nested_xstats *s, enum nested_xkind k, uint64_t nr_exits)
{
    s->open_at = nr_exits;
    s->open_kind = (uint8_t)(k + 1);
}

void nested_xstats_close(struct nested_xstats *s, uint64_t nr_exits)
{
    uint64_t n;

    if (!s->open_kind)
        return;
    n = nr_exits - s->open_at + 1;
    if (n >= NESTED_X_BUCKETS)
        n = NESTED_X_BUCKETS - 1;
    s->hist[s->open_kind - 1][n]++;
    s->open_kind = 0;
}

void nested_xstats_summary(const struct nested_xstats *s, enum nested_xkind k, struct nested_xsummary *out)
{
    const uint32_t *h = s->hist[k];
    uint64_t seen = 0;

    *out = (struct nested_xsummary){ 0 };
    for (unsigned n = 0; n < NESTED_X_BUCKETS; n++)
        out->count += h[n];
    for (unsigned n = 0; n < NESTED_X_BUCKETS; n++) {
        if (!h[n])
            continue;
        if (!seen)
            out->min = n;
        /* The lower median: the (count + 1) / 2-th smallest. */
        if (seen < (out->count + 1) / 2 && seen + h[n] >= (out->count + 1) / 2)
            out->median = n;
        seen += h[n];
        out->max = n;
    }
}
