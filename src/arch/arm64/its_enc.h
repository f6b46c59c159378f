/* The pure part of a GICv3 ITS driver: commands and GITS_TYPER as the
 * architecture (Arm IHI 0069, 5.3 and 12.19) lays them out. Step 1 of MSIs
 * for assigned devices (docs/device-assignment.md, "MSIs: design, not
 * built"): nothing in elvisor issues these commands yet. Host-tested in
 * tests/unit/test_its_enc.c. */
#ifndef ELVISOR_ARCH_ITS_ENC_H
#define ELVISOR_ARCH_ITS_ENC_H

#include <stdbool.h>
#include <stdint.h>

/* A command is 32 bytes; the queue is a ring of them that GITS_CWRITER
 * and GITS_CREADR index in bytes. */
#define ITS_CMD_DWORDS      4
#define ITS_CMD_BYTES       32

enum its_cmd_op {
    ITS_CMD_MOVI = 0x01,
    ITS_CMD_INT = 0x03,
    ITS_CMD_CLEAR = 0x04,
    ITS_CMD_SYNC = 0x05,
    ITS_CMD_MAPD = 0x08,
    ITS_CMD_MAPC = 0x09,
    ITS_CMD_MAPTI = 0x0a,
    ITS_CMD_MAPI = 0x0b,
    ITS_CMD_INV = 0x0c,
    ITS_CMD_INVALL = 0x0d,
    ITS_CMD_DISCARD = 0x0f,
};

/* The first LPI INTID. */
#define ITS_LPI_FIRST       8192u

/* GITS_TYPER, decoded into sizes. */
struct its_typer {
    bool physical;              /* physical LPIs */
    unsigned itt_entry_bytes;   /* one ITT entry */
    unsigned event_bits;        /* EventIDs the ITS takes */
    unsigned device_bits;       /* DeviceIDs */
    unsigned collection_bits;   /* ICIDs (16 without CIL) */
    bool pta;                   /* MAPC/SYNC targets: redistributor PAs, else processor numbers */
    unsigned hcc;               /* collections held in the ITS, no table needed */
};
void its_typer_decode(uint64_t typer, struct its_typer *t);

/* MAPD: DeviceID's interrupt translation table at itt_pa (256-byte
 * aligned) for event_bits EventID bits (1 to 32); valid false unmaps it.
 * Negative when the arguments cannot be encoded. */
int its_cmd_mapd(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, unsigned event_bits, uint64_t itt_pa,
                 bool valid);
/* MAPC: collection icid to target, a processor number (GITS_TYPER.PTA 0)
 * or a redistributor's PA (PTA 1, 64 KiB aligned), as its_target() makes it. */
int its_cmd_mapc(uint64_t cmd[ITS_CMD_DWORDS], uint16_t icid, uint64_t target, bool valid);
/* The RDbase field of MAPC, SYNC and MOVALL for either PTA. Negative when
 * it does not fit (a PA not 64 KiB aligned or above 52 bits). */
int64_t its_target(bool pta, uint64_t processor_or_pa);
/* MAPTI: (DeviceID, EventID) to LPI lpi on collection icid. Negative for
 * an INTID that is not an LPI. */
int its_cmd_mapti(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, uint32_t eventid, uint32_t lpi,
                  uint16_t icid);
/* INT, CLEAR, INV, DISCARD: one (DeviceID, EventID). */
void its_cmd_event(uint64_t cmd[ITS_CMD_DWORDS], enum its_cmd_op op, uint32_t devid, uint32_t eventid);
/* MOVI: (DeviceID, EventID) to collection icid. */
void its_cmd_movi(uint64_t cmd[ITS_CMD_DWORDS], uint32_t devid, uint32_t eventid, uint16_t icid);
void its_cmd_invall(uint64_t cmd[ITS_CMD_DWORDS], uint16_t icid);
/* SYNC: every earlier command's effect visible at target (its_target()). */
void its_cmd_sync(uint64_t cmd[ITS_CMD_DWORDS], uint64_t target);

/* The queue's byte offsets: the next command's, and whether one more
 * command fits (the ITS needs one slot empty: CWRITER == CREADR is empty). */
uint64_t its_queue_next(uint64_t offset, uint64_t queue_bytes);
bool its_queue_full(uint64_t cwriter, uint64_t creadr, uint64_t queue_bytes);

#endif
