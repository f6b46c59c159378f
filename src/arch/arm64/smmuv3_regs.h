/* SMMUv3 register, structure and command layouts (Arm IHI 0070, "SMMU
 * architecture version 3": chapter 6 registers, 5.2 the STE, 4 commands,
 * 7.3 event records). Only what elvisor's stage-2 driver uses. */
#ifndef ELVISOR_ARCH_SMMUV3_REGS_H
#define ELVISOR_ARCH_SMMUV3_REGS_H

#define SMMU_BIT(n)             (1ULL << (n))
#define SMMU_FIELD(v, lo, w)    (((uint64_t)(v) & ((1ULL << (w)) - 1)) << (lo))
#define SMMU_GET(r, lo, w)      ((unsigned)(((uint64_t)(r) >> (lo)) & ((1ULL << (w)) - 1)))

/* Page 0 */
#define SMMU_IDR0               0x00
#define SMMU_IDR1               0x04
#define SMMU_IDR5               0x14
#define SMMU_CR0                0x20
#define SMMU_CR0ACK             0x24
#define SMMU_CR1                0x28
#define SMMU_CR2                0x2c
#define SMMU_GBPA               0x44
#define SMMU_IRQ_CTRL           0x50
#define SMMU_IRQ_CTRLACK        0x54
#define SMMU_GERROR             0x60
#define SMMU_GERRORN            0x64
#define SMMU_STRTAB_BASE        0x80
#define SMMU_STRTAB_BASE_CFG    0x88
#define SMMU_CMDQ_BASE          0x90
#define SMMU_CMDQ_PROD          0x98
#define SMMU_CMDQ_CONS          0x9c
#define SMMU_EVENTQ_BASE        0xa0
/* Page 1 (64 KiB further): the event queue's indexes */
#define SMMU_EVENTQ_PROD        0x100a8
#define SMMU_EVENTQ_CONS        0x100ac

/* IDR0 */
#define IDR0_S2P                SMMU_BIT(0)
#define IDR0_S1P                SMMU_BIT(1)
#define IDR0_TTF(r)             SMMU_GET(r, 2, 2)       /* bit 1: AArch64 tables */
#define IDR0_COHACC             SMMU_BIT(4)
#define IDR0_BTM                SMMU_BIT(5)
#define IDR0_VMID16             SMMU_BIT(18)
#define IDR0_ST_LEVEL(r)        SMMU_GET(r, 27, 2)      /* 0 linear, 1 2-level */
/* IDR1 */
#define IDR1_SIDSIZE(r)         SMMU_GET(r, 0, 6)
#define IDR1_EVENTQS(r)         SMMU_GET(r, 16, 5)
#define IDR1_CMDQS(r)           SMMU_GET(r, 21, 5)
#define IDR1_TABLES_PRESET      SMMU_BIT(30)
#define IDR1_QUEUES_PRESET      SMMU_BIT(29)
/* IDR5 */
#define IDR5_OAS(r)             SMMU_GET(r, 0, 3)       /* 0:32 1:36 2:40 3:42 4:44 5:48 6:52 bits */
#define IDR5_GRAN4K             SMMU_BIT(4)

/* CR0 */
#define CR0_SMMUEN              SMMU_BIT(0)
#define CR0_EVENTQEN            SMMU_BIT(2)
#define CR0_CMDQEN              SMMU_BIT(3)
/* CR1: tables and queues inner-shareable write-back, as elvisor maps RAM */
#define CR1_WB_INNER_SHAREABLE  (SMMU_FIELD(1, 0, 2) | SMMU_FIELD(1, 2, 2) | SMMU_FIELD(3, 4, 2) | \
                                 SMMU_FIELD(1, 6, 2) | SMMU_FIELD(1, 8, 2) | SMMU_FIELD(3, 10, 2))
/* CR2: report transactions with out-of-range stream IDs */
#define CR2_RECINVSID           SMMU_BIT(1)
/* GBPA: what passes while SMMUEN is clear */
#define GBPA_ABORT              SMMU_BIT(20)
#define GBPA_UPDATE             SMMU_BIT(31)
/* IRQ_CTRL */
#define IRQ_CTRL_GERROR_IRQEN   SMMU_BIT(0)
#define IRQ_CTRL_EVENTQ_IRQEN   SMMU_BIT(2)
/* GERROR bits */
#define GERROR_CMDQ_ERR         SMMU_BIT(0)
#define GERROR_EVENTQ_ABT_ERR   SMMU_BIT(2)
#define GERROR_SFM_ERR          SMMU_BIT(8)
/* CMDQ_CONS.ERR */
#define CMDQ_CONS_ERR(r)        SMMU_GET(r, 24, 7)
/* STRTAB_BASE / _CFG, queue bases */
#define BASE_RA                 SMMU_BIT(62)
#define BASE_ADDR_MASK          0x000fffffffffffc0ULL   /* [51:6] */
#define QBASE_ADDR_MASK         0x000fffffffffffe0ULL   /* [51:5] */
#define STRTAB_CFG_LINEAR(log2) SMMU_FIELD(log2, 0, 6)  /* FMT 0 */

/* STE: 8 double words; elvisor fills 0-3 */
#define STE_DWORDS              8
#define STE_V                   SMMU_BIT(0)
#define STE_CFG_ABORT           SMMU_FIELD(0, 1, 3)
#define STE_CFG_BYPASS          SMMU_FIELD(4, 1, 3)
#define STE_CFG_S2              SMMU_FIELD(6, 1, 3)     /* stage 1 bypass, stage 2 translate */
#define STE1_SHCFG_INCOMING     SMMU_FIELD(1, 44, 2)
#define STE2_S2VMID(v)          SMMU_FIELD(v, 0, 16)
#define STE2_S2T0SZ(v)          SMMU_FIELD(v, 32, 6)
#define STE2_S2SL0(v)           SMMU_FIELD(v, 38, 2)
#define STE2_S2IR0_WBWA         SMMU_FIELD(1, 40, 2)
#define STE2_S2OR0_WBWA         SMMU_FIELD(1, 42, 2)
#define STE2_S2SH0_INNER        SMMU_FIELD(3, 44, 2)
#define STE2_S2TG_4K            SMMU_FIELD(0, 46, 2)
#define STE2_S2PS(v)            SMMU_FIELD(v, 48, 3)
#define STE2_S2AA64             SMMU_BIT(51)
#define STE2_S2R                SMMU_BIT(58)
#define STE3_S2TTB_MASK         0x000ffffffffffff0ULL   /* [51:4] */

/* Commands: 2 double words; opcode in [7:0] */
#define CMD_DWORDS              2
#define CMD_CFGI_STE            0x03
#define CMD_CFGI_ALL            0x04
#define CMD_TLBI_S12_VMALL      0x28
#define CMD_TLBI_S2_IPA         0x2a
#define CMD_TLBI_NSNH_ALL       0x30
#define CMD_SYNC                0x46
#define CMD0_SID(v)             SMMU_FIELD(v, 32, 32)
#define CMD0_VMID(v)            SMMU_FIELD(v, 32, 16)
#define CMD1_LEAF               SMMU_BIT(0)
#define CMD1_CFGI_ALL_RANGE     SMMU_FIELD(31, 0, 5)
#define CMD1_IPA_MASK           0x000ffffffffff000ULL   /* [51:12] */

/* Event records: 4 double words */
#define EVT_DWORDS              4
#define EVT_TYPE(d0)            SMMU_GET(d0, 0, 8)
#define EVT_SID(d0)             ((uint32_t)((d0) >> 32))
#define EVT_RNW(d1)             SMMU_GET(d1, 35, 1)
#define EVT_S2(d1)              SMMU_GET(d1, 39, 1)
#define EVT_IPA_MASK            0x000ffffffffffff8ULL   /* dword 3 [51:3] */
#define EVT_C_BAD_STREAMID      0x02
#define EVT_F_STE_FETCH         0x03
#define EVT_C_BAD_STE           0x04
#define EVT_F_STREAM_DISABLED   0x06
#define EVT_F_TRANSLATION       0x10
#define EVT_F_ADDR_SIZE         0x11
#define EVT_F_ACCESS            0x12
#define EVT_F_PERMISSION        0x13
#define EVT_F_WALK_EABT         0x0b

#endif
