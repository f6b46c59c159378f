/* Where things are written in device-tree source: the file and line of every
 * node and property of a DTS file and the files it includes, as dtc itself
 * reports them (`dtc -O dts -T -T` annotates each with file:line:col). The
 * compiled bundle keeps no positions; elvisor-config uses this to turn
 * "vm 'linux': property 'vcpus'" back into FILE:LINE. Host only. */
#ifndef ELVISOR_TOOLS_DTS_SRCMAP_H
#define ELVISOR_TOOLS_DTS_SRCMAP_H

#include <stdbool.h>
#include <sys/types.h>

struct dts_pos {
    const char *file;       /* as dtc names it: the path given or resolved */
    unsigned line;          /* 1-based */
};

struct dts_srcmap;

/* Starts dtc with argv (argv[0] unused, NULL-terminated); its file
 * descriptor `fd` (1 or 2) is returned as a pipe to read, the other of the
 * two goes to /dev/null. Returns the read end, or -1 with errno set. */
int dtc_start(const char *const *argv, int fd, pid_t *pid);
/* Waits for it: its exit status, 128 + signal, or -1. */
int dtc_wait(pid_t pid);

/* Runs dtc on path with the -i directories. Returns NULL when dtc cannot
 * parse the source (its own messages say where) or memory runs out. */
struct dts_srcmap *dts_srcmap_scan(const char *path, const char *const *dirs, unsigned nr_dirs);
void dts_srcmap_free(struct dts_srcmap *m);

/* Where node `path` ("/vms/linux") is first opened. */
bool dts_srcmap_node(const struct dts_srcmap *m, const char *path, struct dts_pos *pos);
/* Where property `prop` of node `path` was last given its value (the value
 * the compiled tree holds). */
bool dts_srcmap_prop(const struct dts_srcmap *m, const char *path, const char *prop,
                     struct dts_pos *pos);

#endif
