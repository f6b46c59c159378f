/* Guest DTB generator: the output is read back with our reader, checked
 * against the QEMU virt layout, and decompiled by dtc without warnings. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "host_support.h"
#include "lib/fdt_read.c"
#include "lib/fdt_write.c"
#include "lib/printf.c"
#include "core/vm_dtb.c"
#include "core/vm_dt_nodes.c"

#include "fdt_test_util.h"

#define DTB_BUF_SIZE 8192

static const uint64_t mpidr2[] = { 0x0, 0x1 };

/* A virt board and its devices, as the host tools describe them
 * (vm_dt_virt_devices(): elvisor's class order). */
struct virt_dtb {
    struct vm_dtb_params p;
    struct vm_dt_virt d;
};

static struct virt_dtb virt_params(unsigned gic_version)
{
    struct virt_dtb b = {
        .p = {
            .ram_base = 0x40000000, .ram_size = 0x20000000,
            .nr_vcpus = 2, .vcpu_mpidr = mpidr2,
            .gic_version = gic_version,
            .bootargs = "console=ttyAMA0 earlycon",
            .initrd_start = 0x48000000, .initrd_end = 0x48123456,
            .psci_method = "hvc",
        },
        .d = {
            .gic = { .gicd_base = 0x08000000, .gicd_size = 0x10000,
                     .gicr_base = 0x080a0000, .gicr_size = 2 * VM_DTB_GICV3_REDIST_FRAME,
                     .gicc_base = 0x08010000, .gicc_size = 0x10000 },
            .uart = { .base = 0x09000000, .size = 0x1000, .spi = 1 },
        },
    };
    return b;
}

static int build(struct virt_dtb *b, void *buf, size_t size)
{
    b->p.write_devices = vm_dt_virt_devices;
    b->p.devices = &b->d;
    vm_dt_virt_chosen(&b->d, &b->p.chosen);
    return vm_dtb_build(&b->p, buf, size);
}

/* Builds into a heap copy of exactly the blob's size (ASan catches reads
 * past it) and opens it. */
static uint8_t *build_open(struct virt_dtb *b, struct fdt *f, int *size)
{
    uint8_t buf[DTB_BUF_SIZE];
    uint8_t *blob;

    *size = build(b, buf, sizeof(buf));
    assert_true(*size > 0);
    blob = malloc((size_t)*size);
    memcpy(blob, buf, (size_t)*size);
    assert_int_equal(fdt_open(f, blob, (size_t)*size), 0);
    return blob;
}

/* Decompiles with dtc, asserts it succeeded without any warning, returns the DTS. */
static char *dtc_clean_dts(const void *blob, int size)
{
    char *dts, *errs;

    assert_int_equal(dtc_decompile(blob, (size_t)size, &dts, &errs), 0);
    assert_non_null(dts);
    assert_non_null(errs);
    if (errs[0])
        print_error("dtc: %s\n", errs);
    assert_string_equal(errs, "");
    free(errs);
    return dts;
}

static void assert_cells(const struct fdt *f, int node, const char *name, const uint32_t *want,
                         int n)
{
    int len;
    const uint8_t *data = fdt_getprop(f, node, name, &len);

    assert_non_null(data);
    assert_int_equal(len, n * 4);
    for (int i = 0; i < n; i++)
        assert_int_equal(fdt_be32(data + 4 * i), want[i]);
}

static void assert_string_prop(const struct fdt *f, int node, const char *name, const char *want)
{
    const char *s;

    assert_int_equal(fdt_prop_string(f, node, name, &s), 0);
    assert_string_equal(s, want);
}

static void assert_u32_prop(const struct fdt *f, int node, const char *name, uint32_t want)
{
    uint32_t v;

    assert_int_equal(fdt_prop_u32(f, node, name, &v), 0);
    assert_int_equal(v, want);
}

/* What every generated tree has, whatever the GIC. */
static void check_common(const struct fdt *f, const struct virt_dtb *b)
{
    const struct vm_dtb_params *p = &b->p;
    int root = fdt_root(f), node, uart, clk, cpus, n = 0, len;
    uint64_t a, s;
    uint32_t phandle;
    const char *path;
    const uint8_t *cells;

    assert_int_equal(fdt_node_is_compatible(f, root, "linux,dummy-virt"), 1);
    assert_u32_prop(f, root, "#address-cells", 2);
    assert_u32_prop(f, root, "#size-cells", 2);
    assert_u32_prop(f, root, "interrupt-parent", VM_DTB_PHANDLE_GIC);

    node = fdt_path(f, "/chosen");
    assert_true(node > 0);
    assert_int_equal(fdt_prop_string(f, node, "stdout-path", &path), 0);
    uart = fdt_path(f, path);
    assert_true(uart > 0);
    assert_int_equal(uart, fdt_next_compatible(f, -1, "arm,pl011"));
    assert_int_equal(fdt_path(f, "/pl011@9000000"), uart);
    assert_string_prop(f, fdt_path(f, "/aliases"), "serial0", path);

    node = fdt_path(f, "/memory@40000000");
    assert_string_prop(f, node, "device_type", "memory");
    assert_int_equal(fdt_get_reg(f, node, 0, &a, &s), 0);
    assert_int_equal(a, p->ram_base);
    assert_int_equal(s, p->ram_size);

    cpus = fdt_path(f, "/cpus");
    assert_u32_prop(f, cpus, "#size-cells", 0);
    for (node = fdt_first_child(f, cpus); node >= 0; node = fdt_next_sibling(f, node), n++) {
        assert_string_prop(f, node, "device_type", "cpu");
        assert_int_equal(fdt_node_is_compatible(f, node, "arm,armv8"), 1);
        assert_string_prop(f, node, "enable-method", "psci");
        assert_int_equal(fdt_get_reg(f, node, 0, &a, &s), 0);
        assert_int_equal(a, p->vcpu_mpidr[n]);
    }
    assert_int_equal(n, (int)p->nr_vcpus);

    node = fdt_path(f, "/psci");
    assert_int_equal(fdt_node_is_compatible(f, node, "arm,psci-1.0"), 1);
    assert_int_equal(fdt_node_is_compatible(f, node, "arm,psci-0.2"), 1);
    assert_string_prop(f, node, "method", p->psci_method ? p->psci_method : "hvc");

    node = fdt_path(f, "/timer");
    assert_int_equal(fdt_node_is_compatible(f, node, "arm,armv8-timer"), 1);
    assert_true(fdt_has_prop(f, node, "always-on"));

    /* UART: SPI, level high, one 24 MHz fixed clock referenced twice. */
    assert_int_equal(fdt_node_is_compatible(f, uart, "arm,primecell"), 1);
    assert_int_equal(fdt_get_reg(f, uart, 0, &a, &s), 0);
    assert_int_equal(a, b->d.uart.base);
    assert_int_equal(s, b->d.uart.size);
    assert_cells(f, uart, "interrupts", (const uint32_t[]){ 0, b->d.uart.spi, 4 }, 3);
    cells = fdt_getprop(f, uart, "clock-names", &len);
    assert_int_equal(len, (int)sizeof("uartclk\0apb_pclk"));
    assert_memory_equal(cells, "uartclk\0apb_pclk", (size_t)len);
    clk = fdt_next_compatible(f, -1, "fixed-clock");
    assert_int_equal(clk, fdt_path(f, "/apb-pclk"));
    assert_int_equal(fdt_prop_u32(f, clk, "phandle", &phandle), 0);
    assert_cells(f, uart, "clocks", (const uint32_t[]){ phandle, phandle }, 2);
    assert_u32_prop(f, clk, "clock-frequency", 24000000);
    assert_u32_prop(f, clk, "#clock-cells", 0);

    /* The interrupt-parent phandle names the GIC. */
    node = fdt_path(f, "/intc@8000000");
    assert_true(node > 0);
    assert_u32_prop(f, node, "phandle", VM_DTB_PHANDLE_GIC);
    assert_true(fdt_has_prop(f, node, "interrupt-controller"));
    assert_u32_prop(f, node, "#interrupt-cells", 3);
    assert_int_equal(fdt_get_reg(f, node, 0, &a, &s), 0);
    assert_int_equal(a, b->d.gic.gicd_base);
    assert_int_equal(s, b->d.gic.gicd_size);
}

static void test_gicv3(void **state)
{
    struct virt_dtb b = virt_params(3);
    struct fdt f;
    int size, node;
    uint8_t *blob = build_open(&b, &f, &size);
    uint64_t a, s, v;
    char *dts;

    check_common(&f, &b);
    node = fdt_path(&f, "/chosen");
    assert_string_prop(&f, node, "bootargs", "console=ttyAMA0 earlycon");
    assert_int_equal(fdt_getprop(&f, node, "linux,initrd-start", &(int){ 0 }) != NULL, 1);
    assert_int_equal(fdt_prop_u64(&f, node, "linux,initrd-start", &v), 0);
    assert_int_equal(v, 0x48000000);
    assert_int_equal(fdt_prop_u64(&f, node, "linux,initrd-end", &v), 0);
    assert_int_equal(v, 0x48123456);
    assert_false(fdt_has_prop(&f, node, "kaslr-seed"));
    assert_false(fdt_has_prop(&f, node, "rng-seed"));

    node = fdt_next_compatible(&f, -1, "arm,gic-v3");
    assert_int_equal(node, fdt_path(&f, "/intc"));
    assert_u32_prop(&f, node, "#redistributor-regions", 1);
    assert_int_equal(fdt_get_reg(&f, node, 1, &a, &s), 0);
    assert_int_equal(a, 0x080a0000);
    assert_int_equal(s, 0x40000);
    assert_int_equal(fdt_get_reg(&f, node, 2, &a, &s), FDT_ERR_NOTFOUND);
    assert_false(fdt_has_prop(&f, node, "interrupts"));

    /* QEMU virt's timer PPIs with level-high flags. */
    assert_cells(&f, fdt_path(&f, "/timer"), "interrupts",
                 (const uint32_t[]){ 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 }, 12);
    assert_u32_prop(&f, fdt_path(&f, "/cpus"), "#address-cells", 1);

    dts = dtc_clean_dts(blob, size);
    assert_non_null(strstr(dts, "compatible = \"arm,gic-v3\";"));
    assert_non_null(strstr(dts, "reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x40000>;"));
    assert_non_null(strstr(dts, "compatible = \"arm,pl011\\0arm,primecell\";"));
    assert_non_null(strstr(dts, "linux,initrd-start = <0x00 0x48000000>;"));
    assert_non_null(strstr(dts, "reg = <0x00 0x40000000 0x00 0x20000000>;"));
    free(dts);
    free(blob);
}

/* An assigned function: a generic ECAM bridge at virt's addresses with
 * only that function's INTx in its interrupt-map, and BARs declared final. */
static void test_pcie_bridge(void **state)
{
    struct virt_dtb b = virt_params(3);
    const struct vm_dtb_pci pci = { .ecam_base = 0x4010000000ULL, .ecam_size = 0x100000, .mmio_base = 0x10000000,
                                    .mmio_size = 0x2eff0000, .nr = 1, .fn = { { 1, 0, 1, 4 } } };
    struct fdt f;
    int size, node;
    uint64_t a, sz;
    uint32_t v;
    uint8_t *blob;
    char *dts;

    (void)state;
    b.d.pci = &pci;
    blob = build_open(&b, &f, &size);
    node = fdt_next_compatible(&f, -1, "pci-host-ecam-generic");
    assert_int_equal(node, fdt_path(&f, "/pcie@4010000000"));
    assert_string_prop(&f, node, "device_type", "pci");
    assert_int_equal(fdt_get_reg(&f, node, 0, &a, &sz), 0);
    assert_int_equal(a, 0x4010000000ULL);
    assert_int_equal(sz, 0x100000);
    assert_cells(&f, node, "bus-range", (const uint32_t[]){ 0, 0 }, 2);
    assert_cells(&f, node, "ranges", (const uint32_t[]){ 0x02000000, 0, 0x10000000, 0, 0x10000000, 0, 0x2eff0000 }, 7);
    assert_cells(&f, node, "interrupt-map-mask", (const uint32_t[]){ 0xff00, 0, 0, 7 }, 4);
    /* 00:01.0 INTA -> GIC SPI 4, level */
    assert_cells(&f, node, "interrupt-map", (const uint32_t[]){ 0x800, 0, 0, 1, 2, 0, 0, 0, 4, 4 }, 10);
    assert_int_equal(fdt_prop_u32(&f, fdt_path(&f, "/chosen"), "linux,pci-probe-only", &v), 0);
    assert_int_equal(v, 1);
    assert_false(fdt_has_prop(&f, node, "msi-parent"));
    assert_true(fdt_next_compatible(&f, -1, "arm,gic-v2m-frame") < 0);
    dts = dtc_clean_dts(blob, size);
    free(dts);
    free(blob);

    /* With an MSI frame: a v2m child of the GIC, the bridge's msi-parent */
    struct vm_dtb_pci msi = pci;
    msi.msi_frame_base = 0x08020000;
    msi.msi_frame_size = 0x1000;
    b.d.pci = &msi;
    blob = build_open(&b, &f, &size);
    node = fdt_next_compatible(&f, -1, "arm,gic-v2m-frame");
    assert_int_equal(node, fdt_path(&f, "/intc@8000000/v2m@8020000"));
    assert_true(fdt_has_prop(&f, node, "msi-controller"));
    assert_int_equal(fdt_get_reg(&f, node, 0, &a, &sz), 0);
    assert_true(a == 0x08020000 && sz == 0x1000);
    assert_int_equal(fdt_prop_u32(&f, node, "phandle", &v), 0);
    assert_int_equal(fdt_prop_u32(&f, fdt_path(&f, "/pcie@4010000000"), "msi-parent", &v), 0);
    assert_int_equal(v, VM_DTB_PHANDLE_V2M);
    dts = dtc_clean_dts(blob, size);
    free(dts);
    free(blob);

    /* Without functions: no bridge, no probe-only */
    b = virt_params(3);
    blob = build_open(&b, &f, &size);
    assert_true(fdt_next_compatible(&f, -1, "pci-host-ecam-generic") < 0);
    assert_false(fdt_has_prop(&f, fdt_path(&f, "/chosen"), "linux,pci-probe-only"));
    free(blob);
}

static void test_gicv2(void **state)
{
    struct virt_dtb b = virt_params(2);
    struct fdt f;
    int size, node;
    uint8_t *blob;
    uint64_t a, s;
    char *dts;

    b.p.bootargs = NULL;
    b.p.initrd_start = b.p.initrd_end = 0;
    b.p.psci_method = NULL;
    blob = build_open(&b, &f, &size);
    check_common(&f, &b);

    node = fdt_path(&f, "/chosen");
    assert_false(fdt_has_prop(&f, node, "bootargs"));
    assert_false(fdt_has_prop(&f, node, "linux,initrd-start"));
    assert_false(fdt_has_prop(&f, node, "linux,initrd-end"));

    node = fdt_next_compatible(&f, -1, "arm,cortex-a15-gic");
    assert_int_equal(node, fdt_path(&f, "/intc@8000000"));
    assert_false(fdt_has_prop(&f, node, "#redistributor-regions"));
    assert_int_equal(fdt_get_reg(&f, node, 1, &a, &s), 0);
    assert_int_equal(a, 0x08010000);
    assert_int_equal(s, 0x10000);
    assert_int_equal(fdt_next_compatible(&f, -1, "arm,gic-v3"), FDT_ERR_NOTFOUND);

    /* GICv2 PPI flags carry the mask of the CPUs wired to them (2 CPUs). */
    assert_cells(&f, fdt_path(&f, "/timer"), "interrupts",
                 (const uint32_t[]){ 1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10, 0x304 }, 12);

    dts = dtc_clean_dts(blob, size);
    assert_non_null(strstr(dts, "compatible = \"arm,cortex-a15-gic\";"));
    free(dts);
    free(blob);

    /* Eight CPUs is GICv2's limit; the mask then covers all eight. */
    {
        static const uint64_t mpidr8[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

        b.p.nr_vcpus = 8;
        b.p.vcpu_mpidr = mpidr8;
        blob = build_open(&b, &f, &size);
        assert_cells(&f, fdt_path(&f, "/timer"), "interrupts",
                     (const uint32_t[]){ 1, 13, 0xff04, 1, 14, 0xff04, 1, 11, 0xff04, 1, 10, 0xff04 },
                     12);
        free(blob);
    }
}

static void test_virt_el2_and_seeds(void **state)
{
    static const uint8_t seed[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    struct virt_dtb b = virt_params(3);
    struct fdt f;
    int size, node, len;
    uint8_t *blob;
    const uint8_t *data;
    uint64_t v;

    b.p.virt_el2 = true;
    b.p.kaslr_seed = 0x1122334455667788ull;
    b.p.rng_seed = seed;
    b.p.rng_seed_len = sizeof(seed);
    blob = build_open(&b, &f, &size);
    check_common(&f, &b);
    assert_cells(&f, fdt_path(&f, "/timer"), "interrupts",
                 (const uint32_t[]){ 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4, 1, 12, 4 }, 15);
    assert_cells(&f, fdt_path(&f, "/intc"), "interrupts", (const uint32_t[]){ 1, 9, 4 }, 3);
    node = fdt_path(&f, "/chosen");
    assert_int_equal(fdt_prop_u64(&f, node, "kaslr-seed", &v), 0);
    assert_int_equal(v, 0x1122334455667788ull);
    data = fdt_getprop(&f, node, "rng-seed", &len);
    assert_int_equal(len, (int)sizeof(seed));
    assert_memory_equal(data, seed, sizeof(seed));
    free(dtc_clean_dts(blob, size));
    free(blob);

    /* GICv2 gets the EL2 virtual timer but no maintenance interrupt. */
    b = virt_params(2);
    b.p.virt_el2 = true;
    blob = build_open(&b, &f, &size);
    assert_false(fdt_has_prop(&f, fdt_path(&f, "/intc"), "interrupts"));
    assert_int_equal(fdt_getprop(&f, fdt_path(&f, "/timer"), "interrupts", &len) != NULL, 1);
    assert_int_equal(len, 15 * 4);
    free(blob);
}

static void test_aff3_cpus(void **state)
{
    static const uint64_t mpidr[] = { 0x0000000000ull, 0x0000000100ull, 0x0100000000ull };
    struct virt_dtb b = virt_params(3);
    struct fdt f;
    int size;
    uint8_t *blob;
    char *dts;

    b.p.nr_vcpus = 3;
    b.p.vcpu_mpidr = mpidr;
    b.d.gic.gicr_size = 3 * VM_DTB_GICV3_REDIST_FRAME;
    blob = build_open(&b, &f, &size);
    check_common(&f, &b);
    assert_u32_prop(&f, fdt_path(&f, "/cpus"), "#address-cells", 2);
    assert_true(fdt_path(&f, "/cpus/cpu@100000000") > 0);
    assert_true(fdt_path(&f, "/cpus/cpu@100") > 0);
    dts = dtc_clean_dts(blob, size);
    free(dts);
    free(blob);
}

static void test_buffer_too_small(void **state)
{
    enum { CANARY = 64 };
    struct virt_dtb b = virt_params(3);
    uint8_t ref[DTB_BUF_SIZE];
    int total = build(&b, ref, sizeof(ref));

    assert_true(total > 0);
    for (int size = 0; size <= total; size++) {
        uint8_t *buf = malloc((size_t)size + CANARY);
        int r;

        memset(buf, 0x5a, (size_t)size + CANARY);
        r = build(&b, buf, (size_t)size);
        assert_int_equal(r, size < total ? FDT_ERR_NOSPACE : total);
        for (int i = 0; i < CANARY; i++)
            assert_int_equal(buf[size + i], 0x5a);
        if (size == total)
            assert_memory_equal(buf, ref, (size_t)total);
        free(buf);
    }
}

static void test_bad_params(void **state)
{
    static const uint64_t mpidr9[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    static const uint64_t bad_mpidr[] = { 0, 0x80000001ull };
    uint8_t buf[DTB_BUF_SIZE];
    struct virt_dtb b;

#define EXPECT_BAD(stmt) do { b = virt_params(3); stmt; \
        assert_int_equal(build(&b, buf, sizeof(buf)), FDT_ERR_BADPARAM); } while (0)
    EXPECT_BAD(b.p.gic_version = 4);
    EXPECT_BAD(b.p.gic_version = 0);
    EXPECT_BAD(b.p.nr_vcpus = 0);
    EXPECT_BAD(b.p.nr_vcpus = VM_DTB_MAX_VCPUS + 1);
    EXPECT_BAD(b.p.vcpu_mpidr = NULL);
    EXPECT_BAD(b.p.vcpu_mpidr = bad_mpidr);
    EXPECT_BAD((b.p.gic_version = 2, b.p.nr_vcpus = 9, b.p.vcpu_mpidr = mpidr9));
    EXPECT_BAD((b.p.gic_version = 2, b.d.gic.gicc_size = 0));
    EXPECT_BAD(b.d.gic.gicr_size = 0);
    EXPECT_BAD(b.d.gic.gicd_size = 0);
    EXPECT_BAD(b.p.ram_size = 0);
    EXPECT_BAD(b.d.uart.size = 0);
    EXPECT_BAD(b.d.uart.spi = 988);
    EXPECT_BAD(b.p.initrd_end = b.p.initrd_start);
    EXPECT_BAD(b.p.initrd_end = b.p.initrd_start - 1);
    EXPECT_BAD(b.p.initrd_start = 0x1000);
    EXPECT_BAD(b.p.initrd_start = 0);
    EXPECT_BAD(b.p.initrd_end = b.p.ram_base + b.p.ram_size + 1);
    EXPECT_BAD(b.p.ram_base = ~0ull - 0x1000);
    EXPECT_BAD(b.p.rng_seed_len = 4);
#undef EXPECT_BAD
    b = virt_params(3);
    assert_int_equal(vm_dtb_build(NULL, buf, sizeof(buf)), FDT_ERR_BADPARAM);
    assert_int_equal(build(&b, NULL, sizeof(buf)), FDT_ERR_BADPARAM);
    assert_true(build(&b, buf, sizeof(buf)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gicv3),
        cmocka_unit_test(test_gicv2),
        cmocka_unit_test(test_pcie_bridge),
        cmocka_unit_test(test_virt_el2_and_seeds),
        cmocka_unit_test(test_aff3_cpus),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_bad_params),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
