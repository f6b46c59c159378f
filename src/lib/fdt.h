/* Flattened device tree (DTB) reader and sequential writer.
 *
 * The reader parses blobs we do not trust (QEMU's DTB, the VM bundle): every
 * offset and length is checked against the header's block sizes, nothing is
 * read outside [blob, blob + totalsize), and every loop advances through the
 * structure block so it ends. fdt_open() validates the whole structure block
 * once; the accessors keep their own bounds checks anyway.
 *
 * Nodes and properties are named by their offset inside the structure block
 * (>= 0). Functions returning int give an offset or 0 on success and a
 * negative FDT_ERR_* code on failure. Multi-byte values are big-endian and
 * are read byte by byte, so the blob needs no particular alignment.
 *
 * See docs/fdt.md. */
#ifndef ELVISOR_LIB_FDT_H
#define ELVISOR_LIB_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC             0xd00dfeedu
#define FDT_VERSION           17u   /* the version the writer emits */
#define FDT_LAST_COMP_VERSION 16u
#define FDT_MIN_VERSION       16u   /* oldest version the reader accepts */
#define FDT_HEADER_SIZE       40u   /* v17 header; v16 lacks size_dt_struct */
#define FDT_HEADER_SIZE_V16   36u

/* Header field offsets (each a big-endian u32). */
#define FDT_HDR_MAGIC         0u
#define FDT_HDR_TOTALSIZE     4u
#define FDT_HDR_OFF_STRUCT    8u
#define FDT_HDR_OFF_STRINGS   12u
#define FDT_HDR_OFF_RSVMAP    16u
#define FDT_HDR_VERSION       20u
#define FDT_HDR_LAST_COMP     24u
#define FDT_HDR_BOOT_CPUID    28u
#define FDT_HDR_SIZE_STRINGS  32u
#define FDT_HDR_SIZE_STRUCT   36u   /* v17 only */

/* Structure block tokens. */
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE   0x2u
#define FDT_PROP       0x3u
#define FDT_NOP        0x4u
#define FDT_END        0x9u

#define FDT_TAG_SIZE   4u
/* FDT_PROP token: tag, value length, name offset in the strings block, value. */
#define FDT_PROP_LEN       4u
#define FDT_PROP_NAMEOFF   8u
#define FDT_PROP_HDR_SIZE  12u
#define FDT_CELL_SIZE  4u
#define FDT_RSV_ENTRY_SIZE 16u

/* Deeper trees are rejected: real ones are a handful of levels deep. */
#define FDT_MAX_DEPTH  32
/* Largest #address-cells / #size-cells accepted (PCI uses 3). */
#define FDT_MAX_NCELLS 4u
#define FDT_DEFAULT_ADDR_CELLS 2u
#define FDT_DEFAULT_SIZE_CELLS 1u

enum fdt_error {
    FDT_ERR_TRUNCATED  = -1,  /* blob or a block ends early */
    FDT_ERR_BADMAGIC   = -2,
    FDT_ERR_BADVERSION = -3,
    FDT_ERR_BADLAYOUT  = -4,  /* header offsets/sizes inconsistent */
    FDT_ERR_BADSTRUCT  = -5,  /* bad token, nesting or name in the structure block */
    FDT_ERR_BADOFFSET  = -6,  /* caller passed an offset that is not a node/property */
    FDT_ERR_NOTFOUND   = -7,
    FDT_ERR_BADVALUE   = -8,  /* property present but of the wrong size/format */
    FDT_ERR_BADPATH    = -9,
    FDT_ERR_DEPTH      = -10, /* nesting deeper than FDT_MAX_DEPTH */
    FDT_ERR_NOSPACE    = -11, /* writer: output buffer too small */
    FDT_ERR_BADSTATE   = -12, /* writer: call out of sequence */
    FDT_ERR_BADPARAM   = -13, /* invalid argument */
};

/* Short name of an FDT_ERR_* code ("FDT_ERR_NOTFOUND"), "FDT_ERR_?" if unknown. */
const char *fdt_strerror(int err);

/* ---- Big-endian helpers ---- */

static inline uint32_t fdt_be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static inline uint64_t fdt_be64(const void *p)
{
    const uint8_t *b = p;
    return ((uint64_t)fdt_be32(b) << 32) | fdt_be32(b + 4);
}

static inline void fdt_put_be32(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* Reads a value of ncells cells (0..FDT_MAX_NCELLS). More than 64 bits of
 * value (non-zero high cells) is FDT_ERR_BADVALUE. */
int fdt_read_cells(const void *p, unsigned ncells, uint64_t *out);

/* ---- Reader ---- */

struct fdt {
    const uint8_t *blob;
    uint32_t totalsize;
    uint32_t version;
    const uint8_t *structs;   /* structure block */
    uint32_t struct_size;
    const char *strings;      /* strings block */
    uint32_t strings_size;
    uint32_t rsvmap_off;
    uint32_t boot_cpuid;
};

/* Reads totalsize from a header whose first 8 bytes are readable, so that a
 * caller holding only a pointer (x0 at boot) knows how much to map. */
int fdt_peek_totalsize(const void *blob, uint32_t *totalsize);

/* Validates the header and the whole structure block; `avail` is how many
 * bytes from `blob` the caller knows to be readable (totalsize must fit). */
int fdt_open(struct fdt *f, const void *blob, size_t avail);

/* Entry idx of the memory reservation map. FDT_ERR_NOTFOUND past the end. */
int fdt_mem_rsv(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size);

/* Nodes. */
int fdt_root(const struct fdt *f);
/* Next node in depth-first order after `node` (-1: the root). When depth is
 * not NULL it is adjusted by the nesting change (+1 into a child, 0 to a
 * sibling, -k back up); iteration ends with FDT_ERR_NOTFOUND. */
int fdt_next_node(const struct fdt *f, int node, int *depth);
int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
int fdt_parent(const struct fdt *f, int node);
/* Child named `name` (first namelen bytes). A name without '@' also matches
 * children that have a unit address ("memory" finds "memory@40000000"). */
int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t namelen);
/* Absolute path, e.g. "/vms/linux", "/chosen"; "/" is the root. */
int fdt_path(const struct fdt *f, const char *path);

/* Full node name ("memory@40000000"; "" for the root), *len its length. */
const char *fdt_node_name(const struct fdt *f, int node, size_t *len);
/* Length of a node name without its unit address ("memory"). */
size_t fdt_name_base_len(const char *name, size_t len);

/* Properties. */
int fdt_first_prop(const struct fdt *f, int node);
int fdt_next_prop(const struct fdt *f, int prop);
/* Name and value of the property at offset prop; NULL + *lenp < 0 on error. */
const void *fdt_prop_at(const struct fdt *f, int prop, const char **name, int *lenp);
/* Value of property `name` of node; NULL and *lenp = FDT_ERR_* if absent. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, int *lenp);
bool fdt_has_prop(const struct fdt *f, int node, const char *name);

/* Typed property readers: 0 or FDT_ERR_NOTFOUND / FDT_ERR_BADVALUE. */
int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out);
int fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out); /* 4 or 8 bytes */
int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **out);

/* True if the list of NUL-terminated strings data[0..len) holds str. An
 * unterminated tail is ignored. */
bool fdt_stringlist_contains(const void *data, int len, const char *str);
/* 1 if node's "compatible" contains compat, 0 if not or absent. */
int fdt_node_is_compatible(const struct fdt *f, int node, const char *compat);
/* Next node after `node` (-1: from the start) that is compatible with compat. */
int fdt_next_compatible(const struct fdt *f, int node, const char *compat);

/* #address-cells / #size-cells declared by `parent` for its children
 * (defaults 2 / 1); FDT_ERR_BADVALUE if malformed or > FDT_MAX_NCELLS. */
int fdt_address_cells(const struct fdt *f, int parent);
int fdt_size_cells(const struct fdt *f, int parent);
/* Entry idx of a reg-style property (address, size pairs). */
int fdt_reg_decode(const void *reg, int len, unsigned addr_cells, unsigned size_cells,
                   unsigned idx, uint64_t *addr, uint64_t *size);
/* Entry idx of node's "reg", using its parent's cell counts. */
int fdt_get_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr, uint64_t *size);

/* ---- Sequential writer ----
 * Builds a DTB into a caller buffer: fdt_w_begin, then nodes (properties of a
 * node before its children), then fdt_w_finish. The structure block grows up
 * from the start of the buffer and the strings block down from its end until
 * finish joins them. The first error sticks: later calls return it, so a
 * builder may check only fdt_w_finish's result. Nothing is written outside
 * [buf, buf + size). */
struct fdt_writer {
    uint8_t *buf;
    uint32_t size;
    uint32_t struct_end;   /* end of the structure block so far */
    uint32_t strings_len;  /* bytes of strings at the end of buf */
    int depth;
    bool props_open;       /* current node still accepts properties */
    bool root_done;
    int err;
};

int fdt_w_begin(struct fdt_writer *w, void *buf, size_t size);
int fdt_w_begin_node(struct fdt_writer *w, const char *name); /* "" for the root */
int fdt_w_end_node(struct fdt_writer *w);
int fdt_w_prop(struct fdt_writer *w, const char *name, const void *data, uint32_t len);
int fdt_w_prop_empty(struct fdt_writer *w, const char *name);
int fdt_w_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
int fdt_w_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
int fdt_w_prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n);
int fdt_w_prop_string(struct fdt_writer *w, const char *name, const char *s);
int fdt_w_prop_stringlist(struct fdt_writer *w, const char *name, const char *const *strs,
                          unsigned n);
/* A builder's own verdict (e.g. FDT_ERR_BADPARAM for a value no node can
 * carry): sticks like the writer's errors; returns the first error. */
int fdt_w_fail(struct fdt_writer *w, int err);
/* Returns the blob's total size, or the first error. */
int fdt_w_finish(struct fdt_writer *w);

#endif
