#include "arch/arm64/its.h"

#include "arch/arm64/sysreg.h"
#include "lib/log.h"

#define GITS_BASER_NR       8
/* GITS_CBASER: Valid, inner-shareable write-back like the tables, Size
 * [7:0] in 4 KiB pages - 1. */
#define GITS_CBASER_VALID   (1ULL << 63)
#define GITS_CBASER_ATTRS   ((7ULL << 59) | (1ULL << 10))
#define CMDQ_BYTES          4096u
#define TABLE_ALIGN         4096u
/* Polls of CREADR before giving up: QEMU consumes a command inside the
 * CWRITER write, hardware within microseconds. */
#define ITS_POLL_MAX        1000000u

static uint64_t rd64(const struct its *its, uint64_t off)
{
    return *(volatile uint64_t *)(uintptr_t)(its->base + off);
}

static void wr64(const struct its *its, uint64_t off, uint64_t v)
{
    *(volatile uint64_t *)(uintptr_t)(its->base + off) = v;
}

static uint32_t rd32(const struct its *its, uint64_t off)
{
    return *(volatile uint32_t *)(uintptr_t)(its->base + off);
}

static void wr32(const struct its *its, uint64_t off, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(its->base + off) = v;
}

/* A flat table for the GITS_BASER of type `type`; unused types stay invalid. */
static int setup_table(struct its *its, unsigned type, unsigned id_bits, its_alloc_fn alloc, const char **why)
{
    for (unsigned n = 0; n < GITS_BASER_NR; n++) {
        uint64_t reset = rd64(its, GITS_BASER(n)), v;
        if (its_baser_type(reset) != type)
            continue;
        unsigned pages = its_table_pages(its_baser_entry_bytes(reset), id_bits);
        void *table = pages ? alloc((uint64_t)pages * TABLE_ALIGN, TABLE_ALIGN) : 0;
        if (!table || its_baser_value(reset, (uint64_t)(uintptr_t)table, pages, &v) < 0) {
            *why = "no memory for its device or collection table";
            return -1;
        }
        wr64(its, GITS_BASER(n), v);
        /* Page_Size or Size the ITS does not take reads back different. */
        if ((rd64(its, GITS_BASER(n)) & 0x3ff) != (v & 0x3ff) || !(rd64(its, GITS_BASER(n)) >> 63)) {
            *why = "the ITS refused a flat table of 4 KiB pages";
            return -1;
        }
        return 0;
    }
    *why = "no GITS_BASER of the table's type";
    return -1;
}

int its_init(struct its *its, uint64_t base, unsigned device_bits, its_alloc_fn alloc, const char **why)
{
    its->base = base;
    its->enabled = false;
    its->typer_raw = rd64(its, GITS_TYPER);
    its_typer_decode(its->typer_raw, &its->typer);
    if (!its->typer.physical) {
        *why = "the ITS has no physical LPIs";
        return -1;
    }
    if (rd32(its, GITS_CTLR) & GITS_CTLR_ENABLED) {
        /* Firmware left it on: its tables may be anywhere. Off first. */
        wr32(its, GITS_CTLR, 0);
        for (unsigned i = 0; i < ITS_POLL_MAX && !(rd32(its, GITS_CTLR) & GITS_CTLR_QUIESCENT); i++)
            ;
    }
    its->device_bits = device_bits < its->typer.device_bits ? device_bits : its->typer.device_bits;
    if (setup_table(its, ITS_BASER_DEVICES, its->device_bits, alloc, why) < 0)
        return -1;
    /* One collection per physical CPU: 8 ICID bits are plenty. */
    if (!its->typer.hcc && setup_table(its, ITS_BASER_COLLECTIONS, 8, alloc, why) < 0)
        return -1;
    its->cmdq = alloc(CMDQ_BYTES, CMDQ_BYTES);
    if (!its->cmdq) {
        *why = "no memory for its command queue";
        return -1;
    }
    wr64(its, GITS_CBASER, GITS_CBASER_VALID | GITS_CBASER_ATTRS | (uint64_t)(uintptr_t)its->cmdq |
                               (CMDQ_BYTES / TABLE_ALIGN - 1));
    its->cwriter = 0;
    wr64(its, GITS_CWRITER, 0);
    wr32(its, GITS_CTLR, GITS_CTLR_ENABLED);
    its->enabled = true;
    return 0;
}

static bool wait_consumed(struct its *its, uint64_t upto)
{
    for (unsigned i = 0; i < ITS_POLL_MAX; i++) {
        uint64_t creadr = rd64(its, GITS_CREADR);
        if (creadr & GITS_CREADR_STALLED) {
            /* Nothing after it will be consumed: the ITS is given up. */
            its->enabled = false;
            const uint64_t *bad = its->cmdq + (creadr & ~0x1fULL) / 8;
            log_err("ITS: command 0x%llx 0x%llx 0x%llx 0x%llx stalled the queue", (unsigned long long)bad[0],
                    (unsigned long long)bad[1], (unsigned long long)bad[2], (unsigned long long)bad[3]);
            its->cmd_errors++;
            return false;
        }
        if (creadr == upto)
            return true;
    }
    log_err("ITS: the command queue does not progress (CREADR 0x%llx, CWRITER 0x%llx)",
            (unsigned long long)rd64(its, GITS_CREADR), (unsigned long long)upto);
    return false;
}

int its_submit(struct its *its, const uint64_t (*cmds)[ITS_CMD_DWORDS], unsigned n)
{
    int rc = 0;

    /* Every submission waits until the queue is empty again, so a batch
     * that leaves one slot free always fits. */
    if (n >= CMDQ_BYTES / ITS_CMD_BYTES)
        return -1;
    spin_lock(&its->cmdq_lock);
    if (!its->enabled)
        rc = -1;
    for (unsigned i = 0; i < n && rc == 0; i++) {
        uint64_t *slot = its->cmdq + its->cwriter / 8;
        for (unsigned d = 0; d < ITS_CMD_DWORDS; d++)
            slot[d] = cmds[i][d];
        its->cwriter = its_queue_next(its->cwriter, CMDQ_BYTES);
    }
    if (rc == 0) {
        dsb(ish);           /* the commands in memory before CWRITER moves */
        wr64(its, GITS_CWRITER, its->cwriter);
        if (!wait_consumed(its, its->cwriter))
            rc = -1;
    }
    spin_unlock(&its->cmdq_lock);
    return rc;
}
