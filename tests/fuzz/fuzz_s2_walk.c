/* Fuzz target: the walker over the guest hypervisor's stage-2 tables
 * (nested/s2_walk.c). Those tables are guest memory, and vVTCR/vVTTBR are
 * guest-written registers. Input: vVTCR_EL2, vVTTBR_EL2, the VM's IPA size,
 * up to 8 accesses (IPA, kind), then (slot, descriptor) writes into a fake
 * guest RAM of 64 KiB at IPA 0x4000_0000 (everything else reads as not RAM),
 * then operations on a shadow-slot pool. Invariants:
 *  - an inconsistent configuration or an IPA beyond the input size faults
 *    at level 0 with a translation fault and reads nothing;
 *  - reads are 8-byte aligned, the first inside the start table, each later
 *    one inside one 4 KiB table, at most one per level;
 *  - a fault's status is a known type with its level in bits [1:0];
 *    a success has status 0, a level 1..3, an output address inside the
 *    output size whose offset within the block is the IPA's, and the
 *    permissions of the last descriptor read, which allow the access;
 *  - the four access kinds reach the same leaf: they differ only in
 *    whether a permission fault results;
 *  - the shadow descriptor never gives more than both stages allow, never
 *    execution from Device memory, and holds the given page address;
 *    attribute and shareability combination are commutative and at least
 *    as strong as each input;
 *  - ns2_hpfar() and esr.c's fault_ipa() round-trip an IPA; the fault
 *    syndrome keeps every bit but the fault status, EA and VNCR;
 *  - the pool: a hit has the key, keys of used slots stay distinct, a slot
 *    in use by a vCPU is never recycled, shadow VMIDs are distinct. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "arch/arm64/esr.c"
#include "nested/s2_walk.c"

#define MEM_BASE    0x40000000ULL
#define MEM_SLOTS   8192u           /* 64 KiB of descriptors */

static uint64_t mem[MEM_SLOTS];
static uint64_t reads[8], last_desc;
static unsigned nr_reads;

static bool fake_read(void *ctx, uint64_t a, uint64_t *d)
{
    FUZZ_CHECK((a & 7) == 0, "descriptor read at unaligned %#llx", (unsigned long long)a);
    FUZZ_CHECK(nr_reads < 4, "more than four descriptor reads in one walk");
    reads[nr_reads++] = a;
    if (a < MEM_BASE || a >= MEM_BASE + MEM_SLOTS * 8)
        return false;
    *d = last_desc = mem[(a - MEM_BASE) / 8];
    return true;
}

static bool attr_device(unsigned m) { return ((m >> 2) & 3) == 0; }

static void check_walk(const struct ns2_cfg *c, uint64_t ipa, const struct ns2_access *acc,
                       struct ns2_walk *w)
{
    nr_reads = 0;
    last_desc = 0;
    memset(w, 0xa5, sizeof(*w));
    ns2_walk(c, ipa, acc, fake_read, NULL, w);
    if (c->bad || (c->ia_bits < 64 && ipa >> c->ia_bits)) {
        FUZZ_CHECK(!w->ok && w->fsc == NS2_FSC_TRANS && w->level == 0 && nr_reads == 0,
                   "bad configuration or IPA out of range: fsc %#x level %u, %u reads", w->fsc,
                   w->level, nr_reads);
        return;
    }
    if (nr_reads) {
        uint64_t table_bytes = (1ULL << (c->ia_bits - NS2_LEVEL_SHIFT(c->start_level))) * 8;
        FUZZ_CHECK(reads[0] >= c->root && reads[0] < c->root + table_bytes,
                   "first read %#llx outside the start table", (unsigned long long)reads[0]);
        FUZZ_CHECK(nr_reads <= 4 - c->start_level, "%u reads from level %u", nr_reads,
                   c->start_level);
    }
    if (!w->ok) {
        unsigned type = w->fsc & ~NS2_FSC_LEVEL_MASK;
        FUZZ_CHECK(type == NS2_FSC_ADDR_SIZE || type == NS2_FSC_TRANS || type == NS2_FSC_ACCESS ||
                   type == NS2_FSC_PERM || type == NS2_FSC_SEA_WALK, "fsc %#x", w->fsc);
        FUZZ_CHECK(w->level <= 3 && (w->fsc & NS2_FSC_LEVEL_MASK) == w->level, "fault level");
        if (type == NS2_FSC_PERM)
            FUZZ_CHECK(w->level >= 1 && w->perm == ns2_desc_perm(last_desc), "perm fault leaf");
        return;
    }
    FUZZ_CHECK(w->fsc == 0 && w->level >= 1 && w->level <= 3 && w->level >= c->start_level,
               "success at level %u, fsc %#x", w->level, w->fsc);
    FUZZ_CHECK(c->oa_bits >= 64 || (w->oa >> c->oa_bits) == 0, "OA %#llx beyond %u bits",
               (unsigned long long)w->oa, c->oa_bits);
    uint64_t off_mask = (1ULL << NS2_LEVEL_SHIFT(w->level)) - 1;
    FUZZ_CHECK((w->oa & off_mask) == (ipa & off_mask), "block offset");
    FUZZ_CHECK((w->oa & ~off_mask) == (last_desc & NS2_DESC_OA_MASK & ~off_mask), "OA not the leaf's");
    FUZZ_CHECK(w->perm == ns2_desc_perm(last_desc), "perm not the leaf's");
    FUZZ_CHECK(last_desc & NS2_DESC_AF, "success without AF");
    unsigned need = acc->exec ? (acc->el0 ? NS2_X_EL0 : NS2_X_EL1) : acc->write ? NS2_W : NS2_R;
    FUZZ_CHECK(w->perm & need, "access allowed without permission");
}

static void check_shadow(const struct ns2_walk *w, unsigned l0_prot, uint64_t pa)
{
    uint64_t d = ns2_shadow_desc(w, l0_prot, pa);
    unsigned perm = ns2_desc_perm(d), attr = (unsigned)((d & NS2_DESC_MEMATTR_MASK) >> NS2_DESC_MEMATTR_SHIFT);
    unsigned l0_perm = (l0_prot & S2_READ ? NS2_R : 0) | (l0_prot & S2_WRITE ? NS2_W : 0) |
                       ((l0_prot & S2_EXEC) && !(l0_prot & S2_DEVICE) ? NS2_X_EL1 | NS2_X_EL0 : 0);

    FUZZ_CHECK((perm & ~(w->perm & l0_perm)) == 0, "shadow perm %#x beyond %#x & %#x", perm,
               w->perm, l0_perm);
    FUZZ_CHECK(!attr_device(attr) || !(perm & (NS2_X_EL1 | NS2_X_EL0)), "exec from Device");
    FUZZ_CHECK((l0_prot & S2_DEVICE) == 0 || attr_device(attr), "elvisor's Device made Normal");
    FUZZ_CHECK(!attr_device(w->memattr) || attr_device(attr), "guest's Device made Normal");
    FUZZ_CHECK((d & NS2_DESC_OA_MASK) == (pa & NS2_DESC_OA_MASK), "shadow OA");
    FUZZ_CHECK((d & (NS2_DESC_VALID | NS2_DESC_TABLE | NS2_DESC_AF)) ==
               (NS2_DESC_VALID | NS2_DESC_TABLE | NS2_DESC_AF), "shadow page bits");
}

/* Shareability strength: Non-shareable < Inner < Outer (reserved 1: Outer). */
static unsigned sh_strength(unsigned sh)
{
    return sh == 0 ? 0 : sh == 3 ? 1 : 2;
}

static void check_combine(unsigned a, unsigned b)
{
    unsigned m = ns2_memattr_combine(a, b), s = ns2_sh_combine(a & 3, b & 3);

    FUZZ_CHECK(m == ns2_memattr_combine(b, a), "memattr combine not commutative");
    FUZZ_CHECK(m <= 0xf, "memattr %#x", m);
    if (attr_device(a & 0xf) || attr_device(b & 0xf))
        FUZZ_CHECK(attr_device(m), "Device lost combining %#x, %#x", a & 0xf, b & 0xf);
    FUZZ_CHECK(s == ns2_sh_combine(b & 3, a & 3), "sh combine not commutative");
    FUZZ_CHECK(sh_strength(s) >= sh_strength(a & 3) && sh_strength(s) >= sh_strength(b & 3),
               "shareability weakened combining %u, %u into %u", a & 3, b & 3, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    struct ns2_cfg c;
    uint64_t vtcr = fuzz_u64(&in), vttbr = fuzz_u64(&in);
    unsigned max_oa = 32 + fuzz_u8(&in) % 21;
    unsigned nacc = 1 + fuzz_u8(&in) % 8;
    uint64_t ipas[8];
    uint8_t kinds[8];

    for (unsigned i = 0; i < nacc; i++) {
        ipas[i] = fuzz_u64(&in);
        kinds[i] = fuzz_u8(&in);
    }
    unsigned nwrites = fuzz_u8(&in);
    memset(mem, 0, sizeof(mem));
    for (unsigned i = 0; i < nwrites; i++) {
        unsigned slot = fuzz_u16(&in) % MEM_SLOTS;
        mem[slot] = fuzz_u64(&in);
    }

    ns2_cfg_decode(vtcr, vttbr, max_oa, &c);
    FUZZ_CHECK(c.oa_bits <= max_oa && c.oa_bits >= 32, "oa_bits %u", c.oa_bits);
    FUZZ_CHECK((c.root & ~NS2_VTTBR_BADDR_MASK) == 0 && (c.root & 7) == 0, "root %#llx",
               (unsigned long long)c.root);
    if (!c.bad)
        FUZZ_CHECK(c.start_level <= 2 && c.ia_bits >= 25 && c.ia_bits <= 48 &&
                   c.ia_bits > NS2_LEVEL_SHIFT(c.start_level) &&
                   c.ia_bits <= NS2_LEVEL_SHIFT(c.start_level) + 13, "ia %u start %u", c.ia_bits,
                   c.start_level);

    for (unsigned i = 0; i < nacc; i++) {
        static const struct ns2_access kinds4[4] = {
            { false, false, false }, { true, false, false }, { false, true, false }, { false, true, true },
        };
        struct ns2_walk w[4];
        for (unsigned k = 0; k < 4; k++)
            check_walk(&c, ipas[i], &kinds4[k], &w[k]);
        for (unsigned k = 1; k < 4; k++) {
            bool leaf0 = w[0].ok || (w[0].fsc & ~3u) == NS2_FSC_PERM;
            bool leafk = w[k].ok || (w[k].fsc & ~3u) == NS2_FSC_PERM;
            FUZZ_CHECK(leaf0 == leafk, "access kinds disagree on reaching the leaf");
            if (leaf0)
                FUZZ_CHECK(w[0].level == w[k].level && w[0].oa == w[k].oa &&
                           w[0].perm == w[k].perm && w[0].memattr == w[k].memattr &&
                           w[0].sh == w[k].sh, "access kinds reach different leaves");
            else
                FUZZ_CHECK(w[0].fsc == w[k].fsc, "access kinds fault differently");
        }
        struct ns2_walk *mine = &w[kinds[i] % 4];
        if (mine->ok)
            check_shadow(mine, kinds[i] >> 2 & 0xf, ipas[i] ^ vtcr);
        check_combine(kinds[i], (unsigned)(ipas[i] >> 56));

        uint64_t ipa52 = ipas[i] & ((1ULL << 52) - 1);
        FUZZ_CHECK(fault_ipa(ns2_hpfar(ipa52), ipa52) == ipa52, "HPFAR round trip of %#llx",
                   (unsigned long long)ipa52);
        uint64_t hw_esr = vtcr ^ ipas[i];
        uint64_t e = ns2_fault_esr(hw_esr, mine->fsc);
        uint64_t keep = ~(ESR_FSC_MASK | ESR_DABT_EA | ESR_DABT_VNCR);
        FUZZ_CHECK((e & keep) == (hw_esr & keep) && (e & ESR_FSC_MASK) == (mine->fsc & ESR_FSC_MASK) &&
                   !(e & (ESR_DABT_EA | ESR_DABT_VNCR)), "fault syndrome");
    }

    /* The shadow pool under a sequence of selections and holds. */
    struct ns2_slot slots[NS2_POOL_SLOTS];
    memset(slots, 0, sizeof(slots));
    for (uint64_t now = 1; fuzz_more(&in) && now < 256; now++) {
        uint8_t op = fuzz_u8(&in);
        uint64_t baddr = (uint64_t)(op & 7) << 12;
        uint16_t vmid = (uint16_t)(op >> 6);
        bool hit, recycled, had_free = false;
        struct ns2_slot before[NS2_POOL_SLOTS];

        memcpy(before, slots, sizeof(slots));
        for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
            had_free |= !slots[i].used;
        unsigned s = ns2_pool_select(slots, NS2_POOL_SLOTS, baddr, vmid, now, &hit, &recycled);
        if (s == NS2_POOL_SLOTS) {
            for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
                FUZZ_CHECK(before[i].used && before[i].users &&
                           !(before[i].baddr == baddr && before[i].vmid == vmid), "no slot given");
            continue;
        }
        FUZZ_CHECK(slots[s].used && slots[s].baddr == baddr && slots[s].vmid == vmid &&
                   slots[s].last_use == now, "selected slot's key");
        FUZZ_CHECK(!hit || (before[s].used && before[s].baddr == baddr && before[s].vmid == vmid),
                   "hit on another key");
        FUZZ_CHECK(!recycled || (!had_free && before[s].users == 0), "recycled a held slot");
        FUZZ_CHECK(hit || recycled || !before[s].used, "overwrote a used slot silently");
        for (unsigned i = 0; i < NS2_POOL_SLOTS; i++)
            for (unsigned j = i + 1; j < NS2_POOL_SLOTS; j++)
                FUZZ_CHECK(!(slots[i].used && slots[j].used && slots[i].baddr == slots[j].baddr &&
                             slots[i].vmid == slots[j].vmid), "two slots share a key");
        if (op & 0x20)
            slots[s].users++;
        else if (op & 0x10 && slots[s].users)
            slots[s].users--;
    }
    /* Shadow contexts' hardware VMIDs come from the VMID allocator
     * (core/vmid_alloc.c, tests/unit/test_vmid_alloc.c), not from the pool. */
    return 0;
}
