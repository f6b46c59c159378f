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
