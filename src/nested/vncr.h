/* The VNCR page (FEAT_NV2): with HCR_EL2.{NV2,NV} = {1,1} an EL1 access to
 * one of these registers is a 64-bit load or store at VNCR_EL2 + offset
 * instead of a trap. Byte offsets from the Arm ARM's table of registers
 * "redirected to memory" (rule R_CSRPQ), as docs/nested.md §2.2 lists them.
 * With NV1 = 0, which elvisor always has (vE2H is RES1), the slots marked
 * "NV1" in that table are reached through the EL12 and EL02 names: they
 * hold the guest hypervisor's view of its own guest's EL1 registers.
 *
 * The offsets are the Vncr lines of src/arch/arm64/sysreg.db: VNCR_<reg>
 * for the EL2 registers (VNCR_HCR_EL2, VNCR_ICH_LR<n>_EL2, ...) and, under
 * the EL1 and EL0 names, for the guest's guest's registers (VNCR_SCTLR_EL1,
 * VNCR_CNTV_CTL_EL0, ...). */
#ifndef ELVISOR_NESTED_VNCR_H
#define ELVISOR_NESTED_VNCR_H

#include "arch/arm64/sysreg-defs.h"

#define VNCR_PAGE_SIZE          4096u

#endif
