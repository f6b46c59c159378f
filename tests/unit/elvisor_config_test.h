/* What the tests of the host-side config checker (build/tools/elvisor-config)
 * share: a valid two-VM set to vary line by line, images to point it at,
 * running the tool in a temporary directory and matching its output.
 * Definitions, not just declarations: each test program includes it once. */
#ifndef ELVISOR_CONFIG_TEST_H
#define ELVISOR_CONFIG_TEST_H

#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
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

/* The tests run in a temporary directory of their own. */
static int tmpdir_setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir) || chdir(tmpdir) != 0)
        return -1;
    return 0;
}

static int tmpdir_teardown(void **state)
{
    char cmd[128];

    (void)state;
    if (chdir("/") != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ... and need the tool built. */
static int tool_setup(void **state)
{
    if (access(ELVISOR_CONFIG_BIN, X_OK) != 0) {
        fprintf(stderr, "%s is missing: run 'make tools'\n", ELVISOR_CONFIG_BIN);
        return -1;
    }
    return tmpdir_setup(state);
}

/* Every test starts from the same images. */
static int setup(void **state)
{
    (void)state;
    write_image("kernel.bin", KERNEL_SIZE, 1);
    write_bytes("initrd.bin", INITRD_SIZE, 2);
    return 0;
}


#endif
