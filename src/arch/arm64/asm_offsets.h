/* Structure offsets shared by C and assembly; C checks them with
 * _Static_assert next to the structure definitions (core/vcpu.h, core/pcpu.h). */
#ifndef ELVISOR_ARCH_ASM_OFFSETS_H
#define ELVISOR_ARCH_ASM_OFFSETS_H

#define VCPU_REGS_X0        0
#define VCPU_REGS_PC        248
#define VCPU_REGS_PSTATE    256

#define PCPU_GUEST_REGS     0
#define PCPU_HYP_SP         8

#define EXIT_SYNC           0
#define EXIT_IRQ            1
#define EXIT_FIQ            2
#define EXIT_SERROR         3
/* From guest_enter()'s on_sync hook: */
#define EXIT_SYNC_DONE      4   /* handled; look before entering again */
#define EXIT_REENTER        5   /* handled; enter again at once */

#define PCPU_STACK_SIZE     16384
#define MAX_PCPUS           8

#endif
