/* Host-side helpers for the FDT tests: temporary files and running dtc.
 * Include after <cmocka.h> (the helpers assert). */
#ifndef ELVISOR_TEST_FDT_TEST_UTIL_H
#define ELVISOR_TEST_FDT_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp_path[64];

static const char *tmp_name(const char *suffix)
{
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/elvisor-test-fdt-%d-%s", (int)getpid(), suffix);
    return tmp_path;
}

static void *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    long n;
    void *buf;

    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

/* Compiles DTS text with dtc (extra options such as "-V 16" allowed) into an
 * exactly-sized heap blob, so ASan flags any read past its end. */
static uint8_t *dtc_compile(const char *dts, const char *opts, size_t *len)
{
    char in[64], out[64], cmd[256];
    uint8_t *blob;

    snprintf(in, sizeof(in), "%s", tmp_name("dts"));
    snprintf(out, sizeof(out), "%s", tmp_name("dtb"));
    write_file(in, dts, strlen(dts));
    snprintf(cmd, sizeof(cmd), "dtc -q %s -I dts -O dtb -o %s %s", opts, out, in);
    assert_int_equal(system(cmd), 0);
    blob = read_file(out, len);
    assert_non_null(blob);
    unlink(in);
    unlink(out);
    return blob;
}

/* Decompiles a blob with dtc; returns dtc's exit status, its DTS output and
 * everything it printed on stderr (warnings). */
static int dtc_decompile(const void *blob, size_t len, char **dts, char **errs)
{
    char in[64], out[64], err[64], cmd[256];
    size_t n;
    int rc;

    snprintf(in, sizeof(in), "%s", tmp_name("in.dtb"));
    snprintf(out, sizeof(out), "%s", tmp_name("out.dts"));
    snprintf(err, sizeof(err), "%s", tmp_name("err"));
    write_file(in, blob, len);
    snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o %s %s 2>%s", out, in, err);
    rc = system(cmd);
    *dts = read_file(out, &n);
    if (*dts) {
        *dts = realloc(*dts, n + 1);
        (*dts)[n] = '\0';
    }
    *errs = read_file(err, &n);
    if (*errs) {
        *errs = realloc(*errs, n + 1);
        (*errs)[n] = '\0';
    }
    unlink(in);
    unlink(out);
    unlink(err);
    return rc;
}

#endif
