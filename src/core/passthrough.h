/* Device assignment: the machine's PCIe functions and its SMMUv3, and the
 * functions each VM was given (docs/device-assignment.md). At boot the
 * SMMU is turned on with every stream aborted, so that no device behind it
 * can DMA until it belongs to a VM; a VM's function then gets an STE
 * pointing at the VM's own stage-2 tables, told of every later change
 * through the stage-2 observer (core/stage2.h). On a GICv3 host with an
 * ITS a function's MSI goes doorbell -> ITS -> LPI -> the SPI the VM's
 * virtualized MSI capability names in its GICv2m-style frame. */
#ifndef ELVISOR_CORE_PASSTHROUGH_H
#define ELVISOR_CORE_PASSTHROUGH_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/pci.h"
#include "arch/arm64/smmuv3.h"

/* Boot CPU, once, after the GIC: finds the PCI functions, places their
 * BARs, turns the SMMU on (all streams aborted) and routes its interrupts. */
void passthrough_host_init(uint64_t boot_mpidr);

/* Why the machine cannot translate DMA through a VM's stage 2, or NULL. */
const char *passthrough_unavailable_why(void);

struct vm;

/* The VM's virtual PCIe bridge (ECAM at VIRT_PCIE_ECAM_BASE, bus 0 only). */
#define VIRT_PCIE_ECAM_BASE     0x4010000000ULL
#define VIRT_PCIE_ECAM_SIZE     0x100000ULL

/* The PCIe bridge's device class (core/vm_devices.c) at VM creation, after
 * its stage 2 and vGIC: gives the VM its `pci-devices`
 * (BARs in its stage 2 at their host addresses, INTx forwarded, the SMMU
 * stream translated by its stage 2). Negative, logged, when a function is
 * missing, is a bridge, or the machine has no stage-2 SMMU: the VM is then
 * not started. */
int passthrough_vm_attach(struct vm *vm);
/* The MSI frame's device class, after the bridge's: the VM's GICv2m-style
 * frame when one of its functions' MSI is offered (GICv3 host with an
 * ITS). passthrough_msi_frame() is its IPA for the DTB, or 0. */
int passthrough_msi_frame_create(struct vm *vm);
uint64_t passthrough_msi_frame(const struct vm *vm);

/* Before a VM's memory is reloaded or left (SYSTEM_RESET, power-off,
 * stop): its functions' DMA and interrupts stopped (bus mastering off,
 * FLR where offered), their virtual view back to reset. */
void passthrough_vm_quiesce(struct vm *vm);

extern struct pci_host host_pci;
extern struct smmu host_smmu;

#endif
