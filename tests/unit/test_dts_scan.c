/* The config checker's source positions (tools/dts_srcmap.c, from dtc's
 * annotations) and its /incbin/ scanner (tools/dts_refs.c), tested directly
 * under the sanitizers. */
#include "elvisor_config_test.h"

#include "../../tools/dts_refs.c"
#include "../../tools/dts_srcmap.c"

static struct dts_srcmap *scanned;
static struct dts_refs *refs;

static int scan_teardown(void **state)
{
    dts_srcmap_free(scanned);
    dts_refs_free(refs);
    return tmpdir_teardown(state);
}

/* ---- the scanner itself ---- */

static const struct dts_srcmap *scan_text(const char *text)
{
    dts_srcmap_free(scanned);
    write_text("scan.dts", text);
    scanned = dts_srcmap_scan("scan.dts", NULL, 0);
    return scanned;
}

static unsigned prop_line(const struct dts_srcmap *m, const char *node, const char *prop)
{
    struct dts_pos pos;
    return dts_srcmap_prop(m, node, prop, &pos) ? pos.line : 0;
}

static unsigned node_line(const struct dts_srcmap *m, const char *node)
{
    struct dts_pos pos;
    return dts_srcmap_node(m, node, &pos) ? pos.line : 0;
}

/* dtc's annotations: strings and comments that look like syntax, labels,
 * label and path references, deletions, /include/ and cpp line markers. */
static void test_srcmap_from_dtc(void **state)
{
    const struct dts_srcmap *m;
    struct dts_pos pos;

    (void)state;
    write_text("inc.dtsi", "\n&{/vms/y} { r; };\n");
    m = scan_text("/dts-v1/;\n"
                  "/* { not a node; */ / { vms {\n"
                  "  l1: l2: x { p = <1>; s = \"x; } /* {\", [00 ff];\n"
                  "      q = <2>; // };\n"
                  "  };\n"
                  "  y { p = <1>; };\n"
                  "  z { };\n"
                  "}; };\n"
                  "&l2 { p = <3>; };\n"
                  "/include/ \"inc.dtsi\"\n"
                  "/ { vms { x { /delete-property/ q; }; /delete-node/ z; }; };\n"
                  "# 40 \"orig.dts\"\n"
                  "/ { w; };\n");
    assert_non_null(m);
    assert_int_equal(node_line(m, "/"), 2);
    assert_int_equal(node_line(m, "/vms/x"), 3);
    assert_int_equal(prop_line(m, "/vms/x", "s"), 3);
    assert_int_equal(prop_line(m, "/vms/x", "p"), 9);
    assert_int_equal(prop_line(m, "/vms/x", "q"), 0);
    assert_int_equal(node_line(m, "/vms/z"), 0);
    assert_true(dts_srcmap_prop(m, "/vms/y", "r", &pos));
    assert_string_equal(pos.file, "inc.dtsi");
    assert_int_equal(pos.line, 2);
    assert_true(dts_srcmap_prop(m, "/", "w", &pos));
    assert_string_equal(pos.file, "orig.dts");
    assert_int_equal(pos.line, 40);
    /* Source dtc refuses has no map (dtc's message says where). */
    dts_srcmap_free(scanned);
    write_text("scan.dts", "/dts-v1/;\n/ { a = <1> };\n");
    scanned = dts_srcmap_scan("scan.dts", NULL, 0);
    assert_null(scanned);
}

static const struct dts_ref *find_ref(const char *name)
{
    for (size_t i = 0; refs && i < refs->nr; i++)
        if (strcmp(refs->refs[i].name, name) == 0)
            return &refs->refs[i];
    return NULL;
}

static void test_refs_include_incbin(void **state)
{
    const struct dts_ref *r;

    (void)state;
    assert_int_equal(mkdir("sub", 0755) == 0 || access("sub", F_OK) == 0, 1);
    write_text("sub/refs.dtsi", "\n/ { z { k = /incbin/(\"img\\\"q\", 0, 4); }; };\n");
    write_text("sub/here.bin", "x");
    write_text("refs.dts", "/dts-v1/;\n"
                           "/include/ \"refs.dtsi\"\n"
                           "/include/ \"absent.dtsi\"\n"
                           "/ { vms { lx: linux { /* /incbin/(\"no\") */ kernel =\n"
                           "    /incbin/(\"here.bin\"); }; }; };\n"
                           "&lx { initrd = /incbin/(\"/abs/i\"); };\n");
    dts_refs_free(refs);
    const char *dirs[] = { "sub" };
    refs = dts_refs_scan("refs.dts", dirs, 1);
    assert_non_null(refs);
    assert_null(find_ref("no"));
    r = find_ref("img\"q");
    assert_non_null(r);
    assert_string_equal(r->node, "/z");
    assert_string_equal(r->prop, "k");
    assert_string_equal(r->pos.file, "sub/refs.dtsi");
    assert_int_equal(r->pos.line, 2);
    assert_null(r->found);
    r = find_ref("absent.dtsi");
    assert_non_null(r);
    assert_true(r->include);
    assert_int_equal(r->pos.line, 3);
    r = find_ref("here.bin");
    assert_non_null(r);
    assert_string_equal(r->node, "/vms/linux");
    assert_string_equal(r->prop, "kernel");
    assert_int_equal(r->pos.line, 5);
    assert_string_equal(r->found, "sub/here.bin");
    r = find_ref("/abs/i");
    assert_non_null(r);
    assert_string_equal(r->node, "/vms/linux");
    assert_string_equal(r->prop, "initrd");
    assert_int_equal(r->pos.line, 6);
}

/* Truncated and shuffled DTS must neither crash nor leak (ASan), in the
 * /incbin/ scanner nor in reading what dtc makes of it. */
static void test_scanners_survive_garbage(void **state)
{
    static const char *const pieces[] = {
        "/ {", "};", "}", "{", "a", "=", ";", "\"s", "'", "/*", "*/", "//", "\n", "&", "&{/x",
        "lbl:", "/include/", "\"scan.dts\"", "/incbin/(", "/delete-node/", "# 3 \"f\"\n", "<", ">",
        "/delete-property/", "/bits/ 64", "@", "\\",
    };
    char text[512];
    unsigned seed = 12345;

    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t n = 0;
        text[0] = '\0';
        for (int k = 0; k < 40; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]))];
            if (n + strlen(p) + 1 >= sizeof(text))
                break;
            memcpy(text + n, p, strlen(p) + 1);
            n += strlen(p);
        }
        scan_text(text);
        dts_refs_free(refs);
        refs = dts_refs_scan("scan.dts", NULL, 0);
        assert_non_null(refs);
    }
    assert_null(dts_srcmap_scan("no-such-file.dts", NULL, 0));
    assert_null(dts_refs_scan("no-such-file.dts", NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_srcmap_from_dtc, setup),
        cmocka_unit_test_setup(test_refs_include_incbin, setup),
        cmocka_unit_test_setup(test_scanners_survive_garbage, setup),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, scan_teardown);
}
