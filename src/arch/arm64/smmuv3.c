#include "arch/arm64/smmuv3.h"

#include "arch/arm64/sysreg.h"
#include "lib/log.h"
#include "lib/string.h"

/* Polls of an acknowledge or consumer register before giving up: QEMU
 * answers at once, hardware within microseconds. */
#define SMMU_POLL_MAX   1000000u
/* Bounded queue sizes: a page of commands; 64 KiB of events, because
 * QEMU's model records a faulting DMA access by access (a 4 KiB edu DMA
 * fills 128 entries and more), and a queue that one device's burst fills
 * loses the first event of another device faulting at the same time,
 * so that fault would never be logged (two VMs' devices, suite edu). */
#define CMDQ_LOG2_MAX   8
#define EVTQ_LOG2_MAX   11
/* Above this many pages an IPA range is invalidated as a whole VMID. */
#define TLBI_PAGES_MAX  16

static uint32_t rd32(const struct smmu *s, uint64_t off)
{
    return *(volatile uint32_t *)(uintptr_t)(s->base + off);
}

static void wr32(const struct smmu *s, uint64_t off, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(s->base + off) = v;
}

static void wr64(const struct smmu *s, uint64_t off, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)(s->base + off) = v;
}

static bool wait_eq(const struct smmu *s, uint64_t off, uint32_t mask, uint32_t want)
{
    for (unsigned i = 0; i < SMMU_POLL_MAX; i++)
        if ((rd32(s, off) & mask) == want)
            return true;
    return false;
}

/* CR0 and its acknowledge: the SMMU confirms each enable bit. */
static bool write_cr0(struct smmu *s, uint32_t v)
{
    wr32(s, SMMU_CR0, v);
    return wait_eq(s, SMMU_CR0ACK, 0xffffffffu, v);
}

static unsigned min_u(unsigned a, unsigned b)
{
    return a < b ? a : b;
}

/* A command that the SMMU refused (CMDQ_CONS.ERR) is replaced by a
 * CMD_SYNC, so that the queue goes on, and the error acknowledged. */
static void recover_cmd_error(struct smmu *s)
{
    uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
    uint64_t *bad = &s->cmdq[smmu_q_index(cons, s->cmdq_log2) * CMD_DWORDS];

    log_err("SMMU: command 0x%llx 0x%llx refused (error %u)", (unsigned long long)bad[0],
            (unsigned long long)bad[1], CMDQ_CONS_ERR(cons));
    s->cmd_errors++;
    smmu_cmd_sync(bad);
    dsb(ish);
    wr32(s, SMMU_GERRORN, rd32(s, SMMU_GERRORN) ^ GERROR_CMDQ_ERR);
}

/* Queues the commands, then a CMD_SYNC, and waits for the SYNC to be
 * consumed: every command before it has then taken effect. */
static int submit(struct smmu *s, const uint64_t (*cmds)[CMD_DWORDS], unsigned n)
{
    uint64_t sync[CMD_DWORDS];
    int rc = 0;

    smmu_cmd_sync(sync);
    spin_lock(&s->cmdq_lock);
    for (unsigned i = 0; i <= n && rc == 0; i++) {
        const uint64_t *c = i < n ? cmds[i] : sync;
        unsigned polls = 0;

        while (smmu_q_full(s->cmdq_prod, rd32(s, SMMU_CMDQ_CONS), s->cmdq_log2)) {
            if (rd32(s, SMMU_GERROR) & ~rd32(s, SMMU_GERRORN) & GERROR_CMDQ_ERR)
                recover_cmd_error(s);
            if (++polls == SMMU_POLL_MAX) {
                rc = -1;
                break;
            }
        }
        if (rc)
            break;
        uint64_t *slot = &s->cmdq[smmu_q_index(s->cmdq_prod, s->cmdq_log2) * CMD_DWORDS];
        slot[0] = c[0];
        slot[1] = c[1];
        s->cmdq_prod = smmu_q_next(s->cmdq_prod, s->cmdq_log2);
    }
    if (rc == 0) {
        uint32_t at = (s->cmdq_prod - 1) & ((2u << s->cmdq_log2) - 1);
        dsb(ish);           /* the commands in memory before PROD moves */
        wr32(s, SMMU_CMDQ_PROD, s->cmdq_prod);
        rc = -1;
        for (unsigned i = 0; i < SMMU_POLL_MAX; i++) {
            uint32_t cons = rd32(s, SMMU_CMDQ_CONS);
            if (rd32(s, SMMU_GERROR) & ~rd32(s, SMMU_GERRORN) & GERROR_CMDQ_ERR)
                recover_cmd_error(s);
            else if (smmu_q_consumed(cons, at, s->cmdq_log2)) {
                rc = 0;
                break;
            }
        }
    }
    spin_unlock(&s->cmdq_lock);
    if (rc)
        log_err("SMMU: the command queue does not progress");
    return rc;
}

static int setup_tables(struct smmu *s, unsigned sid_bits, smmu_alloc_fn alloc)
{
    uint64_t ste_bytes = STE_DWORDS * sizeof(uint64_t);
    uint64_t n = 1ULL << sid_bits;

    s->sid_bits = sid_bits;
    /* The SMMU aligns a linear table's base to its size. */
    s->strtab = alloc(n * ste_bytes, n * ste_bytes);
    s->cmdq_log2 = min_u(IDR1_CMDQS(s->idr1), CMDQ_LOG2_MAX);
    /* The SMMU aligns a queue's base to its size too. */
    s->cmdq = alloc(CMD_DWORDS * 8ULL << s->cmdq_log2, CMD_DWORDS * 8ULL << s->cmdq_log2);
    s->evtq_log2 = min_u(IDR1_EVENTQS(s->idr1), EVTQ_LOG2_MAX);
    s->evtq = alloc(EVT_DWORDS * 8ULL << s->evtq_log2, EVT_DWORDS * 8ULL << s->evtq_log2);
    if (!s->strtab || !s->cmdq || !s->evtq)
        return -1;
    for (uint64_t sid = 0; sid < n; sid++)
        smmu_ste_abort(&s->strtab[sid * STE_DWORDS]);
    dsb(ish);
    wr64(s, SMMU_STRTAB_BASE, BASE_RA | ((uint64_t)(uintptr_t)s->strtab & BASE_ADDR_MASK));
    wr32(s, SMMU_STRTAB_BASE_CFG, (uint32_t)STRTAB_CFG_LINEAR(sid_bits));
    wr64(s, SMMU_CMDQ_BASE, BASE_RA | ((uint64_t)(uintptr_t)s->cmdq & QBASE_ADDR_MASK) | s->cmdq_log2);
    wr32(s, SMMU_CMDQ_PROD, 0);
    wr32(s, SMMU_CMDQ_CONS, 0);
    s->cmdq_prod = 0;
    wr64(s, SMMU_EVENTQ_BASE, ((uint64_t)(uintptr_t)s->evtq & QBASE_ADDR_MASK) | s->evtq_log2);
    wr32(s, SMMU_EVENTQ_PROD, 0);
    wr32(s, SMMU_EVENTQ_CONS, 0);
    s->evtq_cons = 0;
    return 0;
}

const char *smmu_no_stage2_why(const struct smmu *s)
{
    if (!(s->idr0 & IDR0_S2P))
        return "no stage-2 translation (QEMU: -global arm-smmuv3.stage=2)";
    if (!(IDR0_TTF(s->idr0) & 2))
        return "no AArch64 translation tables";
    if (!(s->idr5 & IDR5_GRAN4K))
        return "no 4 KiB granule";
    return NULL;
}

int smmu_init(struct smmu *s, uint64_t base, unsigned sid_bits, smmu_alloc_fn alloc,
              const char **why)
{
    uint64_t cmds[2][CMD_DWORDS];

    memset(s, 0, sizeof(*s));
    spin_lock_init(&s->cmdq_lock);
    s->base = base;
    s->idr0 = rd32(s, SMMU_IDR0);
    s->idr1 = rd32(s, SMMU_IDR1);
    s->idr5 = rd32(s, SMMU_IDR5);
    s->oas_bits = smmu_oas_bits(IDR5_OAS(s->idr5));
    s->vmid16 = s->idr0 & IDR0_VMID16;
    s->stage2 = smmu_no_stage2_why(s) == NULL;
    if (sid_bits > IDR1_SIDSIZE(s->idr1))
        sid_bits = IDR1_SIDSIZE(s->idr1);

    /* Off, and while off every transaction aborts instead of bypassing. */
    *why = "does not acknowledge CR0";
    if (!write_cr0(s, 0))
        return -1;
    wr32(s, SMMU_GBPA, GBPA_UPDATE | GBPA_ABORT);
    if (!wait_eq(s, SMMU_GBPA, GBPA_UPDATE, 0))
        return -1;
    *why = "out of memory for its tables";
    if (setup_tables(s, sid_bits, alloc) < 0)
        return -1;
    wr32(s, SMMU_CR1, (uint32_t)CR1_WB_INNER_SHAREABLE);
    wr32(s, SMMU_CR2, (uint32_t)CR2_RECINVSID);
    *why = "does not acknowledge CR0";
    if (!write_cr0(s, CR0_CMDQEN))
        return -1;
    /* Nothing cached from before elvisor may survive. */
    smmu_cmd_cfgi_all(cmds[0]);
    smmu_cmd_tlbi_nsnh_all(cmds[1]);
    *why = "its command queue does not progress";
    if (submit(s, cmds, 2) < 0)
        return -1;
    *why = "does not acknowledge CR0";
    if (!write_cr0(s, CR0_CMDQEN | CR0_EVENTQEN))
        return -1;
    wr32(s, SMMU_IRQ_CTRL, (uint32_t)(IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN));
    *why = "does not acknowledge IRQ_CTRL";
    if (!wait_eq(s, SMMU_IRQ_CTRLACK, 0xffffffffu, (uint32_t)(IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN)))
        return -1;
    *why = "does not acknowledge CR0";
    if (!write_cr0(s, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN))
        return -1;
    s->enabled = true;
    *why = "";
    return 0;
}

static int write_ste(struct smmu *s, uint32_t sid, const uint64_t ste[STE_DWORDS], uint16_t old_vmid,
                     bool flush_vmid)
{
    uint64_t *e = &s->strtab[(uint64_t)sid * STE_DWORDS];
    uint64_t cmds[2][CMD_DWORDS];

    /* Dword 0 (V and Config) last: the SMMU may fetch the STE at any time
     * and must see the old configuration or the whole new one. */
    for (unsigned i = STE_DWORDS - 1; i > 0; i--)
        e[i] = ste[i];
    dsb(ish);
    e[0] = ste[0];
    dsb(ish);
    smmu_cmd_cfgi_ste(cmds[0], sid);
    smmu_cmd_tlbi_s12_vmall(cmds[1], old_vmid);
    return submit(s, cmds, flush_vmid ? 2 : 1);
}

int smmu_stream_s2(struct smmu *s, uint32_t sid, const struct smmu_s2_cfg *c)
{
    uint64_t ste[STE_DWORDS];
    struct smmu_s2_cfg cfg = *c;

    if (!s->enabled || !s->stage2 || sid >> s->sid_bits)
        return -1;
    if (cfg.pa_bits > s->oas_bits)
        cfg.pa_bits = s->oas_bits;
    /* The SMMU's input size is its output size (AArch64 tables only): a
     * 48-bit stage 2 is walked from the same root with fewer level-0
     * entries in use, IPAs beyond faulting. */
    if (cfg.ipa_bits > s->oas_bits)
        cfg.ipa_bits = s->oas_bits;
    if (!s->vmid16 && cfg.vmid > 0xff)
        return -1;
    if (smmu_ste_s2(ste, &cfg) < 0)
        return -1;
    return write_ste(s, sid, ste, 0, false);
}

int smmu_stream_abort(struct smmu *s, uint32_t sid, uint16_t vmid)
{
    uint64_t ste[STE_DWORDS];

    if (!s->enabled || sid >> s->sid_bits)
        return -1;
    smmu_ste_abort(ste);
    return write_ste(s, sid, ste, vmid, true);
}

int smmu_tlbi_s2(struct smmu *s, uint16_t vmid, uint64_t ipa, uint64_t size)
{
    uint64_t cmds[TLBI_PAGES_MAX][CMD_DWORDS];
    uint64_t pages = (size + 0xfff) >> 12;

    if (!s->enabled)
        return 0;
    if (pages > TLBI_PAGES_MAX) {
        smmu_cmd_tlbi_s12_vmall(cmds[0], vmid);
        return submit(s, cmds, 1);
    }
    /* Not leaf-only: a map may have added tables on the way. */
    for (uint64_t i = 0; i < pages; i++)
        smmu_cmd_tlbi_s2_ipa(cmds[i], vmid, ipa + (i << 12), false);
    return submit(s, cmds, (unsigned)pages);
}

unsigned smmu_drain_events(struct smmu *s, void (*fn)(void *ctx, const struct smmu_event *e), void *ctx)
{
    unsigned n = 0;

    for (;;) {
        uint32_t prod = rd32(s, SMMU_EVENTQ_PROD);

        if (smmu_q_empty(prod, s->evtq_cons, s->evtq_log2))
            break;
        dsb(ld);            /* the record after the index that shows it */
        struct smmu_event e;
        smmu_event_decode(&s->evtq[smmu_q_index(s->evtq_cons, s->evtq_log2) * EVT_DWORDS], &e);
        s->evtq_cons = smmu_q_next(s->evtq_cons, s->evtq_log2);
        wr32(s, SMMU_EVENTQ_CONS, s->evtq_cons);
        fn(ctx, &e);
        n++;
    }
    return n;
}

uint32_t smmu_take_gerror(struct smmu *s)
{
    uint32_t active = rd32(s, SMMU_GERROR) ^ rd32(s, SMMU_GERRORN);

    if (active & GERROR_CMDQ_ERR) {
        /* The command path recovers these itself under its lock. */
        active &= ~(uint32_t)GERROR_CMDQ_ERR;
    }
    if (active)
        wr32(s, SMMU_GERRORN, rd32(s, SMMU_GERRORN) ^ active);
    return active;
}
