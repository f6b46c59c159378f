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

/* Every register 0, the log empty, no exit scripted, no interrupt pending,
 * VHE, a GICv3 with four list registers. */
void fake_arch_reset(void);

/* A register as an lvalue, by the name the code uses: fake_reg(esr_el2),
 * fake_reg(SYS_CNTP_CTL_EL02_S) (a macro naming an encoding works as in code).
 * The timers' CTL.ISTATUS is computed when the code reads it (count >=
 * CVAL while enabled; the virtual timers count CNTPCT - CNTVOFF): set
 * fake_reg(cntpct_el0) to move time. */
#define fake_reg(reg)   (*fake_sysreg_slot(SYSREG_STR(reg)))
uint64_t *fake_sysreg_slot(const char *name);

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

#endif
