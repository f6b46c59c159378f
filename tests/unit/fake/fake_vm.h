/* A machine for host tests of the glue: the real elvisor objects (vm.c,
 * sched.c, exit.c, the world switch, ...) on the fake architecture
 * (src/arch/fake). fake_machine() boots "elvisor" on n CPUs as
 * primary_main() would; fake_vm() creates and boots a VM from a tiny raw
 * kernel that never runs (the exits it takes are scripted with
 * fake_exit_push()); fake_loop() runs a CPU's real pcpu_loop() until the
 * fake has nothing more to give it. The machine powers off once per
 * program (core/power.c lets one CPU report it; a second one waits). */
#ifndef ELVISOR_TEST_FAKE_VM_H
#define ELVISOR_TEST_FAKE_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/fake/fake.h"
#include "core/vm.h"

#define FAKE_VM_MEM     (8ULL << 20)
/* Where a fake VM's raw kernel starts: RAM + Linux's text offset. */
#define RAW_ENTRY       (VIRT_RAM_BASE + 0x80000)

void fake_machine(unsigned nr_cpus);
/* vCPU i on CPU cpus[i] (all on CPU 0 when cpus is NULL). */
struct vm *fake_vm(const char *name, unsigned nr_vcpus, const unsigned *cpus, bool virt_el2);
/* What most tests start from: one CPU, and VM name with one vCPU on it
 * (virt_el2: a guest hypervisor's). Returns that vCPU; its VM is v->vm. */
struct vcpu *fake_one_vcpu(const char *name, bool virt_el2);
enum fake_stop fake_loop(unsigned cpu);

/* Syndromes as the CPU reports them (32-bit instruction: IL set). */
uint64_t fake_esr(unsigned ec, uint64_t iss);
/* A data abort of an LDR/STR Wt/Xt, [Xn] at ipa (ESR, FAR and HPFAR); a
 * store's guest put value into Xt first. */
void fake_exit_mmio(uint64_t ipa, unsigned size, unsigned reg, bool write, uint64_t value);
/* An HVC #0 (SMC #0 with ec EC_SMC64) with x0 = fid, x1..x3 = a1..a3. */
void fake_exit_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void fake_exit_smccc(unsigned ec, uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
/* A physical interrupt taken while the guest runs. */
void fake_exit_irq(unsigned intid);
/* MRS Xt / MSR Xt (= value) of a trapped register, op0 = 3. */
void fake_exit_mrs(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt);
void fake_exit_msr(unsigned op1, unsigned crn, unsigned crm, unsigned op2, unsigned rt, uint64_t value);
/* Exits through which a guest gets ready to take PPI intid as an IRQ:
 * the distributor on, the PPI in group 1 and enabled at its
 * redistributor, its CPU interface's group 1 on and priority mask open
 * (ICC_* writes the hardware keeps in ICH_VMCR_EL2). Four exits. */
void fake_guest_takes_ppi(unsigned intid);
/* An exit with a syndrome only (WFI, an unknown EC, ...). */
void fake_exit_sync(uint64_t esr);

/* What a guest hypervisor v does in hyp context before its ERET to its
 * guest at pc (EL1h): its vGIC interface on (ICH_HCR_EL2.En, group 1,
 * priority mask open) and HCR_EL2 with RW, IMO and FMO in the VNCR page,
 * ELR_EL2/SPSR_EL2 in the hardware EL1 registers that hold them. Its LRs
 * are the caller's. */
void fake_l1_prepares_eret_to_l2(struct vcpu *v, uint64_t pc);
/* A guest (L2) that acknowledges its group 1 interrupt and ends it
 * (EOImode 0); returns the INTID acknowledged, 1023 for none. */
unsigned fake_guest_ack_and_eoi(void);

#endif
