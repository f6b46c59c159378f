/* vel2s2: a guest hypervisor runs its guest on its own stage 2
 * (docs/nested.md §9.7). Starts at EL2 like vel2nest (under elvisor
 * the virtual EL2 of a VM with `virt-el2`, on bare QEMU the real one, the
 * oracle for every check).
 *
 * L1 builds a 4 KiB-granule stage 2 (32-bit IPA, start level 1): its RAM
 * identity-mapped by a 1 GiB block (the payload runs from there), IPA A ->
 * page P, IPA C -> page R read-only, IPA B unmapped at level 3, nothing at
 * level 1 for IPA D. It sets HCR_EL2.VM and ERETs to an EL1 payload with
 * its MMU off (nest.S) that reads A (P's marker), reads B (L1 gets EC 0x24,
 * maps B -> page S, `tlbi ipas2e1is`, retries: S's marker), reads C, writes
 * C (a permission fault although elvisor already holds a shadow entry for
 * C: skipped), reads D (a level-1 translation fault, skipped), reads the
 * UART's PeriphID0 through IPA E (L1 maps E to the UART) and ends with
 * `hvc #5`. Each fault is checked as L1's
 * hardware reports it: ESR (EC, DFSC type and level, WnR), FAR_EL2 = the
 * VA, HPFAR_EL2 = the IPA, ELR = the access. Then L1 remaps A -> Q with
 * `tlbi vmalls12e1is` and runs a second payload that must read Q; then
 * the same payload on a second stage 2 (another VTTBR and VMID, A -> S)
 * must read S, and back on the first one Q, without TLB maintenance. */
#include "guest.h"

#include "lib/printf.h"
#include "lib/string.h"

const char guest_name[] = "vel2s2";

#define HCR_VM                  BIT(0)
#define HCR_TGE                 BIT(27)
#define HCR_RW                  BIT(31)

#define ESR_EC_DABT_LOW         0x24
#define ESR_DFSC(esr)           FIELD(esr, 0, 6)
#define ESR_WNR                 BIT(6)
#define DFSC_TRANS(l)           (0x04 + (l))
#define DFSC_PERM(l)            (0x0c + (l))
#define HVC_IMM                 5
#define HPFAR_OF(ipa)           (((ipa) >> 12) << 4)

/* VTCR_EL2: T0SZ 32 (4 GiB of IPA), SL0 = 1 (start at level 1), inner
 * shareable write-back walks, TG0 = 4 KiB, PS = 32 bits, RES1 bit 31. */
#define VTCR_T0SZ_32            32UL
#define VTCR_SL0_L1             (1UL << 6)
#define VTCR_IRGN0_WB           (1UL << 8)
#define VTCR_ORGN0_WB           (1UL << 10)
#define VTCR_SH0_INNER          (3UL << 12)
#define VTCR_RES1               BIT(31)
#define VTCR_VALUE              (VTCR_T0SZ_32 | VTCR_SL0_L1 | VTCR_IRGN0_WB | VTCR_ORGN0_WB | \
                                 VTCR_SH0_INNER | VTCR_RES1)
#define VMID_L2                 ((uint64_t)7 << 48)
#define VMID_L2B                ((uint64_t)8 << 48)

/* Stage-2 descriptors. */
#define TT_ENTRIES              512
#define PAGE_SIZE               4096
#define S2_VALID                BIT(0)
#define S2_TABLE                (BIT(0) | BIT(1))
#define S2_PAGE                 (BIT(0) | BIT(1))
#define S2_MEMATTR_WB           (0xfUL << 2)
#define S2_AP_R                 BIT(6)
#define S2_AP_W                 BIT(7)
#define S2_SH_INNER             (3UL << 8)
#define S2_AF                   BIT(10)
#define S2_NORMAL               (S2_MEMATTR_WB | S2_SH_INNER | S2_AF)
#define S2_MEMATTR_DEV_nGnRE    (0x1UL << 2)
#define S2_XN                   (2UL << 53)
#define GIB                     (1UL << 30)

#define SCTLR_EL1_RES1          0x30d00800UL

/* The payload (nest.S) has the same four IPAs. */
#define IPA_A                   0x80000000UL    /* level-3 index 0 */
#define IPA_B                   0x80001000UL    /* index 1: mapped on its fault */
#define IPA_C                   0x80002000UL    /* index 2: read-only */
#define IPA_D                   0xc0000000UL    /* level-1 index 3: empty */
#define IPA_E                   0x80003000UL    /* index 3: the UART */
#define UART_BASE               0x09000000UL    /* QEMU virt's PL011, the VM's too */
#define UART_PERIPHID0          0xfe0
#define PL011_PERIPHID0_VALUE   0x11

#define MARKER_P                0x5050505050505050UL
#define MARKER_Q                0x5151515151515151UL
#define MARKER_R                0x5252525252525252UL
#define MARKER_S                0x5353535353535353UL

static uint64_t s2_l1[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t s2_l2[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t s2_l3[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
/* A second stage 2 (another VMID) mapping A -> page S. */
static uint64_t s2b_l1[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t s2b_l2[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t s2b_l3[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_p[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_q[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_r[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static volatile uint64_t page_s[TT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

void nest_run(void (*entry)(void), uint64_t x1);
uint64_t nest_exit_c(struct exc_frame *f, uint64_t esr);
extern char nest_vectors[], l2_vectors[];
extern char s2_read_a[], s2_read_b[], s2_write_c[], s2_read_d[];
void s2_payload(void);
void s2_payload_again(void);

struct fault {
    uint64_t esr, far, hpfar, elr;
};

static struct {
    unsigned n, n_faults;
    struct fault f[4];
    uint64_t x5, x6, x7, x8, x9, bad_esr, bad_elr;
    bool ended, unexpected;
} seen;

static uint64_t page_desc(volatile uint64_t *page, uint64_t ap)
{
    return (uint64_t)(uintptr_t)page | S2_PAGE | S2_NORMAL | ap;
}

uint64_t nest_exit_c(struct exc_frame *f, uint64_t esr)
{
    seen.n++;
    if (ESR_EC(esr) == ESR_EC_DABT_LOW && seen.n_faults < 4) {
        struct fault *t = &seen.f[seen.n_faults++];
        t->esr = esr;
        t->far = read_sysreg(far_el2);
        t->hpfar = read_sysreg(hpfar_el2);
        t->elr = f->elr;
        if (t->elr == (uint64_t)(uintptr_t)s2_read_b) {
            /* Map B and retry the access. */
            s2_l3[1] = page_desc(page_s, S2_AP_R | S2_AP_W);
            dsb(ishst);
            __asm__ volatile("tlbi ipas2e1is, %0" ::"r"(IPA_B >> 12) : "memory");
            dsb(ish);
            isb();
        } else {
            f->elr += 4;
        }
        return 1;
    }
    if (ESR_EC(esr) == ESR_EC_HVC64 && ESR_ISS(esr) == HVC_IMM) {
        seen.x5 = f->x[5];
        seen.x6 = f->x[6];
        seen.x7 = f->x[7];
        seen.x8 = f->x[8];
        seen.x9 = f->x[9];
        seen.ended = true;
        return 0;
    }
    seen.unexpected = true;
    seen.bad_esr = ESR_EC(esr) == ESR_EC_HVC64 ? f->x[6] : esr;
    seen.bad_elr = ESR_EC(esr) == ESR_EC_HVC64 ? f->x[7] : f->elr;
    return 0;
}

static void run(void (*payload)(void))
{
    uint64_t vbar = read_sysreg(vbar_el2);

    write_sysreg((uint64_t)(uintptr_t)nest_vectors, vbar_el2);
    isb();
    nest_run(payload, IPA_A);
    write_sysreg(vbar, vbar_el2);
    isb();
}

/* AT S12E1R/W and S12E0R/W from EL2 translate its guest's VA through the
 * guest's stage 1 (off here: VA = IPA, Device-nGnRnE) and then its own
 * stage 2: PAR_EL1 gives the PA of its stage 2 with the attributes of both
 * stages combined (Device-nGnRnE whatever stage 2 says, outer shareable),
 * or a stage-2 fault (F, FST, S) where its stage 2 refuses. */
#define PAR_F                   BIT(0)
#define PAR_FST(fsc)            ((uint64_t)(fsc) << 1)
#define PAR_S                   BIT(9)
#define PAR_FAULT_BITS          0x3ffUL                 /* F, FST, PTW, S */
#define PAR_SH_OUTER            (2UL << 7)
#define PAR_OK_BITS             (0xff0ffffffffff181UL)  /* ATTR, PA, SH, F */

enum at_s12 { S12E1R, S12E1W, S12E0R, S12E0W };

static uint64_t at_s12(enum at_s12 op, uint64_t va)
{
    switch (op) {
    case S12E1R: __asm__ volatile("at s12e1r, %0" ::"r"(va) : "memory"); break;
    case S12E1W: __asm__ volatile("at s12e1w, %0" ::"r"(va) : "memory"); break;
    case S12E0R: __asm__ volatile("at s12e0r, %0" ::"r"(va) : "memory"); break;
    case S12E0W: __asm__ volatile("at s12e0w, %0" ::"r"(va) : "memory"); break;
    }
    isb();
    return read_sysreg(par_el1);
}

static void check_at_s12(void)
{
    static const struct {
        const char *name;
        enum at_s12 op;
        uint64_t va, want;          /* PAR_OK_BITS of a translation, or PAR_FAULT_BITS of a fault */
        bool fault;
    } cases[] = {
        { "at_s12e1r_a", S12E1R, IPA_A + 0x18, 0, false },
        { "at_s12e0w_a", S12E0W, IPA_A, 0, false },
        { "at_s12e1r_c", S12E1R, IPA_C, 0, false },
        { "at_s12e1w_c_perm", S12E1W, IPA_C, PAR_F | PAR_FST(DFSC_PERM(3)) | PAR_S, true },
        { "at_s12e1r_b_unmapped", S12E1R, IPA_B, PAR_F | PAR_FST(DFSC_TRANS(3)) | PAR_S, true },
        { "at_s12e0r_d_level1", S12E0R, IPA_D, PAR_F | PAR_FST(DFSC_TRANS(1)) | PAR_S, true },
        { "at_s12e1r_e_device", S12E1R, IPA_E, 0, false },
    };
    const uint64_t pa[] = { (uintptr_t)page_p, (uintptr_t)page_p, (uintptr_t)page_r, 0, 0, 0, UART_BASE };

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint64_t par = at_s12(cases[i].op, cases[i].va);
        if (cases[i].fault)
            test_expect_eq(cases[i].name, par & PAR_FAULT_BITS, cases[i].want);
        else
            test_expect_eq(cases[i].name, par & PAR_OK_BITS, pa[i] | PAR_SH_OUTER);
    }
}

static void check_fault(const char *name, unsigned i, uint64_t elr, uint64_t ipa, unsigned dfsc, bool wnr)
{
    char c[48];
    const struct fault *t = &seen.f[i];

    elv_snprintf(c, sizeof(c), "%s_ec", name);
    test_expect_eq(c, ESR_EC(t->esr), ESR_EC_DABT_LOW);
    elv_snprintf(c, sizeof(c), "%s_dfsc", name);
    test_expect_eq(c, ESR_DFSC(t->esr), dfsc);
    elv_snprintf(c, sizeof(c), "%s_wnr", name);
    test_expect_eq(c, !!(t->esr & ESR_WNR), wnr);
    elv_snprintf(c, sizeof(c), "%s_far", name);
    test_expect_eq(c, t->far, ipa);
    elv_snprintf(c, sizeof(c), "%s_hpfar", name);
    test_expect_eq(c, t->hpfar, HPFAR_OF(ipa));
    elv_snprintf(c, sizeof(c), "%s_elr", name);
    test_expect_eq(c, t->elr, elr);
}

void guest_main(void)
{
    uint64_t hcr = read_sysreg(hcr_el2);

    page_p[0] = MARKER_P;
    page_q[0] = MARKER_Q;
    page_r[0] = MARKER_R;
    page_s[0] = MARKER_S;
    s2_l1[1] = 1 * GIB | S2_VALID | S2_NORMAL | S2_AP_R | S2_AP_W;    /* its RAM, identity */
    s2_l1[2] = (uint64_t)(uintptr_t)s2_l2 | S2_TABLE;
    s2_l2[0] = (uint64_t)(uintptr_t)s2_l3 | S2_TABLE;
    s2_l3[0] = page_desc(page_p, S2_AP_R | S2_AP_W);
    s2_l3[2] = page_desc(page_r, S2_AP_R);
    s2_l3[3] = UART_BASE | S2_PAGE | S2_MEMATTR_DEV_nGnRE | S2_AF | S2_XN | S2_AP_R | S2_AP_W;
    s2b_l1[1] = s2_l1[1];
    s2b_l1[2] = (uint64_t)(uintptr_t)s2b_l2 | S2_TABLE;
    s2b_l2[0] = (uint64_t)(uintptr_t)s2b_l3 | S2_TABLE;
    s2b_l3[0] = page_desc(page_s, S2_AP_R | S2_AP_W);
    dsb(sy);

    /* L2's EL1 state: MMU off, the reporting vectors. */
    write_sysreg(SCTLR_EL1_RES1, S3_5_C1_C0_0);                     /* SCTLR_EL12 */
    write_sysreg((uint64_t)(uintptr_t)l2_vectors, S3_5_C12_C0_0);   /* VBAR_EL12 */
    write_sysreg(VTCR_VALUE, vtcr_el2);
    write_sysreg((uint64_t)(uintptr_t)s2_l1 | VMID_L2, vttbr_el2);
    write_sysreg(((hcr | HCR_RW) & ~HCR_TGE) | HCR_VM, hcr_el2);
    isb();
    __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    dsb(ish);
    isb();

    check_at_s12();
    run(s2_payload);
    bool first_ok = test_check(!seen.unexpected, "l2_no_unexpected_exit", "ESR 0x%lx at 0x%lx",
                               seen.bad_esr, seen.bad_elr) &&
                    test_check(seen.ended, "l2_ran_to_hvc", "%u exits, no hvc #5", seen.n);

    /* Remap A -> Q: the guest's guest must see the change. */
    s2_l3[0] = page_desc(page_q, S2_AP_R | S2_AP_W);
    dsb(ishst);
    __asm__ volatile("tlbi vmalls12e1is" ::: "memory");
    dsb(ish);
    isb();
    uint64_t first_x5 = seen.x5, first_x6 = seen.x6, first_x8 = seen.x8, first_x9 = seen.x9;
    seen.ended = false;
    run(s2_payload_again);
    uint64_t second_x5 = seen.x5;

    /* Another stage 2 under another VMID, then the first again: no TLB
     * maintenance is needed for either switch, each must see its own. */
    write_sysreg((uint64_t)(uintptr_t)s2b_l1 | VMID_L2B, vttbr_el2);
    isb();
    run(s2_payload_again);
    uint64_t other_x5 = seen.x5;
    write_sysreg((uint64_t)(uintptr_t)s2_l1 | VMID_L2, vttbr_el2);
    isb();
    run(s2_payload_again);
    uint64_t back_x5 = seen.x5;

    write_sysreg(hcr, hcr_el2);
    isb();

    if (!first_ok)
        return;
    test_expect_eq("l2_faults", seen.n_faults, 3);
    test_expect_eq("s2_read_a_p", first_x5, MARKER_P);
    test_expect_eq("s2_read_b_after_map", first_x6, MARKER_S);
    test_expect_eq("s2_read_c_ro", first_x8, MARKER_R);
    check_fault("unmapped_l3", 0, (uint64_t)(uintptr_t)s2_read_b, IPA_B, DFSC_TRANS(3), false);
    check_fault("ro_write", 1, (uint64_t)(uintptr_t)s2_write_c, IPA_C, DFSC_PERM(3), true);
    check_fault("unmapped_l1", 2, (uint64_t)(uintptr_t)s2_read_d, IPA_D, DFSC_TRANS(1), false);
    test_expect_eq("page_r_unwritten", page_r[0], MARKER_R);
    /* L1 gave its guest the UART: under elvisor an emulated device. */
    test_expect_eq("s2_device_periphid0", first_x9 & 0xff, PL011_PERIPHID0_VALUE);
    test_check(seen.ended, "l2_again_ran_to_hvc", "no hvc #5 from the second payload");
    test_expect_eq("s2_remap_a_q", second_x5, MARKER_Q);
    test_expect_eq("s2_other_vttbr_s", other_x5, MARKER_S);
    test_expect_eq("s2_first_vttbr_again_q", back_x5, MARKER_Q);
}
