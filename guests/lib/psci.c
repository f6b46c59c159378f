#include "psci.h"

/* The conduit of the guest's own exception level: HVC reaches the
 * hypervisor from EL1; a guest at EL2 is the hypervisor and calls the
 * firmware with SMC, as QEMU's virt tells a guest with EL2 to. */
int64_t smccc_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
#ifdef GUEST_EL2
    return smccc_smc(fid, a1, a2, a3);
#else
    return smccc_hvc(fid, a1, a2, a3);
#endif
}

int64_t smccc_smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;

    __asm__ volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                       "x15", "x16", "x17", "memory");
    return (int64_t)x0;
}

int64_t smccc_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;

    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
                       "x15", "x16", "x17", "memory");
    return (int64_t)x0;
}
