/* Source positions from dtc's annotated output: see dts_srcmap.h. With
 * `-T -T` dtc ends every node and property line with a comment holding
 * "FILE:L:C-L:C[, FILE:L:C-L:C]..." (one range per place a node is opened;
 * a property has the range of its last assignment). Lines can be
 * tens of megabytes (an /incbin/ kernel printed as cells), so each line is
 * streamed: only its start (labels and name) and its end (the annotation)
 * are kept. */
#define _POSIX_C_SOURCE 200809L
#include "dts_srcmap.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define HEAD_MAX    1024    /* a line's labels and name (dtc names are short) */
#define TAIL_MAX    8192    /* its annotation: file names up to PATH_MAX */
#define DEPTH_MAX   64
#define PATH_LEN    4096

struct rec {
    char *node;
    char *prop;             /* NULL: the node itself */
    struct dts_pos pos;
};

struct dts_srcmap {
    struct rec *recs;
    size_t nr, cap;
    char **files;           /* what every dts_pos.file points to */
    size_t nr_files;
};

int dtc_start(const char *const *argv, int fd, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    int fds[2], rc;

    if (pipe(fds) < 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, fd == 1 ? 2 : 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], fd);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    rc = posix_spawnp(pid, "dtc", &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        errno = rc;
        return -1;
    }
    return fds[0];
}

int dtc_wait(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static const char *map_intern(struct dts_srcmap *m, const char *name, size_t len)
{
    for (size_t i = 0; i < m->nr_files; i++)
        if (strlen(m->files[i]) == len && memcmp(m->files[i], name, len) == 0)
            return m->files[i];
    char **f = realloc(m->files, (m->nr_files + 1) * sizeof(*f));
    if (!f)
        return NULL;
    m->files = f;
    if (!(f[m->nr_files] = strndup(name, len)))
        return NULL;
    return f[m->nr_files++];
}

/* The first range of "FILE:L:C-L:C, ..." (FILE may hold ':' and ", "). */
static bool first_pos(struct dts_srcmap *m, const char *s, size_t len, struct dts_pos *pos)
{
    for (size_t i = 1; i < len; i++) {
        unsigned long v[4];
        const char *p = s + i;
        char *e;
        int k;
        if (s[i] != ':')
            continue;
        for (k = 0; k < 4; k++, p = e) {
            if (*(p + 1) < '0' || *(p + 1) > '9')
                break;
            v[k] = strtoul(p + 1, &e, 10);
            if (*e != (k == 1 ? '-' : ':') && k != 3)
                break;
            if (k == 3 && (size_t)(e - s) != len && strncmp(e, ", ", 2) != 0)
                break;
        }
        if (k == 4 && v[0] > 0) {
            pos->line = (unsigned)v[0];
            return (pos->file = map_intern(m, s, i)) != NULL;
        }
    }
    return false;
}

static bool add_rec(struct dts_srcmap *m, const char *node, const char *prop, size_t plen, struct dts_pos pos)
{
    struct rec r = { strdup(node), prop ? strndup(prop, plen) : NULL, pos };

    if (m->nr == m->cap) {
        struct rec *n = realloc(m->recs, (m->cap ? m->cap * 2 : 64) * sizeof(*n));
        if (n) {
            m->recs = n;
            m->cap = m->cap ? m->cap * 2 : 64;
        }
    }
    if (m->nr == m->cap || !r.node || (prop && !r.prop)) {
        free(r.node);
        free(r.prop);
        return false;
    }
    m->recs[m->nr++] = r;
    return true;
}

/* One output line: head is its start, tail its last bytes. */
static bool take_line(struct dts_srcmap *m, char *path, size_t *lens, unsigned *depth, const char *head,
                      const char *tail, size_t tlen)
{
    const char *open, *name;
    struct dts_pos pos;
    size_t nlen;

    while (*head == '\t')
        head++;
    if (strncmp(head, "};", 2) == 0) {
        if (*depth)
            path[lens[--*depth]] = '\0';
        return true;
    }
    if (tlen < 6 || strcmp(tail + tlen - 3, " */") != 0 || !(open = strstr(tail, " /* ")))
        return true;            /* /dts-v1/;, blank lines */
    for (const char *o; (o = strstr(open + 1, " /* "));)
        open = o;
    if (!first_pos(m, open + 4, (size_t)(tail + tlen - 3 - (open + 4)), &pos))
        return false;
    for (name = head;;) {       /* labels: "lbl: " */
        nlen = strcspn(name, " ;");
        if (nlen == 0 || name[nlen - 1] != ':' || name[nlen] != ' ')
            break;
        name += nlen + 1;
    }
    if (strncmp(name + nlen, " {", 2) == 0) {
        size_t at = *depth ? strlen(path) : 0;
        if (*depth >= DEPTH_MAX || at + nlen + 2 >= PATH_LEN)
            return false;
        lens[(*depth)++] = at;
        snprintf(path + at, PATH_LEN - at, "%s%.*s", at > 1 ? "/" : "", (int)nlen, name);
        return add_rec(m, path, NULL, 0, pos);
    }
    return *depth == 0 || add_rec(m, path, name, nlen, pos);
}

struct dts_srcmap *dts_srcmap_scan(const char *path, const char *const *dirs, unsigned nr_dirs)
{
    const char **argv = calloc(10 + 2 * (size_t)nr_dirs, sizeof(*argv));
    struct dts_srcmap *m = calloc(1, sizeof(*m));
    static char head[HEAD_MAX], tail[TAIL_MAX], node[PATH_LEN];
    size_t lens[DEPTH_MAX], nh = 0, nt = 0;
    unsigned n = 0, depth = 0;
    bool ok = true;
    char buf[65536];
    ssize_t got;
    pid_t pid;
    int fd;

    if (!argv || !m) {
        free(argv);
        free(m);
        return NULL;
    }
    argv[n++] = "dtc";
    argv[n++] = "-q";
    argv[n++] = "-f";   /* a tree with semantic errors (a duplicate node) still has positions */
    argv[n++] = "-O";
    argv[n++] = "dts";
    argv[n++] = "-T";
    argv[n++] = "-T";
    for (unsigned i = 0; i < nr_dirs; i++) {
        argv[n++] = "-i";
        argv[n++] = dirs[i];
    }
    argv[n++] = path;
    fd = dtc_start(argv, 1, &pid);
    free(argv);
    if (fd < 0) {
        dts_srcmap_free(m);
        return NULL;
    }
    while ((got = read(fd, buf, sizeof(buf))) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            break;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n') {
                head[nh] = tail[nt] = '\0';
                ok = ok && take_line(m, node, lens, &depth, head, tail, nt);
                nh = nt = 0;
                continue;
            }
            if (nh + 1 < HEAD_MAX)
                head[nh++] = buf[i];
            if (nt + 1 == TAIL_MAX) {
                memmove(tail, tail + TAIL_MAX / 2, nt - TAIL_MAX / 2);
                nt -= TAIL_MAX / 2;
            }
            tail[nt++] = buf[i];
        }
    }
    close(fd);
    if (dtc_wait(pid) != 0 || !ok) {
        dts_srcmap_free(m);
        return NULL;
    }
    return m;
}

void dts_srcmap_free(struct dts_srcmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nr; i++) {
        free(m->recs[i].node);
        free(m->recs[i].prop);
    }
    for (size_t i = 0; i < m->nr_files; i++)
        free(m->files[i]);
    free(m->recs);
    free(m->files);
    free(m);
}

bool dts_srcmap_node(const struct dts_srcmap *m, const char *path, struct dts_pos *pos)
{
    for (size_t i = 0; i < m->nr; i++) {
        if (!m->recs[i].prop && strcmp(m->recs[i].node, path) == 0) {
            *pos = m->recs[i].pos;
            return true;
        }
    }
    return false;
}

bool dts_srcmap_prop(const struct dts_srcmap *m, const char *path, const char *prop, struct dts_pos *pos)
{
    for (size_t i = 0; i < m->nr; i++) {
        const struct rec *r = &m->recs[i];
        if (r->prop && strcmp(r->prop, prop) == 0 && strcmp(r->node, path) == 0) {
            *pos = r->pos;
            return true;
        }
    }
    return false;
}
