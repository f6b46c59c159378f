/* Device-tree source scanner: see dts_srcmap.h. The token rules follow the
 * DTS syntax of the devicetree specification and dtc's documented
 * extensions; values are skipped token by token so that strings, character
 * literals and comments cannot end a statement early. */
#define _POSIX_C_SOURCE 200809L
#include "dts_srcmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dtc refuses deeper trees long before this; the limits only keep hostile
 * or broken input from recursing without bound. */
#define MAX_NODE_DEPTH      64
#define MAX_INCLUDE_DEPTH   32
/* A file that includes itself twice would otherwise double the work at
 * every level. */
#define MAX_INCLUDES_TOTAL  256
#define MAX_LABELS          8
#define TOKEN_MAX           512

/* Everything found, one array: the lookups are linear, configs are small. */
enum rec_kind {
    REC_NODE,   /* a: node path */
    REC_PROP,   /* a: node path, b: property name */
    REC_FILE,   /* a: file name as written, b: node path, c: property (NULL: /include/) */
    REC_LABEL,  /* a: label, b: node path */
};

struct rec {
    enum rec_kind kind;
    char *a, *b, *c;
    struct dts_pos pos;
    bool deleted;
};

struct dts_srcmap {
    struct rec *recs;
    unsigned nr_recs, cap_recs;
    char **files;               /* every file name a dts_pos points to */
    unsigned nr_files, cap_files;
    bool oom;
};

/* One file being read; `outer` is the file that included it. */
struct src {
    struct src *outer;
    char *text;
    size_t len, pos;
    const char *name;
    char *dir;
    unsigned line;
    bool line_start;
};

enum tok_kind {
    T_EOF, T_LBRACE, T_RBRACE, T_SEMI, T_EQ, T_LPAREN, T_LABEL, T_NAME, T_DIRECTIVE,
    T_ROOT, T_REF, T_STRING, T_OTHER,
};

struct token {
    enum tok_kind kind;
    char text[TOKEN_MAX];
    struct dts_pos pos;
};

struct scanner {
    struct dts_srcmap *m;
    struct src *cur;
    unsigned include_depth;
    unsigned includes;
    const char *const *dirs;
    unsigned nr_dirs;
    struct token ahead;
    bool have_ahead;
};

/* ---- storage ---- */

static void *grow(struct dts_srcmap *m, void *arr, unsigned *cap, unsigned nr, size_t elem)
{
    if (nr < *cap)
        return arr;
    unsigned ncap = *cap ? *cap * 2 : 16;
    void *n = realloc(arr, ncap * elem);
    if (!n) {
        m->oom = true;
        return NULL;
    }
    *cap = ncap;
    return n;
}

static char *dup_str(struct dts_srcmap *m, const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d)
        m->oom = true;
    return d;
}

static const char *intern_file(struct dts_srcmap *m, const char *name)
{
    for (unsigned i = 0; i < m->nr_files; i++)
        if (strcmp(m->files[i], name) == 0)
            return m->files[i];
    char *d = dup_str(m, name);
    if (!d)
        return "?";
    void *g = grow(m, m->files, &m->cap_files, m->nr_files, sizeof(m->files[0]));
    if (!g) {
        free(d);
        return "?";
    }
    m->files = g;
    m->files[m->nr_files++] = d;
    return d;
}

static char *join_path(struct dts_srcmap *m, const char *parent, const char *name)
{
    size_t pl = strlen(parent), nl = strlen(name);
    bool root = pl == 1 && parent[0] == '/';
    char *p = malloc(pl + nl + 2);

    if (!p) {
        m->oom = true;
        return NULL;
    }
    snprintf(p, pl + nl + 2, "%s/%s", root ? "" : parent, name);
    return p;
}

static void add_rec(struct dts_srcmap *m, enum rec_kind kind, const char *a, const char *b,
                    const char *c, struct dts_pos pos)
{
    struct rec r = { kind, dup_str(m, a), b ? dup_str(m, b) : NULL, c ? dup_str(m, c) : NULL, pos, false };
    void *g = grow(m, m->recs, &m->cap_recs, m->nr_recs, sizeof(m->recs[0]));

    if (!g || !r.a || (b && !r.b) || (c && !r.c)) {
        free(r.a);
        free(r.b);
        free(r.c);
        return;
    }
    m->recs = g;
    m->recs[m->nr_recs++] = r;
}

static const char *find_label(const struct dts_srcmap *m, const char *label)
{
    /* A label given twice names the later node, as in dtc's last-wins merge. */
    for (unsigned i = m->nr_recs; i-- > 0;)
        if (m->recs[i].kind == REC_LABEL && strcmp(m->recs[i].a, label) == 0)
            return m->recs[i].b;
    return NULL;
}

static bool path_within(const char *path, const char *top)
{
    size_t n = strlen(top);
    return strncmp(path, top, n) == 0 && (path[n] == '\0' || path[n] == '/' || strcmp(top, "/") == 0);
}

static void delete_node(struct dts_srcmap *m, const char *path)
{
    for (unsigned i = 0; i < m->nr_recs; i++) {
        struct rec *r = &m->recs[i];
        if ((r->kind == REC_NODE || r->kind == REC_PROP) && path_within(r->a, path))
            r->deleted = true;
    }
}

static void delete_prop(struct dts_srcmap *m, const char *node, const char *name)
{
    for (unsigned i = 0; i < m->nr_recs; i++) {
        struct rec *r = &m->recs[i];
        if (r->kind == REC_PROP && strcmp(r->a, node) == 0 && strcmp(r->b, name) == 0)
            r->deleted = true;
    }
}

/* ---- files ---- */

static char *read_whole(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (!fp)
        return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *b = realloc(buf, ncap);
            if (!b) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = b;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, 4096, fp);
        n += got;
        if (got < 4096)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return NULL;
    }
    fclose(fp);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static bool push_src(struct scanner *s, const char *opened_as)
{
    struct src *f = calloc(1, sizeof(*f));

    if (!f) {
        s->m->oom = true;
        return false;
    }
    f->text = read_whole(opened_as, &f->len);
    f->dir = dir_of(opened_as);
    if (!f->text || !f->dir) {
        free(f->text);
        free(f->dir);
        free(f);
        return false;
    }
    f->name = intern_file(s->m, opened_as);
    f->line = 1;
    f->line_start = true;
    f->outer = s->cur;
    s->cur = f;
    s->include_depth++;
    return true;
}

static void pop_src(struct scanner *s)
{
    struct src *f = s->cur;

    s->cur = f->outer;
    s->include_depth--;
    free(f->text);
    free(f->dir);
    free(f);
}

/* dtc's search order for a relative name: the including file's directory,
 * then each -i directory. */
static void include_file(struct scanner *s, const char *fname, struct dts_pos pos)
{
    add_rec(s->m, REC_FILE, fname, NULL, NULL, pos);
    if (s->include_depth >= MAX_INCLUDE_DEPTH || s->includes >= MAX_INCLUDES_TOTAL || fname[0] == '\0')
        return;
    s->includes++;
    if (fname[0] == '/') {
        push_src(s, fname);
        return;
    }
    for (int i = -1; i < (int)s->nr_dirs; i++) {
        const char *dir = i < 0 ? s->cur->dir : s->dirs[i];
        /* dtc names a file found next to a top-level "x.dts" plainly. */
        char *p = strcmp(dir, ".") == 0 ? dup_str(s->m, fname) : join_path(s->m, dir, fname);
        bool ok = p && push_src(s, p);
        free(p);
        if (ok)
            return;
    }
}

/* ---- lexer ---- */

static int peekc(const struct src *f, size_t ahead)
{
    return f->pos + ahead < f->len ? (unsigned char)f->text[f->pos + ahead] : -1;
}

static int getc_src(struct src *f)
{
    int c = peekc(f, 0);

    if (c < 0)
        return c;
    f->pos++;
    f->line_start = c == '\n';
    if (c == '\n')
        f->line++;
    return c;
}

static bool is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != -1 && strchr(",._+*#?@-", c) != NULL);
}

static bool is_label_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* A cpp line marker `# 12 "file"` (or `#line 12 "file"`) at the start of a
 * line sets the position of the next line, as in preprocessed sources. */
static bool line_marker(struct scanner *s)
{
    struct src *f = s->cur;
    size_t i = 1;
    unsigned line = 0;
    char name[TOKEN_MAX];
    size_t n = 0;

    if (!f->line_start || peekc(f, 0) != '#')
        return false;
    if (f->pos + 5 <= f->len && strncmp(f->text + f->pos + 1, "line", 4) == 0)
        i += 4;
    if (peekc(f, i) != ' ' && peekc(f, i) != '\t')
        return false;
    while (peekc(f, i) == ' ' || peekc(f, i) == '\t')
        i++;
    if (!is_digit(peekc(f, i)))
        return false;
    while (is_digit(peekc(f, i)) && line < 100000000)
        line = line * 10 + (unsigned)(peekc(f, i++) - '0');
    while (peekc(f, i) == ' ' || peekc(f, i) == '\t')
        i++;
    if (peekc(f, i) == '"') {
        i++;
        while (peekc(f, i) != '"' && peekc(f, i) != '\n' && peekc(f, i) >= 0) {
            if (n + 1 < sizeof(name))
                name[n++] = (char)peekc(f, i);
            i++;
        }
        name[n] = '\0';
        if (n)
            f->name = intern_file(s->m, name);
    }
    while (peekc(f, 0) >= 0 && peekc(f, 0) != '\n')
        getc_src(f);
    getc_src(f);
    f->line = line;
    return true;
}

/* Skips blanks and comments; false at the end of the outermost file. */
static bool skip_space(struct scanner *s)
{
    for (;;) {
        struct src *f = s->cur;
        int c = peekc(f, 0);

        if (c < 0) {
            if (!f->outer)
                return false;
            pop_src(s);
            continue;
        }
        if (line_marker(s))
            continue;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            getc_src(f);
        } else if (c == '/' && peekc(f, 1) == '*') {
            getc_src(f);
            getc_src(f);
            while (peekc(f, 0) >= 0 && !(peekc(f, 0) == '*' && peekc(f, 1) == '/'))
                getc_src(f);
            getc_src(f);
            getc_src(f);
        } else if (c == '/' && peekc(f, 1) == '/') {
            while (peekc(f, 0) >= 0 && peekc(f, 0) != '\n')
                getc_src(f);
        } else {
            return true;
        }
    }
}

static void put_char(struct token *t, size_t *n, int c)
{
    if (*n + 1 < sizeof(t->text))
        t->text[(*n)++] = (char)c;
    t->text[*n] = '\0';
}

/* A quoted string or character literal; simple escapes are decoded so that
 * a file name compares equal to the one dtc reports. */
static void lex_quoted(struct src *f, struct token *t, int quote)
{
    size_t n = 0;

    t->text[0] = '\0';
    getc_src(f);
    for (;;) {
        int c = peekc(f, 0);
        if (c < 0 || c == '\n')
            return;
        getc_src(f);
        if (c == quote)
            return;
        if (c == '\\' && peekc(f, 0) >= 0) {
            c = getc_src(f);
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
        put_char(t, &n, c);
    }
}

static void lex(struct scanner *s, struct token *t)
{
    struct src *f;
    size_t n = 0;
    int c;

    t->text[0] = '\0';
    if (!skip_space(s)) {
        t->kind = T_EOF;
        t->pos = (struct dts_pos){ s->cur->name, s->cur->line };
        return;
    }
    f = s->cur;
    t->pos = (struct dts_pos){ f->name, f->line };
    c = peekc(f, 0);
    switch (c) {
    case '{': getc_src(f); t->kind = T_LBRACE; return;
    case '}': getc_src(f); t->kind = T_RBRACE; return;
    case ';': getc_src(f); t->kind = T_SEMI; return;
    case '=': getc_src(f); t->kind = T_EQ; return;
    case '(': getc_src(f); t->kind = T_LPAREN; return;
    case '"': lex_quoted(f, t, '"'); t->kind = T_STRING; return;
    case '\'': lex_quoted(f, t, '\''); t->kind = T_OTHER; return;
    default: break;
    }
    if (c == '&') {
        getc_src(f);
        t->kind = T_REF;
        if (peekc(f, 0) == '{') {   /* &{/full/path} */
            getc_src(f);
            while (peekc(f, 0) >= 0 && peekc(f, 0) != '}' && peekc(f, 0) != '\n')
                put_char(t, &n, getc_src(f));
            if (peekc(f, 0) == '}')
                getc_src(f);
        } else {
            while (is_label_char(peekc(f, 0)))
                put_char(t, &n, getc_src(f));
        }
        return;
    }
    if (c == '/') {
        size_t i = 1;
        while ((peekc(f, i) >= 'a' && peekc(f, i) <= 'z') || is_digit(peekc(f, i)) ||
               peekc(f, i) == '-')
            i++;
        if (i > 1 && peekc(f, i) == '/') {
            for (size_t k = 0; k <= i; k++)
                put_char(t, &n, getc_src(f));
            t->kind = T_DIRECTIVE;
            return;
        }
        getc_src(f);
        t->kind = T_ROOT;
        return;
    }
    if (is_name_char(c)) {
        while (is_name_char(peekc(f, 0)))
            put_char(t, &n, getc_src(f));
        t->kind = T_NAME;
        if (peekc(f, 0) == ':') {
            getc_src(f);
            t->kind = T_LABEL;
        }
        return;
    }
    getc_src(f);
    t->kind = T_OTHER;
    t->text[0] = (char)c;
    t->text[1] = '\0';
}

/* The next token with /include/ already followed. */
static void next(struct scanner *s, struct token *t)
{
    if (s->have_ahead) {
        *t = s->ahead;
        s->have_ahead = false;
        return;
    }
    for (;;) {
        lex(s, t);
        if (t->kind != T_DIRECTIVE || strcmp(t->text, "/include/") != 0)
            return;
        struct dts_pos at = t->pos;
        lex(s, t);
        if (t->kind != T_STRING) {
            s->ahead = *t;
            s->have_ahead = true;
            next(s, t);
            return;
        }
        include_file(s, t->text, at);
    }
}

static void unread(struct scanner *s, const struct token *t)
{
    s->ahead = *t;
    s->have_ahead = true;
}

/* ---- parser ---- */

/* Skips a property value up to and including its ';', noting /incbin/
 * file names. Stops without consuming at a brace, which a value cannot
 * hold: the statement was not what it seemed. */
static void skip_value(struct scanner *s, const char *node, const char *prop)
{
    struct token t;

    for (;;) {
        next(s, &t);
        if (t.kind == T_EOF || t.kind == T_SEMI)
            return;
        if (t.kind == T_LBRACE || t.kind == T_RBRACE) {
            unread(s, &t);
            return;
        }
        if (t.kind == T_DIRECTIVE && strcmp(t.text, "/incbin/") == 0) {
            struct dts_pos at = t.pos;
            next(s, &t);
            if (t.kind == T_LPAREN)
                next(s, &t);
            if (t.kind == T_STRING)
                add_rec(s->m, REC_FILE, t.text, node ? node : "", prop ? prop : "", at);
            else
                unread(s, &t);
        }
    }
}

static void skip_semi(struct scanner *s)
{
    struct token t;

    next(s, &t);
    if (t.kind != T_SEMI)
        unread(s, &t);
}

/* `{` has been read: skips to the matching `}` and its `;`. */
static void skip_block(struct scanner *s)
{
    unsigned level = 1;
    struct token t;

    while (level) {
        next(s, &t);
        if (t.kind == T_EOF)
            return;
        if (t.kind == T_LBRACE)
            level++;
        else if (t.kind == T_RBRACE)
            level--;
    }
    skip_semi(s);
}

static char *ref_path(struct scanner *s, const struct token *t)
{
    const char *p = t->text[0] == '/' ? t->text : find_label(s->m, t->text);
    return p ? dup_str(s->m, p) : NULL;
}

static void parse_body(struct scanner *s, const char *path, unsigned depth);

/* `{` has been read: the body of node `path` follows. */
static void open_node(struct scanner *s, const char *path, struct dts_pos pos,
                      char labels[][TOKEN_MAX], unsigned nr_labels, unsigned depth)
{
    if (depth >= MAX_NODE_DEPTH) {
        skip_block(s);
        return;
    }
    add_rec(s->m, REC_NODE, path, NULL, NULL, pos);
    for (unsigned i = 0; i < nr_labels; i++)
        add_rec(s->m, REC_LABEL, labels[i], path, NULL, pos);
    parse_body(s, path, depth + 1);
}

/* Statements until the `}` closing `path` (NULL: the top level, until EOF). */
static void parse_body(struct scanner *s, const char *path, unsigned depth)
{
    char labels[MAX_LABELS][TOKEN_MAX];
    struct token t, u;

    while (!s->m->oom) {
        unsigned nr_labels = 0;

        next(s, &t);
        if (t.kind == T_EOF)
            return;
        if (t.kind == T_RBRACE) {
            if (!path)
                continue;
            skip_semi(s);
            return;
        }
        while (t.kind == T_LABEL) {
            if (nr_labels < MAX_LABELS)
                snprintf(labels[nr_labels++], TOKEN_MAX, "%s", t.text);
            next(s, &t);
        }
        switch (t.kind) {
        case T_DIRECTIVE:
            if (strcmp(t.text, "/delete-node/") == 0) {
                next(s, &u);
                char *victim = u.kind == T_REF ? ref_path(s, &u)
                             : u.kind == T_NAME && path ? join_path(s->m, path, u.text) : NULL;
                if (victim)
                    delete_node(s->m, victim);
                free(victim);
                if (u.kind != T_REF && u.kind != T_NAME)
                    unread(s, &u);
                skip_semi(s);
            } else if (strcmp(t.text, "/delete-property/") == 0) {
                next(s, &u);
                if (u.kind == T_NAME && path)
                    delete_prop(s->m, path, u.text);
                else
                    unread(s, &u);
                skip_semi(s);
            } else if (strcmp(t.text, "/omit-if-no-ref/") != 0) {
                /* /dts-v1/, /plugin/, /memreserve/ ...: nothing to map. */
                skip_value(s, NULL, NULL);
            }
            break;
        case T_ROOT:
        case T_REF: {
            char *target = t.kind == T_ROOT ? dup_str(s->m, "/") : ref_path(s, &t);
            next(s, &u);
            if (u.kind == T_LBRACE && target)
                open_node(s, target, t.pos, labels, nr_labels, depth);
            else if (u.kind == T_LBRACE)
                skip_block(s);      /* unknown label: keep the nesting in step */
            else
                unread(s, &u);
            free(target);
            break;
        }
        case T_NAME:
            next(s, &u);
            if (u.kind == T_LBRACE) {
                char *child = join_path(s->m, path ? path : "/", t.text);
                if (child)
                    open_node(s, child, t.pos, labels, nr_labels, depth);
                free(child);
            } else if (u.kind == T_EQ) {
                if (path)
                    add_rec(s->m, REC_PROP, path, t.text, NULL, t.pos);
                skip_value(s, path, t.text);
            } else if (u.kind == T_SEMI) {
                if (path)
                    add_rec(s->m, REC_PROP, path, t.text, NULL, t.pos);
            } else {
                unread(s, &u);
            }
            break;
        case T_LBRACE:
            skip_block(s);
            break;
        default:
            break;
        }
    }
}

/* ---- API ---- */

struct dts_srcmap *dts_srcmap_scan(const char *path, const char *const *dirs, unsigned nr_dirs)
{
    struct dts_srcmap *m = calloc(1, sizeof(*m));
    struct scanner s = { .m = m, .dirs = dirs, .nr_dirs = nr_dirs };

    if (!m)
        return NULL;
    if (!push_src(&s, path)) {
        dts_srcmap_free(m);
        return NULL;
    }
    parse_body(&s, NULL, 0);
    while (s.cur)
        pop_src(&s);
    if (m->oom) {
        dts_srcmap_free(m);
        return NULL;
    }
    return m;
}

void dts_srcmap_free(struct dts_srcmap *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->nr_recs; i++) {
        free(m->recs[i].a);
        free(m->recs[i].b);
        free(m->recs[i].c);
    }
    for (unsigned i = 0; i < m->nr_files; i++)
        free(m->files[i]);
    free(m->recs);
    free(m->files);
    free(m);
}

bool dts_srcmap_node(const struct dts_srcmap *m, const char *path, struct dts_pos *pos)
{
    for (unsigned i = 0; i < m->nr_recs; i++) {
        const struct rec *r = &m->recs[i];
        if (r->kind == REC_NODE && !r->deleted && strcmp(r->a, path) == 0) {
            *pos = r->pos;
            return true;
        }
    }
    return false;
}

bool dts_srcmap_prop(const struct dts_srcmap *m, const char *path, const char *prop,
                     struct dts_pos *pos)
{
    for (unsigned i = m->nr_recs; i-- > 0;) {
        const struct rec *r = &m->recs[i];
        if (r->kind == REC_PROP && !r->deleted && strcmp(r->a, path) == 0 && strcmp(r->b, prop) == 0) {
            *pos = r->pos;
            return true;
        }
    }
    return false;
}

bool dts_srcmap_file_ref(const struct dts_srcmap *m, const char *fname, const char **node,
                         const char **prop, struct dts_pos *pos)
{
    for (unsigned i = 0; i < m->nr_recs; i++) {
        const struct rec *r = &m->recs[i];
        if (r->kind == REC_FILE && strcmp(r->a, fname) == 0) {
            *node = r->b;
            *prop = r->c;
            *pos = r->pos;
            return true;
        }
    }
    return false;
}
