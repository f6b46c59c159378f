#include "arch/arm64/el1_regs.h"
#include "arch/arm64/hyp.h"
#include "arch/arm64/sysreg.h"

/* Registers that E2H=1 redirects to EL2 are named by encoding (the
 * database's): <reg>_EL1 is the EL1 register (reached that way only when
 * E2H=0), <reg>_EL12 the alias that reaches it when E2H=1. */
#define ALIASED(reg)                                                            \
    do {                                                                        \
        if (is_read) {                                                          \
            if (hyp_vhe)                                                        \
                v = read_sysreg_s(SYS_##reg##_EL12);                            \
            else                                                                \
                v = read_sysreg_s(SYS_##reg##_EL1);                             \
        } else if (hyp_vhe) {                                                   \
            write_sysreg_s(SYS_##reg##_EL12, v);                                \
        } else {                                                                \
            write_sysreg_s(SYS_##reg##_EL1, v);                                 \
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
    case EL1_SCTLR:      ALIASED(SCTLR); break;
    case EL1_CPACR:      ALIASED(CPACR); break;
    case EL1_TTBR0:      ALIASED(TTBR0); break;
    case EL1_TTBR1:      ALIASED(TTBR1); break;
    case EL1_TCR:        ALIASED(TCR); break;
    case EL1_ESR:        ALIASED(ESR); break;
    case EL1_AFSR0:      ALIASED(AFSR0); break;
    case EL1_AFSR1:      ALIASED(AFSR1); break;
    case EL1_FAR:        ALIASED(FAR); break;
    case EL1_MAIR:       ALIASED(MAIR); break;
    case EL1_AMAIR:      ALIASED(AMAIR); break;
    case EL1_VBAR:       ALIASED(VBAR); break;
    case EL1_CONTEXTIDR: ALIASED(CONTEXTIDR); break;
    case EL1_CNTKCTL:    ALIASED(CNTKCTL); break;
    case EL1_SPSR:       ALIASED(SPSR); break;
    case EL1_ELR:        ALIASED(ELR); break;
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
