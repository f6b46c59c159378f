/* FDT reader: validation, navigation and typed property access over an
 * untrusted blob. Every access goes through next_tag(), which bounds-checks
 * the token at an offset before anything of it is read. */
#include "lib/fdt.h"
#include "lib/string.h"

/* Offsets are ints, and aligning one up by 3 must not overflow. */
#define FDT_MAX_TOTALSIZE   0x7ffffff0u
#define RSVMAP_ALIGN        8u

static uint32_t align_tag(uint32_t off)
{
    return (off + FDT_TAG_SIZE - 1) & ~(FDT_TAG_SIZE - 1);
}

/* Length of the string at p if a NUL occurs within max bytes, else max. */
static uint32_t bounded_strlen(const char *p, uint32_t max)
{
    uint32_t n = 0;

    while (n < max && p[n] != '\0')
        n++;
    return n;
}

static const char *const fdt_error_names[] = {
    [-FDT_ERR_TRUNCATED]  = "FDT_ERR_TRUNCATED",
    [-FDT_ERR_BADMAGIC]   = "FDT_ERR_BADMAGIC",
    [-FDT_ERR_BADVERSION] = "FDT_ERR_BADVERSION",
    [-FDT_ERR_BADLAYOUT]  = "FDT_ERR_BADLAYOUT",
    [-FDT_ERR_BADSTRUCT]  = "FDT_ERR_BADSTRUCT",
    [-FDT_ERR_BADOFFSET]  = "FDT_ERR_BADOFFSET",
    [-FDT_ERR_NOTFOUND]   = "FDT_ERR_NOTFOUND",
    [-FDT_ERR_BADVALUE]   = "FDT_ERR_BADVALUE",
    [-FDT_ERR_BADPATH]    = "FDT_ERR_BADPATH",
    [-FDT_ERR_DEPTH]      = "FDT_ERR_DEPTH",
    [-FDT_ERR_NOSPACE]    = "FDT_ERR_NOSPACE",
    [-FDT_ERR_BADSTATE]   = "FDT_ERR_BADSTATE",
    [-FDT_ERR_BADPARAM]   = "FDT_ERR_BADPARAM",
};

const char *fdt_strerror(int err)
{
    if (err == 0)
        return "OK";
    if (err < 0 && -err < (int)(sizeof(fdt_error_names) / sizeof(fdt_error_names[0])) &&
        fdt_error_names[-err])
        return fdt_error_names[-err];
    return "FDT_ERR_?";
}

int fdt_read_cells(const void *p, unsigned ncells, uint64_t *out)
{
    const uint8_t *c = p;
    uint64_t v = 0;

    if (ncells > FDT_MAX_NCELLS)
        return FDT_ERR_BADVALUE;
    for (unsigned i = 0; i < ncells; i++, c += FDT_CELL_SIZE) {
        if (v >> 32)
            return FDT_ERR_BADVALUE;   /* would not fit in 64 bits */
        v = (v << 32) | fdt_be32(c);
    }
    *out = v;
    return 0;
}

/* Decodes the token at off. Returns the tag (> 0) and the offset of the
 * following token in *next, or a negative error. Validates everything the
 * token refers to: a node name's terminator, a property's value extent and
 * its name in the strings block. */
static int next_tag(const struct fdt *f, int off, uint32_t *next)
{
    uint32_t o = (uint32_t)off, tag, avail, n, len, nameoff;

    if (off < 0 || (o & (FDT_TAG_SIZE - 1)))
        return FDT_ERR_BADOFFSET;
    if (f->struct_size < FDT_TAG_SIZE || o > f->struct_size - FDT_TAG_SIZE)
        return FDT_ERR_TRUNCATED;
    tag = fdt_be32(f->structs + o);
    switch (tag) {
    case FDT_BEGIN_NODE:
        avail = f->struct_size - o - FDT_TAG_SIZE;
        n = bounded_strlen((const char *)f->structs + o + FDT_TAG_SIZE, avail);
        if (n == avail)
            return FDT_ERR_BADSTRUCT;
        *next = align_tag(o + FDT_TAG_SIZE + n + 1);
        return (int)tag;
    case FDT_PROP:
        if (f->struct_size - o < FDT_PROP_HDR_SIZE)
            return FDT_ERR_TRUNCATED;
        len = fdt_be32(f->structs + o + FDT_PROP_LEN);
        nameoff = fdt_be32(f->structs + o + FDT_PROP_NAMEOFF);
        if (len > f->struct_size - o - FDT_PROP_HDR_SIZE)
            return FDT_ERR_BADSTRUCT;
        if (nameoff >= f->strings_size ||
            bounded_strlen(f->strings + nameoff, f->strings_size - nameoff) ==
                f->strings_size - nameoff)
            return FDT_ERR_BADSTRUCT;
        *next = align_tag(o + FDT_PROP_HDR_SIZE + len);
        return (int)tag;
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        *next = o + FDT_TAG_SIZE;
        return (int)tag;
    default:
        return FDT_ERR_BADSTRUCT;
    }
}

/* One pass over the structure block: balanced nesting, a single root,
 * properties only before a node's children, a terminating FDT_END. */
static int validate_struct(const struct fdt *f)
{
    uint32_t next;
    int off = 0, depth = 0;
    bool seen_root = false, props_ok = false;

    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        switch (tag) {
        case FDT_BEGIN_NODE:
            if (seen_root && depth == 0)
                return FDT_ERR_BADSTRUCT;
            if (++depth > FDT_MAX_DEPTH)
                return FDT_ERR_DEPTH;
            seen_root = true;
            props_ok = true;
            break;
        case FDT_END_NODE:
            if (depth == 0)
                return FDT_ERR_BADSTRUCT;
            depth--;
            props_ok = false;
            break;
        case FDT_PROP:
            if (depth == 0 || !props_ok)
                return FDT_ERR_BADSTRUCT;
            break;
        case FDT_END:
            return (seen_root && depth == 0) ? 0 : FDT_ERR_BADSTRUCT;
        default:
            break;
        }
        off = (int)next;
    }
}

/* A block [off, off + size) must lie after the header and inside the blob. */
static bool block_ok(uint32_t off, uint32_t size, uint32_t hdr_size, uint32_t totalsize)
{
    return off >= hdr_size && (uint64_t)off + size <= totalsize;
}

static int validate_rsvmap(const struct fdt *f)
{
    uint32_t off = f->rsvmap_off;

    while (off <= f->totalsize - FDT_RSV_ENTRY_SIZE) {
        if (fdt_be64(f->blob + off) == 0 && fdt_be64(f->blob + off + sizeof(uint64_t)) == 0)
            return 0;
        off += FDT_RSV_ENTRY_SIZE;
    }
    return FDT_ERR_TRUNCATED;
}

int fdt_peek_totalsize(const void *blob, uint32_t *totalsize)
{
    if (!blob || !totalsize)
        return FDT_ERR_BADPARAM;
    if (fdt_be32((const uint8_t *)blob + FDT_HDR_MAGIC) != FDT_MAGIC)
        return FDT_ERR_BADMAGIC;
    *totalsize = fdt_be32((const uint8_t *)blob + FDT_HDR_TOTALSIZE);
    return 0;
}

int fdt_open(struct fdt *f, const void *blob, size_t avail)
{
    const uint8_t *b = blob;
    uint32_t hdr_size, total, off_struct, off_strings, size_strings, size_struct;

    if (!f || !blob)
        return FDT_ERR_BADPARAM;
    memset(f, 0, sizeof(*f));
    if (avail < FDT_HEADER_SIZE_V16)
        return FDT_ERR_TRUNCATED;
    if (fdt_be32(b + FDT_HDR_MAGIC) != FDT_MAGIC)
        return FDT_ERR_BADMAGIC;
    f->version = fdt_be32(b + FDT_HDR_VERSION);
    if (f->version < FDT_MIN_VERSION || fdt_be32(b + FDT_HDR_LAST_COMP) > FDT_VERSION)
        return FDT_ERR_BADVERSION;
    hdr_size = f->version >= FDT_VERSION ? FDT_HEADER_SIZE : FDT_HEADER_SIZE_V16;
    if (avail < hdr_size)
        return FDT_ERR_TRUNCATED;

    total = fdt_be32(b + FDT_HDR_TOTALSIZE);
    if (total < hdr_size || total > FDT_MAX_TOTALSIZE)
        return FDT_ERR_BADLAYOUT;
    if (total > avail)
        return FDT_ERR_TRUNCATED;
    off_struct = fdt_be32(b + FDT_HDR_OFF_STRUCT);
    off_strings = fdt_be32(b + FDT_HDR_OFF_STRINGS);
    size_strings = fdt_be32(b + FDT_HDR_SIZE_STRINGS);
    f->rsvmap_off = fdt_be32(b + FDT_HDR_OFF_RSVMAP);
    if (f->version >= FDT_VERSION)
        size_struct = fdt_be32(b + FDT_HDR_SIZE_STRUCT);
    else if (off_strings > off_struct && off_strings <= total)
        size_struct = off_strings - off_struct;   /* v16: no size field */
    else
        size_struct = off_struct <= total ? total - off_struct : 0;

    if ((off_struct & (FDT_TAG_SIZE - 1)) || !block_ok(off_struct, size_struct, hdr_size, total))
        return FDT_ERR_BADLAYOUT;
    if (!block_ok(off_strings, size_strings, hdr_size, total))
        return FDT_ERR_BADLAYOUT;
    if ((f->rsvmap_off & (RSVMAP_ALIGN - 1)) ||
        !block_ok(f->rsvmap_off, FDT_RSV_ENTRY_SIZE, hdr_size, total))
        return FDT_ERR_BADLAYOUT;

    f->blob = b;
    f->totalsize = total;
    f->structs = b + off_struct;
    f->struct_size = size_struct;
    f->strings = (const char *)b + off_strings;
    f->strings_size = size_strings;
    f->boot_cpuid = fdt_be32(b + FDT_HDR_BOOT_CPUID);

    int err = validate_rsvmap(f);
    if (!err)
        err = validate_struct(f);
    if (err)
        memset(f, 0, sizeof(*f));   /* an unvalidated handle must not be usable */
    return err;
}

int fdt_mem_rsv(const struct fdt *f, unsigned idx, uint64_t *addr, uint64_t *size)
{
    uint32_t off = f->rsvmap_off;

    if (!f->blob)
        return FDT_ERR_BADPARAM;
    for (unsigned i = 0; off <= f->totalsize - FDT_RSV_ENTRY_SIZE; i++) {
        uint64_t a = fdt_be64(f->blob + off), s = fdt_be64(f->blob + off + sizeof(uint64_t));

        if (a == 0 && s == 0)
            return FDT_ERR_NOTFOUND;
        if (i == idx) {
            *addr = a;
            *size = s;
            return 0;
        }
        off += FDT_RSV_ENTRY_SIZE;
    }
    return FDT_ERR_TRUNCATED;
}

/* ---- Nodes ---- */

/* The offset after the BEGIN_NODE token at node, or an error if node is not one. */
static int node_body(const struct fdt *f, int node)
{
    uint32_t next;
    int tag;

    if (!f->structs)
        return FDT_ERR_BADPARAM;
    tag = next_tag(f, node, &next);
    if (tag < 0)
        return tag;
    return tag == FDT_BEGIN_NODE ? (int)next : FDT_ERR_BADOFFSET;
}

int fdt_root(const struct fdt *f)
{
    uint32_t next;
    int off = 0;

    if (!f->structs)
        return FDT_ERR_BADPARAM;
    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        if (tag == FDT_BEGIN_NODE)
            return off;
        if (tag != FDT_NOP)
            return FDT_ERR_BADSTRUCT;
        off = (int)next;
    }
}

int fdt_next_node(const struct fdt *f, int node, int *depth)
{
    uint32_t next;
    int off, rel = 1;   /* nesting relative to node: 1 = inside it */

    if (node < 0) {
        if (depth)
            *depth = 0;
        return fdt_root(f);
    }
    off = node_body(f, node);
    if (off < 0)
        return off;
    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        if (tag == FDT_BEGIN_NODE) {
            if (depth)
                *depth += rel;
            return off;
        }
        if (tag == FDT_END_NODE)
            rel--;
        else if (tag == FDT_END)
            return FDT_ERR_NOTFOUND;
        off = (int)next;
    }
}

int fdt_first_child(const struct fdt *f, int node)
{
    uint32_t next;
    int off = node_body(f, node);

    if (off < 0)
        return off;
    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        if (tag == FDT_BEGIN_NODE)
            return off;
        if (tag == FDT_END_NODE)
            return FDT_ERR_NOTFOUND;
        if (tag == FDT_END)
            return FDT_ERR_BADSTRUCT;
        off = (int)next;
    }
}

int fdt_next_sibling(const struct fdt *f, int node)
{
    uint32_t next;
    int off = node_body(f, node), d = 1;   /* d: levels still open below the parent */

    if (off < 0)
        return off;
    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        if (tag == FDT_BEGIN_NODE) {
            if (d == 0)
                return off;
            d++;
        } else if (tag == FDT_END_NODE) {
            if (d == 0)
                return FDT_ERR_NOTFOUND;
            d--;
        } else if (tag == FDT_END) {
            return FDT_ERR_NOTFOUND;
        }
        off = (int)next;
    }
}

int fdt_parent(const struct fdt *f, int node)
{
    int stack[FDT_MAX_DEPTH + 1];
    int depth = 0, off = fdt_root(f);

    if (off < 0)
        return off;
    if (off == node)
        return FDT_ERR_NOTFOUND;
    stack[0] = off;
    for (;;) {
        off = fdt_next_node(f, off, &depth);
        if (off == FDT_ERR_NOTFOUND || (off >= 0 && off > node))
            return FDT_ERR_BADOFFSET;
        if (off < 0)
            return off;
        if (depth < 1 || depth > FDT_MAX_DEPTH)
            return FDT_ERR_BADSTRUCT;
        stack[depth] = off;
        if (off == node)
            return stack[depth - 1];
    }
}

const char *fdt_node_name(const struct fdt *f, int node, size_t *len)
{
    const char *name;
    int body = node_body(f, node);

    if (body < 0) {
        if (len)
            *len = 0;
        return NULL;
    }
    name = (const char *)f->structs + node + FDT_TAG_SIZE;
    if (len)   /* node_body checked the terminator */
        *len = bounded_strlen(name, f->struct_size - (uint32_t)node - FDT_TAG_SIZE);
    return name;
}

size_t fdt_name_base_len(const char *name, size_t len)
{
    size_t i = 0;

    while (i < len && name[i] != '@' && name[i] != '\0')
        i++;
    return i;
}

static bool name_matches(const char *node, size_t node_len, const char *want, size_t want_len)
{
    if (node_len < want_len || memcmp(node, want, want_len) != 0)
        return false;
    if (node_len == want_len)
        return true;
    /* "memory" matches "memory@..." but "memory@0" does not match "memory@0x". */
    return fdt_name_base_len(want, want_len) == want_len && node[want_len] == '@';
}

int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t namelen)
{
    int child;

    if (!name)
        return FDT_ERR_BADPARAM;
    for (child = fdt_first_child(f, parent); child >= 0; child = fdt_next_sibling(f, child)) {
        size_t len;
        const char *n = fdt_node_name(f, child, &len);

        if (n && name_matches(n, len, name, namelen))
            return child;
    }
    return child;
}

int fdt_path(const struct fdt *f, const char *path)
{
    int node;

    if (!path || path[0] != '/')
        return FDT_ERR_BADPATH;
    node = fdt_root(f);
    while (node >= 0) {
        const char *end;

        while (*path == '/')
            path++;
        if (*path == '\0')
            return node;
        for (end = path; *end != '\0' && *end != '/'; end++)
            ;
        node = fdt_subnode(f, node, path, (size_t)(end - path));
        path = end;
    }
    return node;
}

/* ---- Properties ---- */

/* First PROP token at or after off (skipping NOPs) within the same node. */
static int prop_from(const struct fdt *f, int off)
{
    uint32_t next;

    for (;;) {
        int tag = next_tag(f, off, &next);

        if (tag < 0)
            return tag;
        if (tag == FDT_PROP)
            return off;
        if (tag != FDT_NOP)
            return FDT_ERR_NOTFOUND;
        off = (int)next;
    }
}

int fdt_first_prop(const struct fdt *f, int node)
{
    int off = node_body(f, node);

    return off < 0 ? off : prop_from(f, off);
}

int fdt_next_prop(const struct fdt *f, int prop)
{
    uint32_t next;
    int tag;

    if (!f->structs)
        return FDT_ERR_BADPARAM;
    tag = next_tag(f, prop, &next);
    if (tag < 0)
        return tag;
    if (tag != FDT_PROP)
        return FDT_ERR_BADOFFSET;
    return prop_from(f, (int)next);
}

const void *fdt_prop_at(const struct fdt *f, int prop, const char **name, int *lenp)
{
    uint32_t next;
    int tag = f->structs ? next_tag(f, prop, &next) : FDT_ERR_BADPARAM;

    if (tag != FDT_PROP) {
        if (lenp)
            *lenp = tag < 0 ? tag : FDT_ERR_BADOFFSET;
        return NULL;
    }
    /* next_tag validated the value extent and the name's terminator. */
    if (name)
        *name = f->strings + fdt_be32(f->structs + prop + FDT_PROP_NAMEOFF);
    if (lenp)
        *lenp = (int)fdt_be32(f->structs + prop + FDT_PROP_LEN);
    return f->structs + prop + FDT_PROP_HDR_SIZE;
}

const void *fdt_getprop(const struct fdt *f, int node, const char *name, int *lenp)
{
    int prop, len = FDT_ERR_BADPARAM;

    if (!name)
        goto fail;
    for (prop = fdt_first_prop(f, node); prop >= 0; prop = fdt_next_prop(f, prop)) {
        const char *pname;
        const void *data = fdt_prop_at(f, prop, &pname, &len);

        if (!data)
            break;
        if (strcmp(pname, name) == 0) {
            if (lenp)
                *lenp = len;
            return data;
        }
    }
    len = prop < 0 ? prop : len;
fail:
    if (lenp)
        *lenp = len;
    return NULL;
}

bool fdt_has_prop(const struct fdt *f, int node, const char *name)
{
    return fdt_getprop(f, node, name, NULL) != NULL;
}

int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *out)
{
    int len;
    const void *p = fdt_getprop(f, node, name, &len);

    if (!p)
        return len;
    if (len != (int)sizeof(uint32_t))
        return FDT_ERR_BADVALUE;
    *out = fdt_be32(p);
    return 0;
}

int fdt_prop_u64(const struct fdt *f, int node, const char *name, uint64_t *out)
{
    int len;
    const void *p = fdt_getprop(f, node, name, &len);

    if (!p)
        return len;
    if (len == (int)sizeof(uint32_t))
        *out = fdt_be32(p);
    else if (len == (int)sizeof(uint64_t))
        *out = fdt_be64(p);
    else
        return FDT_ERR_BADVALUE;
    return 0;
}

int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **out)
{
    int len;
    const char *p = fdt_getprop(f, node, name, &len);

    if (!p)
        return len;
    if (len < 1 || bounded_strlen(p, (uint32_t)len) == (uint32_t)len)
        return FDT_ERR_BADVALUE;
    *out = p;
    return 0;
}

bool fdt_stringlist_contains(const void *data, int len, const char *str)
{
    const char *p = data;
    uint32_t rem, slen;

    if (!data || !str || len <= 0)
        return false;
    rem = (uint32_t)len;
    slen = (uint32_t)strlen(str);
    while (rem > 0) {
        uint32_t n = bounded_strlen(p, rem);

        if (n == rem)
            return false;   /* unterminated tail */
        if (n == slen && memcmp(p, str, n) == 0)
            return true;
        p += n + 1;
        rem -= n + 1;
    }
    return false;
}

int fdt_node_is_compatible(const struct fdt *f, int node, const char *compat)
{
    int len;
    const void *p = fdt_getprop(f, node, "compatible", &len);

    if (!p)
        return len == FDT_ERR_NOTFOUND ? 0 : len;
    return fdt_stringlist_contains(p, len, compat) ? 1 : 0;
}

int fdt_next_compatible(const struct fdt *f, int node, const char *compat)
{
    if (!compat)
        return FDT_ERR_BADPARAM;
    for (;;) {
        int r;

        node = fdt_next_node(f, node, NULL);
        if (node < 0)
            return node;
        r = fdt_node_is_compatible(f, node, compat);
        if (r < 0)
            return r;
        if (r)
            return node;
    }
}

/* ---- Addresses ---- */

static int cells_prop(const struct fdt *f, int parent, const char *name, unsigned dflt)
{
    uint32_t v;
    int err = fdt_prop_u32(f, parent, name, &v);

    if (err == FDT_ERR_NOTFOUND)
        return node_body(f, parent) < 0 ? FDT_ERR_BADOFFSET : (int)dflt;
    if (err)
        return err;
    return v > FDT_MAX_NCELLS ? FDT_ERR_BADVALUE : (int)v;
}

int fdt_address_cells(const struct fdt *f, int parent)
{
    return cells_prop(f, parent, "#address-cells", FDT_DEFAULT_ADDR_CELLS);
}

int fdt_size_cells(const struct fdt *f, int parent)
{
    return cells_prop(f, parent, "#size-cells", FDT_DEFAULT_SIZE_CELLS);
}

int fdt_reg_decode(const void *reg, int len, unsigned addr_cells, unsigned size_cells,
                   unsigned idx, uint64_t *addr, uint64_t *size)
{
    const uint8_t *p = reg;
    size_t entry;
    uint64_t a, s = 0;
    int err;

    if (!reg || len < 0 || !addr || !size)
        return FDT_ERR_BADPARAM;
    if (addr_cells > FDT_MAX_NCELLS || size_cells > FDT_MAX_NCELLS || addr_cells + size_cells == 0)
        return FDT_ERR_BADVALUE;
    entry = (size_t)(addr_cells + size_cells) * FDT_CELL_SIZE;
    if ((size_t)len % entry != 0)
        return FDT_ERR_BADVALUE;
    if (idx >= (size_t)len / entry)
        return FDT_ERR_NOTFOUND;
    p += idx * entry;
    err = fdt_read_cells(p, addr_cells, &a);
    if (!err)
        err = fdt_read_cells(p + (size_t)addr_cells * FDT_CELL_SIZE, size_cells, &s);
    if (err)
        return err;
    *addr = a;
    *size = s;
    return 0;
}

int fdt_get_reg(const struct fdt *f, int node, unsigned idx, uint64_t *addr, uint64_t *size)
{
    int parent = fdt_parent(f, node), ac, sc, len;
    const void *reg;

    if (parent < 0)
        return parent == FDT_ERR_NOTFOUND ? FDT_ERR_BADOFFSET : parent;
    ac = fdt_address_cells(f, parent);
    if (ac < 0)
        return ac;
    sc = fdt_size_cells(f, parent);
    if (sc < 0)
        return sc;
    reg = fdt_getprop(f, node, "reg", &len);
    if (!reg)
        return len;
    return fdt_reg_decode(reg, len, (unsigned)ac, (unsigned)sc, idx, addr, size);
}
