#include "arch/arm64/el1_regs.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"

/* Registers that E2H=1 redirects to EL2 are named by encoding: op1 = 0 is
 * the EL1 register (reached that way only when E2H=0), op1 = 5 the _EL12
 * alias that reaches the EL1 register when E2H=1. */
#define ALIASED(crn, crm, op2)                                                  \
    do {                                                                        \
        if (is_read) {                                                          \
            if (hyp_vhe)                                                        \
                v = read_sysreg(S3_5_C##crn##_C##crm##_##op2);                  \
            else                                                                \
                v = read_sysreg(S3_0_C##crn##_C##crm##_##op2);                  \
        } else if (hyp_vhe) {                                                   \
            write_sysreg(S3_5_C##crn##_C##crm##_##op2, v);                      \
        } else {                                                                \
            write_sysreg(S3_0_C##crn##_C##crm##_##op2, v);                      \
        }                                                                       \
    } while (0)

#define DIRECT(name)                                                            \
    do {                                                                        \
        if (is_read)                                                            \
            v = read_sysreg(name);                                              \
        else                                                                    \
            write_sysreg(name, v);                                              \
    } while (0)

static uint64_t el1_access(enum el1_reg r, bool is_read, uint64_t v)
{
    switch (r) {
    case EL1_SCTLR:      ALIASED(1, 0, 0); break;
    case EL1_CPACR:      ALIASED(1, 0, 2); break;
    case EL1_TTBR0:      ALIASED(2, 0, 0); break;
    case EL1_TTBR1:      ALIASED(2, 0, 1); break;
    case EL1_TCR:        ALIASED(2, 0, 2); break;
    case EL1_ESR:        ALIASED(5, 2, 0); break;
    case EL1_AFSR0:      ALIASED(5, 1, 0); break;
    case EL1_AFSR1:      ALIASED(5, 1, 1); break;
    case EL1_FAR:        ALIASED(6, 0, 0); break;
    case EL1_MAIR:       ALIASED(10, 2, 0); break;
    case EL1_AMAIR:      ALIASED(10, 3, 0); break;
    case EL1_VBAR:       ALIASED(12, 0, 0); break;
    case EL1_CONTEXTIDR: ALIASED(13, 0, 1); break;
    case EL1_CNTKCTL:    ALIASED(14, 1, 0); break;
    case EL1_SPSR:       ALIASED(4, 0, 0); break;
    case EL1_ELR:        ALIASED(4, 0, 1); break;
    case EL1_SP_EL1:     DIRECT(sp_el1); break;
    case EL1_SP_EL0:     DIRECT(sp_el0); break;
    case EL1_TPIDR_EL0:  DIRECT(tpidr_el0); break;
    case EL1_TPIDRRO_EL0: DIRECT(tpidrro_el0); break;
    case EL1_TPIDR_EL1:  DIRECT(tpidr_el1); break;
    case EL1_PAR:        DIRECT(par_el1); break;
    case EL1_CSSELR:     DIRECT(csselr_el1); break;
    case EL1_MDSCR:      DIRECT(mdscr_el1); break;
    case EL1_NR_REGS:
    default:
        break;
    }
    return v;
}

uint64_t el1_read(enum el1_reg r)
{
    return el1_access(r, true, 0);
}

void el1_write(enum el1_reg r, uint64_t v)
{
    el1_access(r, false, v);
}

/* A loop over el1_access(): written out register by register it measured
 * the same in vm_switch (make bench), and it is not on an exit path. */
void el1_save(uint64_t file[EL1_NR_REGS])
{
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        file[r] = el1_read((enum el1_reg)r);
}

void el1_restore(const uint64_t file[EL1_NR_REGS])
{
    for (unsigned r = 0; r < EL1_NR_REGS; r++)
        el1_write((enum el1_reg)r, file[r]);
}
