/* Boot-DTB parsing: QEMU virt's own DTBs (dumped with dumpdtb, checked in
 * under tests/unit/data/, see README there) and DTS variants compiled by
 * dtc for the cases QEMU does not produce; bootargs_has(). */
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
#include "arch/arm64/platform.c"

#include "fdt_test_util.h"

#define DATA_DIR "tests/unit/data/"

static struct platform plat;
static const char *why;
static uint8_t *blob;

static int teardown(void **state)
{
    (void)state;
    free(blob);
    blob = NULL;
    return 0;
}

static uint8_t *load_data(const char *name)
{
    char path[128];
    size_t len;
    uint8_t *b;

    snprintf(path, sizeof(path), DATA_DIR "%s", name);
    b = read_file(path, &len);
    if (!b)
        print_error("cannot read %s (run from the repository root)\n", path);
    assert_non_null(b);
    assert_int_equal(fdt_be32(b + FDT_HDR_TOTALSIZE), len);
    return b;
}

static int parse_blob(void)
{
    memset(&plat, 0xa5, sizeof(plat));
    why = NULL;
    int rc = platform_parse(blob, &plat, &why);
    if (rc < 0)
        assert_non_null(why);
    return rc;
}

/* Wraps `body` in a root node with 2/2 cells and compiles it. */
static int parse_dts(const char *body)
{
    char dts[8192];
    size_t len;

    snprintf(dts, sizeof(dts), "/dts-v1/;\n/ {\n  #address-cells = <2>; #size-cells = <2>;\n%s};\n", body);
    free(blob);
    blob = dtc_compile(dts, "", &len);
    return parse_blob();
}

/* The parts every DTS variant needs, as QEMU writes them. */
#define MEM_1G  "  memory@40000000 { device_type = \"memory\"; reg = <0 0x40000000 0 0x40000000>; };\n"
#define CPUS_1  "  cpus { #address-cells = <1>; #size-cells = <0>;\n" \
                "    cpu@0 { device_type = \"cpu\"; compatible = \"arm,cortex-a57\"; reg = <0>; }; };\n"
#define GICV3   "  intc@8000000 { compatible = \"arm,gic-v3\"; interrupt-controller;\n" \
                "    reg = <0 0x8000000 0 0x10000>, <0 0x80a0000 0 0xf60000>; };\n"
#define UART    "  pl011@9000000 { compatible = \"arm,pl011\", \"arm,primecell\";\n" \
                "    reg = <0 0x9000000 0 0x1000>; interrupts = <0 1 4>; };\n"
#define BASE    MEM_1G CPUS_1 GICV3 UART

/* ---- QEMU's DTBs ---- */

static void test_qemu_gicv3(void **state)
{
    (void)state;
    blob = load_data("qemu-virt-gicv3.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_int_equal(plat.nr_mem, 1);
    assert_true(plat.mem_base[0] == 0x40000000ULL);
    assert_true(plat.mem_size[0] == 0x40000000ULL);
    assert_int_equal(plat.nr_cpus, 2);
    assert_true(plat.cpu_mpidr[0] == 0 && plat.cpu_mpidr[1] == 1);
    assert_int_equal(plat.gic_version, 3);
    assert_true(plat.gicd_base == 0x08000000ULL && plat.gicd_size == 0x10000);
    assert_true(plat.gicr_base == 0x080a0000ULL && plat.gicr_size == 0xf60000);
    assert_true(plat.uart_base == 0x09000000ULL);
    assert_int_equal(plat.uart_intid, 33);
    assert_true(plat.psci_smc);          /* QEMU's PSCI for a guest entered at EL2 */
    assert_string_equal(plat.bootargs, "console=ttyAMA0 nvhe loglevel=3");
    assert_true(plat.initrd_start == 0x48000000ULL);
    assert_true(plat.initrd_end == 0x48002000ULL);
    assert_true(plat.dtb_size == fdt_be32(blob + FDT_HDR_TOTALSIZE));
    assert_true(bootargs_has(plat.bootargs, "nvhe"));
    assert_false(bootargs_has(plat.bootargs, "debug"));
}

/* iommu=smmuv3: the SMMU, and the PCIe host bridge whose requester IDs
 * it translates (docs/device-assignment.md lists these facts). */
static void test_qemu_smmuv3_pci(void **state)
{
    const struct platform_pci *pci = &plat.pci;

    (void)state;
    blob = load_data("qemu-virt-gicv3-smmuv3.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_true(plat.smmu_base == 0x09050000ULL && plat.smmu_size == 0x20000);
    assert_int_equal(plat.smmu_eventq_intid, 32 + 74);
    assert_int_equal(plat.smmu_gerror_intid, 32 + 77);
    assert_true(pci->ecam_base == 0x4010000000ULL && pci->ecam_size == 0x10000000ULL);
    assert_int_equal(pci->bus_first, 0);
    assert_int_equal(pci->bus_last, 255);
    assert_true(pci->mmio32_base == 0x10000000ULL && pci->mmio32_size == 0x2eff0000ULL);
    /* INTA of slot 0 is SPI 3, rotated by one per slot */
    assert_int_equal(pci->intx_intid[0][0], 32 + 3);
    assert_int_equal(pci->intx_intid[0][3], 32 + 6);
    assert_int_equal(pci->intx_intid[1][0], 32 + 4);
    assert_int_equal(pci->intx_intid[2][0], 32 + 5);
    assert_int_equal(pci->intx_intid[3][1], 32 + 3);
    assert_true(pci->behind_smmu);
    assert_int_equal(pci->rid_base, 0);
    assert_int_equal(pci->sid_base, 0);
    assert_int_equal(pci->rid_count, 0x10000);
    /* The ITS (second 64 KiB frame: GITS_TRANSLATER) and msi-map: DeviceID
     * = requester ID. */
    assert_true(plat.its_base == 0x08080000ULL && plat.its_size == 0x20000);
    assert_true(pci->msi_to_its);
    assert_int_equal(pci->msi_rid_base, 0);
    assert_int_equal(pci->msi_devid_base, 0);
    assert_int_equal(pci->msi_rid_count, 0x10000);

    /* Without iommu=: the bridge, no SMMU, no iommu-map */
    free(blob);
    blob = load_data("qemu-virt-gicv3.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_true(plat.smmu_base == 0);
    assert_true(pci->ecam_base == 0x4010000000ULL);
    assert_false(pci->behind_smmu);
}

static void test_qemu_gicv2(void **state)
{
    (void)state;
    blob = load_data("qemu-virt-gicv2.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_int_equal(plat.nr_mem, 1);
    assert_true(plat.mem_size[0] == 0x80000000ULL);
    assert_int_equal(plat.nr_cpus, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_true(plat.cpu_mpidr[i] == i);
    assert_int_equal(plat.gic_version, 2);
    assert_true(plat.gicd_base == 0x08000000ULL && plat.gicd_size == 0x10000);
    assert_true(plat.gicc_base == 0x08010000ULL && plat.gicc_size == 0x10000);
    assert_true(plat.gich_base == 0x08030000ULL);
    assert_true(plat.gicv_base == 0x08040000ULL);
    /* A GICv2m frame, no ITS: nothing for MSIs of assigned functions. */
    assert_true(plat.its_base == 0);
    assert_false(plat.pci.msi_to_its);
    assert_true(plat.uart_base == 0x09000000ULL);
    assert_int_equal(plat.uart_intid, 33);
    /* No -kernel: no bootargs, no initrd. */
    assert_string_equal(plat.bootargs, "");
    assert_true(plat.initrd_start == 0 && plat.initrd_end == 0);
}

/* With secure=on QEMU adds a Secure-only PL011 (status "disabled") before
 * the Non-secure one; elvisor must use the one it can reach. */
static void test_qemu_secure_uart_skipped(void **state)
{
    (void)state;
    blob = load_data("qemu-virt-gicv3-secure.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_true(plat.uart_base == 0x09000000ULL);
    assert_int_equal(plat.uart_intid, 33);
    assert_int_equal(plat.gic_version, 3);
}

/* ---- Variants ---- */

static void test_memory_variants(void **state)
{
    (void)state;
    /* Found by device_type whatever the node name; several reg entries,
     * zero-sized ones dropped, 32-bit cells under a parent that says so. */
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART
                               "  ram@40000000 { device_type = \"memory\";\n"
                               "    reg = <0 0x40000000 0 0x10000000>, <0 0x60000000 0 0>,\n"
                               "          <0x1 0x0 0x1 0x0>; };\n"
                               "  soc { #address-cells = <1>; #size-cells = <1>;\n"
                               "    memory@80000000 { device_type = \"memory\"; reg = <0x80000000 0x200000>; }; };\n"
                               "  notmem@0 { reg = <0 0 0 0x1000>; };\n"),
                     0);
    assert_int_equal(plat.nr_mem, 3);
    assert_true(plat.mem_base[0] == 0x40000000ULL && plat.mem_size[0] == 0x10000000ULL);
    assert_true(plat.mem_base[1] == 0x100000000ULL && plat.mem_size[1] == 0x100000000ULL);
    assert_true(plat.mem_base[2] == 0x80000000ULL && plat.mem_size[2] == 0x200000ULL);

    /* More banks than the table holds: the first four. */
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART
                               "  memory@0 { device_type = \"memory\"; reg = <0 0x10000000 0 0x1000>,\n"
                               "    <0 0x20000000 0 0x1000>, <0 0x30000000 0 0x1000>,\n"
                               "    <0 0x40000000 0 0x1000>, <0 0x50000000 0 0x1000>; };\n"),
                     0);
    assert_int_equal(plat.nr_mem, PLATFORM_MAX_MEM);
    assert_true(plat.mem_base[3] == 0x40000000ULL);

    /* A disabled memory node is not RAM. */
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART MEM_1G
                               "  memory@80000000 { device_type = \"memory\"; status = \"disabled\";\n"
                               "    reg = <0 0x80000000 0 0x1000>; };\n"),
                     0);
    assert_int_equal(plat.nr_mem, 1);

    /* None at all, only empty ones, or a reg the parser cannot read. */
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART), -1);
    assert_non_null(strstr(why, "memory"));
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART
                               "  memory@0 { device_type = \"memory\"; reg = <0 0 0 0>; };\n"),
                     -1);
    assert_int_equal(parse_dts(CPUS_1 GICV3 UART
                               "  memory@0 { device_type = \"memory\"; reg = <0 0x40000000 0>; };\n"),
                     -1);
}

static void test_cpu_variants(void **state)
{
    char body[4096];

    (void)state;
    /* cpu-map and non-cpu children are skipped; 64-bit MPIDRs (Aff3). */
    assert_int_equal(parse_dts(MEM_1G GICV3 UART
                               "  cpus { #address-cells = <2>; #size-cells = <0>;\n"
                               "    cpu-map { cluster0 { core0 { cpu = <&c0>; }; }; };\n"
                               "    c0: cpu@0 { device_type = \"cpu\"; reg = <0 0x0>; };\n"
                               "    cpu@100 { device_type = \"cpu\"; reg = <0 0x100>; };\n"
                               "    cpu@100000000 { device_type = \"cpu\"; reg = <0x1 0x0>; };\n"
                               "    cpu@2 { device_type = \"cpu\"; };\n"
                               "    l2-cache { compatible = \"cache\"; };\n"
                               "  };\n"),
                     0);
    assert_int_equal(plat.nr_cpus, 3);
    assert_true(plat.cpu_mpidr[0] == 0);
    assert_true(plat.cpu_mpidr[1] == 0x100);
    assert_true(plat.cpu_mpidr[2] == 0x100000000ULL);

    /* Ten CPUs: the first eight. */
    strcpy(body, MEM_1G GICV3 UART "  cpus { #address-cells = <1>; #size-cells = <0>;\n");
    for (int i = 0; i < 10; i++) {
        char one[96];
        snprintf(one, sizeof(one), "    cpu@%d { device_type = \"cpu\"; reg = <%d>; };\n", i, i);
        strcat(body, one);
    }
    strcat(body, "  };\n");
    assert_int_equal(parse_dts(body), 0);
    assert_int_equal(plat.nr_cpus, PLATFORM_MAX_CPUS);
    assert_true(plat.cpu_mpidr[7] == 7);

    /* No /cpus, or no usable cpu in it. */
    assert_int_equal(parse_dts(MEM_1G GICV3 UART), -1);
    assert_non_null(strstr(why, "CPU"));
    assert_int_equal(parse_dts(MEM_1G GICV3 UART "  cpus { cpu-map { }; };\n"), -1);
    assert_int_equal(parse_dts(MEM_1G GICV3 UART
                               "  cpus { cpu@0 { device_type = \"cpu\"; reg = [00]; }; };\n"),
                     -1);
}

static void test_gic_variants(void **state)
{
    (void)state;
    /* GICv2 by its other compatible, without virtualization frames. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART
                               "  gic@2c001000 { compatible = \"arm,gic-400\";\n"
                               "    reg = <0 0x2c001000 0 0x1000>, <0 0x2c002000 0 0x2000>; };\n"),
                     0);
    assert_int_equal(plat.gic_version, 2);
    assert_true(plat.gicd_base == 0x2c001000ULL && plat.gicc_base == 0x2c002000ULL);
    assert_true(plat.gicc_size == 0x2000);
    assert_true(plat.gich_base == 0 && plat.gicv_base == 0);
    /* GICv3 wins over a GICv2 node. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART GICV3
                               "  gic@2c001000 { compatible = \"arm,cortex-a15-gic\";\n"
                               "    reg = <0 0x2c001000 0 0x1000>, <0 0x2c002000 0 0x2000>; };\n"),
                     0);
    assert_int_equal(plat.gic_version, 3);
    /* Missing register ranges. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART
                               "  intc { compatible = \"arm,gic-v3\"; reg = <0 0x8000000 0 0x10000>; };\n"),
                     -1);
    assert_non_null(strstr(why, "GIC"));
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART
                               "  intc { compatible = \"arm,cortex-a15-gic\"; reg = <0 0x8000000 0 0x10000>; };\n"),
                     -1);
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART
                               "  intc { compatible = \"arm,gic-v3\"; };\n"),
                     -1);
    /* No GIC at all. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 UART), -1);
    assert_non_null(strstr(why, "GIC"));
}

/* QEMU 10 adds a second PL011 when -serial is given twice: the console
 * stays serial0 (stdout-path), serial1 becomes elvisor's status port. */
static void test_qemu_two_uarts(void **state)
{
    (void)state;
    blob = load_data("qemu-virt-gicv3-two-uarts.dtb");
    assert_int_equal(parse_blob(), 0);
    assert_true(plat.uart_base == 0x09000000ULL);
    assert_int_equal(plat.uart_intid, 33);
    assert_true(plat.status_uart_base == 0x09040000ULL);
}

static void test_status_uart_variants(void **state)
{
    (void)state;
    /* One UART: no status port. */
    assert_int_equal(parse_dts(BASE), 0);
    assert_true(plat.status_uart_base == 0);
    /* stdout-path picks the console even when it is not first; the other
     * one is the status port; ":options" after the path are ignored. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>; };\n"
                               "  serial@2000 { compatible = \"arm,pl011\"; reg = <0 0x2000 0 0x1000>;\n"
                               "    interrupts = <0 3 4>; };\n"
                               "  chosen { stdout-path = \"/serial@2000:115200n8\"; };\n"),
                     0);
    assert_true(plat.uart_base == 0x2000ULL);
    assert_int_equal(plat.uart_intid, 35);
    assert_true(plat.status_uart_base == 0x1000ULL);
    /* A disabled second UART is no status port; a stdout-path naming a
     * disabled or non-PL011 node falls back to the first enabled PL011. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>; };\n"
                               "  serial@2000 { compatible = \"arm,pl011\"; status = \"disabled\";\n"
                               "    reg = <0 0x2000 0 0x1000>; };\n"
                               "  chosen { stdout-path = \"/serial@2000\"; };\n"),
                     0);
    assert_true(plat.uart_base == 0x1000ULL);
    assert_true(plat.status_uart_base == 0);
    /* Two nodes at one address are one UART. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>; };\n"
                               "  uart@1000 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>; };\n"),
                     0);
    assert_true(plat.status_uart_base == 0);
    /* An alias (not a path) in stdout-path: first enabled PL011. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>; };\n"
                               "  serial@2000 { compatible = \"arm,pl011\"; reg = <0 0x2000 0 0x1000>; };\n"
                               "  chosen { stdout-path = \"serial1\"; };\n"),
                     0);
    assert_true(plat.uart_base == 0x1000ULL);
    assert_true(plat.status_uart_base == 0x2000ULL);
}

static void test_uart_variants(void **state)
{
    (void)state;
    /* A PPI line (type 1) and no interrupts at all. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1c090000 { compatible = \"arm,pl011\";\n"
                               "    reg = <0 0x1c090000 0 0x1000>; interrupts = <1 5 4>; };\n"),
                     0);
    assert_true(plat.uart_base == 0x1c090000ULL);
    assert_int_equal(plat.uart_intid, 21);
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1c090000 { compatible = \"arm,pl011\"; reg = <0 0x1c090000 0 0x1000>; };\n"),
                     0);
    assert_int_equal(plat.uart_intid, 0);
    /* An interrupts property too short to read is ignored. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@0 { compatible = \"arm,pl011\"; reg = <0 0x1000 0 0x1000>;\n"
                               "    interrupts = <0 7>; };\n"),
                     0);
    assert_int_equal(plat.uart_intid, 0);
    /* "okay" and "ok" count as enabled; a disabled UART does not. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; status = \"disabled\";\n"
                               "    reg = <0 0x1000 0 0x1000>; interrupts = <0 2 4>; };\n"
                               "  serial@2000 { compatible = \"arm,pl011\"; status = \"okay\";\n"
                               "    reg = <0 0x2000 0 0x1000>; interrupts = <0 3 4>; };\n"),
                     0);
    assert_true(plat.uart_base == 0x2000ULL);
    assert_int_equal(plat.uart_intid, 35);
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@2000 { compatible = \"arm,pl011\"; status = \"ok\";\n"
                               "    reg = <0 0x2000 0 0x1000>; };\n"),
                     0);
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3
                               "  serial@1000 { compatible = \"arm,pl011\"; status = \"disabled\";\n"
                               "    reg = <0 0x1000 0 0x1000>; };\n"),
                     -1);
    /* No PL011, or one without reg. */
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3), -1);
    assert_non_null(strstr(why, "PL011"));
    assert_int_equal(parse_dts(MEM_1G CPUS_1 GICV3 "  serial { compatible = \"arm,pl011\"; };\n"), -1);
}

static void test_psci_variants(void **state)
{
    (void)state;
    assert_int_equal(parse_dts(BASE "  psci { compatible = \"arm,psci-0.2\"; method = \"smc\"; };\n"), 0);
    assert_true(plat.psci_smc);
    assert_int_equal(parse_dts(BASE "  psci { compatible = \"arm,psci-1.0\", \"arm,psci-0.2\";\n"
                               "    method = \"hvc\"; };\n"),
                     0);
    assert_false(plat.psci_smc);
    /* PSCI 0.1 only. */
    assert_int_equal(parse_dts(BASE "  psci { compatible = \"arm,psci\"; method = \"smc\"; };\n"), 0);
    assert_true(plat.psci_smc);
    /* No node, no method, or a method that is not a string: HVC. */
    assert_int_equal(parse_dts(BASE), 0);
    assert_false(plat.psci_smc);
    assert_int_equal(parse_dts(BASE "  psci { compatible = \"arm,psci-0.2\"; };\n"), 0);
    assert_false(plat.psci_smc);
    assert_int_equal(parse_dts(BASE "  psci { compatible = \"arm,psci-0.2\"; method = [73 6d 63]; };\n"), 0);
    assert_false(plat.psci_smc);
}

static void test_chosen_variants(void **state)
{
    (void)state;
    /* 32-bit initrd cells. */
    assert_int_equal(parse_dts(BASE "  chosen { bootargs = \"a b\";\n"
                               "    linux,initrd-start = <0x48000000>; linux,initrd-end = <0x48100000>; };\n"),
                     0);
    assert_string_equal(plat.bootargs, "a b");
    assert_true(plat.initrd_start == 0x48000000ULL && plat.initrd_end == 0x48100000ULL);
    /* 64-bit cells, above 4 GiB, and one of each width. */
    assert_int_equal(parse_dts(BASE "  chosen { linux,initrd-start = /bits/ 64 <0x100000000>;\n"
                               "    linux,initrd-end = <0x1 0x200000>; };\n"),
                     0);
    assert_true(plat.initrd_start == 0x100000000ULL && plat.initrd_end == 0x100200000ULL);
    assert_int_equal(parse_dts(BASE "  chosen { linux,initrd-start = <0x48000000>;\n"
                               "    linux,initrd-end = /bits/ 64 <0x48001000>; };\n"),
                     0);
    assert_true(plat.initrd_start == 0x48000000ULL && plat.initrd_end == 0x48001000ULL);
    /* Empty initrd (end == start) is kept as given. */
    assert_int_equal(parse_dts(BASE "  chosen { linux,initrd-start = <0x48000000>;\n"
                               "    linux,initrd-end = <0x48000000>; };\n"),
                     0);
    assert_true(plat.initrd_start == plat.initrd_end);
    /* Unusable initrd descriptions: none at all. */
    static const char *const bad[] = {
        "linux,initrd-start = <0x48000000>;",
        "linux,initrd-end = <0x48000000>;",
        "linux,initrd-start = <0x48100000>; linux,initrd-end = <0x48000000>;",
        "linux,initrd-start = <0 0x48000000 0>; linux,initrd-end = <0x48100000>;",
        "linux,initrd-start = [48]; linux,initrd-end = <0x48100000>;",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char body[1024];
        snprintf(body, sizeof(body), BASE "  chosen { %s };\n", bad[i]);
        assert_int_equal(parse_dts(body), 0);
        assert_true(plat.initrd_start == 0 && plat.initrd_end == 0);
    }
    /* No /chosen; a bootargs that is not a string. */
    assert_int_equal(parse_dts(BASE), 0);
    assert_string_equal(plat.bootargs, "");
    assert_int_equal(parse_dts(BASE "  chosen { bootargs = [6e 76 68 65]; };\n"), 0);
    assert_string_equal(plat.bootargs, "");
}

static void test_not_a_dtb(void **state)
{
    (void)state;
    blob = calloc(1, 64);
    assert_int_equal(parse_blob(), -1);
    assert_non_null(strstr(why, "device tree"));
    /* Right magic, nonsense header. */
    fdt_put_be32(blob, FDT_MAGIC);
    fdt_put_be32(blob + FDT_HDR_TOTALSIZE, 64);
    assert_int_equal(parse_blob(), -1);
    free(blob);
    /* A real DTB whose version is too old. */
    blob = load_data("qemu-virt-gicv3.dtb");
    fdt_put_be32(blob + FDT_HDR_VERSION, 1);
    fdt_put_be32(blob + FDT_HDR_LAST_COMP, 1);
    assert_int_equal(parse_blob(), -1);
}

/* ---- bootargs_has ---- */

static void test_bootargs_has(void **state)
{
    (void)state;
    assert_true(bootargs_has("nvhe", "nvhe"));
    assert_true(bootargs_has("a nvhe b", "nvhe"));
    assert_true(bootargs_has("  nvhe  ", "nvhe"));
    assert_true(bootargs_has("console=ttyAMA0 nvhe", "nvhe"));
    assert_true(bootargs_has("loglevel=3 nvhe", "loglevel=3"));
    assert_false(bootargs_has("nvhex", "nvhe"));
    assert_false(bootargs_has("xnvhe", "nvhe"));
    assert_false(bootargs_has("nvh", "nvhe"));
    assert_false(bootargs_has("no-nvhe nvhe=0", "nvhe"));
    assert_false(bootargs_has("loglevel=30", "loglevel=3"));
    assert_false(bootargs_has("", "nvhe"));
    assert_false(bootargs_has("   ", "nvhe"));
    /* Any whitespace separates words. */
    assert_true(bootargs_has("debug\tnvhe", "nvhe"));
    assert_true(bootargs_has("debug\nnvhe\n", "debug"));
    assert_true(bootargs_has("a\r\nnvhe", "nvhe"));
    /* An empty word is never a token. */
    assert_false(bootargs_has("", ""));
    assert_false(bootargs_has("a  b ", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_qemu_gicv3, teardown),
        cmocka_unit_test_teardown(test_qemu_gicv2, teardown),
        cmocka_unit_test_teardown(test_qemu_smmuv3_pci, teardown),
        cmocka_unit_test_teardown(test_qemu_secure_uart_skipped, teardown),
        cmocka_unit_test_teardown(test_memory_variants, teardown),
        cmocka_unit_test_teardown(test_cpu_variants, teardown),
        cmocka_unit_test_teardown(test_gic_variants, teardown),
        cmocka_unit_test_teardown(test_uart_variants, teardown),
        cmocka_unit_test_teardown(test_qemu_two_uarts, teardown),
        cmocka_unit_test_teardown(test_status_uart_variants, teardown),
        cmocka_unit_test_teardown(test_psci_variants, teardown),
        cmocka_unit_test_teardown(test_chosen_variants, teardown),
        cmocka_unit_test_teardown(test_not_a_dtb, teardown),
        cmocka_unit_test_teardown(test_bootargs_has, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
