#include "exceptions.h"

#include "console.h"
#include "gic.h"
#include "platform.h"
#include "smp.h"
#include "sysreg.h"
#include "test.h"

#define SMCCC_NOT_SUPPORTED_U64 ((uint64_t)-1)

/* The syndrome registers of the guest's own exception level. */
#ifdef GUEST_EL2
#define read_esr()  read_sysreg(esr_el2)
#define read_far()  read_sysreg(far_el2)
#else
#define read_esr()  read_sysreg(esr_el1)
#define read_far()  read_sysreg(far_el1)
#endif

struct cpu_exc_state {
    volatile bool armed;
    volatile bool taken;
    volatile uint64_t resume;   /* 0: skip the faulting instruction */
    struct sync_record rec;
};

static struct cpu_exc_state exc_state[MAX_CPUS];
static irq_handler_fn irq_handlers[MAX_INTID];
static volatile unsigned unhandled_irqs;
static volatile unsigned hvc_undef;
static uint64_t current_iar[MAX_CPUS];

static bool record_pan, record_ssbs;

void exc_record_entry_pstate(bool pan, bool ssbs)
{
    record_pan = pan;
    record_ssbs = ssbs;
}

/* PSTATE.PAN and SSBS through their own registers (PAN and SSBS by their
 * encodings, for assemblers that do not know them); both keep the bit at
 * its PSTATE position. */
static uint64_t entry_pstate(void)
{
    uint64_t p = 0;

    if (record_pan)
        p |= read_sysreg(S3_0_C4_C2_3) & PSTATE_PAN;
    if (record_ssbs)
        p |= read_sysreg(S3_3_C4_C2_6) & PSTATE_SSBS;
    return p;
}

static const char *const kind_names[] = { "sync", "irq", "fiq", "serror" };

void exc_expect_sync_resume(uint64_t resume_pc)
{
    struct cpu_exc_state *s = &exc_state[cpu_index()];

    s->taken = false;
    s->resume = resume_pc;
    s->armed = true;
    __asm__ volatile("" : : : "memory");
}

void exc_expect_sync(void)
{
    exc_expect_sync_resume(0);
}

bool exc_take_sync(struct sync_record *rec)
{
    struct cpu_exc_state *s = &exc_state[cpu_index()];

    __asm__ volatile("" : : : "memory");
    s->armed = false;
    if (!s->taken)
        return false;
    *rec = s->rec;
    s->taken = false;
    return true;
}

void irq_set_handler(unsigned intid, irq_handler_fn fn)
{
    if (intid < MAX_INTID)
        irq_handlers[intid] = fn;
}

unsigned irq_unhandled_count(void) { return unhandled_irqs; }
unsigned exc_hvc_undef_count(void) { return hvc_undef; }

static bool is_undefined_hvc(uint64_t esr, uint64_t elr)
{
    return ESR_EC(esr) == ESR_EC_UNKNOWN && *(const volatile uint32_t *)elr == A64_INSN_HVC0;
}

static __attribute__((noreturn)) void unexpected(enum exc_kind kind, struct exc_frame *f,
                                                 uint64_t esr, uint64_t far)
{
    gprintf("# cpu%u: unexpected %s exception ESR=0x%lx FAR=0x%lx ELR=0x%lx SPSR=0x%lx\n",
            cpu_index(), kind_names[kind], esr, far, f->elr, f->spsr);
    test_fail("unexpected_exception", "%s ESR=0x%lx FAR=0x%lx ELR=0x%lx", kind_names[kind], esr,
              far, f->elr);
    test_done();
}

static void handle_sync(struct exc_frame *f, uint64_t vector)
{
    uint64_t pstate = entry_pstate();   /* first, before anything changes it */
    uint64_t esr = read_esr();
    uint64_t far = read_far();
    struct cpu_exc_state *s = &exc_state[cpu_index()];

    if (is_undefined_hvc(esr, f->elr)) {
        hvc_undef++;
        f->x[0] = SMCCC_NOT_SUPPORTED_U64;
        f->elr += A64_INSN_SIZE;
        return;
    }
    if (!s->armed)
        unexpected(EXC_SYNC, f, esr, far);
    s->rec.esr = esr;
    s->rec.far = far;
    s->rec.elr = f->elr;
    s->rec.spsr = f->spsr;
    s->rec.vector = vector;
    s->rec.entry_pstate = pstate;
    s->taken = true;
    s->armed = false;
    f->elr = s->resume ? s->resume : f->elr + A64_INSN_SIZE;
}

uint64_t irq_current_iar(void) { return current_iar[cpu_index()]; }

static void handle_irq(void)
{
    for (;;) {
        uint64_t iar = guest_gic_ack();
        unsigned intid = guest_gic_iar_intid(iar);

        if (intid >= GIC_INTID_SPECIAL_FIRST)
            return;
        current_iar[cpu_index()] = iar;
        if (intid < MAX_INTID && irq_handlers[intid])
            irq_handlers[intid](intid);
        else
            unhandled_irqs++;
        guest_gic_eoi(iar);
    }
}

void guest_exception_c(struct exc_frame *frame, enum exc_kind kind, uint64_t vector)
{
    switch (kind) {
    case EXC_SYNC:
        handle_sync(frame, vector);
        break;
    case EXC_IRQ:
        handle_irq();
        break;
    default:
        unexpected(kind, frame, read_esr(), read_far());
    }
}
