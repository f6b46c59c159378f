/* SMC Calling Convention and PSCI function identifiers and return codes
 * (Arm DEN 0028 and DEN 0022). */
#ifndef ELVISOR_ARCH_SMCCC_H
#define ELVISOR_ARCH_SMCCC_H

#include <stdint.h>

#define SMCCC_VERSION               0x80000000U
#define SMCCC_ARCH_FEATURES         0x80000001U
#define SMCCC_ARCH_SOC_ID           0x80000002U
#define SMCCC_ARCH_WORKAROUND_1     0x80008000U
#define SMCCC_ARCH_WORKAROUND_2     0x80007fffU
#define SMCCC_ARCH_WORKAROUND_3     0x80003fffU
#define SMCCC_VERSION_1_1           0x10001U
/* elvisor's own calls, in the SMCCC range of vendor-specific hypervisor
 * services (owner 6, fast, SMC32). The floor of make bench: with the
 * `bench-floor` boot option, FLOOR_ON makes the calling CPU's EL2 do the
 * least for its synchronous exits (return at once, stepping over a
 * trapped instruction) until FLOOR_OFF or its next interrupt
 * (docs/performance.md). */
#define ELVISOR_BENCH_FLOOR_ON      0x86000f10U
#define ELVISOR_BENCH_FLOOR_OFF     0x86000f11U

#define PSCI_VERSION                0x84000000U
#define PSCI_CPU_SUSPEND_32         0x84000001U
#define PSCI_CPU_SUSPEND_64         0xc4000001U
#define PSCI_CPU_OFF                0x84000002U
#define PSCI_CPU_ON_32              0x84000003U
#define PSCI_CPU_ON_64              0xc4000003U
#define PSCI_AFFINITY_INFO_32       0x84000004U
#define PSCI_AFFINITY_INFO_64       0xc4000004U
#define PSCI_MIGRATE_INFO_TYPE      0x84000006U
#define PSCI_SYSTEM_OFF             0x84000008U
#define PSCI_SYSTEM_RESET           0x84000009U
#define PSCI_FEATURES               0x8400000aU
#define PSCI_VERSION_1_1            0x10001U

#define SMCCC_RET_SUCCESS           0
#define SMCCC_RET_NOT_SUPPORTED     (-1)
#define PSCI_RET_SUCCESS            0
#define PSCI_RET_NOT_SUPPORTED      (-1)
#define PSCI_RET_INVALID_PARAMS     (-2)
#define PSCI_RET_DENIED             (-3)
#define PSCI_RET_ALREADY_ON         (-4)
#define PSCI_RET_ON_PENDING         (-5)
#define PSCI_RET_INTERNAL_FAILURE   (-6)
#define PSCI_RET_INVALID_ADDRESS    (-9)

#define PSCI_AFFINITY_ON            0
#define PSCI_AFFINITY_OFF           1
#define PSCI_AFFINITY_ON_PENDING    2

/* MIGRATE_INFO_TYPE: no Trusted OS that needs migrating. */
#define PSCI_TOS_NOT_PRESENT        2

#endif
