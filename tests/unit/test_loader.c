/* Guest image placement: arm64 Linux Image headers (text_offset,
 * image_size, the image_size == 0 legacy form), ELF64 AArch64 executables
 * (hand-built, plus one linked by ld.lld at test time when the toolchain is
 * there) and raw binaries, including images that do not fit. */
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
#include "core/loader.c"

#include "fdt_test_util.h"

#define RAM_BASE 0x40000000ULL
#define MiB     0x100000ULL

static struct load_plan plan;
static const char *why;
static enum kernel_format fmt;     /* the config's kernel-format; AUTO unless a test says */

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int plan_for(const uint8_t *img, uint64_t len, uint64_t ram_size)
{
    memset(&plan, 0xa5, sizeof(plan));
    why = NULL;
    int rc = loader_plan(img, len, fmt, RAM_BASE, ram_size, &plan, &why);
    if (rc < 0) {
        assert_non_null(why);
        assert_true(strlen(why) > 0);
    }
    return rc;
}

static void expect_fail(const uint8_t *img, uint64_t len, uint64_t ram_size, const char *word)
{
    assert_int_equal(plan_for(img, len, ram_size), -1);
    if (word && !strstr(why, word))
        print_error("reason \"%s\" lacks \"%s\"\n", why, word);
    if (word)
        assert_non_null(strstr(why, word));
}

/* ---- arm64 Image ---- */

/* Header layout (Linux Documentation/arch/arm64/booting.rst): code0, code1,
 * text_offset @8, image_size @16, flags @24, res2-4, magic "ARM\x64" @56. */
static uint8_t *make_image(size_t len, uint64_t text_offset, uint64_t image_size)
{
    uint8_t *img = calloc(1, len);

    assert_true(len >= 64);
    put_le(img + 0, 0x91005a4dU, 4);        /* "MZ"-style first instruction */
    put_le(img + 4, 0x14000000U, 4);
    put_le(img + 8, text_offset, 8);
    put_le(img + 16, image_size, 8);
    put_le(img + 24, 0xa, 8);               /* LE, 4K pages, anywhere */
    memcpy(img + 56, "ARM\x64", 4);
    for (size_t i = 64; i < len; i++)
        img[i] = (uint8_t)i;
    return img;
}

static void test_image_with_bss(void **state)
{
    uint8_t *img = make_image(0x3000, 0x80000, 0x200000);

    (void)state;
    assert_int_equal(plan_for(img, 0x3000, 256 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_LINUX);
    assert_true(plan.entry == RAM_BASE + 0x80000);
    assert_int_equal(plan.nr_segments, 1);
    assert_true(plan.seg[0].ipa == RAM_BASE + 0x80000);
    assert_true(plan.seg[0].file_off == 0);
    assert_true(plan.seg[0].file_size == 0x3000);
    assert_true(plan.seg[0].mem_size == 0x200000);   /* image_size covers bss */
    assert_true(plan.end == RAM_BASE + 0x80000 + 0x200000);
    assert_string_equal(loader_kind_name(plan.kind), "arm64 Image");
    free(img);
}

static void test_image_text_offset_zero(void **state)
{
    uint8_t *img = make_image(0x1000, 0, 0x1800000);

    (void)state;
    assert_int_equal(plan_for(img, 0x1000, 64 * MiB), 0);
    assert_true(plan.entry == RAM_BASE);
    assert_true(plan.seg[0].ipa == RAM_BASE);
    assert_true(plan.end == RAM_BASE + 0x1800000);
    free(img);
}

/* image_size 0: a pre-3.17 kernel, always at 0x80000, size = file size. */
static void test_image_legacy(void **state)
{
    uint8_t *img = make_image(0x2000, 0x12345000, 0);

    (void)state;
    assert_int_equal(plan_for(img, 0x2000, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_LINUX);
    assert_true(plan.entry == RAM_BASE + 0x80000);
    assert_true(plan.seg[0].file_size == 0x2000);
    assert_true(plan.seg[0].mem_size == 0x2000);
    assert_true(plan.end == RAM_BASE + 0x82000);
    free(img);
}

/* A header claiming less than the file: the whole file is still loaded. */
static void test_image_size_smaller_than_file(void **state)
{
    uint8_t *img = make_image(0x5000, 0x80000, 0x1000);

    (void)state;
    assert_int_equal(plan_for(img, 0x5000, 16 * MiB), 0);
    assert_true(plan.seg[0].file_size == 0x5000);
    assert_true(plan.seg[0].mem_size == 0x5000);
    assert_true(plan.end == RAM_BASE + 0x85000);
    free(img);
}

static void test_image_fit_limits(void **state)
{
    uint8_t *img = make_image(0x1000, 0x80000, 0x200000 - 0x80000);

    (void)state;
    /* Exactly fills 2 MiB of RAM. */
    assert_int_equal(plan_for(img, 0x1000, 2 * MiB), 0);
    assert_true(plan.end == RAM_BASE + 2 * MiB);
    /* One page less RAM. */
    expect_fail(img, 0x1000, 2 * MiB - 0x1000, "Image");
    free(img);

    /* text_offset and image_size that would wrap around. */
    static const uint64_t offs[] = { 16 * MiB, 16 * MiB - 1, 0xfffffffffffff000ULL, 1ULL << 63 };
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        img = make_image(0x1000, offs[i], 0x1000);
        expect_fail(img, 0x1000, 16 * MiB, "does not fit");
        free(img);
    }
    static const uint64_t sizes[] = { 16 * MiB, ~0ULL, ~0ULL - 0x7ffff, 1ULL << 63 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        img = make_image(0x1000, 0x80000, sizes[i]);
        expect_fail(img, 0x1000, 16 * MiB, "does not fit");
        free(img);
    }
    /* A file bigger than RAM. */
    img = make_image(0x300000, 0, 0);
    expect_fail(img, 0x300000, 2 * MiB, NULL);
    free(img);
}

/* The magic alone decides: a 64-byte header without it is raw data, and
 * a file shorter than the header cannot be an Image. */
static void test_image_detection(void **state)
{
    uint8_t *img = make_image(64, 0x80000, 0x100000);

    (void)state;
    assert_int_equal(plan_for(img, 64, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_LINUX);
    /* Without the whole header or the magic it is no Image, and nothing
     * else either: refused unless the config asks for a raw binary. */
    expect_fail(img, 63, 16 * MiB, "kernel-format = \"raw\"");
    img[59] = 0x65;
    expect_fail(img, 64, 16 * MiB, "neither an arm64 Image");
    fmt = KERNEL_FORMAT_RAW;
    assert_int_equal(plan_for(img, 64, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_RAW);
    img[59] = 0x64;
    assert_int_equal(plan_for(img, 64, 16 * MiB), 0);      /* raw, whatever it holds */
    assert_int_equal(plan.kind, IMAGE_RAW);
    /* "image" and "elf" insist on their format */
    fmt = KERNEL_FORMAT_ELF;
    expect_fail(img, 64, 16 * MiB, "not an ELF");
    fmt = KERNEL_FORMAT_IMAGE;
    assert_int_equal(plan_for(img, 64, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_LINUX);
    fmt = KERNEL_FORMAT_AUTO;
    free(img);
}

/* An Image with the EFI stub ("MZ", PE header at the offset in 0x3c) says
 * in its section table how long the file is (PE/COFF: SizeOfRawData and
 * PointerToRawData of each 40-byte section header after the optional
 * header): a shorter file was cut short and is refused. */
static void test_image_truncated_pe(void **state)
{
    const size_t len = 0x3000, pe = 0x40;
    uint8_t *img = make_image(len, 0, 0x10000);

    (void)state;
    img[0] = 'M';
    img[1] = 'Z';
    put_le(img + 0x3c, pe, 4);
    memcpy(img + pe, "PE\0\0", 4);
    put_le(img + pe + 6, 2, 2);             /* two sections */
    put_le(img + pe + 20, 0xf0, 2);         /* optional header size */
    uint8_t *sec = img + pe + 24 + 0xf0;
    put_le(sec + 16, 0x1000, 4);            /* .text: 0x1000 bytes at 0x1000 */
    put_le(sec + 20, 0x1000, 4);
    put_le(sec + 40 + 16, 0x1000, 4);       /* .data: 0x1000 bytes at 0x2000 */
    put_le(sec + 40 + 20, 0x2000, 4);
    assert_int_equal(plan_for(img, len, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_LINUX);
    expect_fail(img, len - 1, 16 * MiB, "cut short");
    expect_fail(img, 0x2000, 16 * MiB, "cut short");
    /* a section table that runs past the end of the file */
    put_le(img + pe + 6, 0xffff, 2);
    expect_fail(img, len, 16 * MiB, "cut short");
    put_le(img + pe + 6, 2, 2);
    /* no PE header where "MZ" points (past the end, or no signature):
     * no EFI stub, so nothing says how long the file should be */
    put_le(img + 0x3c, len + 8, 4);
    assert_int_equal(plan_for(img, len - 1, 16 * MiB), 0);
    put_le(img + 0x3c, pe, 4);
    img[pe] = 'X';
    assert_int_equal(plan_for(img, 0x2000, 16 * MiB), 0);
    free(img);
}

/* ---- ELF64 ---- */

#define EH_SIZE  64
#define PH_SIZE  56
#define PT_NOTE_ 4
#define PT_GNU_STACK_ 0x6474e551u

struct phdr_spec {
    uint32_t type;
    uint64_t off, paddr, filesz, memsz;
};

/* ELF64 header and program headers per the System V gABI. */
static uint8_t *make_elf(size_t len, uint64_t entry, const struct phdr_spec *ph, unsigned n)
{
    uint8_t *img = calloc(1, len);

    assert_true(len >= EH_SIZE + n * PH_SIZE);
    memcpy(img, "\x7f" "ELF", 4);
    img[4] = 2;                             /* ELFCLASS64 */
    img[5] = 1;                             /* ELFDATA2LSB */
    img[6] = 1;                             /* EV_CURRENT */
    put_le(img + 16, 2, 2);                 /* ET_EXEC */
    put_le(img + 18, 183, 2);               /* EM_AARCH64 */
    put_le(img + 20, 1, 4);
    put_le(img + 24, entry, 8);
    put_le(img + 32, EH_SIZE, 8);           /* e_phoff */
    put_le(img + 52, EH_SIZE, 2);
    put_le(img + 54, PH_SIZE, 2);
    put_le(img + 56, n, 2);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = img + EH_SIZE + i * PH_SIZE;
        put_le(p + 0, ph[i].type, 4);
        put_le(p + 4, 5, 4);
        put_le(p + 8, ph[i].off, 8);
        put_le(p + 16, ph[i].paddr + 0xffff000000000000ULL, 8);  /* vaddr is not used */
        put_le(p + 24, ph[i].paddr, 8);
        put_le(p + 32, ph[i].filesz, 8);
        put_le(p + 40, ph[i].memsz, 8);
        put_le(p + 48, 0x1000, 8);
    }
    return img;
}

static void test_elf_segments(void **state)
{
    const struct phdr_spec ph[] = {
        { PT_NOTE_, 0x200, 0, 0x20, 0x20 },
        { 1, 0x1000, RAM_BASE + 0x100000, 0x2000, 0x2000 },          /* text */
        { 1, 0x3000, RAM_BASE + 0x200000, 0x800, 0x10000 },          /* data + bss */
        { PT_GNU_STACK_, 0, 0, 0, 0 },
        { 1, 0x3800, RAM_BASE + 0x400000, 0, 0 },                    /* empty: skipped */
    };
    uint8_t *img = make_elf(0x3800, RAM_BASE + 0x100040, ph, 5);

    (void)state;
    assert_int_equal(plan_for(img, 0x3800, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_ELF);
    assert_string_equal(loader_kind_name(plan.kind), "ELF");
    assert_true(plan.entry == RAM_BASE + 0x100040);
    assert_int_equal(plan.nr_segments, 2);
    assert_true(plan.seg[0].ipa == RAM_BASE + 0x100000);
    assert_true(plan.seg[0].file_off == 0x1000);
    assert_true(plan.seg[0].file_size == 0x2000);
    assert_true(plan.seg[0].mem_size == 0x2000);
    assert_true(plan.seg[1].ipa == RAM_BASE + 0x200000);
    assert_true(plan.seg[1].file_off == 0x3000);
    assert_true(plan.seg[1].file_size == 0x800);
    assert_true(plan.seg[1].mem_size == 0x10000);
    assert_true(plan.end == RAM_BASE + 0x210000);
    free(img);
}

/* A segment that is all bss (file size 0) and segments in any order. */
static void test_elf_bss_only_and_order(void **state)
{
    const struct phdr_spec ph[] = {
        { 1, 0x1000, RAM_BASE + 0x300000, 0, 0x4000 },
        { 1, 0x1000, RAM_BASE, 0x100, 0x100 },
    };
    uint8_t *img = make_elf(0x1100, RAM_BASE, ph, 2);

    (void)state;
    assert_int_equal(plan_for(img, 0x1100, 4 * MiB), 0);
    assert_int_equal(plan.nr_segments, 2);
    assert_true(plan.seg[0].file_size == 0);
    assert_true(plan.seg[0].mem_size == 0x4000);
    assert_true(plan.end == RAM_BASE + 0x304000);
    /* The last byte of RAM is usable; one more is not. */
    const struct phdr_spec edge[] = { { 1, 0x100, RAM_BASE + 4 * MiB - 0x10, 0x10, 0x10 } };
    free(img);
    img = make_elf(0x110, RAM_BASE + 4 * MiB - 4, edge, 1);
    assert_int_equal(plan_for(img, 0x110, 4 * MiB), 0);
    assert_true(plan.end == RAM_BASE + 4 * MiB);
    expect_fail(img, 0x110, 4 * MiB - 1, "outside VM memory");
    free(img);
}

static void test_elf_header_errors(void **state)
{
    const struct phdr_spec ph[] = { { 1, 0x100, RAM_BASE, 0x10, 0x10 } };
    uint8_t *img = make_elf(0x110, RAM_BASE, ph, 1);

    (void)state;
    assert_int_equal(plan_for(img, 0x110, 4 * MiB), 0);
    img[4] = 1;                                             /* ELFCLASS32 */
    expect_fail(img, 0x110, 4 * MiB, "64-bit");
    img[4] = 2;
    img[5] = 2;                                             /* big endian */
    expect_fail(img, 0x110, 4 * MiB, "little-endian");
    img[5] = 1;
    put_le(img + 18, 62, 2);                                /* EM_X86_64 */
    expect_fail(img, 0x110, 4 * MiB, "AArch64");
    put_le(img + 18, 40, 2);                                /* EM_ARM */
    expect_fail(img, 0x110, 4 * MiB, "AArch64");
    put_le(img + 18, 183, 2);
    put_le(img + 16, 1, 2);                                 /* ET_REL */
    expect_fail(img, 0x110, 4 * MiB, "executable");
    put_le(img + 16, 2, 2);
    /* Shorter than an ELF64 header. */
    expect_fail(img, 63, 4 * MiB, NULL);
    expect_fail(img, 16, 4 * MiB, NULL);
    assert_int_equal(plan_for(img, 0x110, 4 * MiB), 0);
    free(img);
}

static void test_elf_phdr_errors(void **state)
{
    const struct phdr_spec ph[] = { { 1, 0x100, RAM_BASE, 0x10, 0x10 } };
    uint8_t *img = make_elf(0x110, RAM_BASE, ph, 1);

    (void)state;
    put_le(img + 32, 0x111, 8);                             /* e_phoff past the end */
    expect_fail(img, 0x110, 4 * MiB, "program headers");
    put_le(img + 32, 0x100, 8);                             /* table runs off the end */
    expect_fail(img, 0x110, 4 * MiB, "program headers");
    put_le(img + 32, ~0ULL - 10, 8);
    expect_fail(img, 0x110, 4 * MiB, "program headers");
    put_le(img + 32, EH_SIZE, 8);
    put_le(img + 56, 0xffff, 2);                            /* e_phnum */
    expect_fail(img, 0x110, 4 * MiB, "program headers");
    put_le(img + 56, 0, 2);
    expect_fail(img, 0x110, 4 * MiB, NULL);
    put_le(img + 56, 1, 2);
    put_le(img + 54, 32, 2);                                /* e_phentsize too small */
    expect_fail(img, 0x110, 4 * MiB, "program headers");
    put_le(img + 54, PH_SIZE, 2);
    assert_int_equal(plan_for(img, 0x110, 4 * MiB), 0);
    free(img);
}

static void check_segment_rejected(struct phdr_spec s, uint64_t entry, const char *word)
{
    uint8_t *img = make_elf(0x200, entry, &s, 1);

    expect_fail(img, 0x200, 4 * MiB, word);
    free(img);
}

static void test_elf_segment_errors(void **state)
{
    (void)state;
    /* Outside the file. */
    check_segment_rejected((struct phdr_spec){ 1, 0x201, RAM_BASE, 1, 1 }, RAM_BASE, "outside the file");
    check_segment_rejected((struct phdr_spec){ 1, 0x1f0, RAM_BASE, 0x11, 0x11 }, RAM_BASE, "outside the file");
    check_segment_rejected((struct phdr_spec){ 1, ~0ULL, RAM_BASE, 2, 2 }, RAM_BASE, "outside the file");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, ~0ULL, ~0ULL }, RAM_BASE, "outside the file");
    /* File size larger than memory size. */
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, 0x20, 0x10 }, RAM_BASE, NULL);
    /* Outside RAM: below, above, straddling the end, wrapping. */
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE - 0x10, 0x10, 0x10 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, 0, 0x10, 0x10 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE + 4 * MiB, 0x10, 0x10 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE + 4 * MiB - 8, 0x10, 0x10 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, 0x10, 4 * MiB + 1 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, ~0ULL - 0xf, 0x10, 0x10 }, RAM_BASE, "VM memory");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE + 0x1000, 0x10, ~0ULL - 0x800 }, RAM_BASE, "VM memory");
    /* Entry point outside RAM. */
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, 0x10, 0x10 }, 0x1000, "entry");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, 0x10, 0x10 }, RAM_BASE + 4 * MiB, "entry");
    check_segment_rejected((struct phdr_spec){ 1, 0x100, RAM_BASE, 0x10, 0x10 }, ~0ULL, "entry");
    /* No loadable segment at all. */
    check_segment_rejected((struct phdr_spec){ PT_NOTE_, 0x100, RAM_BASE, 0x10, 0x10 }, RAM_BASE, "no loadable");
}

static void test_elf_segment_count(void **state)
{
    struct phdr_spec ph[9];
    uint8_t *img;

    (void)state;
    for (unsigned i = 0; i < 9; i++)
        ph[i] = (struct phdr_spec){ 1, 0x400 + i * 0x10, RAM_BASE + i * 0x10000, 0x10, 0x10 };
    img = make_elf(0x600, RAM_BASE, ph, 8);
    assert_int_equal(plan_for(img, 0x600, 4 * MiB), 0);
    assert_int_equal(plan.nr_segments, LOADER_MAX_SEGMENTS);
    assert_true(plan.seg[7].ipa == RAM_BASE + 0x70000);
    free(img);
    img = make_elf(0x600, RAM_BASE, ph, 9);
    expect_fail(img, 0x600, 4 * MiB, "more than 8");
    free(img);
}

/* An ELF linked by ld.lld, as the guests under guests/ are. */
static void test_elf_from_toolchain(void **state)
{
    static const char asm_src[] =
        ".section .text.start, \"ax\"\n"
        ".global _start\n"
        "_start: nop\n"
        "  b _start\n"
        ".data\n"
        "value: .quad 0x1122334455667788\n"
        ".bss\n"
        "buf: .space 0x3000\n";
    static const char lds[] =
        "ENTRY(_start)\n"
        "SECTIONS {\n"
        "  . = 0x40080000;\n"
        "  .text : { *(.text.start) *(.text*) }\n"
        "  . = ALIGN(0x10000);\n"
        "  .data : { *(.data*) }\n"
        "  .bss : { *(.bss*) }\n"
        "}\n";
    char src[64], obj[64], ld[64], elf[64], cmd[512];
    size_t len;
    uint8_t *img;

    (void)state;
    if (system("command -v clang >/dev/null 2>&1 && command -v ld.lld >/dev/null 2>&1") != 0)
        skip();
    snprintf(src, sizeof(src), "/tmp/elvisor-test-ld-%d.S", (int)getpid());
    snprintf(obj, sizeof(obj), "/tmp/elvisor-test-ld-%d.o", (int)getpid());
    snprintf(ld, sizeof(ld), "/tmp/elvisor-test-ld-%d.ld", (int)getpid());
    snprintf(elf, sizeof(elf), "/tmp/elvisor-test-ld-%d.elf", (int)getpid());
    write_file(src, asm_src, strlen(asm_src));
    write_file(ld, lds, strlen(lds));
    snprintf(cmd, sizeof(cmd),
             "clang --target=aarch64-none-elf -c -o %s %s && ld.lld -T %s -o %s %s",
             obj, src, ld, elf, obj);
    assert_int_equal(system(cmd), 0);
    img = read_file(elf, &len);
    unlink(src);
    unlink(obj);
    unlink(ld);
    unlink(elf);
    assert_non_null(img);

    assert_int_equal(plan_for(img, len, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_ELF);
    assert_true(plan.entry == 0x40080000ULL);
    assert_true(plan.nr_segments >= 2);
    bool text = false, data = false;
    for (unsigned i = 0; i < plan.nr_segments; i++) {
        const struct load_segment *s = &plan.seg[i];
        assert_true(s->file_off + s->file_size <= len);
        if (s->ipa <= 0x40080000ULL && 0x40080000ULL < s->ipa + s->mem_size) {
            text = true;
            /* The first instruction is NOP. */
            uint64_t at = s->file_off + (0x40080000ULL - s->ipa);
            assert_int_equal(le(img + at, 4), 0xd503201fU);
        }
        if (s->ipa <= 0x40090000ULL && 0x40090000ULL < s->ipa + s->mem_size) {
            data = true;
            assert_true(le(img + s->file_off + (0x40090000ULL - s->ipa), 8) == 0x1122334455667788ULL);
            assert_true(s->mem_size >= s->file_size + 0x3000);     /* bss */
        }
    }
    assert_true(text && data);
    assert_true(plan.end >= 0x40093000ULL);
    free(img);
}

/* ---- Raw binaries ---- */

/* The entry point must be an instruction the file provides, in a PT_LOAD
 * segment with PF_X (gABI p_flags bit 0): an entry in zero-filled memory
 * (past p_filesz) or in a data segment would run garbage. */
static void test_elf_entry_in_code(void **state)
{
    const struct phdr_spec code[] = { { 1, 0x1000, RAM_BASE + 0x80000, 0x1000, 0x3000 } };
    uint8_t *img = make_elf(0x2000, RAM_BASE + 0x80ffc, code, 1);

    (void)state;
    assert_int_equal(plan_for(img, 0x2000, 16 * MiB), 0);      /* last word of the file part */
    put_le(img + 24, RAM_BASE + 0x80ffd, 8);                    /* runs past it */
    expect_fail(img, 0x2000, 16 * MiB, "entry point");
    put_le(img + 24, RAM_BASE + 0x81000, 8);                    /* zero-filled (bss) */
    expect_fail(img, 0x2000, 16 * MiB, "entry point");
    put_le(img + 24, RAM_BASE + 0x80000, 8);
    put_le(img + EH_SIZE + 4, 6, 4);                            /* PF_R | PF_W: data */
    expect_fail(img, 0x2000, 16 * MiB, "executable");
    free(img);
}

static void test_raw(void **state)
{
    uint8_t *img = calloc(1, 0x1000);

    (void)state;
    fmt = KERNEL_FORMAT_RAW;
    img[0] = 0x1f;
    assert_int_equal(plan_for(img, 0x1000, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_RAW);
    assert_string_equal(loader_kind_name(plan.kind), "raw binary");
    assert_true(plan.entry == RAM_BASE + LOADER_RAW_TEXT_OFFSET);
    assert_int_equal(plan.nr_segments, 1);
    assert_true(plan.seg[0].ipa == RAM_BASE + 0x80000);
    assert_true(plan.seg[0].file_off == 0);
    assert_true(plan.seg[0].file_size == 0x1000);
    assert_true(plan.seg[0].mem_size == 0x1000);
    assert_true(plan.end == RAM_BASE + 0x81000);
    /* One byte, and a file that just fits. */
    assert_int_equal(plan_for(img, 1, 16 * MiB), 0);
    assert_true(plan.end == RAM_BASE + 0x80001);
    assert_int_equal(plan_for(img, 0x1000, 0x81000), 0);
    expect_fail(img, 0x1000, 0x80fff, "raw");
    /* RAM smaller than the load offset. */
    expect_fail(img, 1, 0x80000, "raw");
    expect_fail(img, 1, 0x1000, "raw");
    expect_fail(img, 1, 0, "raw");
    /* An ELF magic loads raw when raw was asked for. */
    memcpy(img, "\x7f" "ELF", 4);
    assert_int_equal(plan_for(img, 15, 16 * MiB), 0);
    assert_int_equal(plan.kind, IMAGE_RAW);
    /* Empty image. */
    expect_fail(img, 0, 16 * MiB, "empty");
    /* Without kernel-format = "raw", a file too short for an ELF
     * identification, or random bytes, are refused. */
    fmt = KERNEL_FORMAT_AUTO;
    expect_fail(img, 15, 16 * MiB, "neither");
    srand(7);
    for (unsigned i = 0; i < 0x1000; i++)
        img[i] = (uint8_t)rand();
    expect_fail(img, 0x1000, 16 * MiB, "neither");
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_with_bss),
        cmocka_unit_test(test_image_text_offset_zero),
        cmocka_unit_test(test_image_legacy),
        cmocka_unit_test(test_image_size_smaller_than_file),
        cmocka_unit_test(test_image_fit_limits),
        cmocka_unit_test(test_image_detection),
        cmocka_unit_test(test_image_truncated_pe),
        cmocka_unit_test(test_elf_segments),
        cmocka_unit_test(test_elf_bss_only_and_order),
        cmocka_unit_test(test_elf_header_errors),
        cmocka_unit_test(test_elf_phdr_errors),
        cmocka_unit_test(test_elf_segment_errors),
        cmocka_unit_test(test_elf_segment_count),
        cmocka_unit_test(test_elf_from_toolchain),
        cmocka_unit_test(test_elf_entry_in_code),
        cmocka_unit_test(test_raw),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
