/* Where things are written in device-tree source: the file and line of every
 * node, property, /incbin/ and /include/ of a DTS file and the files it
 * includes. elvisor-config uses it to turn "vm 'linux': property 'vcpus'"
 * (which is all the compiled bundle can tell) back into FILE:LINE.
 *
 * It is a scanner, not a second DTS compiler: it runs on source that dtc has
 * already accepted (or rejected with its own positioned message), follows
 * nodes, labels, &label / &{/path} references, /delete-node/,
 * /delete-property/, /include/ and cpp line markers, and skips property
 * values except for the file names of /incbin/. It never fails on odd input;
 * what it cannot follow is simply not found by the lookups. Host only. */
#ifndef ELVISOR_TOOLS_DTS_SRCMAP_H
#define ELVISOR_TOOLS_DTS_SRCMAP_H

#include <stdbool.h>

struct dts_pos {
    const char *file;       /* as dtc names it: the path given or resolved */
    unsigned line;          /* 1-based */
};

struct dts_srcmap;

/* Scans path and what it includes. Relative /include/ names are searched as
 * dtc does: the including file's directory, then dirs[0..nr_dirs). Returns
 * NULL only when path cannot be read or memory runs out. */
struct dts_srcmap *dts_srcmap_scan(const char *path, const char *const *dirs, unsigned nr_dirs);
void dts_srcmap_free(struct dts_srcmap *m);

/* Where node `path` ("/vms/linux") is first opened. */
bool dts_srcmap_node(const struct dts_srcmap *m, const char *path, struct dts_pos *pos);
/* Where property `prop` of node `path` was last given its value (the value
 * the compiled tree holds). */
bool dts_srcmap_prop(const struct dts_srcmap *m, const char *path, const char *prop,
                     struct dts_pos *pos);
/* The /incbin/("fname") or /include/ "fname" naming fname as written in the
 * source. For an /incbin/, *node and *prop name the property holding it
 * ("" when it is outside any property); for an /include/ both are NULL. */
bool dts_srcmap_file_ref(const struct dts_srcmap *m, const char *fname, const char **node,
                         const char **prop, struct dts_pos *pos);

#endif
