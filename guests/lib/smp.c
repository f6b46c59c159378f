#include "smp.h"

#include "dtb.h"
#include "gic.h"
#include "platform.h"
#include "psci.h"
#include "timer.h"

struct cpu_slot {
    uint64_t mpidr;
    cpu_fn fn;
    uint64_t arg;
    volatile uint64_t boot_x0;
    volatile unsigned boot_count;
};

static struct cpu_slot cpus[MAX_CPUS];
static unsigned num_cpus = 1;

unsigned smp_init(const void *dtb)
{
    uint64_t regs[MAX_CPUS];
    uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
    int n = dtb_cpu_regs(dtb, regs, MAX_CPUS);

    cpus[0].mpidr = self;
    num_cpus = 1;
    for (int i = 0; i < n && i < MAX_CPUS; i++)
        if (regs[i] != self && num_cpus < MAX_CPUS)
            cpus[num_cpus++].mpidr = regs[i];
    return num_cpus;
}

unsigned smp_num_cpus(void) { return num_cpus; }

uint64_t smp_cpu_mpidr(unsigned cpu) { return cpu < MAX_CPUS ? cpus[cpu].mpidr : 0; }

uint64_t smp_context_id(unsigned cpu, uint64_t tag)
{
    return (tag << SMP_CTX_TAG_SHIFT) | (cpu & SMP_CTX_CPU_MASK);
}

int64_t smp_cpu_on(unsigned cpu, cpu_fn fn, uint64_t arg, uint64_t tag)
{
    if (cpu == 0 || cpu >= num_cpus)
        return PSCI_RET_INVALID_PARAMS;
    cpus[cpu].fn = fn;
    cpus[cpu].arg = arg;
    dsb(sy);
    return psci_cpu_on(cpus[cpu].mpidr, (uint64_t)(uintptr_t)guest_secondary_entry,
                       smp_context_id(cpu, tag));
}

uint64_t smp_boot_x0(unsigned cpu) { return cpu < MAX_CPUS ? cpus[cpu].boot_x0 : 0; }
unsigned smp_boot_count(unsigned cpu) { return cpu < MAX_CPUS ? cpus[cpu].boot_count : 0; }

int smp_wait_booted(unsigned cpu, unsigned seen, uint64_t timeout_us)
{
    uint64_t deadline = cntvct() + ticks_from_us(timeout_us);

    while (smp_boot_count(cpu) <= seen)
        if (cntvct() > deadline)
            return 0;
    return 1;
}

void guest_secondary_c(unsigned cpu, uint64_t x0)
{
    struct cpu_slot *s = &cpus[cpu];

    guest_gic_cpu_init();
    s->boot_x0 = x0;
    dsb(sy);
    s->boot_count++;
    dsb(sy);
    sev();
    if (s->fn)
        s->fn(s->arg);
    irq_disable();
    psci_cpu_off();
    for (;;)
        wfi();
}
