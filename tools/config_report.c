/* elvisor-config's messages: see config_report.h. */
#define _POSIX_C_SOURCE 200809L
#include "config_report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

/* ---- reporting ---- */

static const struct dts_srcmap *srcmap(struct ctx *c)
{
    if (!c->map_tried) {
        c->map_tried = true;
        c->map = dts_srcmap_scan(c->file, c->dirs, c->nr_dirs);
    }
    return c->map;
}

static bool node_pos(struct ctx *c, const char *path, struct dts_pos *pos)
{
    return srcmap(c) && dts_srcmap_node(c->map, path, pos);
}

static bool prop_pos(struct ctx *c, const char *path, const char *prop, struct dts_pos *pos)
{
    return srcmap(c) && dts_srcmap_prop(c->map, path, prop, pos);
}

/* The property's line, else its node's, else none (file only). */
const struct dts_pos *where(struct ctx *c, const char *node, const char *prop, struct dts_pos *buf)
{
    if (node && prop && prop_pos(c, node, prop, buf))
        return buf;
    if (node && node_pos(c, node, buf))
        return buf;
    return NULL;
}

static void vmsg(struct ctx *c, const struct dts_pos *pos, const char *kind, const char *fmt, va_list ap)
{
    if (pos)
        fprintf(stderr, "%s:%u: %s", pos->file, pos->line, kind);
    else
        fprintf(stderr, "%s: %s", c->file, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_at(struct ctx *c, const struct dts_pos *pos, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(c, pos, "", fmt, ap);
    va_end(ap);
    c->errors++;
}

void warn_at(struct ctx *c, const struct dts_pos *pos, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(c, pos, "warning: ", fmt, ap);
    va_end(ap);
}

const char *size_str(uint64_t v, char *buf, size_t len)
{
    if (v >= GiB && v % GiB == 0)
        snprintf(buf, len, "%llu GiB", (unsigned long long)(v / GiB));
    else if (v >= MiB && v % MiB == 0)
        snprintf(buf, len, "%llu MiB", (unsigned long long)(v / MiB));
    else if (v >= MiB)
        snprintf(buf, len, "%.1f MiB", (double)v / (double)MiB);
    else if (v >= KiB)
        snprintf(buf, len, "%.1f KiB", (double)v / (double)KiB);
    else
        snprintf(buf, len, "%llu bytes", (unsigned long long)v);
    return buf;
}

void vm_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "/vms/%s", name);
}

static bool dtc_position(const char *line, const char *end, char *file, size_t flen, unsigned *lineno)
{
    const char *colon = NULL;

    for (const char *p = line; p < end; p++)
        if (*p == ':')
            colon = p;
    if (!colon || colon == line || (size_t)(colon - line) >= flen)
        return false;
    memcpy(file, line, (size_t)(colon - line));
    file[colon - line] = '\0';
    *lineno = (unsigned)strtoul(colon + 1, NULL, 10);
    return *lineno > 0;
}

void ref_error(struct ctx *c, const struct dts_ref *ref, const char *what, const char *why)
{
    const char *node = ref->node ? ref->node : "", *prop = ref->prop ? ref->prop : "";
    char dirs[2048] = "";
    int n = 0;

    if (ref->name[0] != '/' && !ref->found) {
        n = snprintf(dirs, sizeof(dirs), " (looked in %s", ref->dir);
        for (unsigned i = 0; i < c->nr_dirs && n > 0 && (size_t)n < sizeof(dirs); i++)
            n += snprintf(dirs + n, sizeof(dirs) - (size_t)n, ", %s", c->dirs[i]);
        if (n > 0 && (size_t)n < sizeof(dirs) - 1)
            snprintf(dirs + n, sizeof(dirs) - (size_t)n, ")");
    }
    if (ref->include)
        error_at(c, &ref->pos, "/include/ \"%s\": %s: %s%s", ref->name, what, why, dirs);
    else if (!node[0] || !prop[0])
        error_at(c, &ref->pos, "/incbin/(\"%s\"): %s: %s%s", ref->name, what, why, dirs);
    else if (strncmp(node, "/vms/", 5) == 0 && !strchr(node + 5, '/'))
        error_at(c, &ref->pos, "vm '%s': property '%s': %s \"%s\": %s%s", node + 5, prop, what, ref->name, why,
                 dirs);
    else
        error_at(c, &ref->pos, "node '%s': property '%s': %s \"%s\": %s%s", node, prop, what, ref->name, why,
                 dirs);
}

/* dtc: FATAL ERROR: Couldn't open "NAME": REASON */
static bool explain_open_failure(struct ctx *c, const char *line)
{
    static const char key[] = "Couldn't open \"";
    const char *p = strstr(line, key), *q;
    const struct dts_ref *ref = NULL;

    if (p && !c->refs)
        c->refs = dts_refs_scan(c->file, c->dirs, c->nr_dirs);
    if (!p || !c->refs)
        return false;
    p += sizeof(key) - 1;
    q = strstr(p, "\": ");
    if (!q)
        return false;
    for (size_t i = 0; i < c->refs->nr && !ref; i++)
        if (strlen(c->refs->refs[i].name) == (size_t)(q - p) && strncmp(c->refs->refs[i].name, p, (size_t)(q - p)) == 0)
            ref = &c->refs->refs[i];
    if (!ref)
        return false;
    ref_error(c, ref, "cannot open", q + 3);
    return true;
}

/* dtc: FILE:L.C-C: ERROR (duplicate_node_names): /vms/NAME: Duplicate node name */
static bool explain_duplicate(struct ctx *c, const char *line)
{
    static const char key[] = ": ERROR (duplicate_node_names): /vms/";
    const char *p = strstr(line, key);
    char file[1024], name[256], path[300];
    struct dts_pos dup, first;
    size_t n;

    if (!p || !dtc_position(line, p, file, sizeof(file), &dup.line))
        return false;
    p += sizeof(key) - 1;
    n = strcspn(p, ":/");
    if (n == 0 || n >= sizeof(name) || p[n] != ':')
        return false;
    memcpy(name, p, n);
    name[n] = '\0';
    dup.file = file;
    vm_path(path, sizeof(path), name);
    if (node_pos(c, path, &first) && (first.line != dup.line || strcmp(first.file, file) != 0))
        error_at(c, &dup, "vm '%s': two VMs have this name (the first is at %s:%u)", name, first.file,
                 first.line);
    else
        error_at(c, &dup, "vm '%s': two VMs have this name", name);
    return true;
}

/* dtc's own messages carry FILE:LINE and pass through; the two it reports
 * without a useful position are explained in terms of VMs. */
void report_dtc_errors(struct ctx *c, char *log)
{
    for (char *line = log, *nl; line && *line; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        if (explain_open_failure(c, line) || explain_duplicate(c, line))
            continue;
        /* There is no -f here to force output. */
        if (strstr(line, "use -f to force output"))
            continue;
        fprintf(stderr, "%s\n", line);
    }
}

/* ---- config_check() errors ---- */

int vm_node(const struct ctx *c, struct fdt *f, const char *name)
{
    char path[300];

    if (fdt_open(f, c->blob, c->size) < 0)
        return -1;
    vm_path(path, sizeof(path), name);
    return fdt_path(f, path);
}

/* What the bundle actually holds for the property config_parse refused. */
static void value_detail(const struct ctx *c, const char *vm, const char *prop, char *buf, size_t len)
{
    struct fdt f;
    int node = vm_node(c, &f, vm), plen;
    const uint8_t *v;
    char sz[32];

    buf[0] = '\0';
    if (node < 0 || !(v = fdt_getprop(&f, node, prop, &plen)))
        return;
    if (strcmp(prop, "console") == 0) {
        int vms = fdt_parent(&f, node);
        for (int o = fdt_first_child(&f, vms); o >= 0 && o != node; o = fdt_next_sibling(&f, o)) {
            size_t nl;
            const char *other = fdt_node_name(&f, o, &nl);
            if (other && fdt_has_prop(&f, o, "console")) {
                snprintf(buf, len, " (vm '%.*s' has it too)", (int)nl, other);
                return;
            }
        }
        return;
    }
    if (strcmp(prop, "bootargs") == 0) {
        if (plen > 0 && v[plen - 1] == '\0')
            snprintf(buf, len, " (it has %zu)", strlen((const char *)v));
    } else if (strcmp(prop, "vcpus") == 0 || strcmp(prop, "gic-version") == 0) {
        if (plen == 4)
            snprintf(buf, len, " (got <%u>)", fdt_be32(v));
        else
            snprintf(buf, len, " (the value is %d bytes long, a cell is 4)", plen);
    } else if (strcmp(prop, "memory-size") == 0) {
        if (plen == 4 || plen == 8) {
            uint64_t m = plen == 4 ? fdt_be32(v) : fdt_be64(v);
            snprintf(buf, len, " (got 0x%llx = %s)", (unsigned long long)m, size_str(m, sz, sizeof(sz)));
        } else {
            snprintf(buf, len, " (the value is %d bytes long; write /bits/ 64 <SIZE>)", plen);
        }
    } else if (strcmp(prop, "cpus") == 0) {
        uint32_t vcpus = 0;
        fdt_prop_u32(&f, node, "vcpus", &vcpus);
        int n = snprintf(buf, len, " (vcpus is %u; cpus =", vcpus);
        for (int i = 0; i + 4 <= plen && n > 0 && (size_t)n < len; i += 4)
            n += snprintf(buf + n, len - (size_t)n, "%s%u", i ? " " : " <", fdt_be32(v + i));
        if (n > 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, "%s; physical CPU indexes are 0..%u)", plen >= 4 ? ">" : " <>",
                     CONFIG_MAX_VCPUS - 1);
    }
}

static void explain_global(struct ctx *c, const struct config_error *e)
{
    struct fdt f;
    struct dts_pos buf;
    char path[600];
    bool have_vms = fdt_open(&f, c->blob, c->size) == 0 && fdt_path(&f, "/vms") >= 0;

    if (strcmp(e->prop, "vms") == 0 && e->child) {
        snprintf(path, sizeof(path), "/vms/%s", e->child);
        error_at(c, where(c, path, NULL, &buf), "vm '%s': name is %zu characters, at most %d", e->child,
                 strlen(e->child), CONFIG_NAME_MAX - 1);
    } else if (strcmp(e->prop, "/vms") == 0 && e->child) {
        snprintf(path, sizeof(path), "/vms/%s", e->child);
        error_at(c, where(c, path, NULL, &buf), "vm '%s': %s", e->child, e->what);
    } else if (strcmp(e->prop, "/vms") == 0 && have_vms) {
        error_at(c, where(c, "/vms", NULL, &buf), "node '/vms': %s", e->what);
    } else if (strcmp(e->prop, "/vms") == 0) {
        error_at(c, where(c, "/", NULL, &buf), "no /vms node: the VMs go in / { vms { NAME { ... }; }; }");
    } else if (strcmp(e->prop, "compatible") == 0) {
        error_at(c, where(c, "/", "compatible", &buf), "property 'compatible': %s", e->what);
    } else {
        error_at(c, NULL, "%s: %s", e->prop, e->what);
    }
}

static int fold(int ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

/* Edit distance counting a swap of two neighbours as one edit (optimal
 * string alignment), letters compared without case: "memroy" is one edit
 * from "memory", as a typist sees it. */
static unsigned distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    unsigned d[3][MAX + 1], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

    if (la > MAX || lb > MAX)
        return MAX;
    for (unsigned j = 0; j <= lb; j++)
        d[0][j] = j;
    for (unsigned i = 1; i <= la; i++) {
        unsigned *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];
        cur[0] = i;
        for (unsigned j = 1; j <= lb; j++) {
            unsigned cost = fold(a[i - 1]) != fold(b[j - 1]);
            unsigned v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]) &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
        }
    }
    return d[la % 3][lb];
}

/* "; did you mean 'X'?" for the known property nearest to name, if a third
 * of X's letters (at least one) or fewer differ; else the known list. */
static void suggest(const char *name, char *buf, size_t len)
{
    const char *best = NULL;
    unsigned best_d = ~0u;
    int n;

    for (unsigned i = 0; i < config_nr_vm_props; i++) {
        unsigned d = distance(name, config_vm_props[i]), limit = (unsigned)strlen(config_vm_props[i]) / 3;
        if (d <= (limit ? limit : 1) && d < best_d) {
            best = config_vm_props[i];
            best_d = d;
        }
    }
    if (best) {
        snprintf(buf, len, "; did you mean '%s'?", best);
        return;
    }
    n = snprintf(buf, len, " (known:");
    for (unsigned i = 0; i < config_nr_vm_props && n > 0 && (size_t)n < len; i++)
        n += snprintf(buf + n, len - (size_t)n, "%s %s", i ? "," : "", config_vm_props[i]);
    if (n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ")");
}

void explain_config_error(struct ctx *c, const struct config_error *e)
{
    char path[300], cpath[600], detail[512];
    struct dts_pos buf;

    if (!e->vm) {
        explain_global(c, e);
        return;
    }
    vm_path(path, sizeof(path), e->vm);
    if (!e->prop) {
        snprintf(cpath, sizeof(cpath), "%s/%s", path, e->child ? e->child : "");
        error_at(c, where(c, cpath, NULL, &buf), "vm '%s': node '%s': %s", e->vm, e->child ? e->child : "",
                 e->what);
    } else if (strcmp(e->prop, "name") == 0) {
        error_at(c, where(c, path, NULL, &buf), "vm '%s': %s", e->vm, e->what);
    } else {
        if (config_vm_prop_known(e->prop))
            value_detail(c, e->vm, e->prop, detail, sizeof(detail));
        else
            suggest(e->prop, detail, sizeof(detail));
        error_at(c, where(c, path, e->prop, &buf), "vm '%s': property '%s': %s%s", e->vm, e->prop, e->what,
                 detail);
    }
}
