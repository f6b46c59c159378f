/* The VNCR page (FEAT_NV2): with HCR_EL2.{NV2,NV} = {1,1} an EL1 access to
 * one of these registers is a 64-bit load or store at VNCR_EL2 + offset
 * instead of a trap. Byte offsets from the Arm ARM's table of registers
 * "redirected to memory" (rule R_CSRPQ), as docs/nested.md §2.2 lists them.
 * With NV1 = 0, which elvisor always has (vE2H is RES1), the slots marked
 * "NV1" in that table are reached through the EL12 and EL02 names: they
 * hold the guest hypervisor's view of its own guest's EL1 registers. */
#ifndef ELVISOR_NESTED_VNCR_H
#define ELVISOR_NESTED_VNCR_H

#define VNCR_PAGE_SIZE          4096u

/* EL2 registers, redirected whatever NV1 says. */
#define VNCR_VTTBR_EL2          0x020u
#define VNCR_VTCR_EL2           0x040u
#define VNCR_VMPIDR_EL2         0x050u
#define VNCR_CNTVOFF_EL2        0x060u
#define VNCR_HCR_EL2            0x078u
#define VNCR_HSTR_EL2           0x080u
#define VNCR_VPIDR_EL2          0x088u
#define VNCR_TPIDR_EL2          0x090u
#define VNCR_HCRX_EL2           0x0A0u
#define VNCR_VNCR_EL2           0x0B0u
#define VNCR_ACTLR_EL1          0x118u
#define VNCR_MDSCR_EL1          0x158u
#define VNCR_SP_EL1             0x240u
#define VNCR_ICH_LR0_EL2        0x400u      /* + 8n, n = 0..15 */
#define VNCR_ICH_AP0R0_EL2      0x480u      /* + 8n, n = 0..3 */
#define VNCR_ICH_AP1R0_EL2      0x4A0u      /* + 8n, n = 0..3 */
#define VNCR_ICH_HCR_EL2        0x4C0u
#define VNCR_ICH_VMCR_EL2       0x4C8u

/* The guest's guest's EL1 registers (the EL12 names when NV1 = 0). */
#define VNCR_CPACR_EL1          0x100u
#define VNCR_CONTEXTIDR_EL1     0x108u
#define VNCR_SCTLR_EL1          0x110u
#define VNCR_TCR_EL1            0x120u
#define VNCR_AFSR0_EL1          0x128u
#define VNCR_AFSR1_EL1          0x130u
#define VNCR_ESR_EL1            0x138u
#define VNCR_MAIR_EL1           0x140u
#define VNCR_AMAIR_EL1          0x148u
#define VNCR_SPSR_EL1           0x160u
#define VNCR_CNTV_CVAL_EL0      0x168u
#define VNCR_CNTV_CTL_EL0       0x170u
#define VNCR_CNTP_CVAL_EL0      0x178u
#define VNCR_CNTP_CTL_EL0       0x180u
#define VNCR_TTBR0_EL1          0x200u
#define VNCR_TTBR1_EL1          0x210u
#define VNCR_FAR_EL1            0x220u
#define VNCR_ELR_EL1            0x230u
#define VNCR_VBAR_EL1           0x250u

#endif
