#include "arch/arm64/smmuv3_enc.h"

#include "lib/string.h"

void smmu_ste_abort(uint64_t ste[STE_DWORDS])
{
    memset(ste, 0, STE_DWORDS * sizeof(uint64_t));
    ste[0] = STE_V | STE_CFG_ABORT;
}

unsigned smmu_oas_bits(unsigned oas)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };

    return oas < sizeof(bits) / sizeof(bits[0]) ? bits[oas] : 48;
}

int smmu_ps_of_bits(unsigned bits)
{
    int ps = -1;

    for (unsigned e = 0; e <= 5; e++)
        if (smmu_oas_bits(e) <= bits)
            ps = (int)e;
    return ps;
}

int smmu_ste_s2(uint64_t ste[STE_DWORDS], const struct smmu_s2_cfg *c)
{
    int ps = smmu_ps_of_bits(c->pa_bits);

    /* The same limits as stage2_init(): 4 KiB granule, a walk starting at
     * level 0 (SL0 2) or level 1 (SL0 1) without concatenated tables. */
    if (c->ipa_bits < 32 || c->ipa_bits > 48 || c->start_level > 1 || ps < 0)
        return -1;
    if ((c->start_level == 1) != (c->ipa_bits <= 39))
        return -1;
    if (c->ttb & 0xfff || c->ttb & ~STE3_S2TTB_MASK)
        return -1;
    memset(ste, 0, STE_DWORDS * sizeof(uint64_t));
    ste[0] = STE_V | STE_CFG_S2;
    /* Shareability as the device issued it; stage 2 then combines it with
     * the VM's inner-shareable RAM. */
    ste[1] = STE1_SHCFG_INCOMING;
    ste[2] = STE2_S2VMID(c->vmid) | STE2_S2T0SZ(64 - c->ipa_bits) |
             STE2_S2SL0(c->start_level == 0 ? 2 : 1) | STE2_S2IR0_WBWA | STE2_S2OR0_WBWA |
             STE2_S2SH0_INNER | STE2_S2TG_4K | STE2_S2PS(ps) | STE2_S2AA64 |
             /* without S2R, QEMU (as the architecture allows) aborts a
              * stage-2 fault without recording it: nothing to log */
             STE2_S2R;
    ste[3] = c->ttb & STE3_S2TTB_MASK;
    return 0;
}

static void cmd(uint64_t c[CMD_DWORDS], unsigned op, uint64_t d0, uint64_t d1)
{
    c[0] = op | d0;
    c[1] = d1;
}

void smmu_cmd_cfgi_ste(uint64_t c[CMD_DWORDS], uint32_t sid)
{
    cmd(c, CMD_CFGI_STE, CMD0_SID(sid), CMD1_LEAF);
}

void smmu_cmd_cfgi_all(uint64_t c[CMD_DWORDS])
{
    cmd(c, CMD_CFGI_ALL, 0, CMD1_CFGI_ALL_RANGE);
}

void smmu_cmd_tlbi_nsnh_all(uint64_t c[CMD_DWORDS])
{
    cmd(c, CMD_TLBI_NSNH_ALL, 0, 0);
}

void smmu_cmd_tlbi_s12_vmall(uint64_t c[CMD_DWORDS], uint16_t vmid)
{
    cmd(c, CMD_TLBI_S12_VMALL, CMD0_VMID(vmid), 0);
}

void smmu_cmd_tlbi_s2_ipa(uint64_t c[CMD_DWORDS], uint16_t vmid, uint64_t ipa, bool leaf)
{
    cmd(c, CMD_TLBI_S2_IPA, CMD0_VMID(vmid), (ipa & CMD1_IPA_MASK) | (leaf ? CMD1_LEAF : 0));
}

void smmu_cmd_sync(uint64_t c[CMD_DWORDS])
{
    cmd(c, CMD_SYNC, 0, 0);     /* CS = 0: no signal, the consumer index tells */
}

void smmu_event_decode(const uint64_t rec[EVT_DWORDS], struct smmu_event *e)
{
    e->type = EVT_TYPE(rec[0]);
    e->sid = EVT_SID(rec[0]);
    e->read = false;
    e->stage2 = false;
    e->addr = 0;
    e->ipa = 0;
    switch (e->type) {
    case EVT_F_TRANSLATION:
    case EVT_F_ADDR_SIZE:
    case EVT_F_ACCESS:
    case EVT_F_PERMISSION:
    case EVT_F_WALK_EABT:
        e->read = EVT_RNW(rec[1]);
        e->stage2 = EVT_S2(rec[1]);
        e->addr = rec[2];
        e->ipa = rec[3] & EVT_IPA_MASK;
        break;
    case EVT_C_BAD_STE:
    case EVT_C_BAD_STREAMID:
    case EVT_F_STREAM_DISABLED:
    case EVT_F_STE_FETCH:
        e->addr = rec[2];
        break;
    default:
        break;
    }
}

const char *smmu_event_name(unsigned type)
{
    switch (type) {
    case EVT_C_BAD_STREAMID:    return "C_BAD_STREAMID";
    case EVT_F_STE_FETCH:       return "F_STE_FETCH";
    case EVT_C_BAD_STE:         return "C_BAD_STE";
    case EVT_F_STREAM_DISABLED: return "F_STREAM_DISABLED";
    case EVT_F_WALK_EABT:       return "F_WALK_EABT";
    case EVT_F_TRANSLATION:     return "F_TRANSLATION";
    case EVT_F_ADDR_SIZE:       return "F_ADDR_SIZE";
    case EVT_F_ACCESS:          return "F_ACCESS";
    case EVT_F_PERMISSION:      return "F_PERMISSION";
    }
    return "event";
}
