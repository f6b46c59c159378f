/* The pure part of a GICv3 ITS driver: commands, GITS_TYPER, GITS_BASER
 * and the redistributors' LPI tables as the architecture (Arm IHI 0069,
 * 5.3, 12.11 and 12.19) lays them out. Used by arch/arm64/its.c (steps 1
 * and 3 of MSIs for assigned devices, docs/device-assignment.md).
 * Host-tested in tests/unit/test_its_enc.c. */
#ifndef ELVISOR_ARCH_ITS_ENC_H
#define ELVISOR_ARCH_ITS_ENC_H

#include <stdbool.h>
#include <stdint.h>

/* The ITS's control registers (offsets in its first 64 KiB frame). */
#define GITS_CTLR           0x0000
#define GITS_TYPER          0x0008
#define GITS_CBASER         0x0080
#define GITS_CWRITER        0x0088
#define GITS_CREADR         0x0090
#define GITS_BASER(n)       (0x0100 + 8 * (n))
#define GITS_CTLR_ENABLED   1u
#define GITS_CTLR_QUIESCENT (1u << 31)
#define GITS_CREADR_STALLED 1u

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

/* GITS_BASER<n>: a flat table of `pages` 4 KiB pages at table_pa for the
 * Type and Entry_Size the register reset to (read-only fields, kept),
 * Valid, inner-shareable write-back (elvisor's own memory attributes).
 * Negative when the table cannot be described (PA not page aligned or
 * beyond 48 bits, 0 or more than 256 pages). */
#define ITS_BASER_DEVICES       1
#define ITS_BASER_COLLECTIONS   4
int its_baser_value(uint64_t reset, uint64_t table_pa, unsigned pages, uint64_t *value);
unsigned its_baser_type(uint64_t baser);
unsigned its_baser_entry_bytes(uint64_t baser);
/* 4 KiB pages a flat table of 2^id_bits entries needs; 0 above 256. */
unsigned its_table_pages(unsigned entry_bytes, unsigned id_bits);
/* An interrupt translation table for event_bits EventID bits: its bytes,
 * at least the 256 its alignment asks. */
uint64_t its_itt_bytes(unsigned entry_bytes, unsigned event_bits);

/* The redistributors' LPI tables for INTIDs below 2^id_bits (14 to 16):
 * the configuration table, one byte per LPI (priority | enable), and the
 * pending table, one bit per INTID from 0, 64 KiB aligned. */
#define LPI_CONFIG_ENABLE       1u
#define LPI_PEND_ALIGN          0x10000u
uint64_t lpi_config_bytes(unsigned id_bits);
uint64_t lpi_pending_bytes(unsigned id_bits);
/* GICR_PROPBASER / GICR_PENDBASER values, inner-shareable write-back;
 * PENDBASER with PTZ (the table is zero). Negative when misaligned. */
int lpi_propbaser(uint64_t config_pa, unsigned id_bits, uint64_t *value);
int lpi_pendbaser(uint64_t pending_pa, uint64_t *value);

/* The ITS DeviceID of a requester ID through the PCIe bridge's msi-map
 * row (<rid_base devid_base count>); negative outside the row. */
int64_t its_devid_of_rid(uint32_t rid, uint32_t rid_base, uint32_t devid_base, uint32_t count);

#endif
