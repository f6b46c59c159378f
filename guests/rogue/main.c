/* rogue: a guest that misbehaves on purpose, so that the tests can check
 * elvisor contains it. What it does comes from its bootargs, `rogue=WHAT`:
 *
 * (none)       SVE and SME instructions, which elvisor does not offer
 *              (ID_AA64PFR0/PFR1 say so; CPTR_EL2 traps them), are
 *              UNDEFINED as on a CPU without them: with CPACR_EL1.FPEN,
 *              ZEN and SMEN set to "no trap at EL1" (a CPU that has them
 *              checks those first and traps to EL1 otherwise), RDVL (`sve_undef`) and RDSVL
 *              (`sme_undef`) take an exception with EC 0 (unknown) at the
 *              instruction itself. Bare QEMU with sve=off,sme=off agrees;
 *              elvisor logs nothing for them (hyp-log.txt).
 * undef_flood  reads PMCR_EL0, a register elvisor refuses with a warning,
 *              FLOOD_READS times; each must be UNDEFINED (`undef_flood`).
 *              elvisor's log must stay short (tests/integration/rogue.sh).
 * vector_loop  points VBAR_EL1 outside its RAM and loads from outside its
 *              RAM: the abort's vector cannot be fetched, and every
 *              instruction abort at the vector sends it back there.
 *              elvisor must stop this VM alone and say so.
 * cpu_off      its only vCPU calls PSCI CPU_OFF: no vCPU is left to turn
 *              one on again, so the VM is off, as if it had called
 *              SYSTEM_OFF, and elvisor can power the machine off.
 * bpr1_qemu_abort
 *              the reproducer of a QEMU 10.0 bug (docs/vgic.md): writes 8 to
 *              ICC_BPR1_EL1 (GICv3), then acknowledges an SGI it sent
 *              itself. Under any hypervisor on QEMU's TCG the access goes to
 *              the virtual CPU interface, which keeps the value cut to 3 bits
 *              (0) and then fails an assertion: QEMU aborts, every VM with
 *              it. Not run by the tests. */
#include "guest.h"

#include "bootargs.h"
#include "dtb.h"
#include "lib/string.h"

const char guest_name[] = "rogue";

#define FLOOD_READS     20000

#define CPACR_ZEN_NOTRAP    (3UL << 16)
#define CPACR_FPEN_NOTRAP   (3UL << 20)
#define CPACR_SMEN_NOTRAP   (3UL << 24)

/* Runs one instruction word with x0 as its destination; *pc gets its
 * address so the exception's ELR can be compared with it. */
#define DEFINE_RUN_INSN(fn, word)                                           \
    static void fn(uint64_t *pc)                                            \
    {                                                                       \
        __asm__ volatile("adr %0, 1f\n1:\t.inst " #word                     \
                         : "=&r"(*pc) : : "x0", "memory");                  \
    }
DEFINE_RUN_INSN(run_rdvl, 0x04bf5020)     /* SVE: RDVL X0, #1 */
DEFINE_RUN_INSN(run_rdsvl, 0x04bf5820)    /* SME: RDSVL X0, #1 */

static void check_undefined(const char *check, void (*run)(uint64_t *), uint64_t cpacr_bits)
{
    uint64_t cpacr = read_sysreg(cpacr_el1);
    struct sync_record rec;
    uint64_t pc = 0;
    bool taken;

    write_sysreg(cpacr | cpacr_bits | CPACR_FPEN_NOTRAP, cpacr_el1);
    isb();
    exc_expect_sync();
    run(&pc);
    taken = exc_take_sync(&rec);
    write_sysreg(cpacr, cpacr_el1);
    isb();
    if (!taken)
        test_fail(check, "the instruction at 0x%lx completed", pc);
    else if (ESR_EC(rec.esr) != ESR_EC_UNKNOWN || rec.elr != pc)
        test_fail(check, "ESR 0x%lx ELR 0x%lx, want EC 0 at 0x%lx", rec.esr, rec.elr, pc);
    else
        test_pass(check);
}

static void undef_flood(void)
{
    unsigned undefined = 0;

    test_note("undef_flood: %u reads of PMCR_EL0", FLOOD_READS);
    for (unsigned i = 0; i < FLOOD_READS; i++) {
        struct sync_record rec;

        exc_expect_sync();
        (void)read_sysreg(pmcr_el0);
        if (exc_take_sync(&rec) && ESR_EC(rec.esr) == ESR_EC_UNKNOWN)
            undefined++;
    }
    test_check(undefined == FLOOD_READS, "undef_flood", "%u of %u reads UNDEFINED", undefined,
               FLOOD_READS);
}

static __attribute__((noreturn)) void vector_loop(void)
{
    test_note("vector_loop: VBAR_EL1 = 0x%lx, then a load there", UNMAPPED_IPA);
    write_sysreg(UNMAPPED_IPA, vbar_el1);
    isb();
    (void)*(volatile uint32_t *)UNMAPPED_IPA;
    /* Never here: the load's abort cannot be delivered. */
    test_fail("vector_loop", "the load at 0x%lx returned", UNMAPPED_IPA);
    test_done();
}

static __attribute__((noreturn)) void cpu_off_last(void)
{
    int64_t ret;

    test_note("cpu_off: the only vCPU turns itself off");
    ret = psci_cpu_off();
    test_fail("cpu_off", "PSCI CPU_OFF returned %ld", (long)ret);
    test_done();
}

static void bpr1_qemu_abort(void)
{
    uint64_t iar;

    if (guest_gic_version() != 3) {
        test_note("bpr1_qemu_abort: needs a GICv3");
        return;
    }
    guest_gic_enable_private(1);
    guest_gic_set_priority(1, 0x80);
    test_note("bpr1_qemu_abort: ICC_BPR1_EL1 = 8, then SGI 1 to itself and acknowledge it");
    write_sysreg(8, S3_0_C12_C12_3);
    isb();
    guest_gic_send_sgi(1, 0);
    isb();
    iar = guest_gic_ack();
    test_note("bpr1_qemu_abort: acknowledged INTID %u, QEMU still runs", guest_gic_iar_intid(iar));
    guest_gic_eoi(iar);
}

void guest_main(void)
{
    char what[16] = "";

    bootarg_get(dtb_bootargs(guest_dtb), "rogue", what, sizeof(what));
    if (!strcmp(what, "vector_loop"))
        vector_loop();
    if (!strcmp(what, "cpu_off"))
        cpu_off_last();
    if (!strcmp(what, "bpr1_qemu_abort")) {
        bpr1_qemu_abort();
        return;
    }
    if (!strcmp(what, "undef_flood")) {
        undef_flood();
        return;
    }
    check_undefined("sve_undef", run_rdvl, CPACR_ZEN_NOTRAP);
    check_undefined("sme_undef", run_rdsvl, CPACR_SMEN_NOTRAP);
}
