/* /incbin/ and /include/ references of DTS source: see dts_refs.h. */
#define _POSIX_C_SOURCE 200809L
#include "dts_refs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOK_MAX         512
#define DEPTH_MAX       64
#define INCLUDE_MAX     32      /* dtc's own nesting limit is lower */
#define LABELS_MAX      256

struct scan {
    struct dts_refs *r;
    const char *const *dirs;
    unsigned nr_dirs, includes;
    char *stack[DEPTH_MAX];     /* node paths; stack[depth - 1] is the current one */
    unsigned depth;
    char *label_name[LABELS_MAX], *label_path[LABELS_MAX];
    unsigned nr_labels;
    bool oom;
};

struct lexer {
    const char *s, *file;
    size_t i, len;
    unsigned line;
    char tok[TOK_MAX];
};

static char *xstrdup(struct scan *sc, const char *s)
{
    char *d = strdup(s ? s : "");
    sc->oom |= !d;
    return d;
}

static const char *refs_intern(struct scan *sc, const char *name)
{
    struct dts_refs *r = sc->r;
    for (size_t i = 0; i < r->nr_files; i++)
        if (strcmp(r->files[i], name) == 0)
            return r->files[i];
    char **f = realloc(r->files, (r->nr_files + 1) * sizeof(*f));
    if (!f || !(f[r->nr_files] = xstrdup(sc, name))) {
        sc->oom = true;
        if (f)
            r->files = f;
        return "?";
    }
    r->files = f;
    return f[r->nr_files++];
}

/* dtc's search: the including file's directory (a file next to a top-level
 * "x.dts" is named plainly), then each -i directory. */
static char *resolve(struct scan *sc, const char *dir, const char *name)
{
    char path[8192];
    struct stat st;

    if (name[0] == '/')
        return stat(name, &st) == 0 ? xstrdup(sc, name) : NULL;
    for (int i = -1; i < (int)sc->nr_dirs; i++) {
        const char *d = i < 0 ? dir : sc->dirs[i];
        snprintf(path, sizeof(path), "%s%s%s", strcmp(d, ".") ? d : "", strcmp(d, ".") ? "/" : "", name);
        if (stat(path, &st) == 0)
            return xstrdup(sc, path);
    }
    return NULL;
}

static char *dir_of(struct scan *sc, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d = !slash ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    sc->oom |= !d;
    return d;
}

static struct dts_ref *add_ref(struct scan *sc, const struct lexer *lx, unsigned line, const char *dir,
                               bool include)
{
    struct dts_refs *r = sc->r;
    struct dts_ref *n = realloc(r->refs, (r->nr + 1) * sizeof(*n));

    if (!n) {
        sc->oom = true;
        return NULL;
    }
    r->refs = n;
    n = &r->refs[r->nr++];
    *n = (struct dts_ref){ .name = xstrdup(sc, lx->tok), .include = include,
                           .pos = { lx->file, line }, .dir = xstrdup(sc, dir) };
    n->found = resolve(sc, dir, lx->tok);
    return n;
}

/* The next token into lx->tok: a quoted string keeps its leading '"', a
 * punctuation mark is one character; comments are skipped. false at EOF. */
static bool lex(struct lexer *lx)
{
    const char *s = lx->s;
    size_t n = 0;

    for (;;) {
        if (lx->i >= lx->len)
            return false;
        char c = s[lx->i];
        if (c == '\n')
            lx->line++;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            lx->i++;
        } else if (c == '/' && s[lx->i + 1] == '*') {
            char *end = strstr(s + lx->i + 2, "*/");
            size_t stop = end ? (size_t)(end - s) + 2 : lx->len;
            for (; lx->i < stop; lx->i++)
                lx->line += s[lx->i] == '\n';
        } else if (c == '/' && s[lx->i + 1] == '/') {
            lx->i += strcspn(s + lx->i, "\n");
        } else {
            break;
        }
    }
    char c = s[lx->i];
    if (c == '"' || c == '\'') {
        lx->tok[n++] = c;
        for (lx->i++; lx->i < lx->len && s[lx->i] != c && s[lx->i] != '\n'; lx->i++) {
            if (s[lx->i] == '\\' && lx->i + 1 < lx->len)
                lx->i++;
            if (n + 1 < TOK_MAX)
                lx->tok[n++] = s[lx->i];
        }
        lx->i += lx->i < lx->len && s[lx->i] == c;
    } else if (c == '&' && s[lx->i + 1] == '{') {     /* &{/full/path} */
        size_t k = strcspn(s + lx->i, "}\n");
        n = k < TOK_MAX - 1 ? k : TOK_MAX - 1;
        memcpy(lx->tok, s + lx->i, n);
        lx->i += k + 1;
    } else if (strchr("{}();=<>[],", c)) {
        lx->tok[n++] = c;
        lx->i++;
    } else {
        while (lx->i < lx->len && !strchr(" \t\r\n{}();=<>[]\"'", s[lx->i]) &&
               !(n && s[lx->i] == '/' && (s[lx->i + 1] == '*' || s[lx->i + 1] == '/')))
            if (n + 1 < TOK_MAX)
                lx->tok[n++] = s[lx->i++];
            else
                lx->i++;
    }
    lx->tok[n] = '\0';
    return true;
}

static char *node_path(struct scan *sc, const char *what)
{
    const char *cur = sc->depth ? sc->stack[sc->depth - 1] : "/";
    char buf[4096];

    if (strcmp(what, "/") == 0)
        return xstrdup(sc, "/");
    if (strncmp(what, "&{", 2) == 0)
        return xstrdup(sc, what + 2);
    if (what[0] == '&') {
        for (unsigned i = sc->nr_labels; i-- > 0;)
            if (strcmp(sc->label_name[i], what + 1) == 0)
                return xstrdup(sc, sc->label_path[i]);
        return xstrdup(sc, "");
    }
    snprintf(buf, sizeof(buf), "%s/%s", strcmp(cur, "/") ? cur : "", what);
    return xstrdup(sc, buf);
}

static void scan_file(struct scan *sc, const char *path);

static void scan_source(struct scan *sc, struct lexer *lx, const char *dir)
{
    char last[TOK_MAX] = "", prop[TOK_MAX] = "", labels[4][TOK_MAX];
    unsigned nr_labels = 0;

    while (!sc->oom && lex(lx)) {
        const char *t = lx->tok;
        if (strcmp(t, "{") == 0) {
            char *p = node_path(sc, last);
            for (unsigned i = 0; i < nr_labels && sc->nr_labels < LABELS_MAX; i++, sc->nr_labels++) {
                sc->label_name[sc->nr_labels] = xstrdup(sc, labels[i]);
                sc->label_path[sc->nr_labels] = xstrdup(sc, p);
            }
            if (sc->depth < DEPTH_MAX)
                sc->stack[sc->depth++] = p;
            else
                free(p);
            last[0] = prop[0] = '\0';
            nr_labels = 0;
        } else if (strcmp(t, "}") == 0 || strcmp(t, ";") == 0) {
            if (t[0] == '}' && sc->depth)
                free(sc->stack[--sc->depth]);
            last[0] = prop[0] = '\0';
            nr_labels = 0;
        } else if (strcmp(t, "=") == 0) {
            snprintf(prop, sizeof(prop), "%s", last);
        } else if (strcmp(t, "/incbin/") == 0 || strcmp(t, "/include/") == 0) {
            bool include = t[3] == 'c' && t[4] == 'l';
            unsigned line = lx->line;
            if (lex(lx) && !include && strcmp(lx->tok, "(") == 0)
                lex(lx);
            if (lx->tok[0] != '"')
                continue;
            memmove(lx->tok, lx->tok + 1, strlen(lx->tok));
            struct dts_ref *ref = add_ref(sc, lx, line, dir, include);
            if (ref && !include) {
                ref->node = xstrdup(sc, sc->depth ? sc->stack[sc->depth - 1] : "");
                ref->prop = xstrdup(sc, prop);
            }
            if (ref && include && ref->found && sc->includes++ < INCLUDE_MAX)
                scan_file(sc, ref->found);
        } else if (t[0] != '"' && t[strlen(t) - 1] == ':' && nr_labels < 4) {
            snprintf(labels[nr_labels++], TOK_MAX, "%.*s", (int)strlen(t) - 1, t);
        } else {
            snprintf(last, sizeof(last), "%s", t);
        }
    }
}

/* Only regular files are read: a FIFO would block (the caller refuses it). */
static void scan_file(struct scan *sc, const char *path)
{
    struct stat st;
    FILE *fp;
    char *text;
    struct lexer lx = { .file = refs_intern(sc, path), .line = 1 };

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !(fp = fopen(path, "rb")))
        return;
    text = malloc((size_t)st.st_size + 2);
    if (text) {
        lx.len = fread(text, 1, (size_t)st.st_size, fp);
        text[lx.len] = text[lx.len + 1] = '\0';
        lx.s = text;
        char *dir = dir_of(sc, path);
        if (dir)
            scan_source(sc, &lx, dir);
        free(dir);
    }
    sc->oom |= !text;
    free(text);
    fclose(fp);
}

struct dts_refs *dts_refs_scan(const char *path, const char *const *dirs, unsigned nr_dirs)
{
    struct scan sc = { .r = calloc(1, sizeof(*sc.r)), .dirs = dirs, .nr_dirs = nr_dirs };
    struct stat st;

    if (sc.r && stat(path, &st) == 0 && S_ISREG(st.st_mode))
        scan_file(&sc, path);
    else
        sc.oom = true;
    while (sc.depth)
        free(sc.stack[--sc.depth]);
    for (unsigned i = 0; i < sc.nr_labels; i++) {
        free(sc.label_name[i]);
        free(sc.label_path[i]);
    }
    if (sc.oom) {
        dts_refs_free(sc.r);
        return NULL;
    }
    return sc.r;
}

void dts_refs_free(struct dts_refs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nr; i++) {
        free(r->refs[i].name);
        free(r->refs[i].node);
        free(r->refs[i].prop);
        free(r->refs[i].dir);
        free(r->refs[i].found);
    }
    for (size_t i = 0; i < r->nr_files; i++)
        free(r->files[i]);
    free(r->refs);
    free(r->files);
    free(r);
}
