/* What build/tools/elvisor-config writes: a bundle only for a valid set,
 * `vms` listing what a bundle holds, the DTB of one VM, and its usage
 * errors. */
#include "elvisor_config_test.h"

/* ---- bundle ---- */

static void test_bundle_written_only_when_valid(void **state)
{
    static const uint8_t dtb_magic[4] = { 0xd0, 0x0d, 0xfe, 0xed };
    uint8_t magic[4] = { 0 };
    FILE *fp;

    (void)state;
    write_variant("cfg.dts", 0, NULL);
    expect("bundle -q cfg.dts out.dtb", 0, NULL);
    fp = fopen("out.dtb", "rb");
    assert_non_null(fp);
    assert_int_equal(fread(magic, 1, 4, fp), 4);
    fclose(fp);
    assert_memory_equal(magic, dtb_magic, sizeof(dtb_magic));

    /* An invalid set removes the earlier bundle rather than leave it. */
    write_variant("cfg.dts", 6, "vcpus = <0>;");
    expect("bundle cfg.dts out.dtb", 1, "cfg.dts:6: vm 'linux': property 'vcpus'");
    assert_int_not_equal(access("out.dtb", F_OK), 0);
    /* No temporary file is left next to it either. */
    assert_int_equal(system("! ls -A | grep -q '^out\\.dtb\\.'"), 0);
}

/* What the launcher sizes the machine by, read back from the bundle with
 * elvisor's parser: linux takes 2 vCPUs on CPUs 0 and 1, rtos 1 vCPU with
 * no placement and GICv3; a file that is no bundle is an invalid one. */
static void test_vms_lists_what_the_bundle_holds(void **state)
{
    (void)state;
    write_variant("cfg.dts", 12, "cpus = <0 3>;");
    expect("bundle -q cfg.dts out.dtb", 0, NULL);
    expect("vms out.dtb", 0, NULL);
    assert_string_equal(out, "linux 0 2 4 536870912\nrtos 3 1 1 4194304\n");
    expect("vms cfg.dts", 1, "cfg.dts: ");
    expect("vms", 2, "vms needs BUNDLE.dtb");
    expect("vms no-such.dtb", 3, "cannot read no-such.dtb");
}

/* The device tree a VM of the bundle boots with: a DTB carrying that VM's
 * command line, the VM asked for by name, and refusals with their reasons
 * (a VM whose GIC is not the host's would not boot at all). The bytes are
 * compared with what a guest sees by the launcher suite (write_dtb_*). */
static bool blob_has(const uint8_t *blob, size_t n, const char *str)
{
    size_t len = strlen(str) + 1;   /* a whole property string, NUL included */

    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(blob + i, str, len) == 0)
            return true;
    return false;
}

static void test_dtb_of_a_vm(void **state)
{
    static const uint8_t dtb_magic[4] = { 0xd0, 0x0d, 0xfe, 0xed };
    static uint8_t blob[65536];
    size_t n;
    FILE *fp;

    (void)state;
    write_variant("cfg.dts", 0, NULL);
    expect("bundle -q cfg.dts out.dtb", 0, NULL);
    expect("dtb out.dtb linux.dtb", 0, NULL);
    fp = fopen("linux.dtb", "rb");
    assert_non_null(fp);
    n = fread(blob, 1, sizeof(blob), fp);
    fclose(fp);
    assert_true(n > sizeof(dtb_magic));
    assert_memory_equal(blob, dtb_magic, sizeof(dtb_magic));
    assert_true(blob_has(blob, n, "console=ttyAMA0"));
    assert_true(blob_has(blob, n, "linux,initrd-start"));
    expect("dtb --vm rtos out.dtb rtos.dtb", 0, NULL);
    fp = fopen("rtos.dtb", "rb");
    assert_non_null(fp);
    n = fread(blob, 1, sizeof(blob), fp);
    fclose(fp);
    assert_false(blob_has(blob, n, "console=ttyAMA0"));
    assert_false(blob_has(blob, n, "linux,initrd-start"));
    expect("dtb --vm nope out.dtb x.dtb", 1, "has no vm 'nope'");
    expect("dtb --gic 2 --vm rtos out.dtb x.dtb", 1, "vm 'rtos': no device tree: the VM's gic-version is not the host's");
    expect("dtb --gic 4 out.dtb x.dtb", 2, "--gic wants 2 or 3, got '4'");
    expect("dtb out.dtb", 2, "dtb needs BUNDLE.dtb and OUT.dtb");
    expect("dtb cfg.dts x.dtb", 1, "cfg.dts: ");
    expect("dtb no-such.dtb x.dtb", 3, "cannot read no-such.dtb");
}

/* ---- usage ---- */

static void test_usage_errors(void **state)
{
    (void)state;
    write_variant("cfg.dts", 0, NULL);
    expect("", 2, "missing command");
    expect("frobnicate cfg.dts", 2, "unknown command 'frobnicate'");
    expect("check", 2, "check needs FILE.dts");
    expect("bundle cfg.dts", 2, "bundle needs FILE.dts and OUT.dtb");
    expect("check cfg.dts extra", 2, "unexpected argument 'extra'");
    expect("check -x cfg.dts", 2, "unknown option '-x'");
    expect("check cfg.dts -i", 2, "-i needs a directory");
    expect("check no-such.dts", 2, "cannot read no-such.dts");
    expect("--help", 0, "usage:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_dtb_of_a_vm, setup),
        cmocka_unit_test_setup(test_bundle_written_only_when_valid, setup),
        cmocka_unit_test_setup(test_vms_lists_what_the_bundle_holds, setup),
        cmocka_unit_test_setup(test_usage_errors, setup),
    };

    return cmocka_run_group_tests(tests, tool_setup, tmpdir_teardown);
}
