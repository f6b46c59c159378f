/* What a host test sees of the fake architecture (src/arch/fake): the
 * register file, the log of what the code did to the "hardware", the GIC's
 * pending interrupts, the exits a guest takes, and a harness that runs code
 * which never returns (the run loop) until the fake has nothing more to
 * give it. docs/architecture.md, "Host tests against the fake arch". */
#ifndef ELVISOR_ARCH_FAKE_FAKE_H
#define ELVISOR_ARCH_FAKE_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/sysreg.h"

/* Every register 0 but HCR_EL2.E2H, the log empty, no exit scripted, no
 * interrupt pending, VHE, a GICv3 with four list registers. */
void fake_arch_reset(void);

/* A register as an lvalue, by a name the code uses: fake_reg(esr_el2),
 * fake_reg(SYS_CNTP_CTL_EL02_S) (a macro naming an encoding works as in
 * code; an _EL12/_EL02 alias names the EL1/EL0 register itself, E2H or not).
 * The timers' CTL.ISTATUS is computed when the code reads it (count >=
 * CVAL while enabled; the virtual timers count CNTPCT - CNTVOFF): set
 * fake_reg(cntpct_el0) to move time. */
#define fake_reg(reg)   (*fake_sysreg_slot(SYSREG_STR(reg)))
uint64_t *fake_sysreg_slot(const char *name);
/* What a guest at EL1 reads from a register (no E2H redirection there):
 * fake_guest_reg(cntv_ctl_el0) has the hardware's ISTATUS. */
#define fake_guest_reg(reg) fake_guest_read(SYSREG_STR(reg))
uint64_t fake_guest_read(const char *name);

/* The log: "msr <name> 0x<value>", "isb", "dsb ish", "tlbi vmalls12e1is",
 * "at c7, c8, 0 0x<va>", "wfi", "gic deactivate <intid>", "gic sgi <n>
 * 0x<mpidr>", "gic active 0x<mask> 0x<active>", "guest enter" ... */
unsigned fake_log_len(void);
const char *fake_log_at(unsigned i);
/* Index of the first entry from `from` on that starts with `prefix`, or -1. */
int fake_log_find(const char *prefix, unsigned from);
unsigned fake_log_count(const char *prefix);
void fake_log_clear(void);

/* An exit the guest takes at its next entry (guest_enter), in the order
 * pushed. For EXIT_SYNC, esr/far/hpfar land in ESR_EL2, FAR_EL2 and
 * HPFAR_EL2; for EXIT_IRQ, intid becomes pending at the GIC. guest, when
 * set, runs first on the vCPU's struct vcpu_regs: what the guest did. */
struct fake_exit {
    uint64_t code;
    uint64_t esr, far, hpfar;
    unsigned intid;
    void (*guest)(void *regs, void *arg);
    void *arg;
};
void fake_exit_push(const struct fake_exit *e);
unsigned fake_exits_left(void);
/* How often guest_enter() ran (the last time perhaps with no exit left to
 * take), and on whose registers the last time. */
unsigned fake_nr_entries(void);
void *fake_last_entered(void);

/* The GIC: interrupts acknowledged in the order made pending; the SGIs
 * and PPIs whose active state elvisor set (gic_set_private_active). */
void fake_gic_raise(unsigned intid);
uint32_t fake_gic_private_active(void);
void fake_gic_set_version(unsigned version);

/* VHE (arch/fake/vhe.c): elvisor runs at EL2, so with HCR_EL2.E2H = 1 its
 * accesses by EL1 names reach their EL2 counterparts and the _EL12/_EL02
 * encodings reach the EL1/EL0 registers; with E2H = 0 the latter are
 * UNDEFINED (the program aborts). fake_reg() names a register, not an
 * access: fake_reg(sctlr_el1) is SCTLR_EL1 whatever E2H is. The fake
 * starts with VHE (hyp_vhe, HCR_EL2.E2H = 1); fake_set_vhe(false) makes it
 * an nVHE CPU. */
bool fake_e2h(void);
void fake_set_vhe(bool vhe);

/* The GICv3 virtual CPU interface (arch/fake/vgic_cpu_if.c) over the list
 * registers elvisor loaded: the guest acknowledges (ICV_IAR0/1_EL1; 1023
 * when nothing is signalled), ends (ICV_EOIR0/1_EL1) and deactivates
 * (ICV_DIR_EL1) interrupts. ICH_ELRSR/EISR/MISR_EL2 read as computed from
 * the LRs; the maintenance interrupt (PPI 25) is a level the guest's entry
 * and actions raise (arch/fake/cpu.c). */
unsigned fake_guest_ack(unsigned group);
void fake_guest_eoi(unsigned group, unsigned intid);
void fake_guest_dir(unsigned intid);
bool fake_guest_irq_signalled(void);
bool fake_maintenance_asserted(void);
/* ICH_LR<n>_EL2 in the register file. */
uint64_t *fake_lr(unsigned n);

/* elvisor's console and status UART output so far. */
bool fake_console_has(const char *text);
const char *fake_console(void);

/* Runs fn(arg) until it returns or the fake stops it: the guest is entered
 * with no exit left to take, the CPU waits (WFI) with no interrupt pending,
 * or the machine powers off or resets. */
enum fake_stop {
    FAKE_RETURNED,
    FAKE_STOP_NO_EXIT,
    FAKE_STOP_IDLE,
    FAKE_STOP_POWER_OFF,
    FAKE_STOP_RESET,
};
enum fake_stop fake_run(void (*fn)(void *), void *arg);
/* How fake_run()'s fn left: from the fake, never returns. */
void fake_stop(enum fake_stop why) __attribute__((noreturn));

/* For the fake's own files. */
void fake_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fake_sysreg_reset(void);
void fake_gic_reset(void);
void fake_console_reset(void);
bool fake_gic_has_pending(void);
bool fake_gic_is_pending(unsigned intid);
void fake_gic_hw_deactivate(unsigned pintid);
const char *fake_storage_name(const char *canon);
const char *fake_access_name(const char *canon);
bool fake_vgic_read(const char *storage, uint64_t *v);
bool fake_vgic_read_only(const char *storage);

#endif
