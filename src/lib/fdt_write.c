/* FDT sequential writer. Layout while building: header, an empty memory
 * reservation map, then the structure block growing up; the strings block
 * grows down from the end of the buffer. A property records its name as a
 * distance from the buffer end (the final strings block position is not yet
 * known); fdt_w_finish moves the strings next to the structure block and
 * rewrites those distances into real offsets. */
#include "lib/fdt.h"
#include "lib/string.h"

#define WRITER_RSVMAP_OFF   FDT_HEADER_SIZE
#define WRITER_STRUCT_OFF   (FDT_HEADER_SIZE + FDT_RSV_ENTRY_SIZE)
#define WRITER_MAX_SIZE     0x7ffffff0u   /* what the reader accepts */

static uint32_t pad4(uint32_t n)
{
    return (n + FDT_TAG_SIZE - 1) & ~(FDT_TAG_SIZE - 1);
}

static int writer_error(struct fdt_writer *w, int err)
{
    if (!w->err)
        w->err = err;
    return w->err;
}

int fdt_w_fail(struct fdt_writer *w, int err)
{
    return writer_error(w, err);
}

static uint32_t space_left(const struct fdt_writer *w)
{
    return w->size - w->struct_end - w->strings_len;
}

/* Claims n bytes (rounded up to a token boundary, padding zeroed) at the
 * end of the structure block. */
static uint8_t *struct_claim(struct fdt_writer *w, uint32_t n)
{
    uint32_t padded = pad4(n);
    uint8_t *p;

    if (n > WRITER_MAX_SIZE || padded > space_left(w)) {
        writer_error(w, FDT_ERR_NOSPACE);
        return NULL;
    }
    p = w->buf + w->struct_end;
    memset(p + n, 0, padded - n);
    w->struct_end += padded;
    return p;
}

/* Distance from the buffer end of `name` in the strings block, adding it
 * unless an identical string (or a suffix of a longer one) is there already. */
static int string_ref(struct fdt_writer *w, const char *name, uint32_t *dist)
{
    size_t len = strlen(name) + 1;
    const uint8_t *block = w->buf + w->size - w->strings_len;

    if (len > WRITER_MAX_SIZE)
        return writer_error(w, FDT_ERR_NOSPACE);
    for (uint32_t i = 0; (size_t)i + len <= w->strings_len; i++) {
        if (memcmp(block + i, name, len) == 0) {
            *dist = w->strings_len - i;
            return 0;
        }
    }
    if (len > space_left(w))
        return writer_error(w, FDT_ERR_NOSPACE);
    w->strings_len += (uint32_t)len;
    memcpy(w->buf + w->size - w->strings_len, name, len);
    *dist = w->strings_len;
    return 0;
}

int fdt_w_begin(struct fdt_writer *w, void *buf, size_t size)
{
    if (!w)
        return FDT_ERR_BADPARAM;
    memset(w, 0, sizeof(*w));
    if (!buf)
        return writer_error(w, FDT_ERR_BADPARAM);
    if (size > WRITER_MAX_SIZE)
        size = WRITER_MAX_SIZE;
    if (size < WRITER_STRUCT_OFF + FDT_TAG_SIZE)
        return writer_error(w, FDT_ERR_NOSPACE);
    w->buf = buf;
    w->size = (uint32_t)size;
    w->struct_end = WRITER_STRUCT_OFF;
    memset(w->buf, 0, WRITER_STRUCT_OFF);   /* header, empty reservation map */
    return 0;
}

int fdt_w_begin_node(struct fdt_writer *w, const char *name)
{
    uint32_t len;
    uint8_t *p;

    if (w->err)
        return w->err;
    if (!name || strchr(name, '/'))
        return writer_error(w, FDT_ERR_BADPARAM);
    /* Exactly one root, named "", and only children below it have names. */
    if (w->depth == 0 ? (w->root_done || name[0] != '\0') : name[0] == '\0')
        return writer_error(w, FDT_ERR_BADSTATE);
    if (w->depth >= FDT_MAX_DEPTH)
        return writer_error(w, FDT_ERR_DEPTH);
    len = (uint32_t)strlen(name) + 1;
    p = struct_claim(w, FDT_TAG_SIZE + len);
    if (!p)
        return w->err;
    fdt_put_be32(p, FDT_BEGIN_NODE);
    memcpy(p + FDT_TAG_SIZE, name, len);
    w->depth++;
    w->props_open = true;
    return 0;
}

int fdt_w_end_node(struct fdt_writer *w)
{
    uint8_t *p;

    if (w->err)
        return w->err;
    if (w->depth == 0)
        return writer_error(w, FDT_ERR_BADSTATE);
    p = struct_claim(w, FDT_TAG_SIZE);
    if (!p)
        return w->err;
    fdt_put_be32(p, FDT_END_NODE);
    w->props_open = false;   /* the parent's properties came before this child */
    if (--w->depth == 0)
        w->root_done = true;
    return 0;
}

/* Writes a property header and returns where its len-byte value goes. */
static uint8_t *prop_claim(struct fdt_writer *w, const char *name, uint32_t len)
{
    uint32_t dist;
    uint8_t *p;

    if (w->err)
        return NULL;
    if (!name || name[0] == '\0') {
        writer_error(w, FDT_ERR_BADPARAM);
        return NULL;
    }
    if (w->depth == 0 || !w->props_open) {
        writer_error(w, FDT_ERR_BADSTATE);
        return NULL;
    }
    if (len > WRITER_MAX_SIZE) {
        writer_error(w, FDT_ERR_NOSPACE);
        return NULL;
    }
    if (string_ref(w, name, &dist))
        return NULL;
    p = struct_claim(w, FDT_PROP_HDR_SIZE + len);
    if (!p)
        return NULL;
    fdt_put_be32(p, FDT_PROP);
    fdt_put_be32(p + FDT_PROP_LEN, len);
    fdt_put_be32(p + FDT_PROP_NAMEOFF, dist);
    return p + FDT_PROP_HDR_SIZE;
}

int fdt_w_prop(struct fdt_writer *w, const char *name, const void *data, uint32_t len)
{
    uint8_t *p;

    if (!data && len && !w->err)
        return writer_error(w, FDT_ERR_BADPARAM);
    p = prop_claim(w, name, len);
    if (!p)
        return w->err;
    if (len)
        memcpy(p, data, len);
    return 0;
}

int fdt_w_prop_empty(struct fdt_writer *w, const char *name)
{
    return fdt_w_prop(w, name, NULL, 0);
}

int fdt_w_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
    return fdt_w_prop_cells(w, name, &v, 1);
}

int fdt_w_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
    const uint32_t cells[2] = { (uint32_t)(v >> 32), (uint32_t)v };

    return fdt_w_prop_cells(w, name, cells, 2);
}

int fdt_w_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n)
{
    uint8_t *p;

    if (!cells && n && !w->err)
        return writer_error(w, FDT_ERR_BADPARAM);
    if (n > WRITER_MAX_SIZE / FDT_CELL_SIZE)
        return writer_error(w, FDT_ERR_NOSPACE);
    p = prop_claim(w, name, n * FDT_CELL_SIZE);
    if (!p)
        return w->err;
    for (unsigned i = 0; i < n; i++)
        fdt_put_be32(p + i * FDT_CELL_SIZE, cells[i]);
    return 0;
}

int fdt_w_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
    if (!s && !w->err)
        return writer_error(w, FDT_ERR_BADPARAM);
    return fdt_w_prop_stringlist(w, name, &s, 1);
}

int fdt_w_prop_stringlist(struct fdt_writer *w, const char *name, const char *const *strs,
                          unsigned n)
{
    size_t total = 0;
    uint8_t *p;

    if (w->err)
        return w->err;
    if (!strs && n)
        return writer_error(w, FDT_ERR_BADPARAM);
    for (unsigned i = 0; i < n; i++) {
        if (!strs[i])
            return writer_error(w, FDT_ERR_BADPARAM);
        total += strlen(strs[i]) + 1;
        if (total > WRITER_MAX_SIZE)
            return writer_error(w, FDT_ERR_NOSPACE);
    }
    p = prop_claim(w, name, (uint32_t)total);
    if (!p)
        return w->err;
    for (unsigned i = 0; i < n; i++) {
        size_t len = strlen(strs[i]) + 1;

        memcpy(p, strs[i], len);
        p += len;
    }
    return 0;
}

/* Turns the distances-from-buffer-end stored in property headers into
 * offsets within the final strings block of `strings_len` bytes. Walks only
 * what this writer produced. */
static void fixup_name_offsets(struct fdt_writer *w)
{
    uint32_t off = WRITER_STRUCT_OFF;

    while (off + FDT_TAG_SIZE <= w->struct_end) {
        uint8_t *p = w->buf + off;
        uint32_t tag = fdt_be32(p);

        if (tag == FDT_BEGIN_NODE) {
            off += pad4(FDT_TAG_SIZE + (uint32_t)strlen((const char *)p + FDT_TAG_SIZE) + 1);
        } else if (tag == FDT_PROP) {
            fdt_put_be32(p + FDT_PROP_NAMEOFF, w->strings_len - fdt_be32(p + FDT_PROP_NAMEOFF));
            off += pad4(FDT_PROP_HDR_SIZE + fdt_be32(p + FDT_PROP_LEN));
        } else {
            off += FDT_TAG_SIZE;
        }
    }
}

int fdt_w_finish(struct fdt_writer *w)
{
    uint32_t strings_off, total;
    uint8_t *p;

    if (w->err)
        return w->err;
    if (!w->root_done || w->depth != 0)
        return writer_error(w, FDT_ERR_BADSTATE);
    p = struct_claim(w, FDT_TAG_SIZE);
    if (!p)
        return w->err;
    fdt_put_be32(p, FDT_END);
    fixup_name_offsets(w);

    strings_off = w->struct_end;
    memmove(w->buf + strings_off, w->buf + w->size - w->strings_len, w->strings_len);
    total = strings_off + w->strings_len;

    p = w->buf;
    fdt_put_be32(p + FDT_HDR_MAGIC, FDT_MAGIC);
    fdt_put_be32(p + FDT_HDR_TOTALSIZE, total);
    fdt_put_be32(p + FDT_HDR_OFF_STRUCT, WRITER_STRUCT_OFF);
    fdt_put_be32(p + FDT_HDR_OFF_STRINGS, strings_off);
    fdt_put_be32(p + FDT_HDR_OFF_RSVMAP, WRITER_RSVMAP_OFF);
    fdt_put_be32(p + FDT_HDR_VERSION, FDT_VERSION);
    fdt_put_be32(p + FDT_HDR_LAST_COMP, FDT_LAST_COMP_VERSION);
    fdt_put_be32(p + FDT_HDR_BOOT_CPUID, 0);   /* boot_cpuid_phys */
    fdt_put_be32(p + FDT_HDR_SIZE_STRINGS, w->strings_len);
    fdt_put_be32(p + FDT_HDR_SIZE_STRUCT, w->struct_end - WRITER_STRUCT_OFF);

    w->err = FDT_ERR_BADSTATE;   /* the blob is complete: no more calls */
    return (int)total;
}
