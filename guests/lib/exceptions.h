/* Exception handling for the guests: synchronous exceptions can be
 * announced as expected (the faulting instruction is then recorded and
 * skipped), IRQs are dispatched by INTID to registered handlers. Anything
 * unexpected ends the guest with a FAIL line. */
#ifndef GUEST_EXCEPTIONS_H
#define GUEST_EXCEPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct exc_frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
    uint64_t pad;
};

struct sync_record {
    uint64_t esr;
    uint64_t far;
    uint64_t elr;
    uint64_t spsr;
    uint64_t vector;    /* offset of the vector entry taken from VBAR */
    uint64_t entry_pstate; /* PSTATE.PAN and SSBS as the handler found them
                            * (only those exc_record_entry_pstate() names) */
};

enum exc_kind { EXC_SYNC, EXC_IRQ, EXC_FIQ, EXC_SERROR };

#define MAX_INTID 64    /* SGIs, PPIs and the first SPIs: all the guests use */

typedef void (*irq_handler_fn)(unsigned intid);

/* Arms this CPU: its next synchronous exception is recorded and the
 * faulting instruction skipped instead of failing the guest. */
void exc_expect_sync(void);
/* The same, but the guest resumes at resume_pc instead of the next
 * instruction: an instruction abort has no next instruction to skip to. */
void exc_expect_sync_resume(uint64_t resume_pc);
/* From now on, synchronous exceptions also record PSTATE.PAN (pan) and
 * PSTATE.SSBS (ssbs) at handler entry; only for features the CPU has, as
 * their registers are UNDEFINED otherwise. */
void exc_record_entry_pstate(bool pan, bool ssbs);
/* Disarms; returns true and fills *rec if an exception was taken. */
bool exc_take_sync(struct sync_record *rec);

void irq_set_handler(unsigned intid, irq_handler_fn fn);
/* In a handler: the value guest_gic_ack() returned for the interrupt being
 * handled (GICv2 keeps an SGI's source CPU interface in it). */
uint64_t irq_current_iar(void);
/* IRQs that arrived with no handler, summed over all CPUs. */
unsigned irq_unhandled_count(void);

/* HVCs that were UNDEFINED (no hypervisor or firmware answered them):
 * they are completed with x0 = SMCCC NOT_SUPPORTED so tests can report. */
unsigned exc_hvc_undef_count(void);

void guest_exception_c(struct exc_frame *frame, enum exc_kind kind, uint64_t vector);

#endif
