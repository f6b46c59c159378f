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

/* ---- config_parse() errors ---- */

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
    if (strcmp(prop, "vcpus") == 0 || strcmp(prop, "gic-version") == 0) {
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

/* A VM-less error: which VM node is at fault is found in the bundle. */
static void explain_global(struct ctx *c, const char *what, const char *why)
{
    struct fdt f;
    struct dts_pos buf;
    char path[300];
    int vms = -1, node, count = 0;

    if (fdt_open(&f, c->blob, c->size) == 0)
        vms = fdt_path(&f, "/vms");

    if (strcmp(what, "vms") == 0 && vms >= 0) {
        for (node = fdt_first_child(&f, vms); node >= 0; node = fdt_next_sibling(&f, node)) {
            size_t nl;
            const char *name = fdt_node_name(&f, node, &nl);
            if (name && nl >= CONFIG_NAME_MAX) {
                snprintf(path, sizeof(path), "/vms/%.*s", (int)nl, name);
                error_at(c, where(c, path, NULL, &buf), "vm '%.*s': name is %zu characters, at most %d",
                         (int)nl, name, nl, CONFIG_NAME_MAX - 1);
                return;
            }
        }
    }
    if (strcmp(what, "/vms") == 0 && vms >= 0) {
        for (node = fdt_first_child(&f, vms); node >= 0; node = fdt_next_sibling(&f, node)) {
            size_t nl;
            const char *name = fdt_node_name(&f, node, &nl);
            if (name && ++count > CONFIG_MAX_VMS) {
                snprintf(path, sizeof(path), "/vms/%.*s", (int)nl, name);
                error_at(c, where(c, path, NULL, &buf), "vm '%.*s': %s", (int)nl, name, why);
                return;
            }
        }
        error_at(c, where(c, "/vms", NULL, &buf), "node '/vms': %s", why);
        return;
    }
    if (strcmp(what, "compatible") == 0) {
        error_at(c, where(c, "/", "compatible", &buf), "property 'compatible': %s", why);
        return;
    }
    if (strcmp(what, "/vms") == 0) {
        error_at(c, where(c, "/", NULL, &buf), "no /vms node: the VMs go in / { vms { NAME { ... }; }; }");
        return;
    }
    error_at(c, NULL, "%s: %s", what, why);
}

/* config_parse() writes "config: vm 'NAME': property 'PROP': WHY" or
 * "config: WHAT: WHY"; anything else is shown as it is. */
void explain_config_error(struct ctx *c, const char *msg)
{
    static const char vm_key[] = "vm '", prop_key[] = "': property '";
    char name[CONFIG_NAME_MAX + 1], prop[64], what[64], detail[256], path[300];
    struct dts_pos buf;
    const char *p = msg, *q;

    if (strncmp(p, "config: ", 8) == 0)
        p += 8;
    if (strncmp(p, vm_key, sizeof(vm_key) - 1) == 0) {
        p += sizeof(vm_key) - 1;
        q = strstr(p, prop_key);
        if (!q || (size_t)(q - p) >= sizeof(name))
            goto verbatim;
        memcpy(name, p, (size_t)(q - p));
        name[q - p] = '\0';
        p = q + sizeof(prop_key) - 1;
        q = strstr(p, "': ");
        if (!q || (size_t)(q - p) >= sizeof(prop))
            goto verbatim;
        memcpy(prop, p, (size_t)(q - p));
        prop[q - p] = '\0';
        p = q + 3;
        vm_path(path, sizeof(path), name);
        if (strcmp(prop, "name") == 0) {
            error_at(c, where(c, path, NULL, &buf), "vm '%s': %s", name, p);
            return;
        }
        value_detail(c, name, prop, detail, sizeof(detail));
        error_at(c, where(c, path, prop, &buf), "vm '%s': property '%s': %s%s", name, prop, p, detail);
        return;
    }
    q = strstr(p, ": ");
    if (q && (size_t)(q - p) < sizeof(what)) {
        memcpy(what, p, (size_t)(q - p));
        what[q - p] = '\0';
        explain_global(c, what, q + 2);
        return;
    }
verbatim:
    error_at(c, NULL, "%s", msg);
}
