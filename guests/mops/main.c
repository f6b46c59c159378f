/* mops: the memory copy and set instructions (FEAT_MOPS) as Linux uses them
 * in a VM. Where the CPU has them, the VM sees ID_AA64ISAR2_EL1.MOPS, the
 * instructions work at EL1, and a copy or set that stops in a state its CPU
 * cannot go on from (a MOPS exception, as after a move to a CPU of the other
 * implementation option) is restarted by the hypervisor, never reaching
 * the guest: Linux's boot protocol asks that of a hypervisor (HCRX_EL2.MCE2),
 * because the kernel cannot restart a copy at every point. Bare QEMU at EL1
 * has no EL2 to take the exception: it reaches the guest there
 * (bare-xfail.txt). Where the CPU has no MOPS, the VM must not see it and
 * the instructions are UNDEFINED. */
#include "guest.h"
#include "lib/printf.h"

const char guest_name[] = "mops";

#define ISAR2_MOPS(v)       FIELD(v, 16, 4)
#define EC_MOPS             0x27
#define BUF_BYTES           300     /* not a multiple of anything the CPU prefers */
#define FILL                0xa5

enum entry { AT_PROLOGUE, AT_MAIN, AT_EPILOGUE };

void mops_set(void *dst, uint64_t size, uint64_t byte, uint64_t entry);
void mops_copy(void *dst, const void *src, uint64_t size, uint64_t entry);
extern char mops_set_ret[], mops_copy_ret[];

static uint8_t src_buf[BUF_BYTES + 32], dst_buf[BUF_BYTES + 32];

static void reset_buffers(void)
{
    for (unsigned i = 0; i < sizeof(src_buf); i++) {
        src_buf[i] = (uint8_t)(i * 7 + 3);
        dst_buf[i] = 0;
    }
}

/* The bytes [1, 1 + BUF_BYTES) of dst_buf hold want(i), the guard bytes
 * around them are untouched. */
static bool dst_is(bool copy, unsigned *bad)
{
    for (unsigned i = 0; i < sizeof(dst_buf); i++) {
        uint8_t want = (i >= 1 && i < 1 + BUF_BYTES) ? (copy ? src_buf[i + 8] : FILL) : 0;
        if (dst_buf[i] != want) {
            *bad = i;
            return false;
        }
    }
    return true;
}

static void run_one(const char *name, bool copy, enum entry entry)
{
    char done[48], at_el1[48];
    struct sync_record rec;
    unsigned bad = 0;

    elv_snprintf(done, sizeof(done), "%s_completes", name);
    elv_snprintf(at_el1, sizeof(at_el1), "%s_exception_not_in_guest", name);
    reset_buffers();
    exc_expect_sync_resume((uint64_t)(uintptr_t)(copy ? mops_copy_ret : mops_set_ret));
    if (copy)
        mops_copy(dst_buf + 1, src_buf + 9, BUF_BYTES, entry);
    else
        mops_set(dst_buf + 1, BUF_BYTES, FILL, entry);
    bool took = exc_take_sync(&rec);

    if (entry == AT_PROLOGUE) {
        test_check(!took, at_el1, "exception at EL1: ESR 0x%lx", rec.esr);
    } else {
        test_check(!took, at_el1, "the MOPS exception reached the guest: ESR 0x%lx (EC 0x%lx, want "
                   "the hypervisor to restart the operation)", rec.esr, ESR_EC(rec.esr));
        if (took && ESR_EC(rec.esr) != EC_MOPS)
            test_note("%s: EC 0x%lx is not a MOPS exception", name, ESR_EC(rec.esr));
    }
    if (!took)
        test_check(dst_is(copy, &bad), done, "byte %u is 0x%x", bad, dst_buf[bad]);
    else
        test_fail(done, "did not complete: exception at EL1");
}

static void check_absent(void)
{
    struct sync_record rec;

    reset_buffers();
    exc_expect_sync_resume((uint64_t)(uintptr_t)mops_set_ret);
    mops_set(dst_buf + 1, BUF_BYTES, FILL, AT_PROLOGUE);
    bool took = exc_take_sync(&rec);
    test_check(took && ESR_EC(rec.esr) == 0, "absent_undefined",
               "SETP without FEAT_MOPS: %s ESR 0x%lx, want UNDEFINED (EC 0)",
               took ? "exception" : "no exception", took ? rec.esr : 0);
    test_check(dst_buf[1] == 0, "absent_no_store", "byte 1 is 0x%x", dst_buf[1]);
}

void guest_main(void)
{
    uint64_t isar2 = read_sysreg(S3_0_C0_C6_2);     /* ID_AA64ISAR2_EL1 */

    test_note("ID_AA64ISAR2_EL1 0x%lx: MOPS %lu", isar2, ISAR2_MOPS(isar2));
    if (ISAR2_MOPS(isar2) == 0) {
        check_absent();
        return;
    }
    run_one("set", false, AT_PROLOGUE);
    run_one("copy", true, AT_PROLOGUE);
    run_one("set_from_main", false, AT_MAIN);
    run_one("set_from_epilogue", false, AT_EPILOGUE);
    run_one("copy_from_main", true, AT_MAIN);
    run_one("copy_from_epilogue", true, AT_EPILOGUE);
}
