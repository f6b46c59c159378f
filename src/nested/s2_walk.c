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
#define MEMATTR_NORMAL_WT       0x2u
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

/* ---- AT S12E*: stage 1's result through the guest hypervisor's stage 2 ----
 * PAR_EL1 (Arm ARM): F [0]; when F = 0, SH [8:7], NS [9], RES1 [11],
 * PA [51:12], ATTR [63:56] (MAIR_ELx encoding); when F = 1, FST [6:1],
 * PTW [8], S [9] (a stage-2 fault), RES1 [11]. */
#define PAR_F               (1ULL << 0)
#define PAR_FST_SHIFT       1
#define PAR_S               (1ULL << 9)
#define PAR_RES1            (1ULL << 11)
#define PAR_SH_SHIFT        7
#define PAR_SH_MASK         (0x3ULL << PAR_SH_SHIFT)
#define PAR_PA_MASK         0x000ffffffffff000ULL
#define PAR_ATTR_SHIFT      56
#define PAR_ATTR_MASK       (0xffULL << PAR_ATTR_SHIFT)

/* A MAIR nibble of Normal memory: 0b0100 Non-cacheable; 0b00RW and 0b10RW
 * Write-Through; 0b01RW (RW != 0) and 0b11RW Write-Back. */
#define MAIR_NC             0x4u
#define MAIR_WT_ALLOC(rw)   (0x8u | ((rw) & 0x3u))

static bool mair_wt(unsigned n)
{
    return (n >> 2) == 0 || (n >> 2) == 2;
}

/* Stage 1's nibble through stage 2's cacheability (MemAttr's 2-bit field:
 * 1 NC, 2 WT, 3 WB): the weaker type wins, stage 1's allocation hints
 * stay. */
static unsigned combine_nibble(unsigned s1, unsigned s2_cache)
{
    if (s1 == MAIR_NC || cacheability(s2_cache) == MEMATTR_NORMAL_NC)
        return MAIR_NC;
    if (mair_wt(s1))
        return s1;
    if (cacheability(s2_cache) == MEMATTR_NORMAL_WT)
        return MAIR_WT_ALLOC(s1);
    return s1;
}

/* Device: 0b0000dd00 in MAIR, 0b00dd in MemAttr; the smaller dd has fewer
 * of G, R, E and wins. */
static uint64_t par_attr_sh(uint64_t s1_par, unsigned s2_memattr, unsigned s2_sh, unsigned *sh)
{
    unsigned a = (unsigned)((s1_par & PAR_ATTR_MASK) >> PAR_ATTR_SHIFT);
    bool s1_dev = (a & 0xf0u) == 0, s2_dev = memattr_device(s2_memattr);

    if (s1_dev || s2_dev) {
        unsigned d1 = s1_dev ? (a >> 2) & 0x3u : 0x3u, d2 = s2_dev ? s2_memattr & 0x3u : 0x3u;
        *sh = NS2_SH_OUTER;
        return (uint64_t)((d1 < d2 ? d1 : d2) << 2);
    }
    unsigned o = combine_nibble(a >> 4, MEMATTR_OUTER(s2_memattr));
    unsigned i = combine_nibble(a & 0xfu, MEMATTR_INNER(s2_memattr));
    *sh = (o == MAIR_NC && i == MAIR_NC)
              ? NS2_SH_OUTER
              : ns2_sh_combine((unsigned)((s1_par & PAR_SH_MASK) >> PAR_SH_SHIFT), s2_sh);
    return (uint64_t)((o << 4) | i);
}

uint64_t ns2_par_s12(uint64_t s1_par, const struct ns2_walk *w)
{
    unsigned sh;
    uint64_t attr;

    if (s1_par & PAR_F)
        return s1_par;
    if (!w->ok)
        return PAR_F | ((uint64_t)w->fsc << PAR_FST_SHIFT) | PAR_S | PAR_RES1;
    attr = par_attr_sh(s1_par, w->memattr, w->sh, &sh);
    return (s1_par & ~(PAR_PA_MASK | PAR_ATTR_MASK | PAR_SH_MASK)) | (w->oa & PAR_PA_MASK) |
           (attr << PAR_ATTR_SHIFT) | ((uint64_t)sh << PAR_SH_SHIFT);
}

uint64_t ns2_par_ipa(uint64_t s1_par, uint64_t va)
{
    return (s1_par & PAR_PA_MASK) | (va & 0xfffu);
}
