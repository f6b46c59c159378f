/* The guest hypervisor's stage 2 (docs/nested.md §5, §9.7): the pure parts
 * of the shadow stage 2 elvisor builds for the guest's guest. Everything
 * here works on values (vVTCR_EL2, vVTTBR_EL2, descriptors read through a
 * callback) so that host tests can run it over a fake memory.
 *
 * Only the 4 KiB granule exists: ID_AA64MMFR0_EL1.TGran4_2 is the only
 * stage-2 granule elvisor advertises to a vEL2 guest. */
#ifndef ELVISOR_NESTED_S2_WALK_H
#define ELVISOR_NESTED_S2_WALK_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arm64/sysreg.h"

/* VTCR_EL2 fields the walker reads, unshifted, and VTTBR_EL2's, from the
 * register database. */
#define NS2_UNSHIFTED(field)    (field##_MASK >> field##_SHIFT)
#define NS2_VTCR_T0SZ_MASK      NS2_UNSHIFTED(VTCR_EL2_T0SZ)
#define NS2_VTCR_SL0_SHIFT      VTCR_EL2_SL0_SHIFT
#define NS2_VTCR_SL0_MASK       NS2_UNSHIFTED(VTCR_EL2_SL0)
#define NS2_VTCR_TG0_SHIFT      VTCR_EL2_TG0_SHIFT
#define NS2_VTCR_TG0_MASK       NS2_UNSHIFTED(VTCR_EL2_TG0)
#define NS2_VTCR_TG0_4K         VTCR_EL2_TG0_4K
#define NS2_VTCR_PS_SHIFT       VTCR_EL2_PS_SHIFT
#define NS2_VTCR_PS_MASK        NS2_UNSHIFTED(VTCR_EL2_PS)
#define NS2_VTTBR_BADDR_MASK    VTTBR_EL2_BADDR_MASK
#define NS2_VTTBR_VMID_SHIFT    VTTBR_EL2_VMID_SHIFT

/* Stage-2 descriptor fields (VMSAv8-64, 4 KiB granule). */
#define NS2_DESC_VALID          (1ULL << 0)
#define NS2_DESC_TABLE          (1ULL << 1)     /* page at level 3 */
#define NS2_DESC_MEMATTR_SHIFT  2
#define NS2_DESC_MEMATTR_MASK   (0xfULL << NS2_DESC_MEMATTR_SHIFT)
#define NS2_DESC_S2AP_R         (1ULL << 6)
#define NS2_DESC_S2AP_W         (1ULL << 7)
#define NS2_DESC_SH_SHIFT       8
#define NS2_DESC_SH_MASK        (0x3ULL << NS2_DESC_SH_SHIFT)
#define NS2_DESC_AF             (1ULL << 10)
#define NS2_DESC_XN_SHIFT       53              /* XN[1:0], FEAT_XNX */
#define NS2_DESC_XN_MASK        (0x3ULL << NS2_DESC_XN_SHIFT)
#define NS2_DESC_OA_MASK        0x0000fffffffff000ULL

/* Shareability values of SH[1:0]. */
#define NS2_SH_NON              0x0u
#define NS2_SH_OUTER            0x2u
#define NS2_SH_INNER            0x3u

/* Fault status codes with the level in bits [1:0] (Arm ARM, ESR_ELx DFSC/IFSC). */
#define NS2_FSC_ADDR_SIZE       0x00u
#define NS2_FSC_TRANS           0x04u
#define NS2_FSC_ACCESS          0x08u
#define NS2_FSC_PERM            0x0cu
#define NS2_FSC_SEA_WALK        0x14u           /* external abort on a table walk */
#define NS2_FSC_LEVEL_MASK      0x3u

#define NS2_LEVEL_SHIFT(l)      (12u + 9u * (3u - (l)))

/* Permissions of a stage-2 leaf, per EL for execution (FEAT_XNX). */
#define NS2_R           (1u << 0)
#define NS2_W           (1u << 1)
#define NS2_X_EL1       (1u << 2)
#define NS2_X_EL0       (1u << 3)

/* A stage-2 configuration decoded from vVTCR/vVTTBR. */
struct ns2_cfg {
    uint64_t root;          /* L1 IPA of the (possibly concatenated) start table */
    unsigned start_level;
    unsigned ia_bits;       /* 64 - T0SZ */
    unsigned oa_bits;       /* from PS, capped by what the VM's IPA space has */
    bool bad;               /* inconsistent: every walk faults at level 0 */
};
void ns2_cfg_decode(uint64_t vtcr, uint64_t vttbr, unsigned max_oa_bits, struct ns2_cfg *cfg);

/* The access that faulted in the guest's guest. */
struct ns2_access {
    bool write, exec, el0;
};

/* Reads the 64-bit descriptor at an L1 IPA; false when that address is not
 * the VM's RAM. */
typedef bool (*ns2_read_fn)(void *ctx, uint64_t l1_ipa, uint64_t *desc);

struct ns2_walk {
    bool ok;
    unsigned fsc;           /* when !ok: NS2_FSC_* | level */
    unsigned level;         /* level of the leaf, or of the fault */
    uint64_t oa;            /* output address (L1 IPA) of the access */
    unsigned perm;          /* NS2_R | NS2_W | NS2_X_* of the leaf */
    unsigned memattr;       /* MemAttr[3:0] of the leaf */
    unsigned sh;            /* SH[1:0] of the leaf */
};
/* Walks the configuration for ipa like the MMU and checks acc against the
 * leaf: a permission fault when acc needs what the leaf does not give. */
void ns2_walk(const struct ns2_cfg *cfg, uint64_t ipa, const struct ns2_access *acc,
              ns2_read_fn read, void *ctx, struct ns2_walk *w);

/* Leaf permissions and attributes from a descriptor. */
unsigned ns2_desc_perm(uint64_t desc);
uint64_t ns2_perm_to_desc(unsigned perm);

/* The stage-2 MemAttr and shareability a single stage must use to be as
 * strong as two stages in sequence (Arm ARM, "Combining the stage 1 and
 * stage 2 attributes", applied to two stage-2 encodings with FWB off). */
unsigned ns2_memattr_combine(unsigned a, unsigned b);
unsigned ns2_sh_combine(unsigned a, unsigned b);

/* The shadow descriptor of a 4 KiB page at pa: the intersection of the
 * guest hypervisor's leaf (walk w) and elvisor's own stage-2 permissions
 * and attributes of the page (l0_prot: enum s2_prot of elvisor's mapping). */
uint64_t ns2_shadow_desc(const struct ns2_walk *w, unsigned l0_prot, uint64_t pa);

/* ESR_EL2 the guest hypervisor gets for a stage-2 fault of its guest: the
 * hardware syndrome of the trap (EC 0x24/0x20 from a lower EL) with the
 * fault status of the guest hypervisor's walk. */
uint64_t ns2_fault_esr(uint64_t hw_esr, unsigned fsc);
/* HPFAR_EL2 for a faulting IPA: FIPA = IPA[51:12] in bits [43:4]. */
uint64_t ns2_hpfar(uint64_t ipa);

/* AT S12E* (docs/nested.md §9.22): the IPA stage 1 gave (s1_par with F
 * clear, for va), and the PAR_EL1 of both stages: stage 1's fault as it
 * is, a fault of the guest hypervisor's stage 2 walk w (S set, PTW clear),
 * or its output address with stage 1's attributes and shareability
 * combined with the leaf's (Arm ARM, combining stage 1 and stage 2
 * attributes, FWB off; in PAR_EL1's MAIR encoding). */
uint64_t ns2_par_ipa(uint64_t s1_par, uint64_t va);
uint64_t ns2_par_s12(uint64_t s1_par, const struct ns2_walk *w);

/* ---- Shadow contexts: a small per-VM pool with LRU replacement ---- */

/* One per vCPU at least: a vCPU holds one slot while it runs its guest's
 * guest, so a vCPU that needs a slot always finds one not held. */
#define NS2_POOL_SLOTS  8u

struct ns2_slot {
    bool used;
    unsigned users;         /* vCPUs running on it: never recycled */
    uint64_t baddr;         /* vVTTBR BADDR */
    uint16_t vmid;          /* vVTTBR VMID */
    uint64_t last_use;      /* stamp of the last selection */
};

/* The slot for (baddr, vmid): a hit, else a free slot, else the least
 * recently used one no vCPU runs on (*recycled: its tables must be dropped
 * and its hardware VMID flushed before reuse); n when every slot is held.
 * Updates the slot's key and stamp. */
unsigned ns2_pool_select(struct ns2_slot *slots, unsigned n, uint64_t baddr, uint16_t vmid,
                         uint64_t now, bool *hit, bool *recycled);

#endif
