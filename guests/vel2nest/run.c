/* The runners of run.h. */
#include "guest.h"
#include "run.h"

#define RUN_HCR_TGE             BIT(27)
#define RUN_HCR_RW              BIT(31)

void nest_setup(struct nest_saved *s, uint64_t clear, uint64_t set)
{
    s->hcr = read_sysreg(hcr_el2);
    s->vbar = read_sysreg(vbar_el2);
    write_sysreg(((s->hcr | RUN_HCR_RW) & ~(RUN_HCR_TGE | clear)) | set, hcr_el2);
    write_sysreg((uint64_t)(uintptr_t)nest_vectors, vbar_el2);
    isb();
}

void nest_restore(const struct nest_saved *s)
{
    write_sysreg(s->vbar, vbar_el2);
    write_sysreg(s->hcr, hcr_el2);
    isb();
}

void nest_run_with(uint64_t clear, uint64_t set, void (*entry)(void), uint64_t x1)
{
    struct nest_saved s;

    nest_setup(&s, clear, set);
    nest_run(entry, x1);
    nest_restore(&s);
}
