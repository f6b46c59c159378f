#include "arch/arm64/firmware.h"
#include "arch/arm64/smccc.h"

static bool use_smc;

void firmware_set_conduit(bool smc)
{
    use_smc = smc;
}

static uint64_t call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;

    if (use_smc)
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

int64_t firmware_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    return (int64_t)call(PSCI_CPU_ON_64, mpidr, entry, context);
}

void firmware_system_off(void)
{
    call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

void firmware_system_reset(void)
{
    call(PSCI_SYSTEM_RESET, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}
