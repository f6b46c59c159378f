/* The host-side config checker, build/tools/elvisor-config, run on
 * temporary DTS files: every kind of error must name FILE:LINE, the VM and
 * the property and exit 1; valid sets exit 0 with a summary. Its bundles,
 * DTBs and usage: test_elvisor_config_bundle.c; its source map and
 * /incbin/ scanner: test_dts_scan.c. */
#include "elvisor_config_test.h"

/* ---- valid sets ---- */

static void test_valid_summary(void **state)
{
    (void)state;
    write_variant("cfg.dts", 0, NULL);
    expect("check cfg.dts", 0, "vm 'linux': 2 vCPUs, 512 MiB RAM, kernel 4.0 KiB (arm64 Image), "
                               "initrd 2.9 KiB, the host's GIC, console input, cpus <0 1>\n");
    assert_non_null(strstr(out, "vm 'rtos': 1 vCPU, 4 MiB RAM, kernel 4.0 KiB (arm64 Image), initrd none, GICv3\n"));
    assert_null(strstr(out, "warning"));
    expect("check -q cfg.dts", 0, NULL);
    assert_string_equal(out, "");
}

static void test_warnings_keep_exit_0(void **state)
{
    (void)state;
    write_variant("cfg.dts", 18, "gic-version = <2>;");
    expect("check cfg.dts", 0, "initrd none, GICv2\n");
    assert_null(strstr(out, "warning"));
    write_variant("cfg.dts", 18, "bootargs = \"x\";");
    expect("check cfg.dts", 0, "initrd none, the host's GIC\n");
    write_variant("cfg.dts", 12, "cpus = <1 1>;");
    expect("check -q cfg.dts", 0, "cfg.dts:12: warning: vm 'linux': property 'cpus': vCPUs 0 and 1 share "
                                  "physical CPU 1");
}

static void test_search_dirs(void **state)
{
    (void)state;
    assert_int_equal(mkdir("images", 0755) == 0 || access("images", F_OK) == 0, 1);
    write_image("images/other.bin", KERNEL_SIZE, 3);
    write_variant("cfg.dts", 17, "kernel = /incbin/(\"other.bin\");");
    expect("check cfg.dts", 1, "cfg.dts:17: vm 'rtos': property 'kernel': cannot open \"other.bin\": "
                               "No such file or directory (looked in .)");
    expect("check -i images cfg.dts", 0, "vm 'rtos'");
    expect("check cfg.dts -iimages", 0, "vm 'rtos'");
}

/* ---- each kind of error ---- */

static void test_missing_vcpus(void **state)
{
    (void)state;
    /* A missing property is reported at its VM node. */
    expect_error(6, "", "cfg.dts:5: vm 'linux': property 'vcpus': missing or not a 32-bit cell\n");
}

static void test_vcpus_zero(void **state)
{
    (void)state;
    expect_error(6, "vcpus = <0>;", "cfg.dts:6: vm 'linux': property 'vcpus': must be 1..8 (got <0>)\n");
    expect_error(15, "vcpus = <9>;", "cfg.dts:15: vm 'rtos': property 'vcpus': must be 1..8 (got <9>)\n");
}

static void test_memory_not_2mib_multiple(void **state)
{
    (void)state;
    expect_error(7, "memory-size = /bits/ 64 <0x20100000>;",
                 "cfg.dts:7: vm 'linux': property 'memory-size': must be a non-zero multiple of 2 MiB, "
                 "at most 64 GiB (got 0x20100000 = 513 MiB)\n");
}

static void test_bad_gic_version(void **state)
{
    (void)state;
    expect_error(18, "gic-version = <4>;",
                 "cfg.dts:18: vm 'rtos': property 'gic-version': must be <2> or <3> (got <4>)\n");
}

static void test_missing_kernel_file(void **state)
{
    (void)state;
    /* dtc says only `Couldn't open "nope.bin"`: the checker finds the line. */
    expect_error(8, "kernel = /incbin/(\"nope.bin\");",
                 "cfg.dts:8: vm 'linux': property 'kernel': cannot open \"nope.bin\": "
                 "No such file or directory (looked in .)\n");
}

static void test_two_consoles(void **state)
{
    (void)state;
    expect_error(18, "console;",
                 "cfg.dts:18: vm 'rtos': property 'console': only one VM may take console input "
                 "(vm 'linux' has it too)\n");
}

/* pci-devices: syntax and one owner per function from the bundle alone;
 * with the machine described (--pci, --smmu: the launcher does), a
 * function it lacks and a machine without a stage-2 SMMU too. */
static void test_pci_devices(void **state)
{
    const unsigned lines[2] = { 12, 18 };
    const char *const two[2] = { "            pci-devices = \"00:01.0\";",
                                 "            pci-devices = \"00:02.0\", \"00:01.0\";" };
    const char *const other[2] = { "            pci-devices = \"00:01.0\";",
                                   "            pci-devices = \"00:03.0\";" };

    (void)state;
    write_variants("cfg.dts", 2, lines, two);
    expect("check --pci 00:00.0,00:01.0,00:02.0 --smmu stage2 cfg.dts", 1,
           "cfg.dts:18: vm 'rtos': property 'pci-devices': 00:01.0 is already assigned to vm 'linux'\n");
    write_variants("cfg.dts", 2, lines, other);
    expect("check --pci 00:00.0,00:01.0,00:02.0 --smmu stage2 cfg.dts", 1,
           "cfg.dts:18: vm 'rtos': property 'pci-devices': 00:03.0: no such PCI function on this machine "
           "(it has: 00:00.0,00:01.0,00:02.0)\n");
    expect("check --pci 00:01.0,00:03.0 --smmu none cfg.dts", 1,
           "cfg.dts:12: vm 'linux': property 'pci-devices': the machine has no SMMU: an assigned device "
           "needs an SMMUv3 with stage 2");
    expect("check --pci 00:01.0,00:03.0 --smmu stage1 cfg.dts", 1,
           "cfg.dts:18: vm 'rtos': property 'pci-devices': the machine has an SMMU without stage 2");
    expect("check -q --pci 00:01.0,00:03.0 --smmu stage2 cfg.dts", 0, NULL);
    expect("check -q cfg.dts", 0, NULL);            /* machine unknown: not judged */
    expect("check --pci 0:1.0 cfg.dts", 2, "--pci: '0:1.0' is not a list");
    expect("check --smmu stage3 cfg.dts", 2, "--smmu: 'stage3' is not stage2, stage1 or none");
    expect_error(18, "            pci-devices = \"00:20.0\";",
                 "cfg.dts:18: vm 'rtos': property 'pci-devices': each entry must be a PCI function \"BB:DD.F\" "
                 "in hex (device 00-1f, function 0-7)\n");
    expect_error(18, "            pci-devices = \"00:01.0\", \"00:01.0\";",
                 "cfg.dts:18: vm 'rtos': property 'pci-devices': lists the same function twice\n");
    expect_error(18, "            pci-devices = <1>;",
                 "cfg.dts:18: vm 'rtos': property 'pci-devices': must be a list of strings \"BB:DD.F\"");
}

static void test_duplicate_vm_names(void **state)
{
    (void)state;
    expect_error(14, "        linux {",
                 "cfg.dts:14: vm 'linux': two VMs have this name (the first is at cfg.dts:5)\n");
}

static void test_cpus_length_mismatch(void **state)
{
    (void)state;
    expect_error(12, "cpus = <0 1 2>;",
                 "cfg.dts:12: vm 'linux': property 'cpus': needs exactly one cell per vCPU "
                 "(vcpus is 2; cpus = <0 1 2>; physical CPU indexes are 0..7)\n");
    expect_error(12, "cpus = <0 8>;",
                 "cfg.dts:12: vm 'linux': property 'cpus': physical CPU index out of range");
}

static void test_memory_too_small_for_images(void **state)
{
    (void)state;
    /* The kernel (legacy Image header) loads at RAM + 0x80000 and the DTB takes the last 2 MiB. */
    expect_error(16, "memory-size = <0x200000>;",
                 "cfg.dts:16: vm 'rtos': property 'memory-size': 2 MiB is too small");
    assert_non_null(strstr(out, "at least 4 MiB needed\n"));
}

static void test_root_and_vms_errors(void **state)
{
    (void)state;
    expect_error(3, "    compatible = \"acme,board\";",
                 "cfg.dts:3: property 'compatible': root is not compatible with \"elvisor,config\"\n");
    expect_error(4, "    other {", "cfg.dts:2: no /vms node");
    expect_error(5, "        a-name-that-is-longer-than-31-chars {",
                 "cfg.dts:5: vm 'a-name-that-is-longer-than-31-chars': name is 35 characters, at most 31\n");
}

static void test_dtc_syntax_error_passes_through(void **state)
{
    (void)state;
    expect_error(10, "            bootargs = \"x\"", "cfg.dts:11.");
    assert_non_null(strstr(out, "syntax error"));
}

static void test_included_file_and_label(void **state)
{
    (void)state;
    write_text("vm.dtsi", "/* shared */\n&{/vms/rtos} {\n    gic-version = <7>;\n};\n");
    write_text("cfg2.dts",
               "/dts-v1/;\n"
               "/ { compatible = \"elvisor,config\";\n"
               "  vms {\n"
               "    lx: linux { vcpus = <1>; memory-size = <0x400000>; kernel = /incbin/(\"kernel.bin\"); };\n"
               "    rtos { vcpus = <1>; memory-size = <0x400000>; kernel = /incbin/(\"kernel.bin\"); };\n"
               "  };\n"
               "};\n"
               "&lx {\n"
               "  vcpus = <12>;\n"
               "};\n");
    expect("check cfg2.dts", 1, "cfg2.dts:9: vm 'linux': property 'vcpus': must be 1..8 (got <12>)\n");
    write_text("cfg3.dts",
               "/dts-v1/;\n"
               "/ { compatible = \"elvisor,config\";\n"
               "  vms {\n"
               "    rtos { vcpus = <1>; memory-size = <0x400000>; kernel = /incbin/(\"kernel.bin\"); };\n"
               "  };\n"
               "};\n"
               "/include/ \"vm.dtsi\"\n");
    expect("check cfg3.dts", 1, "vm.dtsi:3: vm 'rtos': property 'gic-version': must be <2> or <3> (got <7>)\n");
}

/* ---- every error, each an error ---- */

/* One run names every error of the file, in both VMs, each at its line. */
static void test_all_errors_reported(void **state)
{
    static const unsigned lines[] = { 6, 7, 12, 15, 18 };
    static const char *const texts[] = {
        "vcpus = <0>;", "memory-size = /bits/ 64 <0x20100000>;", "cpus = <0 9>;", "vcpus = <9>;",
        "gic-version = <4>;",
    };

    (void)state;
    write_variants("cfg.dts", 5, lines, texts);
    expect("check cfg.dts", 1, "cfg.dts:6: vm 'linux': property 'vcpus': must be 1..8 (got <0>)\n");
    assert_non_null(strstr(out, "cfg.dts:7: vm 'linux': property 'memory-size': must be a non-zero multiple"));
    assert_non_null(strstr(out, "cfg.dts:15: vm 'rtos': property 'vcpus': must be 1..8 (got <9>)\n"));
    assert_non_null(strstr(out, "cfg.dts:18: vm 'rtos': property 'gic-version': must be <2> or <3> (got <4>)\n"));
    /* cpus is judged against vcpus, which is itself wrong: no second-hand error. */
    assert_null(strstr(out, "'cpus'"));
    /* The image-fit check still runs for a VM whose sizes are valid. */
    write_variants("cfg.dts", 2, (const unsigned[]){ 6, 16 },
                   (const char *const[]){ "vcpus = <0>;", "memory-size = <0x200000>;" });
    expect("check cfg.dts", 1, "cfg.dts:6: vm 'linux': property 'vcpus'");
    assert_non_null(strstr(out, "cfg.dts:16: vm 'rtos': property 'memory-size': 2 MiB is too small"));
}

/* A misspelt property is an error naming the property it most resembles. */
static void test_unknown_property_suggestion(void **state)
{
    (void)state;
    expect_error(16, "memroy-size = <0x400000>;",
                 "cfg.dts:16: vm 'rtos': property 'memroy-size': not a VM property; did you mean 'memory-size'?\n");
    /* ... and the property it was meant to be is missing. */
    assert_non_null(strstr(out, "cfg.dts:14: vm 'rtos': property 'memory-size': missing"));
    expect_error(18, "gic_version = <2>;",
                 "cfg.dts:18: vm 'rtos': property 'gic_version': not a VM property; did you mean 'gic-version'?\n");
    expect_error(11, "consle;",
                 "cfg.dts:11: vm 'linux': property 'consle': not a VM property; did you mean 'console'?\n");
    /* Nothing alike: the known ones are listed instead. */
    expect_error(18, "frobnicate = <2>;",
                 "cfg.dts:18: vm 'rtos': property 'frobnicate': not a VM property (known: vcpus, memory-size,");
    expect_error(18, "extra { };", "cfg.dts:18: vm 'rtos': node 'extra': a VM has no child nodes\n");
}

/* The known properties (the checker lists them for a name like none of them)
 * are exactly the rows of the VM property table in docs/configuration.md. */
static void test_known_properties_documented(void **state)
{
    static char doc[65536];
    char known[1024], *p, *tok, *save = NULL;
    unsigned in_list = 0, rows = 0;
    FILE *fp;
    size_t n;

    (void)state;
    expect_error(18, "frobnicate = <2>;", "(known: ");
    p = strstr(out, "(known: ") + 8;
    snprintf(known, sizeof(known), "%.*s", (int)strcspn(p, ")"), p);
    fp = fopen(ELVISOR_CONFIG_DOC, "r");
    assert_non_null(fp);
    n = fread(doc, 1, sizeof(doc) - 1, fp);
    fclose(fp);
    doc[n] = '\0';
    p = strstr(doc, "\n### A VM node\n");
    assert_non_null(p);
    *strstr(p + 1, "\n#") = '\0';
    for (tok = strtok_r(known, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        char row[80];
        snprintf(row, sizeof(row), "\n| `%s` |", tok);
        if (!strstr(p, row))
            print_error("%s is not in the VM property table of %s\n", tok, ELVISOR_CONFIG_DOC);
        assert_non_null(strstr(p, row));
        in_list++;
    }
    for (char *r = strstr(p, "\n| `"); r; r = strstr(r + 1, "\n| `"))
        rows++;
    assert_int_equal(rows, in_list);
}

/* dtc would wait for ever for a writer to the FIFO: refused before dtc runs. */
static void test_incbin_fifo_refused(void **state)
{
    time_t start;

    (void)state;
    assert_int_equal(mkfifo("k.fifo", 0644) == 0 || access("k.fifo", F_OK) == 0, 1);
    start = time(NULL);
    expect_error(17, "kernel = /incbin/(\"k.fifo\");",
                 "cfg.dts:17: vm 'rtos': property 'kernel': cannot use \"k.fifo\": it is a FIFO, not a regular file\n");
    assert_true(time(NULL) - start < 4);
    expect_error(9, "initrd = /incbin/(\"/dev/null\");",
                 "cfg.dts:9: vm 'linux': property 'initrd': cannot use \"/dev/null\": it is a character device, "
                 "not a regular file\n");
    assert_int_equal(mkdir("dir.bin", 0755) == 0 || access("dir.bin", F_OK) == 0, 1);
    expect_error(8, "kernel = /incbin/(\"dir.bin\");",
                 "cfg.dts:8: vm 'linux': property 'kernel': cannot use \"dir.bin\": it is a directory, "
                 "not a regular file\n");
    /* Every such file is named in the one run. */
    write_variants("cfg.dts", 2, (const unsigned[]){ 8, 17 },
                   (const char *const[]){ "kernel = /incbin/(\"k.fifo\");", "kernel = /incbin/(\"gone.bin\");" });
    expect("check cfg.dts", 1, "cfg.dts:8: vm 'linux': property 'kernel': cannot use \"k.fifo\"");
    assert_non_null(strstr(out, "cfg.dts:17: vm 'rtos': property 'kernel': cannot open \"gone.bin\""));
}

/* Linux arm64 keeps at most COMMAND_LINE_SIZE = 2048 bytes, NUL included. */
static void test_bootargs_too_long(void **state)
{
    char line[2100];

    (void)state;
    snprintf(line, sizeof(line), "bootargs = \"%02047d\";", 0);
    write_variant("cfg.dts", 10, line);
    expect("check -q cfg.dts", 0, NULL);
    snprintf(line, sizeof(line), "bootargs = \"%02048d\";", 0);
    expect_error(10, line, "cfg.dts:10: vm 'linux': property 'bootargs': longer than 2047 characters");
    assert_non_null(strstr(out, "(it has 2048)\n"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_summary, setup),
        cmocka_unit_test_setup(test_warnings_keep_exit_0, setup),
        cmocka_unit_test_setup(test_search_dirs, setup),
        cmocka_unit_test_setup(test_missing_vcpus, setup),
        cmocka_unit_test_setup(test_vcpus_zero, setup),
        cmocka_unit_test_setup(test_memory_not_2mib_multiple, setup),
        cmocka_unit_test_setup(test_bad_gic_version, setup),
        cmocka_unit_test_setup(test_missing_kernel_file, setup),
        cmocka_unit_test_setup(test_two_consoles, setup),
        cmocka_unit_test_setup(test_duplicate_vm_names, setup),
        cmocka_unit_test_setup(test_pci_devices, setup),
        cmocka_unit_test_setup(test_cpus_length_mismatch, setup),
        cmocka_unit_test_setup(test_memory_too_small_for_images, setup),
        cmocka_unit_test_setup(test_root_and_vms_errors, setup),
        cmocka_unit_test_setup(test_dtc_syntax_error_passes_through, setup),
        cmocka_unit_test_setup(test_included_file_and_label, setup),
        cmocka_unit_test_setup(test_all_errors_reported, setup),
        cmocka_unit_test_setup(test_unknown_property_suggestion, setup),
        cmocka_unit_test_setup(test_known_properties_documented, setup),
        cmocka_unit_test_setup(test_incbin_fifo_refused, setup),
        cmocka_unit_test_setup(test_bootargs_too_long, setup),
    };

    return cmocka_run_group_tests(tests, tool_setup, tmpdir_teardown);
}
