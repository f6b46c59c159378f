/* What the edu guest's files share (main.c, its_msi.c, v2m_msi.c). */
#ifndef GUESTS_EDU_H
#define GUESTS_EDU_H

#include <stdbool.h>
#include <stdint.h>

/* A DMA from the device into RAM with the completion interrupt asked
 * for, waited for; then the device's interrupt status acknowledged. */
void edu_dma_irq(uintptr_t bar);
void edu_irq_ack(uintptr_t bar);
/* The device writes n bytes (at most its 4 KiB buffer) of data at dst. */
bool edu_dma_out(uintptr_t bar, const void *data, uint32_t n, uint64_t dst);
/* A round trip RAM -> device -> RAM with both RAM addresses raised by
 * offset (an alias the device's translation must undo): the data match. */
bool edu_round_trip_via(uintptr_t bar, uint64_t offset);
/* "edu.smmu=s2" (smmu_s2.c): the SMMU on, stream sid through a stage 2
 * of the guest's own that maps RAM at its address and again offset by
 * edu_smmu_alias_offset(). False when it does not take. */
bool edu_smmu_s2_on(unsigned sid);
uint64_t edu_smmu_alias_offset(void);
/* "edu.role=msi-its" (its_msi.c). */
void edu_msi_its_role(uintptr_t cfg, uintptr_t bar, const char *args);
/* "edu.role=msi-v2m" (v2m_msi.c): intx is the function's INTx INTID,
 * doorbell the IPA of elvisor's MSI doorbell or 0. */
void edu_msi_v2m_role(uintptr_t cfg, uintptr_t bar, unsigned intx, uint64_t doorbell);

#endif
