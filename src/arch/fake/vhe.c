/* VHE as the fake CPU runs it (Arm ARM D8, "Virtualization Host
 * Extensions"): elvisor's code always runs at EL2, so with HCR_EL2.E2H = 1
 * an access by an EL1 register's name (or its op1 = 0 / op1 = 3 encoding)
 * reaches the EL2 register that E2H puts in its place, and the _EL12 /
 * _EL02 encodings (op1 = 5) reach the EL1 and EL0 registers. With E2H = 0
 * the EL1 names reach the EL1 registers and the op1 = 5 encodings are
 * UNDEFINED at EL2: the fake stops the program, as the hardware would
 * take an exception to elvisor's own vector. A test names storage, not an
 * access: fake_reg(sctlr_el1) and fake_reg(SCTLR_EL12) are both the EL1
 * register whatever E2H is. */
#include "arch/fake/fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/hyp.h"

#define E2H_BIT     (1ULL << 34)

/* Encodings are op0 3. el1_op1 is 0 for EL1 registers, 3 for EL0 timers. */
struct vhe_pair {
    const char *el1;
    unsigned el1_op1, crn, crm, op2;
    const char *el2;
    unsigned el2_crn, el2_crm;      /* the EL2 register's own encoding, op1 4 */
};

static const struct vhe_pair pairs[] = {
    { "sctlr_el1",      0, 1, 0, 0,  "sctlr_el2",      1, 0 },
    { "cpacr_el1",      0, 1, 0, 2,  "cptr_el2",       1, 1 },
    { "zcr_el1",        0, 1, 2, 0,  "zcr_el2",        1, 2 },
    { "ttbr0_el1",      0, 2, 0, 0,  "ttbr0_el2",      2, 0 },
    { "ttbr1_el1",      0, 2, 0, 1,  "ttbr1_el2",      2, 0 },
    { "tcr_el1",        0, 2, 0, 2,  "tcr_el2",        2, 0 },
    { "spsr_el1",       0, 4, 0, 0,  "spsr_el2",       4, 0 },
    { "elr_el1",        0, 4, 0, 1,  "elr_el2",        4, 0 },
    { "afsr0_el1",      0, 5, 1, 0,  "afsr0_el2",      5, 1 },
    { "afsr1_el1",      0, 5, 1, 1,  "afsr1_el2",      5, 1 },
    { "esr_el1",        0, 5, 2, 0,  "esr_el2",        5, 2 },
    { "far_el1",        0, 6, 0, 0,  "far_el2",        6, 0 },
    { "mair_el1",       0, 10, 2, 0, "mair_el2",       10, 2 },
    { "amair_el1",      0, 10, 3, 0, "amair_el2",      10, 3 },
    { "vbar_el1",       0, 12, 0, 0, "vbar_el2",       12, 0 },
    { "contextidr_el1", 0, 13, 0, 1, "contextidr_el2", 13, 0 },
    { "cntkctl_el1",    0, 14, 1, 0, "cnthctl_el2",    14, 1 },
    { "cntp_tval_el0",  3, 14, 2, 0, "cnthp_tval_el2", 14, 2 },
    { "cntp_ctl_el0",   3, 14, 2, 1, "cnthp_ctl_el2",  14, 2 },
    { "cntp_cval_el0",  3, 14, 2, 2, "cnthp_cval_el2", 14, 2 },
    { "cntv_tval_el0",  3, 14, 3, 0, "cnthv_tval_el2", 14, 3 },
    { "cntv_ctl_el0",   3, 14, 3, 1, "cnthv_ctl_el2",  14, 3 },
    { "cntv_cval_el0",  3, 14, 3, 2, "cnthv_cval_el2", 14, 3 },
};

#define NR_PAIRS (sizeof(pairs) / sizeof(pairs[0]))

static bool is_encoding(const char *name, unsigned op1, unsigned crn, unsigned crm, unsigned op2)
{
    char enc[24];

    snprintf(enc, sizeof(enc), "s3_%u_c%u_c%u_%u", op1, crn, crm, op2);
    return strcmp(name, enc) == 0;
}

enum vhe_name { NAME_OTHER, NAME_EL1, NAME_EL12, NAME_EL2 };

static enum vhe_name classify(const char *canon, const struct vhe_pair **pair)
{
    for (unsigned i = 0; i < NR_PAIRS; i++) {
        const struct vhe_pair *p = &pairs[i];

        *pair = p;
        if (strcmp(canon, p->el1) == 0 || is_encoding(canon, p->el1_op1, p->crn, p->crm, p->op2))
            return NAME_EL1;
        if (is_encoding(canon, 5, p->crn, p->crm, p->op2))
            return NAME_EL12;
        if (strcmp(canon, p->el2) == 0 || is_encoding(canon, 4, p->el2_crn, p->el2_crm, p->op2))
            return NAME_EL2;
    }
    *pair = NULL;
    return NAME_OTHER;
}

bool fake_e2h(void)
{
    return (*fake_sysreg_slot("hcr_el2") & E2H_BIT) != 0;
}

void fake_set_vhe(bool vhe)
{
    uint64_t *hcr = fake_sysreg_slot("hcr_el2");

    hyp_vhe = vhe;
    *hcr = vhe ? *hcr | E2H_BIT : *hcr & ~E2H_BIT;
}

const char *fake_storage_name(const char *canon)
{
    const struct vhe_pair *p;

    switch (classify(canon, &p)) {
    case NAME_EL1:
    case NAME_EL12:
        return p->el1;
    case NAME_EL2:
        return p->el2;
    case NAME_OTHER:
    default:
        return canon;
    }
}

const char *fake_access_name(const char *canon)
{
    const struct vhe_pair *p;

    switch (classify(canon, &p)) {
    case NAME_EL1:
        return fake_e2h() ? p->el2 : p->el1;
    case NAME_EL12:
        if (!fake_e2h()) {
            fprintf(stderr, "fake arch: %s (%s through E2H) is UNDEFINED at EL2 with HCR_EL2.E2H = 0\n",
                    canon, p->el1);
            fake_log("undefined %s", canon);
            abort();
        }
        return p->el1;
    case NAME_EL2:
        return p->el2;
    case NAME_OTHER:
    default:
        return canon;
    }
}
