/* elvisor-config: checks a VM configuration (device-tree source) on the host
 * and writes the bundle elvisor boots from. See docs/configuration.md.
 *
 *   elvisor-config check  [-q] [-i DIR]... [--pci LIST] [--smmu MODE] FILE.dts
 *   elvisor-config bundle [-q] [-i DIR]... [--pci LIST] [--smmu MODE] FILE.dts OUT.dtb
 *   elvisor-config vms BUNDLE.dtb
 *   elvisor-config dtb [--gic 2|3] [--vm NAME] BUNDLE.dtb OUT.dtb
 *
 * The /incbin/ and /include/ files are checked first (dtc would wait on a
 * FIFO); dtc compiles the source; the bundle is then validated by
 * config_check(), the checks of the very parser elvisor runs at boot, and
 * the image placement is checked with the loader's own planning code. Every
 * error is reported, as FILE:LINE: vm 'NAME': property 'PROP': reason
 * (config_report.c).
 *
 * Exit status: 0 valid, 1 invalid configuration (dtc errors included),
 * 2 usage error, 3 the check itself could not run (dtc missing, I/O). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_report.h"
#include "core/config.h"
#include "core/loader.h"
#include "core/sched_policy.h"
#include "dts_refs.h"
#include "dts_srcmap.h"
#include "vm_dtb_of_config.h"

#define EXIT_VALID      0
#define EXIT_INVALID    1
#define EXIT_USAGE      2
#define EXIT_TROUBLE    3

/* The guest RAM layout vm_boot() (src/core/vm.c) uses: RAM at the virt
 * board's 0x4000_0000, the generated DTB in the last 2 MiB, the initrd
 * page-aligned just below it, above everything the kernel occupies. */
#define GUEST_RAM_BASE      0x40000000ULL
#define GUEST_DTB_SLOT      (2 * MiB)
#define GUEST_PAGE_SIZE     4096ULL
#define GUEST_DTB_MAX       (64 * 1024)     /* vm.c's buffer for it */
/* config_parse()'s limits. */
#define GUEST_MEM_ALIGN     (2 * MiB)
#define GUEST_MEM_MAX       (64 * GiB)

static const char *prog = "elvisor-config";

/* ---- running dtc ---- */

/* Runs dtc -I dts -O dtb; its stderr is returned in *log (malloc'd).
 * Returns dtc's exit status, or -1 when it could not be started. */
static int run_dtc(const struct ctx *c, const char *out, char **log)
{
    const char *argv[12 + 2 * MAX_DIRS];
    unsigned n = 0;
    int fd, rc;
    pid_t pid;
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);

    *log = NULL;
    if (!buf)
        return -1;
    argv[n++] = "dtc";
    argv[n++] = "-q";       /* warnings off: only errors stop a bundle */
    argv[n++] = "-I";
    argv[n++] = "dts";
    argv[n++] = "-O";
    argv[n++] = "dtb";
    argv[n++] = "-o";
    argv[n++] = out;
    for (unsigned i = 0; i < c->nr_dirs; i++) {
        argv[n++] = "-i";
        argv[n++] = c->dirs[i];
    }
    argv[n++] = c->file;
    argv[n] = NULL;

    fd = dtc_start(argv, STDERR_FILENO, &pid);
    if (fd < 0) {
        free(buf);
        return -1;
    }
    for (;;) {
        if (len + 1 >= cap) {
            char *b = realloc(buf, cap * 2);
            if (!b)
                break;
            buf = b;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + len, cap - len - 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    close(fd);
    rc = dtc_wait(pid);
    if (rc < 0) {
        free(buf);
        return -1;
    }
    *log = buf;
    if (rc == 127 && len == 0) {
        errno = ENOENT;     /* posix_spawnp reports a missing dtc this way on some libcs */
        return -1;
    }
    return rc;
}

/* ---- checks beyond config_parse() ---- */

/* vm_boot()'s placement for mem bytes of RAM; NULL when everything fits,
 * else why not. *plan is the kernel's load plan when the kernel fits. */
static const char *placement(const struct vm_config *vm, uint64_t mem, struct load_plan *plan)
{
    const char *why = NULL;
    uint64_t dtb = GUEST_RAM_BASE + mem - GUEST_DTB_SLOT;

    if (loader_plan(vm->kernel, vm->kernel_size, vm->kernel_format, GUEST_RAM_BASE, mem, plan, &why) < 0)
        return why;
    if (vm->initrd) {
        if (vm->initrd_size > dtb - GUEST_RAM_BASE ||
            ((dtb - vm->initrd_size) & ~(GUEST_PAGE_SIZE - 1)) < plan->end)
            return "initrd does not fit between the kernel and the device tree";
    }
    if (plan->end > dtb)
        return "kernel leaves no room for the device tree";
    return NULL;
}

static void check_placement(struct ctx *c, const struct vm_config *vm)
{
    struct load_plan plan, big;
    char path[300], mem[32], end[32], initrd[96] = "", need_s[32], isz[32];
    struct dts_pos buf;
    const char *why = placement(vm, vm->mem_size, &plan);
    uint64_t need;

    if (!why)
        return;
    vm_path(path, sizeof(path), vm->name);
    /* An image that cannot be placed in any amount of RAM is itself wrong. */
    if (placement(vm, GUEST_MEM_MAX, &big) != NULL) {
        error_at(c, where(c, path, "kernel", &buf), "vm '%s': property 'kernel': %s", vm->name, why);
        return;
    }
    for (need = vm->mem_size + GUEST_MEM_ALIGN; need < GUEST_MEM_MAX; need += GUEST_MEM_ALIGN)
        if (!placement(vm, need, &big))
            break;
    if (vm->initrd)
        snprintf(initrd, sizeof(initrd), ", the %s initrd goes below the device tree",
                 size_str(vm->initrd_size, isz, sizeof(isz)));
    error_at(c, where(c, path, "memory-size", &buf),
             "vm '%s': property 'memory-size': %s is too small (%s): the %s ends at RAM + %s%s, "
             "the device tree takes the last 2 MiB; at least %s needed",
             vm->name, size_str(vm->mem_size, mem, sizeof(mem)), why, loader_kind_name(big.kind),
             size_str(big.end - GUEST_RAM_BASE, end, sizeof(end)), initrd,
             size_str(need, need_s, sizeof(need_s)));
}

/* The machine the bundle will boot on, when the caller says (the
 * launcher does): its PCI functions and its SMMU. */
#define MACHINE_MAX_PCI 64
struct machine {
    bool pci_known;
    unsigned nr_pci;
    struct config_pci pci[MACHINE_MAX_PCI];
    const char *pci_list;
    const char *smmu;           /* "stage2", "stage1", "none", or NULL: unknown */
};
static struct machine machine;

static bool machine_has(const struct config_pci *f)
{
    for (unsigned i = 0; i < machine.nr_pci; i++)
        if (machine.pci[i].bus == f->bus && machine.pci[i].dev == f->dev && machine.pci[i].fn == f->fn)
            return true;
    return false;
}

/* A function the machine lacks, or a machine whose SMMU cannot give a
 * device the VM's stage 2: refused before boot, as elvisor would. */
static void check_machine(struct ctx *c, const struct vm_config *vm)
{
    char path[300];
    struct dts_pos buf;

    if (!vm->nr_pci)
        return;
    vm_path(path, sizeof(path), vm->name);
    if (machine.smmu && strcmp(machine.smmu, "stage2") != 0)
        error_at(c, where(c, path, "pci-devices", &buf),
                 "vm '%s': property 'pci-devices': the machine has %s: "
                 "an assigned device needs an SMMUv3 with stage 2 (tools/elvisor-run turns it on "
                 "with --assign-edu or --assign-disk)", vm->name,
                 strcmp(machine.smmu, "none") == 0 ? "no SMMU" : "an SMMU without stage 2");
    for (unsigned i = 0; machine.pci_known && i < vm->nr_pci; i++) {
        const struct config_pci *f = &vm->pci[i];
        if (!machine_has(f))
            error_at(c, where(c, path, "pci-devices", &buf),
                     "vm '%s': property 'pci-devices': %02x:%02x.%x: no such PCI function on this machine "
                     "(it has: %s)", vm->name, f->bus, f->dev, f->fn,
                     machine.pci_list[0] ? machine.pci_list : "none");
    }
}

static int parse_machine_pci(const char *list)
{
    char item[16];
    const char *p = list;

    machine.pci_known = true;
    machine.pci_list = list;
    while (*p) {
        size_t n = strcspn(p, ", ");
        if (n == 0) {
            p++;
            continue;
        }
        if (n >= sizeof(item) || machine.nr_pci == MACHINE_MAX_PCI)
            return -1;
        memcpy(item, p, n);
        item[n] = '\0';
        if (!config_parse_bdf(item, &machine.pci[machine.nr_pci]))
            return -1;
        machine.nr_pci++;
        p += n;
    }
    return 0;
}

static void warnings(struct ctx *c, const struct vm_config *vm)
{
    char path[300];
    struct dts_pos buf;

    vm_path(path, sizeof(path), vm->name);
    if (!vm->has_cpu_map)
        return;
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        for (unsigned j = i + 1; j < vm->nr_vcpus; j++) {
            if (vm->cpu_map[i] != vm->cpu_map[j])
                continue;
            warn_at(c, where(c, path, "cpus", &buf),
                    "vm '%s': property 'cpus': vCPUs %u and %u share physical CPU %u; they never run at "
                    "once but take turns in %u ms time slices, which slows a guest that waits for one "
                    "vCPU on another (spin locks, IPIs)",
                    vm->name, i, j, vm->cpu_map[i], SCHED_SLICE_US / 1000);
            return;
        }
    }
}

static void summary(const struct vm_config *vm)
{
    struct load_plan plan;
    const char *why;
    char s1[32], s2[32], s3[32], gic[24];

    loader_plan(vm->kernel, vm->kernel_size, vm->kernel_format, GUEST_RAM_BASE, vm->mem_size, &plan, &why);

    if (vm->gic_version)
        snprintf(gic, sizeof(gic), "GICv%u", vm->gic_version);
    else
        snprintf(gic, sizeof(gic), "the host's GIC");
    printf("vm '%s': %u vCPU%s, %s RAM, kernel %s (%s), initrd %s, %s%s%s", vm->name, vm->nr_vcpus,
           vm->nr_vcpus == 1 ? "" : "s", size_str(vm->mem_size, s1, sizeof(s1)),
           size_str(vm->kernel_size, s2, sizeof(s2)), loader_kind_name(plan.kind),
           vm->initrd ? size_str(vm->initrd_size, s3, sizeof(s3)) : "none", gic,
           vm->virt_el2 ? (vm->virt_el2_nvhe ? ", virtual EL2 (nVHE)" : ", virtual EL2") : "", vm->console ? ", console input" : "");
    if (vm->has_cpu_map) {
        printf(", cpus <");
        for (unsigned i = 0; i < vm->nr_vcpus; i++)
            printf("%s%u", i ? " " : "", vm->cpu_map[i]);
        printf(">");
    }
    putchar('\n');
}

/* ---- main ---- */

static void usage(FILE *to)
{
    fprintf(to,
            "usage: %s check  [-q] [-i DIR]... [--pci LIST] [--smmu MODE] FILE.dts\n"
            "                                            check a VM configuration\n"
            "       %s bundle [-q] [-i DIR]... [--pci LIST] [--smmu MODE] FILE.dts OUT.dtb\n"
            "                                            check it and write the bundle\n"
            "       %s vms BUNDLE.dtb                            one line per VM: NAME GIC VCPUS CPUS MEM\n"
            "       %s dtb [--gic 2|3] [--vm NAME] BUNDLE.dtb OUT.dtb\n"
            "                                            the device tree the VM (default: the first)\n"
            "                                            boots with on a GICv2/v3 host (default: the\n"
            "                                            VM's gic-version, else 3)\n"
            "\n"
            "  -i DIR   also look for /incbin/ and /include/ files in DIR (after FILE's directory)\n"
            "  -q       no per-VM summary on success\n"
            "  --pci LIST   the machine's PCI functions, \"BB:DD.F\" separated by commas (\"\" for\n"
            "               none): a VM's pci-devices must be among them\n"
            "  --smmu MODE  the machine's SMMU: stage2, stage1 or none; pci-devices needs stage2\n"
            "\n"
            "Errors name FILE:LINE and the VM property. Exit status: 0 valid, 1 invalid\n"
            "configuration, 2 usage error, 3 the check could not run. See docs/configuration.md.\n",
            prog, prog, prog, prog);
}

static int usage_err(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return EXIT_USAGE;
}

static uint8_t *read_blob(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    struct stat st;

    if (!fp)
        return NULL;
    if (fstat(fileno(fp), &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size)) &&
        fread(buf, 1, (size_t)st.st_size, fp) == (size_t)st.st_size) {
        *len = (size_t)st.st_size;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

struct report {
    struct ctx *c;
    const char *bad[CONFIG_MAX_VMS * 2];    /* VMs with an error */
    unsigned nr_bad;
};

static void report_error(void *ctx, const struct config_error *e)
{
    struct report *r = ctx;

    explain_config_error(r->c, e);
    if (e->vm && r->nr_bad < sizeof(r->bad) / sizeof(r->bad[0]))
        r->bad[r->nr_bad++] = e->vm;
}

static bool has_error(const struct report *r, const char *vm)
{
    for (unsigned i = 0; i < r->nr_bad; i++)
        if (strcmp(r->bad[i], vm) == 0)
            return true;
    return false;
}

/* Validates the compiled bundle, reporting every error; returns the exit
 * status. */
static int validate(struct ctx *c, bool quiet)
{
    static struct elvisor_config cfg;
    struct report r = { .c = c };

    config_check(c->blob, c->size, &cfg, report_error, &r);
    /* The sizes of a VM with errors may be among them. */
    for (unsigned i = 0; i < cfg.nr_vms; i++)
        if (!has_error(&r, cfg.vms[i].name))
            check_placement(c, &cfg.vms[i]);
    for (unsigned i = 0; i < cfg.nr_vms; i++)
        check_machine(c, &cfg.vms[i]);
    if (c->errors)
        return EXIT_INVALID;
    for (unsigned i = 0; i < cfg.nr_vms; i++)
        warnings(c, &cfg.vms[i]);
    for (unsigned i = 0; i < cfg.nr_vms && !quiet; i++)
        summary(&cfg.vms[i]);
    return EXIT_VALID;
}

static const char *file_kind(mode_t mode)
{
    return S_ISFIFO(mode) ? "a FIFO" : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISDIR(mode) ? "a directory" : S_ISSOCK(mode) ? "a socket" : "not a file";
}

/* dtc opens /incbin/ and /include/ files as it parses: it stops at the first
 * missing one without saying where it was named, and it waits for ever on a
 * FIFO (or a terminal). Every such file is reported here, before dtc runs. */
static void check_files(struct ctx *c)
{
    struct stat st;
    char why[96];

    for (size_t i = 0; i < c->refs->nr; i++) {
        const struct dts_ref *ref = &c->refs->refs[i];
        if (!ref->found) {
            ref_error(c, ref, "cannot open", strerror(ENOENT));
        } else if (stat(ref->found, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(why, sizeof(why), "it is %s, not a regular file", file_kind(st.st_mode));
            ref_error(c, ref, "cannot use", why);
        }
    }
}

static char tmp_out[4096];

static void remove_tmp(int sig)
{
    if (tmp_out[0])
        unlink(tmp_out);
    if (sig) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
}

/* parse_args() printed the help: nothing else to do. */
#define ARGS_HELP       (-1)

/* The command line of check and bundle. */
struct args {
    bool bundle, quiet;
    const char *file, *out;
};

static int parse_args(int argc, char **argv, struct ctx *c, struct args *a)
{
    const char *pos[2] = { NULL, NULL };
    unsigned nr_pos = 0, want = a->bundle ? 2 : 1;
    bool opts_done = false;

    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (!opts_done && strcmp(arg, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strncmp(arg, "-i", 2) == 0) {
            const char *dir = arg[2] ? arg + 2 : (i + 1 < argc ? argv[++i] : NULL);
            if (!dir)
                return usage_err("%s needs a directory", "-i");
            if (c->nr_dirs == MAX_DIRS)
                return usage_err("%s given too many times", "-i");
            c->dirs[c->nr_dirs++] = dir;
        } else if (!opts_done && strcmp(arg, "--pci") == 0) {
            if (i + 1 >= argc)
                return usage_err("%s needs a list of PCI functions (\"\" for none)", "--pci");
            if (parse_machine_pci(argv[++i]) < 0)
                return usage_err("--pci: '%s' is not a list of \"BB:DD.F\"", argv[i]);
        } else if (!opts_done && strcmp(arg, "--smmu") == 0) {
            if (i + 1 >= argc)
                return usage_err("%s needs stage2, stage1 or none", "--smmu");
            machine.smmu = argv[++i];
            if (strcmp(machine.smmu, "stage2") && strcmp(machine.smmu, "stage1") && strcmp(machine.smmu, "none"))
                return usage_err("--smmu: '%s' is not stage2, stage1 or none", machine.smmu);
        } else if (!opts_done && strcmp(arg, "-q") == 0) {
            a->quiet = true;
        } else if (!opts_done && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            usage(stdout);
            return ARGS_HELP;
        } else if (!opts_done && arg[0] == '-' && arg[1]) {
            return usage_err("unknown option '%s'", arg);
        } else if (nr_pos < want) {
            pos[nr_pos++] = arg;
        } else {
            return usage_err("unexpected argument '%s'", arg);
        }
    }
    if (nr_pos < want)
        return usage_err("%s", a->bundle ? "bundle needs FILE.dts and OUT.dtb" : "check needs FILE.dts");
    a->file = pos[0];
    a->out = pos[1];
    return EXIT_VALID;
}

/* FILE must be a regular file that can be read, and so must every file it
 * names: dtc, the /incbin/ search and the source positions each read it. */
static int check_sources(struct ctx *c)
{
    struct stat st;

    if (access(c->file, R_OK) != 0 || stat(c->file, &st) != 0) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, c->file, strerror(errno));
        return EXIT_USAGE;
    }
    if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "%s: %s is %s, not a regular file\n", prog, c->file, file_kind(st.st_mode));
        return EXIT_USAGE;
    }
    c->refs = dts_refs_scan(c->file, c->dirs, c->nr_dirs);
    if (!c->refs) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, c->file, strerror(errno ? errno : ENOMEM));
        return EXIT_TROUBLE;
    }
    check_files(c);
    return c->errors ? EXIT_INVALID : EXIT_VALID;
}

/* The bundle is compiled next to OUT (check: in TMPDIR) and renamed into
 * place only once it is valid, so a bad configuration never leaves a
 * bundle behind. */
static int make_tmp(const struct args *a)
{
    int fd;

    if (a->bundle)
        snprintf(tmp_out, sizeof(tmp_out), "%s.XXXXXX", a->out);
    else
        snprintf(tmp_out, sizeof(tmp_out), "%s/elvisor-config.XXXXXX",
                 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    fd = mkstemp(tmp_out);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot create %s: %s\n", prog, tmp_out, strerror(errno));
        tmp_out[0] = '\0';
        return EXIT_TROUBLE;
    }
    close(fd);
    signal(SIGINT, remove_tmp);
    signal(SIGTERM, remove_tmp);
    signal(SIGHUP, remove_tmp);
    return EXIT_VALID;
}

static int compile_and_validate(struct ctx *c, bool quiet, char **log)
{
    int rc = run_dtc(c, tmp_out, log);

    if (rc < 0) {
        fprintf(stderr, "%s: cannot run dtc: %s (install device-tree-compiler: tools/setup.sh)\n", prog,
                strerror(errno));
        return EXIT_TROUBLE;
    }
    if (rc != 0) {
        report_dtc_errors(c, *log);
        return EXIT_INVALID;
    }
    if (!(c->blob = read_blob(tmp_out, &c->size))) {
        fprintf(stderr, "%s: cannot read the compiled bundle %s\n", prog, tmp_out);
        return EXIT_TROUBLE;
    }
    return validate(c, quiet);
}

static int install_bundle(const char *out)
{
    mode_t mask = umask(0);

    umask(mask);
    if (chmod(tmp_out, 0666 & ~mask) < 0 || rename(tmp_out, out) < 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, out, strerror(errno));
        return EXIT_TROUBLE;
    }
    tmp_out[0] = '\0';
    return EXIT_VALID;
}

static int check_or_bundle(int argc, char **argv, bool bundle)
{
    struct ctx c = { 0 };
    struct args a = { .bundle = bundle };
    char *log = NULL;
    int rc = parse_args(argc, argv, &c, &a);

    if (rc != EXIT_VALID)
        return rc == ARGS_HELP ? EXIT_VALID : rc;
    c.file = a.file;
    rc = check_sources(&c);
    if (rc == EXIT_VALID)
        rc = make_tmp(&a);
    if (rc == EXIT_VALID)
        rc = compile_and_validate(&c, a.quiet, &log);
    if (rc == EXIT_VALID && bundle)
        rc = install_bundle(a.out);
    /* A failed run leaves no bundle, not even an older one that would look
     * like the result. */
    if (rc != EXIT_VALID && bundle)
        unlink(a.out);
    remove_tmp(0);
    free(log);
    free((void *)c.blob);
    dts_srcmap_free(c.map);
    dts_refs_free(c.refs);
    return rc;
}

/* What the launcher sizes the machine by, read from a bundle with the
 * parser elvisor boots with: one line per VM, "NAME GIC VCPUS CPUS MEM"
 * (GIC 0 when the VM takes the host's; CPUS the physical CPUs its
 * placement needs; MEM in bytes). */
static int list_vms(int argc, char **argv)
{
    static struct elvisor_config cfg;
    char err[160];
    size_t size = 0;
    uint8_t *blob;

    if (argc != 3)
        return usage_err("%s", "vms needs BUNDLE.dtb");
    blob = read_blob(argv[2], &size);
    if (!blob) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, argv[2], errno ? strerror(errno) : "empty file");
        return EXIT_TROUBLE;
    }
    if (config_parse(blob, size, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, argv[2], err);
        free(blob);
        return EXIT_INVALID;
    }
    for (unsigned i = 0; i < cfg.nr_vms; i++) {
        const struct vm_config *vm = &cfg.vms[i];
        unsigned cpus = vm->nr_vcpus;
        for (unsigned k = 0; vm->has_cpu_map && k < vm->nr_vcpus; k++)
            if (vm->cpu_map[k] + 1 > cpus)
                cpus = vm->cpu_map[k] + 1;
        printf("%s %u %u %u %llu\n", vm->name, vm->gic_version, vm->nr_vcpus, cpus,
               (unsigned long long)vm->mem_size);
    }
    free(blob);
    return EXIT_VALID;
}

/* The DTB elvisor writes into a VM's memory at boot (vm_dtb_of_config.h),
 * for booting the same kernel on bare QEMU with -dtb (tools/bench.sh). */
static int write_vm_dtb(int argc, char **argv)
{
    static struct elvisor_config cfg;
    static uint8_t dtb[GUEST_DTB_MAX];
    const char *vm_name = NULL, *pos[2] = { NULL, NULL }, *why = "";
    unsigned gic = 0, nr_pos = 0;   /* 0: the VM's gic-version, else 3 */
    char err[160];
    size_t size = 0;

    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--gic") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "2") && strcmp(argv[i], "3"))
                return usage_err("--gic wants 2 or 3, got '%s'", argv[i]);
            gic = (unsigned)(argv[i][0] - '0');
        } else if (strcmp(argv[i], "--vm") == 0 && i + 1 < argc) {
            vm_name = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return usage_err("dtb: unknown option '%s' (or it needs a value)", argv[i]);
        } else if (nr_pos < 2) {
            pos[nr_pos++] = argv[i];
        } else {
            return usage_err("unexpected argument '%s'", argv[i]);
        }
    }
    if (nr_pos != 2)
        return usage_err("%s", "dtb needs BUNDLE.dtb and OUT.dtb");
    uint8_t *blob = read_blob(pos[0], &size);
    if (!blob) {
        fprintf(stderr, "%s: cannot read %s: %s\n", prog, pos[0], errno ? strerror(errno) : "empty file");
        return EXIT_TROUBLE;
    }
    int rc = EXIT_INVALID;
    const struct vm_config *vm = NULL;
    if (config_parse(blob, size, &cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s: %s: %s\n", prog, pos[0], err);
        goto out;
    }
    for (unsigned i = 0; i < cfg.nr_vms && !vm; i++)
        if (!vm_name || strcmp(cfg.vms[i].name, vm_name) == 0)
            vm = &cfg.vms[i];
    if (!vm) {
        fprintf(stderr, "%s: %s has no vm '%s'\n", prog, pos[0], vm_name ? vm_name : "(any)");
        goto out;
    }
    if (!gic)
        gic = vm->gic_version ? vm->gic_version : 3;
    int n = vm_dtb_of_config(vm, gic, dtb, sizeof(dtb), &why);
    if (n <= 0) {
        fprintf(stderr, "%s: vm '%s': no device tree: %s\n", prog, vm->name, why);
        goto out;
    }
    FILE *fp = fopen(pos[1], "wb");
    rc = EXIT_VALID;
    if (!fp || fwrite(dtb, 1, (size_t)n, fp) != (size_t)n || fclose(fp) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", prog, pos[1], strerror(errno));
        rc = EXIT_TROUBLE;
    }
out:
    free(blob);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_err("%s", "missing command: check, bundle or vms");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return EXIT_VALID;
    }
    if (strcmp(argv[1], "check") == 0 || strcmp(argv[1], "bundle") == 0)
        return check_or_bundle(argc, argv, strcmp(argv[1], "bundle") == 0);
    if (strcmp(argv[1], "vms") == 0)
        return list_vms(argc, argv);
    if (strcmp(argv[1], "dtb") == 0)
        return write_vm_dtb(argc, argv);
    return usage_err("unknown command '%s' (check, bundle, vms or dtb)", argv[1]);
}
