/* The host-side config checker, build/tools/elvisor-config: run on temporary
 * DTS files, every kind of error must name FILE:LINE, the VM and the
 * property and exit 1; valid sets exit 0 with a summary; bundles appear only
 * for valid sets. Its source positions (tools/dts_srcmap.c, from dtc's
 * annotations) and its /incbin/ scanner (tools/dts_refs.c) are also tested
 * directly here, under the sanitizers. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../tools/dts_refs.c"
#include "../../tools/dts_srcmap.c"

/* tools/tools.mk passes the absolute path of the tool it built. */
#ifndef ELVISOR_CONFIG_BIN
#define ELVISOR_CONFIG_BIN "build/tools/elvisor-config"
#endif
#ifndef ELVISOR_CONFIG_DOC
#define ELVISOR_CONFIG_DOC "docs/configuration.md"
#endif

#define OUT_MAX     16384
#define KERNEL_SIZE 4096
#define INITRD_SIZE 3000

static char tmpdir[] = "/tmp/elvisor-test-config-XXXXXX";
static char out[OUT_MAX];

/* A valid two-VM set; the tests replace single lines, so the line numbers
 * below stay those of the messages. */
static const char *const base[] = {
    /*  1 */ "/dts-v1/;",
    /*  2 */ "/ {",
    /*  3 */ "    compatible = \"elvisor,config\";",
    /*  4 */ "    vms {",
    /*  5 */ "        linux {",
    /*  6 */ "            vcpus = <2>;",
    /*  7 */ "            memory-size = /bits/ 64 <0x20000000>;",
    /*  8 */ "            kernel = /incbin/(\"kernel.bin\");",
    /*  9 */ "            initrd = /incbin/(\"initrd.bin\");",
    /* 10 */ "            bootargs = \"console=ttyAMA0\";",
    /* 11 */ "            console;",
    /* 12 */ "            cpus = <0 1>;",
    /* 13 */ "        };",
    /* 14 */ "        rtos {",
    /* 15 */ "            vcpus = <1>;",
    /* 16 */ "            memory-size = <0x400000>;",
    /* 17 */ "            kernel = /incbin/(\"kernel.bin\");",
    /* 18 */ "            gic-version = <3>;",
    /* 19 */ "        };",
    /* 20 */ "    };",
    /* 21 */ "};",
};
#define BASE_LINES (sizeof(base) / sizeof(base[0]))

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    fclose(fp);
}

static void write_bytes(const char *path, size_t n, unsigned seed)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 31 + seed) & 0xff), fp);
    fclose(fp);
}

/* An arm64 Image of n bytes: text_offset 0x80000 and image_size 0 (the
 * legacy form: loaded where a raw binary would be), "ARM\x64" at 56. */
static void write_image(const char *path, size_t n, unsigned seed)
{
    FILE *fp;

    write_bytes(path, n, seed);
    fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 8, SEEK_SET);
    fwrite("\0\0\x08\0\0\0\0\0" "\0\0\0\0\0\0\0\0", 1, 16, fp);
    fseek(fp, 56, SEEK_SET);
    fwrite("ARM\x64", 1, 4, fp);
    fclose(fp);
}

/* cfg.dts = base with line `line` (1-based) replaced by `text` (0: none). */
static void write_variant(const char *path, unsigned line, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    for (unsigned i = 0; i < BASE_LINES; i++)
        fprintf(fp, "%s\n", i + 1 == line ? text : base[i]);
    fclose(fp);
}

/* cfg.dts = base with lines[i] replaced by texts[i]. */
static void write_variants(const char *path, unsigned n, const unsigned *lines, const char *const *texts)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    for (unsigned i = 0; i < BASE_LINES; i++) {
        const char *t = base[i];
        for (unsigned k = 0; k < n; k++)
            if (lines[k] == i + 1)
                t = texts[k];
        fprintf(fp, "%s\n", t);
    }
    fclose(fp);
}

/* Runs the tool with args (in tmpdir); stdout and stderr go to out. A run
 * that hangs is killed after RUN_TIMEOUT s (exit 124): a FIFO named by an
 * /incbin/ must not block the test suite. */
#define RUN_TIMEOUT "5"
static int run(const char *args)
{
    char cmd[8192];
    FILE *p;
    size_t n;
    int status;

    snprintf(cmd, sizeof(cmd), "timeout -k 1 " RUN_TIMEOUT " '%s' %s 2>&1", ELVISOR_CONFIG_BIN, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void expect(const char *args, int rc, const char *text)
{
    int got = run(args);

    if (got != rc || (text && !strstr(out, text))) {
        print_error("elvisor-config %s: exit %d (want %d), output:\n%s\nwanted: %s\n", args, got, rc, out,
                    text ? text : "(any)");
        fail();
    }
}

/* Checks that variant (line, text) fails with exactly this message line. */
static void expect_error(unsigned line, const char *text, const char *message)
{
    write_variant("cfg.dts", line, text);
    expect("check cfg.dts", 1, message);
}

static int group_setup(void **state)
{
    (void)state;
    if (access(ELVISOR_CONFIG_BIN, X_OK) != 0) {
        fprintf(stderr, "%s is missing: run 'make tools'\n", ELVISOR_CONFIG_BIN);
        return -1;
    }
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return -1;
    return 0;
}

static struct dts_srcmap *scanned;
static struct dts_refs *refs;

static int group_teardown(void **state)
{
    char cmd[128];

    (void)state;
    dts_srcmap_free(scanned);
    dts_refs_free(refs);
    if (chdir("/") != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Every test starts from the same images. */
static int setup(void **state)
{
    (void)state;
    write_image("kernel.bin", KERNEL_SIZE, 1);
    write_bytes("initrd.bin", INITRD_SIZE, 2);
    return 0;
}

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

/* ---- the scanner itself ---- */

static const struct dts_srcmap *scan_text(const char *text)
{
    dts_srcmap_free(scanned);
    write_text("scan.dts", text);
    scanned = dts_srcmap_scan("scan.dts", NULL, 0);
    return scanned;
}

static unsigned prop_line(const struct dts_srcmap *m, const char *node, const char *prop)
{
    struct dts_pos pos;
    return dts_srcmap_prop(m, node, prop, &pos) ? pos.line : 0;
}

static unsigned node_line(const struct dts_srcmap *m, const char *node)
{
    struct dts_pos pos;
    return dts_srcmap_node(m, node, &pos) ? pos.line : 0;
}

/* dtc's annotations: strings and comments that look like syntax, labels,
 * label and path references, deletions, /include/ and cpp line markers. */
static void test_srcmap_from_dtc(void **state)
{
    const struct dts_srcmap *m;
    struct dts_pos pos;

    (void)state;
    write_text("inc.dtsi", "\n&{/vms/y} { r; };\n");
    m = scan_text("/dts-v1/;\n"
                  "/* { not a node; */ / { vms {\n"
                  "  l1: l2: x { p = <1>; s = \"x; } /* {\", [00 ff];\n"
                  "      q = <2>; // };\n"
                  "  };\n"
                  "  y { p = <1>; };\n"
                  "  z { };\n"
                  "}; };\n"
                  "&l2 { p = <3>; };\n"
                  "/include/ \"inc.dtsi\"\n"
                  "/ { vms { x { /delete-property/ q; }; /delete-node/ z; }; };\n"
                  "# 40 \"orig.dts\"\n"
                  "/ { w; };\n");
    assert_non_null(m);
    assert_int_equal(node_line(m, "/"), 2);
    assert_int_equal(node_line(m, "/vms/x"), 3);
    assert_int_equal(prop_line(m, "/vms/x", "s"), 3);
    assert_int_equal(prop_line(m, "/vms/x", "p"), 9);
    assert_int_equal(prop_line(m, "/vms/x", "q"), 0);
    assert_int_equal(node_line(m, "/vms/z"), 0);
    assert_true(dts_srcmap_prop(m, "/vms/y", "r", &pos));
    assert_string_equal(pos.file, "inc.dtsi");
    assert_int_equal(pos.line, 2);
    assert_true(dts_srcmap_prop(m, "/", "w", &pos));
    assert_string_equal(pos.file, "orig.dts");
    assert_int_equal(pos.line, 40);
    /* Source dtc refuses has no map (dtc's message says where). */
    dts_srcmap_free(scanned);
    write_text("scan.dts", "/dts-v1/;\n/ { a = <1> };\n");
    scanned = dts_srcmap_scan("scan.dts", NULL, 0);
    assert_null(scanned);
}

static const struct dts_ref *find_ref(const char *name)
{
    for (size_t i = 0; refs && i < refs->nr; i++)
        if (strcmp(refs->refs[i].name, name) == 0)
            return &refs->refs[i];
    return NULL;
}

static void test_refs_include_incbin(void **state)
{
    const struct dts_ref *r;

    (void)state;
    assert_int_equal(mkdir("sub", 0755) == 0 || access("sub", F_OK) == 0, 1);
    write_text("sub/refs.dtsi", "\n/ { z { k = /incbin/(\"img\\\"q\", 0, 4); }; };\n");
    write_text("sub/here.bin", "x");
    write_text("refs.dts", "/dts-v1/;\n"
                           "/include/ \"refs.dtsi\"\n"
                           "/include/ \"absent.dtsi\"\n"
                           "/ { vms { lx: linux { /* /incbin/(\"no\") */ kernel =\n"
                           "    /incbin/(\"here.bin\"); }; }; };\n"
                           "&lx { initrd = /incbin/(\"/abs/i\"); };\n");
    dts_refs_free(refs);
    const char *dirs[] = { "sub" };
    refs = dts_refs_scan("refs.dts", dirs, 1);
    assert_non_null(refs);
    assert_null(find_ref("no"));
    r = find_ref("img\"q");
    assert_non_null(r);
    assert_string_equal(r->node, "/z");
    assert_string_equal(r->prop, "k");
    assert_string_equal(r->pos.file, "sub/refs.dtsi");
    assert_int_equal(r->pos.line, 2);
    assert_null(r->found);
    r = find_ref("absent.dtsi");
    assert_non_null(r);
    assert_true(r->include);
    assert_int_equal(r->pos.line, 3);
    r = find_ref("here.bin");
    assert_non_null(r);
    assert_string_equal(r->node, "/vms/linux");
    assert_string_equal(r->prop, "kernel");
    assert_int_equal(r->pos.line, 5);
    assert_string_equal(r->found, "sub/here.bin");
    r = find_ref("/abs/i");
    assert_non_null(r);
    assert_string_equal(r->node, "/vms/linux");
    assert_string_equal(r->prop, "initrd");
    assert_int_equal(r->pos.line, 6);
}

/* Truncated and shuffled DTS must neither crash nor leak (ASan), in the
 * /incbin/ scanner nor in reading what dtc makes of it. */
static void test_scanners_survive_garbage(void **state)
{
    static const char *const pieces[] = {
        "/ {", "};", "}", "{", "a", "=", ";", "\"s", "'", "/*", "*/", "//", "\n", "&", "&{/x",
        "lbl:", "/include/", "\"scan.dts\"", "/incbin/(", "/delete-node/", "# 3 \"f\"\n", "<", ">",
        "/delete-property/", "/bits/ 64", "@", "\\",
    };
    char text[512];
    unsigned seed = 12345;

    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        text[0] = '\0';
        for (int k = 0; k < 40; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
            if (n + strlen(p) + 1 >= sizeof(text))
                break;
            memcpy(text + n, p, strlen(p) + 1);
            n += strlen(p);
        }
        scan_text(text);
        dts_refs_free(refs);
        refs = dts_refs_scan("scan.dts", NULL, 0);
        assert_non_null(refs);
    }
    assert_null(dts_srcmap_scan("no-such-file.dts", NULL, 0));
    assert_null(dts_refs_scan("no-such-file.dts", NULL, 0));
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
        cmocka_unit_test_setup(test_dtb_of_a_vm, setup),
        cmocka_unit_test_setup(test_memory_too_small_for_images, setup),
        cmocka_unit_test_setup(test_root_and_vms_errors, setup),
        cmocka_unit_test_setup(test_dtc_syntax_error_passes_through, setup),
        cmocka_unit_test_setup(test_included_file_and_label, setup),
        cmocka_unit_test_setup(test_all_errors_reported, setup),
        cmocka_unit_test_setup(test_unknown_property_suggestion, setup),
        cmocka_unit_test_setup(test_known_properties_documented, setup),
        cmocka_unit_test_setup(test_incbin_fifo_refused, setup),
        cmocka_unit_test_setup(test_bootargs_too_long, setup),
        cmocka_unit_test_setup(test_bundle_written_only_when_valid, setup),
        cmocka_unit_test_setup(test_vms_lists_what_the_bundle_holds, setup),
        cmocka_unit_test_setup(test_usage_errors, setup),
        cmocka_unit_test_setup(test_srcmap_from_dtc, setup),
        cmocka_unit_test_setup(test_refs_include_incbin, setup),
        cmocka_unit_test_setup(test_scanners_survive_garbage, setup),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
