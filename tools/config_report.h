/* elvisor-config's messages: FILE:LINE for a VM and property, found in
 * dtc's annotated output (dts_srcmap.h) since the compiled bundle keeps no
 * positions, and the translation of dtc's and config_parse()'s errors into
 * that form. Host only. */
#ifndef ELVISOR_TOOLS_CONFIG_REPORT_H
#define ELVISOR_TOOLS_CONFIG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "dts_refs.h"
#include "dts_srcmap.h"
#include "lib/fdt.h"

#define MAX_DIRS        32
#define KiB             (1ULL << 10)
#define MiB             (1ULL << 20)
#define GiB             (1ULL << 30)

/* One check of one source file. */
struct ctx {
    const char *file;               /* FILE.dts as given, as dtc names it */
    const char *dirs[MAX_DIRS];     /* -i directories */
    unsigned nr_dirs;
    struct dts_srcmap *map;         /* made on first need */
    bool map_tried;
    struct dts_refs *refs;          /* the /incbin/ and /include/ files */
    const uint8_t *blob;            /* the compiled bundle */
    size_t size;
    unsigned errors;                /* error_at() calls so far */
};

/* The position of property prop of node (a path such as "/vms/linux"), else
 * of the node itself, else NULL; buf holds the result. */
const struct dts_pos *where(struct ctx *c, const char *node, const char *prop, struct dts_pos *buf);
/* "FILE:LINE: message" (FILE alone when pos is NULL) on stderr. */
void error_at(struct ctx *c, const struct dts_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void warn_at(struct ctx *c, const struct dts_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "512 MiB", "36.0 MiB", "993.4 KiB", "12 bytes". */
const char *size_str(uint64_t v, char *buf, size_t len);
void vm_path(char *buf, size_t len, const char *name);
/* Opens the bundle in f and returns VM name's node, or negative. */
int vm_node(const struct ctx *c, struct fdt *f, const char *name);

/* "FILE:LINE: vm 'NAME': property 'PROP': WHAT "NAME": WHY (looked in ...)"
 * for the /incbin/ or /include/ ref. */
void ref_error(struct ctx *c, const struct dts_ref *ref, const char *what, const char *why);
/* dtc's stderr (modified in place): passed through, except the errors it
 * gives without a useful position, which are restated per VM. */
void report_dtc_errors(struct ctx *c, char *log);
/* One config_check() error, restated with FILE:LINE and the value found (for
 * an unknown property, the known one it most resembles). */
void explain_config_error(struct ctx *c, const struct config_error *e);

#endif
