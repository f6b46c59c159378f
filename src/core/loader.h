/* Where a guest kernel image goes in guest RAM and where it starts: an
 * arm64 Linux Image, an ELF64 executable, or a raw binary. Pure. */
#ifndef ELVISOR_CORE_LOADER_H
#define ELVISOR_CORE_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#define LOADER_MAX_SEGMENTS 8
/* Where the Linux boot protocol puts a raw image without a header. */
#define LOADER_RAW_TEXT_OFFSET 0x80000ULL

enum image_kind { IMAGE_LINUX, IMAGE_ELF, IMAGE_RAW };

/* What the VM's config says the kernel is (`kernel-format`): by default an
 * arm64 Image or an ELF, told apart by their headers; anything else is
 * refused, since a raw binary cannot be told from a damaged file. A raw
 * binary must be asked for; "image" and "elf" insist on that format. */
enum kernel_format { KERNEL_FORMAT_AUTO, KERNEL_FORMAT_IMAGE, KERNEL_FORMAT_ELF, KERNEL_FORMAT_RAW };

struct load_segment {
    uint64_t ipa;           /* destination in guest RAM */
    uint64_t file_off;      /* bytes copied from the image */
    uint64_t file_size;
    uint64_t mem_size;      /* >= file_size; the rest is zeroed */
};

struct load_plan {
    enum image_kind kind;
    uint64_t entry;
    uint64_t end;           /* first IPA after everything loaded (incl. Image bss) */
    unsigned nr_segments;
    struct load_segment seg[LOADER_MAX_SEGMENTS];
};

/* Returns 0, or negative with a reason in *why when the image cannot be
 * placed inside [ram_base, ram_base + ram_size). */
int loader_plan(const uint8_t *img, uint64_t len, enum kernel_format fmt, uint64_t ram_base,
                uint64_t ram_size, struct load_plan *plan, const char **why);

const char *loader_kind_name(enum image_kind k);

#endif
