/* Emulation of the system registers a guest's accesses trap on: one
 * table keyed by (op0, op1, CRn, CRm, op2), a read and a write handler per
 * entry. The table, its dispatch and the ID-register sanitizing rules are
 * pure and host-tested (tests/unit/test_sysreg_emul.c, test_id_regs.c); the
 * hardware read of the ID registers is arch_read_id_reg(). */
#ifndef ELVISOR_TRAP_SYSREG_EMUL_H
#define ELVISOR_TRAP_SYSREG_EMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/esr.h"
#include "arch/arm64/sysreg.h"

struct vcpu;

/* The op0 = 3, op1 = 0, CRn = 0 block of encodings: MIDR_EL1's, where CRm
 * and op2 pick the register (CRm = 1..7 are the ID registers). */
#define SYSREG_KEY_CRM_OP2_BITS ((SYSREG_KEY_CRM_MASK << SYSREG_KEY_CRM_SHIFT) | SYSREG_KEY_OP2_MASK)
static inline bool sysreg_key_in_id_block(uint32_t key)
{
    return (key & ~SYSREG_KEY_CRM_OP2_BITS) == SYS_MIDR_EL1;
}

/* What a guest may see of the ID register with key `key` (SYS_ID_*),
 * given the hardware value and the IPA size elvisor gives the VM. */
uint64_t id_reg_sanitize(uint32_t key, uint64_t hw, unsigned ipa_bits);
/* FEAT_MOPS shown in ID_AA64ISAR2_EL1 (where the CPU has it) or hidden, as
 * hyp_guest_mops decided at boot; hidden until called. */
void id_regs_offer_mops(bool offer);
/* The same for a VM with virtual EL2 (docs/nested.md §7): EL2 implemented,
 * VHE with E2H RES1 (nvhe: no VHE, E2H RES0), one stage-2 granule, and no
 * FEAT_NV of its own. */
uint64_t id_reg_sanitize_vel2(uint32_t key, uint64_t hw, unsigned ipa_bits, bool nvhe, bool nv2);
/* Whether HCR_EL2.NV1 exists on a CPU with this ID_AA64MMFR4_EL1. */
bool id_mmfr4_has_nv1(uint64_t mmfr4);

struct sysreg_desc {
    const char *name;
    uint32_t key;
    /* Return false to refuse the access: the guest gets UNDEF. */
    bool (*read)(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
    bool (*write)(struct vcpu *v, const struct sysreg_desc *d, uint64_t val);
};

/* The entry with exactly this key, or NULL. The ID register space is not
 * in the table: sysreg_trap() serves it from the hardware, sanitized. */
const struct sysreg_desc *sysreg_find(uint32_t key);
/* The whole table, read-only, for tests that walk it. */
const struct sysreg_desc *sysreg_table(unsigned *count);

#endif
