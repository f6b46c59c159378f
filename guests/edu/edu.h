/* What the edu guest's files share (main.c, its_msi.c). */
#ifndef GUESTS_EDU_H
#define GUESTS_EDU_H

#include <stdint.h>

/* A DMA from the device into RAM with the completion interrupt asked
 * for, waited for; then the device's interrupt status acknowledged. */
void edu_dma_irq(uintptr_t bar);
void edu_irq_ack(uintptr_t bar);
/* "edu.role=msi-its" (its_msi.c). */
void edu_msi_its_role(uintptr_t cfg, uintptr_t bar);

#endif
