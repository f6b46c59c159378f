/* abort: loads and stores to an IPA that is neither RAM nor a device must
 * end in a synchronous external abort taken at EL1, reported precisely
 * (ESR, FAR, ELR), after which the guest carries on normally. That includes
 * the host's second UART, elvisor's status port. The abort is entered with
 * the PSTATE the architecture gives any exception to EL1: PAN set when
 * SCTLR_EL1.SPAN is 0 and kept when it is 1, SSBS = SCTLR_EL1.DSSBS (each
 * where the CPU has FEAT_PAN / FEAT_SSBS). */
#include "guest.h"

const char guest_name[] = "abort";

#define RAM_PROBE_VALUE     0x0123456789ABCDEFUL

/* Each access records the address of its own instruction in *pc so the
 * reported ELR can be compared with it. */
#define DEFINE_ABORT_ACCESS(fn, insn, mod)                                  \
    static void fn(uintptr_t addr, uint64_t *pc)                            \
    {                                                                       \
        uint64_t v = 0;                                                     \
        __asm__ volatile("adr %1, 1f\n1:\t" insn " %" mod "0, [%2]"         \
                         : "+r"(v), "=&r"(*pc)                              \
                         : "r"(addr)                                        \
                         : "memory");                                       \
    }

DEFINE_ABORT_ACCESS(abort_ldr_w, "ldr", "w")
DEFINE_ABORT_ACCESS(abort_ldr_x, "ldr", "x")
DEFINE_ABORT_ACCESS(abort_ldrb, "ldrb", "w")
DEFINE_ABORT_ACCESS(abort_str_w, "str", "w")
DEFINE_ABORT_ACCESS(abort_strb, "strb", "w")

static void check_abort_at(const char *check, uintptr_t addr, void (*access)(uintptr_t, uint64_t *),
                           bool is_write)
{
    struct sync_record rec;
    uint64_t pc = 0;

    exc_expect_sync();
    access(addr, &pc);
    if (!exc_take_sync(&rec)) {
        test_fail(check, "no exception for an access to 0x%lx", (unsigned long)addr);
        return;
    }
    uint64_t ec = ESR_EC(rec.esr);
    uint64_t dfsc = ESR_DABT_DFSC(rec.esr);
    bool wnr = rec.esr & ESR_DABT_WNR;
    bool fnv = rec.esr & ESR_DABT_FNV;

    if (ec != ESR_EC_DABT_CUR)
        test_fail(check, "ESR 0x%lx: EC 0x%lx, want data abort from EL1 (0x%x)", rec.esr, ec,
                  ESR_EC_DABT_CUR);
    else if (dfsc != DFSC_SEA)
        test_fail(check, "ESR 0x%lx: DFSC 0x%lx, want synchronous external abort (0x%x)", rec.esr,
                  dfsc, DFSC_SEA);
    else if (wnr != is_write)
        test_fail(check, "ESR 0x%lx: WnR %d for a %s", rec.esr, wnr, is_write ? "store" : "load");
    else if (fnv || rec.far != addr)
        test_fail(check, "FAR 0x%lx (FnV %d), want 0x%lx", rec.far, fnv, (unsigned long)addr);
    else if (rec.elr != pc)
        test_fail(check, "ELR 0x%lx, want the access at 0x%lx", rec.elr, pc);
    else
        test_pass(check);
}

static void check_abort(const char *check, void (*access)(uintptr_t, uint64_t *), bool is_write)
{
    check_abort_at(check, UNMAPPED_IPA, access, is_write);
}

static volatile uint64_t ram_probe;

static void set_pan(uint64_t on)  { write_sysreg(on ? PSTATE_PAN : 0, S3_0_C4_C2_3); }
static void set_ssbs(uint64_t on) { write_sysreg(on ? PSTATE_SSBS : 0, S3_3_C4_C2_6); }

/* One abort taken with SCTLR_EL1 = sctlr and PSTATE.PAN/SSBS = pan/ssbs
 * before it; the PSTATE bits the handler found are compared with want. */
static void check_entry_pstate(const char *check, uint64_t sctlr, bool has_pan, bool has_ssbs,
                               bool pan, bool ssbs, uint64_t want)
{
    uint64_t saved = read_sysreg(sctlr_el1);
    struct sync_record rec;
    uint64_t pc, mask = (has_pan ? PSTATE_PAN : 0) | (has_ssbs ? PSTATE_SSBS : 0);
    bool taken;

    write_sysreg(sctlr, sctlr_el1);
    isb();
    if (has_pan)
        set_pan(pan);
    if (has_ssbs)
        set_ssbs(ssbs);
    exc_expect_sync();
    abort_ldr_w(UNMAPPED_IPA, &pc);
    taken = exc_take_sync(&rec);
    if (has_pan)
        set_pan(0);
    if (has_ssbs)
        set_ssbs(0);
    write_sysreg(saved, sctlr_el1);
    isb();
    if (!taken)
        test_fail(check, "no exception for an access to 0x%lx", (unsigned long)UNMAPPED_IPA);
    else
        test_check((rec.entry_pstate & mask) == (want & mask), check,
                   "handler entered with PAN %d SSBS %d, want PAN %d SSBS %d",
                   !!(rec.entry_pstate & PSTATE_PAN), !!(rec.entry_pstate & PSTATE_SSBS),
                   !!(want & PSTATE_PAN), !!(want & PSTATE_SSBS));
}

static void check_entry_pstates(void)
{
    bool has_pan = ID_MMFR1_PAN(read_sysreg(id_aa64mmfr1_el1)) != 0;
    bool has_ssbs = ID_PFR1_SSBS(read_sysreg(id_aa64pfr1_el1)) != 0;
    uint64_t sctlr = read_sysreg(sctlr_el1) & ~(SCTLR_EL1_SPAN | SCTLR_EL1_DSSBS);

    test_note("FEAT_PAN %d, FEAT_SSBS %d", has_pan, has_ssbs);
    if (!has_pan && !has_ssbs)
        return;     /* an Armv8.0 CPU: neither bit exists */
    exc_record_entry_pstate(has_pan, has_ssbs);
    /* SPAN 0: PAN set; DSSBS 1: SSBS set (both were 0 before) */
    check_entry_pstate("entry_pan_set_ssbs_set", sctlr | SCTLR_EL1_DSSBS, has_pan, has_ssbs,
                       false, false, PSTATE_PAN | PSTATE_SSBS);
    /* SPAN 1: PAN kept at 0; DSSBS 0: SSBS cleared (it was 1) */
    check_entry_pstate("entry_pan_kept_0_ssbs_clear", sctlr | SCTLR_EL1_SPAN, has_pan, has_ssbs,
                       false, true, 0);
    /* SPAN 1: PAN kept at 1 */
    check_entry_pstate("entry_pan_kept_1", sctlr | SCTLR_EL1_SPAN, has_pan, has_ssbs, true, false,
                       PSTATE_PAN);
    exc_record_entry_pstate(false, false);
}

void guest_main(void)
{
    test_note("unmapped IPA used: 0x%lx", UNMAPPED_IPA);
    check_abort("load_w", abort_ldr_w, false);
    check_abort("load_x", abort_ldr_x, false);
    check_abort("load_b", abort_ldrb, false);
    check_abort("store_w", abort_str_w, true);
    check_abort("store_b", abort_strb, true);

    /* After the aborts, devices and RAM still behave. */
    uint32_t pidr2 = mmio_read32(guest_gic_pidr2_addr());
    test_check(GICD_PIDR2_ARCHREV(pidr2) == guest_gic_version(), "device_after_abort",
               "GIC PIDR2 = 0x%x, want ArchRev %u", pidr2, guest_gic_version());
    ram_probe = RAM_PROBE_VALUE;
    test_expect_eq("ram_after_abort", ram_probe, RAM_PROBE_VALUE);
    check_abort("load_again", abort_ldr_w, false);

    /* elvisor's status port sits where QEMU puts a second UART: a guest
     * that could write there could forge elvisor's exit status. */
    check_abort_at("status_port_load", HOST_UART1_IPA, abort_ldr_w, false);
    check_abort_at("status_port_store", HOST_UART1_IPA, abort_str_w, true);

    check_entry_pstates();
}
