#include "core/loader.h"

/* arm64 Image header (Documentation/arm64/booting in Linux: facts only). */
#define IMAGE_MAGIC_OFF     0x38
#define IMAGE_MAGIC         0x644d5241U    /* "ARM\x64" little endian */
#define IMAGE_TEXT_OFF      8
#define IMAGE_SIZE_OFF      16
#define IMAGE_HDR_SIZE      64

/* PE/COFF header of an Image with the EFI stub ("MZ" at 0): the PE header
 * offset at 0x3c, then the file header and the section table. */
#define PE_MZ_MAGIC         0x5a4dU        /* "MZ" */
#define PE_LFANEW_OFF       0x3c
#define PE_MAGIC            0x00004550U    /* "PE\0\0" */
#define PE_NSECTIONS_OFF    6              /* from the PE header */
#define PE_OPTHDR_SIZE_OFF  20
#define PE_OPTHDR_OFF       24
#define PE_SECTION_SIZE     40
#define PE_SEC_RAWSIZE_OFF  16
#define PE_SEC_RAWPTR_OFF   20

/* ELF64 */
#define EI_NIDENT           16
#define ELFCLASS64          2
#define ELFDATA2LSB         1
#define EM_AARCH64          183
#define ET_EXEC             2
#define PT_LOAD             1
#define PF_X                1

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static bool fits(uint64_t ipa, uint64_t size, uint64_t base, uint64_t ram_size)
{
    return ipa >= base && size <= ram_size && ipa - base <= ram_size - size;
}

/* An Image with the EFI stub says in its section table how many bytes the
 * file holds: fewer means it was cut short (a copy that did not finish). */
static bool pe_truncated(const uint8_t *img, uint64_t len)
{
    uint64_t pe, nsec, sec, need = 0;

    if (le(img, 2) != PE_MZ_MAGIC)
        return false;
    /* No PE header where "MZ" points: no EFI stub, nothing to check. */
    pe = le(img + PE_LFANEW_OFF, 4);
    if (pe > len || len - pe < PE_OPTHDR_OFF || le(img + pe, 4) != PE_MAGIC)
        return false;
    nsec = le(img + pe + PE_NSECTIONS_OFF, 2);
    sec = pe + PE_OPTHDR_OFF + le(img + pe + PE_OPTHDR_SIZE_OFF, 2);
    if (sec > len || nsec * PE_SECTION_SIZE > len - sec)
        return true;
    for (uint64_t i = 0; i < nsec; i++) {
        const uint8_t *s = img + sec + i * PE_SECTION_SIZE;
        uint64_t end = le(s + PE_SEC_RAWPTR_OFF, 4) + le(s + PE_SEC_RAWSIZE_OFF, 4);
        if (end > need)
            need = end;
    }
    return need > len;
}

static int plan_linux(const uint8_t *img, uint64_t len, uint64_t base, uint64_t ram_size,
                      struct load_plan *plan, const char **why)
{
    uint64_t text_offset = le(img + IMAGE_TEXT_OFF, 8);
    uint64_t image_size = le(img + IMAGE_SIZE_OFF, 8);

    if (pe_truncated(img, len)) {
        *why = "Image is cut short: its EFI section table describes more bytes than the file holds";
        return -1;
    }

    /* image_size 0 marks a pre-3.17 kernel, which always used 0x80000. */
    if (image_size == 0) {
        text_offset = LOADER_RAW_TEXT_OFFSET;
        image_size = len;
    }
    if (image_size < len)
        image_size = len;
    if (text_offset >= ram_size || !fits(base + text_offset, image_size, base, ram_size)) {
        *why = "Image (with its text_offset and image_size) does not fit in VM memory";
        return -1;
    }
    plan->kind = IMAGE_LINUX;
    plan->entry = base + text_offset;
    plan->nr_segments = 1;
    plan->seg[0] = (struct load_segment){ base + text_offset, 0, len, image_size };
    plan->end = base + text_offset + image_size;
    return 0;
}

/* The first instruction must be one the file provides, in a segment
 * marked executable: an entry in zeroed memory or data runs garbage. */
static bool elf_entry_in_code(const uint8_t *img, uint64_t phoff, uint64_t phentsize, uint64_t phnum,
                              uint64_t entry)
{
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        uint64_t paddr = le(ph + 24, 8), filesz = le(ph + 32, 8);
        if (le(ph, 4) == PT_LOAD && (le(ph + 4, 4) & PF_X) && entry >= paddr &&
            entry - paddr < filesz && filesz - (entry - paddr) >= 4)
            return true;
    }
    return false;
}

static int plan_elf(const uint8_t *img, uint64_t len, uint64_t base, uint64_t ram_size,
                    struct load_plan *plan, const char **why)
{
    if (len < 64 || img[4] != ELFCLASS64 || img[5] != ELFDATA2LSB) {
        *why = "ELF image is not 64-bit little-endian";
        return -1;
    }
    if (le(img + 18, 2) != EM_AARCH64 || le(img + 16, 2) != ET_EXEC) {
        *why = "ELF image is not an AArch64 executable";
        return -1;
    }
    uint64_t phoff = le(img + 32, 8);
    uint64_t phentsize = le(img + 54, 2);
    uint64_t phnum = le(img + 56, 2);
    if (phentsize < 56 || phnum == 0 || phoff > len || phnum * phentsize > len - phoff) {
        *why = "ELF program headers are outside the file";
        return -1;
    }
    plan->kind = IMAGE_ELF;
    plan->entry = le(img + 24, 8);
    plan->nr_segments = 0;
    plan->end = base;
    for (uint64_t i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + i * phentsize;
        if (le(ph, 4) != PT_LOAD)
            continue;
        uint64_t off = le(ph + 8, 8), paddr = le(ph + 24, 8);
        uint64_t filesz = le(ph + 32, 8), memsz = le(ph + 40, 8);
        if (memsz == 0)
            continue;
        if (filesz > memsz || off > len || filesz > len - off) {
            *why = "ELF segment is outside the file";
            return -1;
        }
        if (!fits(paddr, memsz, base, ram_size)) {
            *why = "ELF segment is outside VM memory";
            return -1;
        }
        if (plan->nr_segments == LOADER_MAX_SEGMENTS) {
            *why = "ELF image has more than 8 loadable segments";
            return -1;
        }
        plan->seg[plan->nr_segments++] = (struct load_segment){ paddr, off, filesz, memsz };
        if (paddr + memsz > plan->end)
            plan->end = paddr + memsz;
    }
    if (plan->nr_segments == 0) {
        *why = "ELF image has no loadable segment";
        return -1;
    }
    if (!fits(plan->entry, 4, base, ram_size)) {
        *why = "ELF entry point is outside VM memory";
        return -1;
    }
    if (!elf_entry_in_code(img, phoff, phentsize, phnum, plan->entry)) {
        *why = "ELF entry point is not in the file's bytes of an executable segment";
        return -1;
    }
    return 0;
}

static int plan_raw(uint64_t len, uint64_t ram_base, uint64_t ram_size, struct load_plan *plan,
                    const char **why)
{
    if (!fits(ram_base + LOADER_RAW_TEXT_OFFSET, len, ram_base, ram_size)) {
        *why = "raw image does not fit in VM memory";
        return -1;
    }
    plan->kind = IMAGE_RAW;
    plan->entry = ram_base + LOADER_RAW_TEXT_OFFSET;
    plan->nr_segments = 1;
    plan->seg[0] = (struct load_segment){ plan->entry, 0, len, len };
    plan->end = plan->entry + len;
    return 0;
}

int loader_plan(const uint8_t *img, uint64_t len, enum kernel_format fmt, uint64_t ram_base,
                uint64_t ram_size, struct load_plan *plan, const char **why)
{
    bool elf = len >= EI_NIDENT && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' && img[3] == 'F';
    bool image = len >= IMAGE_HDR_SIZE && le(img + IMAGE_MAGIC_OFF, 4) == IMAGE_MAGIC;

    if (len == 0) {
        *why = "image is empty";
        return -1;
    }
    if (fmt == KERNEL_FORMAT_RAW)
        return plan_raw(len, ram_base, ram_size, plan, why);
    if (elf && fmt != KERNEL_FORMAT_IMAGE)
        return plan_elf(img, len, ram_base, ram_size, plan, why);
    if (image && fmt != KERNEL_FORMAT_ELF)
        return plan_linux(img, len, ram_base, ram_size, plan, why);
    if (fmt == KERNEL_FORMAT_IMAGE)
        *why = "not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)";
    else if (fmt == KERNEL_FORMAT_ELF)
        *why = "not an ELF file";
    else
        *why = "neither an arm64 Image (\"ARM\\x64\" at 0x38) nor an ELF; "
               "a raw binary needs kernel-format = \"raw\"";
    return -1;
}

const char *loader_kind_name(enum image_kind k)
{
    switch (k) {
    case IMAGE_LINUX:
        return "arm64 Image";
    case IMAGE_ELF:
        return "ELF";
    case IMAGE_RAW:
    default:
        return "raw binary";
    }
}
