#include "arch/arm64/pmu_count.h"

#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"

#define PMU_EVENT_INST_RETIRED  0x08
#define PMEVTYPER_P             BIT(31)     /* not at EL1 */
#define PMEVTYPER_U             BIT(30)     /* not at EL0 */
#define PMEVTYPER_NSH           BIT(27)     /* at EL2 */
#define PMCR_E                  BIT(0)
#define PMCR_P                  BIT(1)      /* zero the event counters */
#define PMCR_LP                 BIT(7)      /* 64-bit event counters (PMUv3p5) */
#define PMU_COUNTER0            BIT(0)
#define PMUVER_V3P5             6
#define PMU_COUNTER32_MASK      0xffffffffULL

bool pmu_el2_counting;

static bool counters_64bit(void)
{
    unsigned pmuver = (read_sysreg(id_aa64dfr0_el1) >> 8) & 0xf;

    return pmuver >= PMUVER_V3P5 && pmuver != 0xf;
}

void pmu_el2_count_start(void)
{
    if (!pmu_el2_counting)
        return;
    write_sysreg(pmcntenclr_el0, PMU_COUNTER0);
    write_sysreg(pmevtyper0_el0, PMU_EVENT_INST_RETIRED | PMEVTYPER_P | PMEVTYPER_U | PMEVTYPER_NSH);
    write_sysreg(pmcr_el0, PMCR_E | PMCR_P | (counters_64bit() ? PMCR_LP : 0));
    isb();
    write_sysreg(pmcntenset_el0, PMU_COUNTER0);
    isb();
}

uint64_t pmu_el2_count(void)
{
    uint64_t n;

    if (!pmu_el2_counting)
        return 0;
    n = read_sysreg(pmevcntr0_el0);
    return counters_64bit() ? n : n & PMU_COUNTER32_MASK;
}
