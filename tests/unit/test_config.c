/* The VM bundle parser: bundles compiled by dtc at test time (with /incbin/
 * of small temporary files), every validation error and its message, and
 * truncated, garbage and mutated blobs under the sanitizers. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "host_support.h"
/* config.c has its own fail(); the tests do not use cmocka's. */
#undef fail
#include "lib/fdt_read.c"
#include "lib/printf.c"
#include "core/config.c"

#include "fdt_test_util.h"

static char kernel_path[64], initrd_path[64];
static const uint8_t kernel_bytes[] = { 0x4d, 0x5a, 0x00, 0x91, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static uint8_t initrd_bytes[3000];

static struct elvisor_config cfg;
static char err[256];
static uint8_t *blob;
static size_t blob_len;

static int group_setup(void **state)
{
    FILE *fp;

    (void)state;
    for (size_t i = 0; i < sizeof(initrd_bytes); i++)
        initrd_bytes[i] = (uint8_t)(i * 7 + 3);
    snprintf(kernel_path, sizeof(kernel_path), "/tmp/elvisor-test-cfg-%d-kernel", (int)getpid());
    snprintf(initrd_path, sizeof(initrd_path), "/tmp/elvisor-test-cfg-%d-initrd", (int)getpid());
    fp = fopen(kernel_path, "wb");
    if (!fp || fwrite(kernel_bytes, 1, sizeof(kernel_bytes), fp) != sizeof(kernel_bytes))
        return -1;
    fclose(fp);
    fp = fopen(initrd_path, "wb");
    if (!fp || fwrite(initrd_bytes, 1, sizeof(initrd_bytes), fp) != sizeof(initrd_bytes))
        return -1;
    fclose(fp);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(kernel_path);
    unlink(initrd_path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(blob);
    blob = NULL;
    return 0;
}

/* Compiles a bundle: `root` goes in the root node (after the compatible
 * unless compat is NULL), `vms` inside /vms. "%K" and "%I" in either expand
 * to the kernel and initrd /incbin/ expressions. */
static void expand(char *out, size_t size, const char *in)
{
    size_t n = 0;

    for (; *in; in++) {
        const char *rep = NULL;
        char tmp[96];
        if (in[0] == '%' && (in[1] == 'K' || in[1] == 'I')) {
            snprintf(tmp, sizeof(tmp), "/incbin/(\"%s\")", in[1] == 'K' ? kernel_path : initrd_path);
            rep = tmp;
            in++;
        }
        if (rep) {
            size_t l = strlen(rep);
            assert_true(n + l < size);
            memcpy(out + n, rep, l);
            n += l;
        } else {
            assert_true(n + 1 < size);
            out[n++] = *in;
        }
    }
    out[n] = '\0';
}

static void build(const char *compat, const char *vms, const char *dtc_opts)
{
    static char body[8192], dts[16384];
    char compat_line[128] = "";

    if (compat)
        snprintf(compat_line, sizeof(compat_line), "  compatible = %s;\n", compat);
    expand(body, sizeof(body), vms ? vms : "");
    snprintf(dts, sizeof(dts), "/dts-v1/;\n/ {\n%s%s%s%s};\n", compat_line, vms ? "  vms {\n" : "",
             body, vms ? "  };\n" : "");
    free(blob);
    blob = dtc_compile(dts, dtc_opts ? dtc_opts : "", &blob_len);
}

static int parse(const char *vms)
{
    build("\"elvisor,config\"", vms, NULL);
    memset(err, 0, sizeof(err));
    return config_parse(blob, blob_len, &cfg, err, sizeof(err));
}

/* The message names the VM (when given) and the property. */
static void expect_error_text(const char *vm, const char *prop)
{
    char want[96];

    assert_true(strlen(err) > 0);
    if (vm) {
        snprintf(want, sizeof(want), "'%s'", vm);
        if (!strstr(err, want))
            print_error("error \"%s\" does not name VM %s\n", err, want);
        assert_non_null(strstr(err, want));
    }
    snprintf(want, sizeof(want), vm ? "'%s'" : "%s", prop);
    if (!strstr(err, want))
        print_error("error \"%s\" does not name property %s\n", err, want);
    assert_non_null(strstr(err, want));
}

static void expect_error(const char *vms, const char *vm, const char *prop)
{
    assert_int_equal(parse(vms), -1);
    expect_error_text(vm, prop);
}

#define MIN_VM(name) name " { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };\n"

/* ---- Valid bundles ---- */

static void test_minimal(void **state)
{
    const struct vm_config *vm = &cfg.vms[0];

    (void)state;
    assert_int_equal(parse(MIN_VM("tiny")), 0);
    assert_int_equal(cfg.nr_vms, 1);
    assert_string_equal(vm->name, "tiny");
    assert_int_equal(vm->nr_vcpus, 1);
    assert_true(vm->mem_size == 0x200000);
    assert_true(vm->kernel_size == sizeof(kernel_bytes));
    assert_memory_equal(vm->kernel, kernel_bytes, sizeof(kernel_bytes));
    /* The image is used in place, inside the bundle. */
    assert_true(vm->kernel > blob && vm->kernel + vm->kernel_size <= blob + blob_len);
    assert_null(vm->initrd);
    assert_true(vm->initrd_size == 0);
    assert_non_null(vm->bootargs);
    assert_string_equal(vm->bootargs, "");
    assert_int_equal(vm->gic_version, 0);   /* the host GIC's version */
    assert_false(vm->console);
    assert_false(vm->has_cpu_map);
    assert_false(vm->virt_el2);
}

static void test_virt_el2(void **state)
{
    (void)state;
    assert_int_equal(parse("h { vcpus = <2>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "  virt-el2; };\n" MIN_VM("plain")), 0);
    assert_true(cfg.vms[0].virt_el2);
    assert_false(cfg.vms[1].virt_el2);
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2 = <1>; };",
                 "h", "virt-el2");
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2 = \"\"; };",
                 "h", "virt-el2");
}

static void test_virt_el2_mode(void **state)
{
    (void)state;
    assert_int_equal(parse("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "  virt-el2; virt-el2-mode = \"nvhe\"; };\n"
                           "v { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "  virt-el2; virt-el2-mode = \"vhe\"; };\n"
                           "w { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2; };\n"),
                     0);
    assert_true(cfg.vms[0].virt_el2 && cfg.vms[0].virt_el2_nvhe);
    assert_true(cfg.vms[1].virt_el2 && !cfg.vms[1].virt_el2_nvhe);
    assert_false(cfg.vms[2].virt_el2_nvhe);
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2;\n"
                 "  virt-el2-mode = \"e2h0\"; };", "h", "virt-el2-mode");
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2;\n"
                 "  virt-el2-mode = <1>; };", "h", "virt-el2-mode");
    /* A mode without a virtual EL2 would be ignored without a word. */
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                 "  virt-el2-mode = \"nvhe\"; };", "h", "virt-el2-mode");
}

/* virt-el2-nv2: FEAT_NV2 for the guest hypervisor, only with a VHE vEL2. */
static void test_virt_el2_nv2(void **state)
{
    (void)state;
    assert_int_equal(parse("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "  virt-el2; virt-el2-nv2; };\n"
                           "w { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2; };\n"),
                     0);
    assert_true(cfg.vms[0].virt_el2 && cfg.vms[0].virt_el2_nv2);
    assert_false(cfg.vms[1].virt_el2_nv2);
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2-nv2; };",
                 "h", "virt-el2-nv2");
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2;\n"
                 "  virt-el2-nv2 = <1>; };", "h", "virt-el2-nv2");
    expect_error("h { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; virt-el2;\n"
                 "  virt-el2-mode = \"nvhe\"; virt-el2-nv2; };", "h", "virt-el2-nv2");
}

static void test_full_and_several(void **state)
{
    const struct vm_config *a = &cfg.vms[0], *b = &cfg.vms[1], *c = &cfg.vms[2];

    (void)state;
    assert_int_equal(parse("linux {\n"
                           "  vcpus = <2>;\n"
                           "  memory-size = /bits/ 64 <0x20000000>;\n"
                           "  kernel = %K;\n"
                           "  initrd = %I;\n"
                           "  bootargs = \"console=ttyAMA0 rdinit=/init\";\n"
                           "  gic-version = <3>;\n"
                           "  console;\n"
                           "  cpus = <1 0>;\n"
                           "};\n"
                           "bare { vcpus = <8>; memory-size = /bits/ 64 <0x1000000000>;\n"
                           "  kernel = [d5 03 20 1f]; gic-version = <2>;\n"
                           "  cpus = <0 1 2 3 4 5 6 7>; };\n" MIN_VM("third")),
                     0);
    assert_int_equal(cfg.nr_vms, 3);

    assert_string_equal(a->name, "linux");
    assert_int_equal(a->nr_vcpus, 2);
    assert_true(a->mem_size == 0x20000000);
    assert_memory_equal(a->kernel, kernel_bytes, sizeof(kernel_bytes));
    assert_true(a->initrd_size == sizeof(initrd_bytes));
    assert_memory_equal(a->initrd, initrd_bytes, sizeof(initrd_bytes));
    assert_string_equal(a->bootargs, "console=ttyAMA0 rdinit=/init");
    assert_int_equal(a->gic_version, 3);
    assert_true(a->console);
    assert_true(a->has_cpu_map);
    assert_int_equal(a->cpu_map[0], 1);
    assert_int_equal(a->cpu_map[1], 0);

    assert_string_equal(b->name, "bare");
    assert_int_equal(b->nr_vcpus, 8);
    assert_true(b->mem_size == 0x1000000000ULL);      /* 64 GiB, the largest */
    assert_true(b->kernel_size == 4);
    assert_int_equal(b->kernel[0], 0xd5);
    assert_int_equal(b->gic_version, 2);
    assert_false(b->console);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(b->cpu_map[i], i);
    assert_null(b->initrd);

    assert_string_equal(c->name, "third");
    assert_false(c->has_cpu_map);
}

static void test_eight_vms_and_names(void **state)
{
    char vms[2048] = "";

    (void)state;
    for (int i = 0; i < 8; i++) {
        char one[160];
        snprintf(one, sizeof(one), "vm%d { vcpus = <1>; memory-size = <0x400000>; kernel = [00]; };\n", i);
        strcat(vms, one);
    }
    /* A 32-bit memory-size is accepted as well. */
    assert_int_equal(parse(vms), 0);
    assert_int_equal(cfg.nr_vms, 8);
    assert_string_equal(cfg.vms[7].name, "vm7");
    assert_true(cfg.vms[7].mem_size == 0x400000);

    strcat(vms, "vm8 { vcpus = <1>; memory-size = <0x400000>; kernel = [00]; };\n");
    expect_error(vms, NULL, "/vms");
    assert_non_null(strstr(err, "8"));

    /* 31 characters is the longest name; a unit address is part of it. */
    assert_int_equal(parse(MIN_VM("a234567890123456789012345678901")), 0);
    assert_string_equal(cfg.vms[0].name, "a234567890123456789012345678901");
    expect_error(MIN_VM("a2345678901234567890123456789012"), NULL, "vms");
    assert_int_equal(parse(MIN_VM("guest@1") MIN_VM("guest@2")), 0);
    assert_string_equal(cfg.vms[1].name, "guest@2");
}

static void test_empty_bootargs_and_unknown_props(void **state)
{
    (void)state;
    assert_int_equal(parse("x { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "    bootargs = \"\"; };\n"),
                     0);
    assert_string_equal(cfg.vms[0].bootargs, "");
    /* What elvisor does not know is an error, not a default kept silently. */
    expect_error("x { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; future-option = <7>; };\n",
                 "x", "future-option");
    assert_non_null(strstr(err, "not a VM property"));
    expect_error("x { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; sub { a = <1>; }; };\n",
                 "x", "sub");
    assert_non_null(strstr(err, "node 'sub'"));
    assert_int_equal(parse("x { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                           "    gic-version = <2>; };\n"),
                     0);
    assert_int_equal(cfg.vms[0].gic_version, 2);
}

/* Linux arm64's COMMAND_LINE_SIZE: 2048 bytes with the NUL. */
static void test_bootargs_limit(void **state)
{
    static char vms[4096];

    (void)state;
    snprintf(vms, sizeof(vms), "b { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %%K;\n"
                               "    bootargs = \"%02047d\"; };\n", 0);
    assert_int_equal(parse(vms), 0);
    assert_int_equal(strlen(cfg.vms[0].bootargs), 2047);
    snprintf(vms, sizeof(vms), "b { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %%K;\n"
                               "    bootargs = \"%02048d\"; };\n", 0);
    expect_error(vms, "b", "bootargs");
    assert_non_null(strstr(err, "2047"));
}

struct collected {
    unsigned n;
    char lines[16][128];
};

static void collect(void *ctx, const struct config_error *e)
{
    struct collected *c = ctx;

    if (c->n < 16)
        snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s/%s/%s", e->vm ? e->vm : "-", e->prop ? e->prop : "-",
                 e->child ? e->child : "-");
    c->n++;
}

/* config_check() goes on after an error: every one is reported, once; cpus
 * is not judged against an invalid vcpus. config_parse() gives the first. */
static void test_check_reports_every_error(void **state)
{
    static const char *const want[] = {
        "a/vcpus/-", "a/memory-size/-", "a/gic-version/-", "a/memroy/-", "a/-/child",
        "b/kernel/-", "b/console/-", "-/compatible/-",
    };
    struct collected got = { 0 };

    (void)state;
    build("\"acme,board\"",
          "a { vcpus = <0>; memory-size = <3>; kernel = %K; gic-version = <4>; cpus = <0 1 2>; console;\n"
          "    memroy = <1>; child { }; };\n"
          "b { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; console; };\n",
          NULL);
    assert_int_equal(config_check(blob, blob_len, &cfg, collect, &got), 8);
    for (unsigned i = 0; i < 8; i++) {
        bool found = false;
        for (unsigned k = 0; k < got.n; k++)
            found |= strcmp(got.lines[k], want[i]) == 0;
        if (!found)
            print_error("no error %s\n", want[i]);
        assert_true(found);
    }
    assert_int_equal(cfg.nr_vms, 2);
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "compatible"));
}

/* ---- Errors, each naming the VM and the property ---- */

static void test_vcpus_errors(void **state)
{
    (void)state;
    expect_error("v { memory-size = /bits/ 64 <0x200000>; kernel = %K; };", "v", "vcpus");
    expect_error("v { vcpus = <0>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };", "v", "vcpus");
    expect_error("v { vcpus = <9>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };", "v", "vcpus");
    expect_error("v { vcpus = <0xffffffff>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };",
                 "v", "vcpus");
    expect_error("v { vcpus = \"2\"; memory-size = /bits/ 64 <0x200000>; kernel = %K; };", "v", "vcpus");
    expect_error("v { vcpus = /bits/ 64 <2>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };",
                 "v", "vcpus");
    expect_error("v { vcpus; memory-size = /bits/ 64 <0x200000>; kernel = %K; };", "v", "vcpus");
    expect_error("v { vcpus = /bits/ 8 <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; };",
                 "v", "vcpus");
}

static void test_memory_errors(void **state)
{
    (void)state;
    expect_error("m { vcpus = <1>; kernel = %K; };", "m", "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0>; kernel = %K; };", "m", "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0x100000>; kernel = %K; };", "m",
                 "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0x200001>; kernel = %K; };", "m",
                 "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0x3ff000>; kernel = %K; };", "m",
                 "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0x1000200000>; kernel = %K; };", "m",
                 "memory-size");
    expect_error("m { vcpus = <1>; memory-size = /bits/ 64 <0xffffffffffe00000>; kernel = %K; };",
                 "m", "memory-size");
    expect_error("m { vcpus = <1>; memory-size = \"512M\"; kernel = %K; };", "m", "memory-size");
    expect_error("m { vcpus = <1>; memory-size = <0 0x200000 0>; kernel = %K; };", "m", "memory-size");
}

static void test_image_errors(void **state)
{
    (void)state;
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; };", "k", "kernel");
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel; };", "k", "kernel");
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = []; };", "k", "kernel");
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; initrd; };", "k",
                 "initrd");
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K;\n"
                 "    bootargs = [41 42 43]; };", "k", "bootargs");
    expect_error("k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; bootargs; };",
                 "k", "bootargs");
}

static void test_gic_version_errors(void **state)
{
    static const char *const bad[] = { "<0>", "<1>", "<4>", "<0xffffffff>", "\"3\"", "<3 3>",
                                       "/bits/ 64 <3>" };
    char vms[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(vms, sizeof(vms), "g { vcpus = <1>; memory-size = /bits/ 64 <0x200000>;\n"
                 "  kernel = %%K; gic-version = %s; };", bad[i]);
        expect_error(vms, "g", "gic-version");
    }
    expect_error("g { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; gic-version; };",
                 "g", "gic-version");
}

/* kernel-format: absent = AUTO (Image or ELF by header); "image", "elf",
 * "raw" by name; anything else names the VM and the property. */
static void test_kernel_format(void **state)
{
    static const struct { const char *text; enum kernel_format want; } good[] = {
        { "", KERNEL_FORMAT_AUTO },
        { "kernel-format = \"image\";", KERNEL_FORMAT_IMAGE },
        { "kernel-format = \"elf\";", KERNEL_FORMAT_ELF },
        { "kernel-format = \"raw\";", KERNEL_FORMAT_RAW },
    };
    static const char *const bad[] = { "\"Raw\"", "\"\"", "\"bin\"", "<1>", "\"raw\", \"elf\"" };
    char vms[256];

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        snprintf(vms, sizeof(vms), "k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>;\n"
                 "  kernel = %%K; %s };", good[i].text);
        assert_int_equal(parse(vms), 0);
        assert_int_equal(cfg.vms[0].kernel_format, good[i].want);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(vms, sizeof(vms), "k { vcpus = <1>; memory-size = /bits/ 64 <0x200000>;\n"
                 "  kernel = %%K; kernel-format = %s; };", bad[i]);
        expect_error(vms, "k", "kernel-format");
    }
}

static void test_cpus_errors(void **state)
{
    (void)state;
    expect_error("c { vcpus = <2>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = <0>; };",
                 "c", "cpus");
    expect_error("c { vcpus = <2>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = <0 1 2>; };",
                 "c", "cpus");
    expect_error("c { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus; };",
                 "c", "cpus");
    expect_error("c { vcpus = <2>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = <0 8>; };",
                 "c", "cpus");
    expect_error("c { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = <0xffffffff>; };",
                 "c", "cpus");
    expect_error("c { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = [00 00 01]; };",
                 "c", "cpus");
    assert_int_equal(parse("c { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; cpus = <7>; };"),
                     0);
    assert_int_equal(cfg.vms[0].cpu_map[0], 7);
}

/* The first VM is fine; the error names the second one. */
static void test_error_names_the_right_vm(void **state)
{
    (void)state;
    expect_error(MIN_VM("good") "bad { vcpus = <1>; memory-size = /bits/ 64 <0x300000>; kernel = %K; };",
                 "bad", "memory-size");
    assert_null(strstr(err, "good"));
}

static void test_duplicates(void **state)
{
    (void)state;
    /* dtc refuses duplicate node names unless forced, so force it. */
    build("\"elvisor,config\"", MIN_VM("twin") MIN_VM("twin"), "-f -q -q");
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    expect_error_text("twin", "name");

    expect_error("a { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; console; };\n"
                 "b { vcpus = <1>; memory-size = /bits/ 64 <0x200000>; kernel = %K; console; };",
                 "b", "console");
}

static void test_structure_errors(void **state)
{
    (void)state;
    /* No /vms node. */
    build("\"elvisor,config\"", NULL, NULL);
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    expect_error_text(NULL, "/vms");
    /* An empty /vms. */
    expect_error("", NULL, "/vms");
    /* Wrong or missing root compatible. */
    build("\"linux,dummy-virt\"", MIN_VM("x"), NULL);
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    expect_error_text(NULL, "compatible");
    build(NULL, MIN_VM("x"), NULL);
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    expect_error_text(NULL, "compatible");
    /* A compatible list that contains ours is fine. */
    build("\"acme,bundle\", \"elvisor,config\"", MIN_VM("x"), NULL);
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), 0);
    /* /vms somewhere else does not count. */
    free(blob);
    {
        char dts[512];
        char body[400];
        expand(body, sizeof(body), MIN_VM("x"));
        snprintf(dts, sizeof(dts), "/dts-v1/;\n/ { compatible = \"elvisor,config\";\n"
                 "  other { vms { %s }; }; };\n", body);
        blob = dtc_compile(dts, "", &blob_len);
    }
    assert_int_equal(config_parse(blob, blob_len, &cfg, err, sizeof(err)), -1);
    expect_error_text(NULL, "/vms");
}

static void test_small_error_buffer(void **state)
{
    char small[12];

    (void)state;
    build("\"elvisor,config\"", "v { vcpus = <0>; };", NULL);
    memset(small, 'x', sizeof(small));
    assert_int_equal(config_parse(blob, blob_len, &cfg, small, sizeof(small)), -1);
    assert_int_equal(small[sizeof(small) - 1], '\0');
    assert_int_equal(strlen(small), sizeof(small) - 1);
    /* errlen 0: nothing is written. */
    assert_int_equal(config_parse(blob, blob_len, &cfg, small, 0), -1);
}

/* ---- Hostile blobs ---- */

static void test_truncated_and_garbage(void **state)
{
    uint8_t *copy;

    (void)state;
    assert_int_equal(parse(MIN_VM("linux") MIN_VM("other")), 0);
    /* Every shorter prefix, in an exactly sized heap buffer. */
    for (size_t n = 0; n < blob_len; n++) {
        copy = malloc(n ? n : 1);
        memcpy(copy, blob, n);
        assert_int_equal(config_parse(copy, n, &cfg, err, sizeof(err)), -1);
        assert_true(strlen(err) > 0);
        assert_int_equal(cfg.nr_vms, 0);
        free(copy);
    }
    /* The real size but a totalsize that claims more. */
    copy = malloc(blob_len);
    memcpy(copy, blob, blob_len);
    fdt_put_be32(copy + FDT_HDR_TOTALSIZE, (uint32_t)blob_len + 1);
    assert_int_equal(config_parse(copy, blob_len, &cfg, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "bundle"));
    free(copy);
    /* Garbage of many sizes. */
    uint32_t x = 12345;
    for (size_t n = 1; n < 600; n += 37) {
        copy = malloc(n);
        for (size_t i = 0; i < n; i++) {
            x = x * 1103515245u + 12345u;
            copy[i] = (uint8_t)(x >> 16);
        }
        if (n >= 4)
            fdt_put_be32(copy, FDT_MAGIC);
        assert_int_equal(config_parse(copy, n, &cfg, err, sizeof(err)), -1);
        free(copy);
    }
}

/* Random byte flips in a valid bundle: any verdict is fine, a sanitizer
 * report is not; a success still returns only sane values. */
static void test_mutations(void **state)
{
    uint8_t *copy;
    uint32_t x = 777;
    unsigned ok = 0;

    (void)state;
    assert_int_equal(parse("linux { vcpus = <2>; memory-size = /bits/ 64 <0x20000000>; kernel = %K;\n"
                           "  initrd = %I; bootargs = \"console=ttyAMA0\"; console; cpus = <0 1>; };\n"
                           MIN_VM("second")),
                     0);
    copy = malloc(blob_len);
    for (unsigned iter = 0; iter < 3000; iter++) {
        memcpy(copy, blob, blob_len);
        for (unsigned k = 0; k < 1 + iter % 4; k++) {
            x = x * 1103515245u + 12345u;
            size_t pos = (x >> 8) % blob_len;
            x = x * 1103515245u + 12345u;
            copy[pos] ^= (uint8_t)(1u << ((x >> 16) & 7));
        }
        if (config_parse(copy, blob_len, &cfg, err, sizeof(err)) == 0) {
            ok++;
            assert_true(cfg.nr_vms >= 1 && cfg.nr_vms <= CONFIG_MAX_VMS);
            for (unsigned v = 0; v < cfg.nr_vms; v++) {
                const struct vm_config *vm = &cfg.vms[v];
                assert_true(vm->nr_vcpus >= 1 && vm->nr_vcpus <= 8);
                assert_true(vm->mem_size % 0x200000 == 0 && vm->mem_size > 0);
                assert_true(vm->kernel >= copy && vm->kernel + vm->kernel_size <= copy + blob_len);
                if (vm->initrd)
                    assert_true(vm->initrd >= copy && vm->initrd + vm->initrd_size <= copy + blob_len);
                assert_true(strlen(vm->name) < CONFIG_NAME_MAX);
                assert_true(vm->gic_version == 0 || vm->gic_version == 2 || vm->gic_version == 3);
            }
        }
    }
    free(copy);
    /* Most flips land in image bytes and change nothing structural. */
    assert_true(ok > 0);
}

static void test_parse_bdf(void **state)
{
    struct config_pci f;
    static const char *const bad[] = { "", "0:1.0", "00:1.0", "00:01.8", "00:20.0", "00:01.0 ", "00-01.0",
                                       "0g:01.0", "00:01:0", "00:01.", "000:01.0" };

    (void)state;
    assert_true(config_parse_bdf("00:01.0", &f));
    assert_int_equal(f.bus, 0);
    assert_int_equal(f.dev, 1);
    assert_int_equal(f.fn, 0);
    assert_true(config_parse_bdf("Ab:1f.7", &f));
    assert_int_equal(f.bus, 0xab);
    assert_int_equal(f.dev, 0x1f);
    assert_int_equal(f.fn, 7);
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(config_parse_bdf(bad[i], &f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_bdf),
        cmocka_unit_test_teardown(test_minimal, teardown),
        cmocka_unit_test_teardown(test_virt_el2, teardown),
        cmocka_unit_test_teardown(test_virt_el2_mode, teardown),
        cmocka_unit_test_teardown(test_virt_el2_nv2, teardown),
        cmocka_unit_test_teardown(test_full_and_several, teardown),
        cmocka_unit_test_teardown(test_eight_vms_and_names, teardown),
        cmocka_unit_test_teardown(test_empty_bootargs_and_unknown_props, teardown),
        cmocka_unit_test_teardown(test_bootargs_limit, teardown),
        cmocka_unit_test_teardown(test_check_reports_every_error, teardown),
        cmocka_unit_test_teardown(test_vcpus_errors, teardown),
        cmocka_unit_test_teardown(test_memory_errors, teardown),
        cmocka_unit_test_teardown(test_image_errors, teardown),
        cmocka_unit_test_teardown(test_gic_version_errors, teardown),
        cmocka_unit_test_teardown(test_kernel_format, teardown),
        cmocka_unit_test_teardown(test_cpus_errors, teardown),
        cmocka_unit_test_teardown(test_error_names_the_right_vm, teardown),
        cmocka_unit_test_teardown(test_duplicates, teardown),
        cmocka_unit_test_teardown(test_structure_errors, teardown),
        cmocka_unit_test_teardown(test_small_error_buffer, teardown),
        cmocka_unit_test_teardown(test_truncated_and_garbage, teardown),
        cmocka_unit_test_teardown(test_mutations, teardown),
    };

    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
