/* The files a DTS file pulls in: every /incbin/ and /include/ of it and of
 * the files it includes, where each is written and which file dtc would
 * open for it. dtc reads these while it parses, so it cannot say where a
 * missing one was named (`Couldn't open "X"`, no position), and it blocks
 * for ever on a FIFO; elvisor-config looks at them first. This is a small
 * scanner of the source, not a DTS parser: it follows comments, strings,
 * braces, labels and &label / &{/path} references well enough to name the
 * node and property of an /incbin/. Host only. */
#ifndef ELVISOR_TOOLS_DTS_REFS_H
#define ELVISOR_TOOLS_DTS_REFS_H

#include <stdbool.h>
#include <stddef.h>

#include "dts_srcmap.h"

struct dts_ref {
    char *name;             /* as written (escapes decoded) */
    bool include;           /* /include/, else /incbin/ */
    char *node, *prop;      /* /incbin/: the property holding it; "" when unknown */
    struct dts_pos pos;     /* where the directive is */
    char *dir;              /* the including file's directory, searched first */
    char *found;            /* the file dtc would open, NULL: none exists */
};

struct dts_refs {
    struct dts_ref *refs;
    size_t nr;
    char **files;           /* what every pos.file points to */
    size_t nr_files;
};

/* Scans path and the regular files it includes, searching relative names as
 * dtc does: the including file's directory, then dirs[0..nr_dirs). Returns
 * NULL only when path cannot be read or memory runs out. */
struct dts_refs *dts_refs_scan(const char *path, const char *const *dirs, unsigned nr_dirs);
void dts_refs_free(struct dts_refs *r);

#endif
