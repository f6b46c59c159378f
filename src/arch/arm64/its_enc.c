#include "arch/arm64/its_enc.h"

#include "lib/string.h"

/* Command fields (IHI 0069 5.3): DW0 [7:0] the command, [63:32] DeviceID;
 * DW1 [31:0] EventID (or MAPD's Size in [4:0]), [63:32] pINTID; DW2
 * [15:0] ICID, [51:8] ITT address, [51:16] RDbase, [63] Valid. */
#define DW0_DEVID(d)        ((uint64_t)(d) << 32)
#define DW1_EVENTID(e)      ((uint64_t)(e))
#define DW1_PINTID(i)       ((uint64_t)(i) << 32)
#define DW2_ICID(c)         ((uint64_t)(c))
#define DW2_ITT_MASK        0x000fffffffffff00ULL
#define DW2_RDBASE_MASK     0x000fffffffff0000ULL
#define DW2_VALID           (1ULL << 63)

static uint64_t field(uint64_t v, unsigned lo, unsigned width)
{
    return (v >> lo) & ((1ULL << width) - 1);
}

void its_typer_decode(uint64_t typer, struct its_typer *t)
{
    t->physical = field(typer, 0, 1);
    t->itt_entry_bytes = (unsigned)field(typer, 4, 4) + 1;
    t->event_bits = (unsigned)field(typer, 8, 5) + 1;
    t->device_bits = (unsigned)field(typer, 13, 5) + 1;
    t->pta = field(typer, 19, 1);
    t->hcc = (unsigned)field(typer, 24, 8);
    /* CIDbits means something only with CIL; without it ICIDs are 16 bits. */
    t->collection_bits = field(typer, 36, 1) ? (unsigned)field(typer, 32, 4) + 1 : 16;
}

static void start(uint64_t cmd[ITS_CMD_DWORDS], enum its_cmd_op op, uint32_t devid)
{
    memset(cmd, 0, ITS_CMD_BYTES);
    cmd[0] = (uint64_t)op | DW0_DEVID(devid);
}

int its_cmd_mapd(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, unsigned event_bits, uint64_t itt_pa,
                 bool valid)
{
    if (valid && (event_bits < 1 || event_bits > 32 || (itt_pa & ~DW2_ITT_MASK)))
        return -1;
    start(cmd, ITS_CMD_MAPD, devid);
    if (valid) {
        cmd[1] = event_bits - 1;
        cmd[2] = itt_pa | DW2_VALID;
    }
    return 0;
}

int64_t its_target(bool pta, uint64_t processor_or_pa)
{
    if (pta)
        return (processor_or_pa & ~DW2_RDBASE_MASK) ? -1 : (int64_t)processor_or_pa;
    /* A processor number sits where a PA's bits [51:16] would. */
    return processor_or_pa > 0xffff ? -1 : (int64_t)(processor_or_pa << 16);
}

int its_cmd_mapc(uint64_t cmd[ITS_CMD_DWORDS], uint16_t icid, uint64_t target, bool valid)
{
    if (target & ~DW2_RDBASE_MASK)
        return -1;
    start(cmd, ITS_CMD_MAPC, 0);
    cmd[2] = DW2_ICID(icid) | (valid ? target | DW2_VALID : 0);
    return 0;
}

int its_cmd_mapti(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, uint32_t eventid, uint32_t lpi,
                  uint16_t icid)
{
    if (lpi < ITS_LPI_FIRST)
        return -1;
    start(cmd, ITS_CMD_MAPTI, devid);
    cmd[1] = DW1_EVENTID(eventid) | DW1_PINTID(lpi);
    cmd[2] = DW2_ICID(icid);
    return 0;
}

void its_cmd_event(uint64_t cmd[ITS_CMD_DWORDS], enum its_cmd_op op, uint32_t devid, uint32_t eventid)
{
    start(cmd, op, devid);
    cmd[1] = DW1_EVENTID(eventid);
}

void its_cmd_movi(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, uint32_t eventid, uint16_t icid)
{
    its_cmd_event(cmd, ITS_CMD_MOVI, devid, eventid);
    cmd[2] = DW2_ICID(icid);
}

void its_cmd_invall(uint64_t cmd[ITS_CMD_DWORDS], uint16_t icid)
{
    start(cmd, ITS_CMD_INVALL, 0);
    cmd[2] = DW2_ICID(icid);
}

void its_cmd_sync(uint64_t cmd[ITS_CMD_DWORDS], uint64_t target)
{
    start(cmd, ITS_CMD_SYNC, 0);
    cmd[2] = target & DW2_RDBASE_MASK;
}

uint64_t its_queue_next(uint64_t offset, uint64_t queue_bytes)
{
    offset += ITS_CMD_BYTES;
    return offset >= queue_bytes ? 0 : offset;
}

bool its_queue_full(uint64_t cwriter, uint64_t creadr, uint64_t queue_bytes)
{
    return its_queue_next(cwriter, queue_bytes) == creadr;
}

/* GITS_BASER (IHI 0069 12.19.1): Valid [63], InnerCache [61:59], Type
 * [58:56], OuterCache [55:53], Entry_Size [52:48] (bytes - 1), PA
 * [47:12], Shareability [11:10], Page_Size [9:8] (0: 4 KiB), Size [7:0]
 * (pages - 1). */
#define BASER_VALID         (1ULL << 63)
#define BASER_INNER_WB      (7ULL << 59)        /* read- and write-allocate write-back */
#define BASER_RO_FIELDS     ((7ULL << 56) | (0x1fULL << 48))
#define BASER_PA_MASK       0x0000fffffffff000ULL
#define BASER_INNER_SHARE   (1ULL << 10)
#define BASER_PAGES_MAX     256u
#define TABLE_PAGE          4096u

int its_baser_value(uint64_t reset, uint64_t table_pa, unsigned pages, uint64_t *value)
{
    if ((table_pa & ~BASER_PA_MASK) || pages == 0 || pages > BASER_PAGES_MAX)
        return -1;
    *value = BASER_VALID | BASER_INNER_WB | (reset & BASER_RO_FIELDS) | table_pa | BASER_INNER_SHARE |
             (pages - 1);
    return 0;
}

unsigned its_baser_type(uint64_t baser)
{
    return (unsigned)field(baser, 56, 3);
}

unsigned its_baser_entry_bytes(uint64_t baser)
{
    return (unsigned)field(baser, 48, 5) + 1;
}

unsigned its_table_pages(unsigned entry_bytes, unsigned id_bits)
{
    if (id_bits > 20 || entry_bytes == 0)
        return 0;
    uint64_t pages = (((uint64_t)entry_bytes << id_bits) + TABLE_PAGE - 1) / TABLE_PAGE;
    return pages > BASER_PAGES_MAX ? 0 : (unsigned)pages;
}

#define ITT_ALIGN           256u

uint64_t its_itt_bytes(unsigned entry_bytes, unsigned event_bits)
{
    uint64_t n = (uint64_t)entry_bytes << event_bits;

    return (n + ITT_ALIGN - 1) / ITT_ALIGN * ITT_ALIGN;
}

/* GICR_PROPBASER (12.11.29): PA [51:12], IDbits [4:0] (bits - 1),
 * InnerCache [9:7], Shareability [11:10]. GICR_PENDBASER (12.11.28): PA
 * [51:16], PTZ [62], the same attribute fields. */
#define RD_INNER_WB         (7ULL << 7)
#define RD_INNER_SHARE      (1ULL << 10)
#define PROPBASER_PA_MASK   0x000ffffffffff000ULL
#define PENDBASER_PA_MASK   0x000fffffffff0000ULL
#define PENDBASER_PTZ       (1ULL << 62)

uint64_t lpi_config_bytes(unsigned id_bits)
{
    return (1ULL << id_bits) - ITS_LPI_FIRST;
}

uint64_t lpi_pending_bytes(unsigned id_bits)
{
    return (1ULL << id_bits) / 8;
}

int lpi_propbaser(uint64_t config_pa, unsigned id_bits, uint64_t *value)
{
    if ((config_pa & ~PROPBASER_PA_MASK) || id_bits < 14 || id_bits > 32)
        return -1;
    *value = config_pa | RD_INNER_WB | RD_INNER_SHARE | (id_bits - 1);
    return 0;
}

int lpi_pendbaser(uint64_t pending_pa, uint64_t *value)
{
    if (pending_pa & ~PENDBASER_PA_MASK)
        return -1;
    *value = pending_pa | PENDBASER_PTZ | RD_INNER_WB | RD_INNER_SHARE;
    return 0;
}

int64_t its_devid_of_rid(uint32_t rid, uint32_t rid_base, uint32_t devid_base, uint32_t count)
{
    if (rid < rid_base || rid - rid_base >= count)
        return -1;
    return (int64_t)devid_base + (rid - rid_base);
}
