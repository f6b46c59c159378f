/* The guest hypervisor's stage 2, pure parts (s2_walk.h). */
#include "nested/s2_walk.h"

#include "arch/arm64/esr.h"
#include "core/stage2.h"

#define LEVEL_SIZE(l)           (1ULL << NS2_LEVEL_SHIFT(l))
#define TABLE_ENTRIES_BITS      9u
/* Up to 16 concatenated tables at the start level (Arm ARM, VTCR_EL2.SL0). */
#define CONCAT_BITS             4u
#define MIN_IA_BITS             25u
#define MAX_IA_BITS             48u
#define DESC_SIZE               8u

/* MemAttr[3:0] with FWB off: [3:2] = 0 is Device with its type in [1:0];
 * otherwise Normal, outer cacheability in [3:2], inner in [1:0]
 * (1 Non-cacheable, 2 Write-through, 3 Write-back). */
#define MEMATTR_OUTER(m)        (((m) >> 2) & 0x3u)
#define MEMATTR_INNER(m)        ((m) & 0x3u)
#define MEMATTR_NORMAL_NC       0x1u
#define MEMATTR_NORMAL_WB       0xfu
#define MEMATTR_DEV_nGnRE       0x1u

static const unsigned ps_bits[] = { 32, 36, 40, 42, 44, 48, 48, 48 };

void ns2_cfg_decode(uint64_t vtcr, uint64_t vttbr, unsigned max_oa_bits, struct ns2_cfg *cfg)
{
    unsigned t0sz = (unsigned)(vtcr & NS2_VTCR_T0SZ_MASK);
    unsigned sl0 = (unsigned)((vtcr >> NS2_VTCR_SL0_SHIFT) & NS2_VTCR_SL0_MASK);
    unsigned ps = (unsigned)((vtcr >> NS2_VTCR_PS_SHIFT) & NS2_VTCR_PS_MASK);

    cfg->bad = false;
    cfg->ia_bits = 64u - t0sz;
    cfg->oa_bits = ps_bits[ps] < max_oa_bits ? ps_bits[ps] : max_oa_bits;
    /* 4 KiB granule: SL0 0, 1, 2 start at levels 2, 1, 0; 3 is reserved
     * without FEAT_TTST/LPA2, which elvisor does not advertise. */
    cfg->start_level = sl0 == 3 ? 0 : 2 - sl0;
    if (((vtcr >> NS2_VTCR_TG0_SHIFT) & NS2_VTCR_TG0_MASK) != NS2_VTCR_TG0_4K || sl0 == 3 ||
        cfg->ia_bits < MIN_IA_BITS || cfg->ia_bits > MAX_IA_BITS ||
        cfg->ia_bits <= NS2_LEVEL_SHIFT(cfg->start_level) ||
        cfg->ia_bits > NS2_LEVEL_SHIFT(cfg->start_level) + TABLE_ENTRIES_BITS + CONCAT_BITS)
        cfg->bad = true;
    /* BADDR bits below the start table's size are treated as zero (one of
     * the behaviours the Arm ARM permits for a misaligned base). */
    uint64_t table_bytes = 1ULL << 3;
    if (!cfg->bad)
        table_bytes = (1ULL << (cfg->ia_bits - NS2_LEVEL_SHIFT(cfg->start_level))) * DESC_SIZE;
    cfg->root = vttbr & NS2_VTTBR_BADDR_MASK & ~(table_bytes - 1);
}

unsigned ns2_desc_perm(uint64_t desc)
{
    unsigned p = 0;

    if (desc & NS2_DESC_S2AP_R)
        p |= NS2_R;
    if (desc & NS2_DESC_S2AP_W)
        p |= NS2_W;
    /* XN[1:0] (FEAT_XNX): 0 both ELs execute, 1 EL0 only, 2 none, 3 EL1 only. */
    switch ((desc & NS2_DESC_XN_MASK) >> NS2_DESC_XN_SHIFT) {
    case 0: p |= NS2_X_EL1 | NS2_X_EL0; break;
    case 1: p |= NS2_X_EL0; break;
    case 3: p |= NS2_X_EL1; break;
    default: break;
    }
    return p;
}

uint64_t ns2_perm_to_desc(unsigned perm)
{
    uint64_t d = 0, xn;

    if (perm & NS2_R)
        d |= NS2_DESC_S2AP_R;
    if (perm & NS2_W)
        d |= NS2_DESC_S2AP_W;
    switch (perm & (NS2_X_EL1 | NS2_X_EL0)) {
    case NS2_X_EL1 | NS2_X_EL0: xn = 0; break;
    case NS2_X_EL0: xn = 1; break;
    case NS2_X_EL1: xn = 3; break;
    default: xn = 2; break;
    }
    return d | (xn << NS2_DESC_XN_SHIFT);
}

static void fault(struct ns2_walk *w, unsigned type, unsigned level)
{
    w->ok = false;
    w->level = level;
    w->fsc = type | (level & NS2_FSC_LEVEL_MASK);
}

static bool above(uint64_t addr, unsigned bits)
{
    return bits < 64 && (addr >> bits) != 0;
}

void ns2_walk(const struct ns2_cfg *cfg, uint64_t ipa, const struct ns2_access *acc,
              ns2_read_fn read, void *ctx, struct ns2_walk *w)
{
    unsigned level = cfg->start_level;
    uint64_t table = cfg->root;

    w->ok = false;
    w->oa = 0;
    w->perm = 0;
    w->memattr = 0;
    w->sh = 0;
    /* A configuration the Arm ARM calls inconsistent, an IPA beyond the
     * input size and a base beyond the output size fault at level 0. */
    if (cfg->bad || above(ipa, cfg->ia_bits)) {
        fault(w, NS2_FSC_TRANS, 0);
        return;
    }
    if (above(table, cfg->oa_bits)) {
        fault(w, NS2_FSC_ADDR_SIZE, 0);
        return;
    }
    for (;;) {
        unsigned shift = NS2_LEVEL_SHIFT(level);
        unsigned bits = level == cfg->start_level ? cfg->ia_bits - shift : TABLE_ENTRIES_BITS;
        uint64_t idx = (ipa >> shift) & ((1ULL << bits) - 1);
        uint64_t d;

        if (!read(ctx, table + idx * DESC_SIZE, &d)) {
            fault(w, NS2_FSC_SEA_WALK, level);
            return;
        }
        if (!(d & NS2_DESC_VALID)) {
            fault(w, NS2_FSC_TRANS, level);
            return;
        }
        if (level < 3 && (d & NS2_DESC_TABLE)) {
            table = d & NS2_DESC_OA_MASK;
            if (above(table, cfg->oa_bits)) {
                fault(w, NS2_FSC_ADDR_SIZE, level);
                return;
            }
            level++;
            continue;
        }
        /* No level-0 blocks with 4 KiB and no LPA2; bit 1 clear at level 3
         * is reserved. Both are translation faults. */
        if (level == 0 || (level == 3 && !(d & NS2_DESC_TABLE))) {
            fault(w, NS2_FSC_TRANS, level);
            return;
        }
        uint64_t base = d & NS2_DESC_OA_MASK & ~(LEVEL_SIZE(level) - 1);
        if (above(base, cfg->oa_bits)) {
            fault(w, NS2_FSC_ADDR_SIZE, level);
            return;
        }
        if (!(d & NS2_DESC_AF)) {
            fault(w, NS2_FSC_ACCESS, level);
            return;
        }
        unsigned perm = ns2_desc_perm(d);
        bool allowed;
        if (acc->exec)
            allowed = perm & (acc->el0 ? NS2_X_EL0 : NS2_X_EL1);
        else
            allowed = perm & (acc->write ? NS2_W : NS2_R);
        w->level = level;
        w->perm = perm;
        w->memattr = (unsigned)((d & NS2_DESC_MEMATTR_MASK) >> NS2_DESC_MEMATTR_SHIFT);
        w->sh = (unsigned)((d & NS2_DESC_SH_MASK) >> NS2_DESC_SH_SHIFT);
        w->oa = base | (ipa & (LEVEL_SIZE(level) - 1));
        if (!allowed) {
            fault(w, NS2_FSC_PERM, level);
            return;
        }
        w->ok = true;
        w->fsc = 0;
        return;
    }
}

static bool memattr_device(unsigned m)
{
    return MEMATTR_OUTER(m) == 0;
}

/* Cacheability 0 in a Normal inner field is reserved: read as Non-cacheable. */
static unsigned cacheability(unsigned c)
{
    return c == 0 ? MEMATTR_NORMAL_NC : c;
}

unsigned ns2_memattr_combine(unsigned a, unsigned b)
{
    a &= 0xfu;
    b &= 0xfu;
    /* Device beats Normal; between Device types the smaller encoding has
     * fewer of G, R, E; between Normal ones the smaller cacheability. */
    if (memattr_device(a) && memattr_device(b))
        return a < b ? a : b;
    if (memattr_device(a))
        return a;
    if (memattr_device(b))
        return b;
    unsigned o = MEMATTR_OUTER(a) < MEMATTR_OUTER(b) ? MEMATTR_OUTER(a) : MEMATTR_OUTER(b);
    unsigned ia = cacheability(MEMATTR_INNER(a)), ib = cacheability(MEMATTR_INNER(b));
    return (o << 2) | (ia < ib ? ia : ib);
}

/* Non-shareable < Inner < Outer; the reserved value 1 is taken as Outer. */
static unsigned sh_rank(unsigned sh)
{
    switch (sh & 0x3u) {
    case NS2_SH_NON: return 0;
    case NS2_SH_INNER: return 1;
    default: return 2;
    }
}

unsigned ns2_sh_combine(unsigned a, unsigned b)
{
    unsigned r = sh_rank(a) > sh_rank(b) ? sh_rank(a) : sh_rank(b);
    return r == 0 ? NS2_SH_NON : r == 1 ? NS2_SH_INNER : NS2_SH_OUTER;
}

uint64_t ns2_shadow_desc(const struct ns2_walk *w, unsigned l0_prot, uint64_t pa)
{
    unsigned l0_perm = 0, perm, attr, sh;

    if (l0_prot & S2_READ)
        l0_perm |= NS2_R;
    if (l0_prot & S2_WRITE)
        l0_perm |= NS2_W;
    if ((l0_prot & S2_EXEC) && !(l0_prot & S2_DEVICE))
        l0_perm |= NS2_X_EL1 | NS2_X_EL0;
    attr = ns2_memattr_combine(w->memattr, (l0_prot & S2_DEVICE) ? MEMATTR_DEV_nGnRE
                                                                  : MEMATTR_NORMAL_WB);
    sh = ns2_sh_combine(w->sh, NS2_SH_INNER);
    perm = w->perm & l0_perm;
    /* elvisor never lets a guest execute from Device memory. */
    if (memattr_device(attr))
        perm &= ~(NS2_X_EL1 | NS2_X_EL0);
    return (pa & NS2_DESC_OA_MASK) | NS2_DESC_VALID | NS2_DESC_TABLE | NS2_DESC_AF |
           ((uint64_t)attr << NS2_DESC_MEMATTR_SHIFT) | ((uint64_t)sh << NS2_DESC_SH_SHIFT) |
           ns2_perm_to_desc(perm);
}

/* ISS bits of the trapped syndrome that describe elvisor's own fault, not
 * the guest's guest's access: the fault status, an external abort, the
 * VNCR flag. */
#define FAULT_ESR_CLEAR         (ESR_FSC_MASK | ESR_DABT_EA | ESR_DABT_VNCR)

uint64_t ns2_fault_esr(uint64_t hw_esr, unsigned fsc)
{
    return (hw_esr & ~FAULT_ESR_CLEAR) | (fsc & ESR_FSC_MASK);
}

#define HPFAR_FIPA_MASK         0x00000ffffffffff0ULL

uint64_t ns2_hpfar(uint64_t ipa)
{
    return ((ipa >> PAGE_SHIFT) << 4) & HPFAR_FIPA_MASK;
}

unsigned ns2_pool_select(struct ns2_slot *slots, unsigned n, uint64_t baddr, uint16_t vmid,
                         uint64_t now, bool *hit, bool *recycled)
{
    unsigned pick = n;

    *hit = false;
    *recycled = false;
    for (unsigned i = 0; i < n; i++) {
        if (slots[i].used && slots[i].baddr == baddr && slots[i].vmid == vmid) {
            *hit = true;
            slots[i].last_use = now;
            return i;
        }
    }
    for (unsigned i = 0; i < n && pick == n; i++)
        if (!slots[i].used)
            pick = i;
    if (pick == n) {
        for (unsigned i = 0; i < n; i++)
            if (!slots[i].users && (pick == n || slots[i].last_use < slots[pick].last_use))
                pick = i;
        if (pick == n)
            return n;
        *recycled = true;
    }
    slots[pick].used = true;
    slots[pick].baddr = baddr;
    slots[pick].vmid = vmid;
    slots[pick].last_use = now;
    return pick;
}
