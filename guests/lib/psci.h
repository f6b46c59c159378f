/* SMCCC calls through HVC (or SMC for a guest built to run at EL2), and
 * the PSCI 1.1 functions the guests use. */
#ifndef GUEST_PSCI_H
#define GUEST_PSCI_H

#include <stdint.h>

#define SMCCC_VERSION               0x80000000U
#define SMCCC_ARCH_FEATURES         0x80000001U
#define SMCCC_ARCH_WORKAROUND_1     0x80008000U

#define PSCI_VERSION                0x84000000U
#define PSCI_CPU_SUSPEND_64         0xC4000001U
#define PSCI_CPU_OFF                0x84000002U
#define PSCI_CPU_ON_64              0xC4000003U
#define PSCI_AFFINITY_INFO_64       0xC4000004U
#define PSCI_MIGRATE_INFO_TYPE      0x84000006U
#define PSCI_SYSTEM_OFF             0x84000008U
#define PSCI_SYSTEM_RESET           0x84000009U
#define PSCI_FEATURES               0x8400000AU

#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMS     (-2)
#define PSCI_RET_DENIED             (-3)
#define PSCI_RET_ALREADY_ON         (-4)
#define PSCI_RET_ON_PENDING         (-5)
#define PSCI_RET_INTERNAL_FAILURE   (-6)

#define PSCI_AFFINITY_ON            0
#define PSCI_AFFINITY_OFF           1
#define PSCI_AFFINITY_ON_PENDING    2

#define PSCI_POWER_STATE_STANDBY    0   /* StateType 0, StateID 0, level 0 */

#define VERSION_MAJOR(v)            (((uint64_t)(v) >> 16) & 0x7FFF)
#define VERSION_MINOR(v)            ((uint64_t)(v) & 0xFFFF)
#define MAKE_VERSION(maj, min)      (((maj) << 16) | (min))

/* Returns the callee's x0. x1-x17 are treated as clobbered (SMCCC 1.0). */
int64_t smccc_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
int64_t smccc_smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
/* Through the conduit of the guest's own exception level: HVC from EL1,
 * SMC from EL2 (GUEST_EL2 builds). */
int64_t smccc_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);

static inline int64_t psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
    return smccc_call(PSCI_CPU_ON_64, mpidr, entry, ctx);
}

static inline int64_t psci_affinity_info(uint64_t mpidr)
{
    return smccc_call(PSCI_AFFINITY_INFO_64, mpidr, 0, 0);
}

static inline int64_t psci_cpu_off(void) { return smccc_call(PSCI_CPU_OFF, 0, 0, 0); }
static inline int64_t psci_system_off(void) { return smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0); }
static inline int64_t psci_system_reset(void) { return smccc_call(PSCI_SYSTEM_RESET, 0, 0, 0); }

#endif
