/* The DTB a VM finds in its memory, written by elvisor's real device
 * classes (core/vm_devices.c) through vm_create() and vm_boot(): each
 * device's node is there when the VM's configuration gives it that
 * device, and only then. A VM without pci-devices has no PCIe bridge, no
 * MSI frame and no linux,pci-probe-only; the GIC's node follows the VM's
 * vCPU count and, for a guest hypervisor, lists the maintenance interrupt;
 * /chosen names the PL011 as the console. (A VM with pci-devices needs an
 * SMMU and a host bridge the fake does not have: its nodes are checked by
 * the edu suite's guests and tests/unit/test_vm_dtb.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vm.h"

#include "core/vm.h"
#include "lib/fdt.h"

#define DTB_AVAIL       0x10000u
#define GICV3_RD_FRAME  0x20000u

static void open_dtb(const struct vm *vm, struct fdt *f)
{
    const void *blob = (const void *)(uintptr_t)(vm->ram_pa + (vm->dtb_ipa - vm->ram_ipa));

    assert_int_equal(fdt_open(f, blob, DTB_AVAIL), 0);
}

static void assert_no_bridge(const struct fdt *f)
{
    assert_true(fdt_next_compatible(f, -1, "pci-host-ecam-generic") < 0);
    assert_true(fdt_next_compatible(f, -1, "arm,gic-v2m-frame") < 0);
    assert_false(fdt_has_prop(f, fdt_path(f, "/chosen"), "linux,pci-probe-only"));
}

static void test_nodes_follow_the_config(void **state)
{
    struct fdt f;
    struct vm *plain, *el2;
    const char *path;
    uint64_t a, s;
    int intc, uart, len;
    const uint8_t *irq;

    (void)state;
    fake_machine(1);
    plain = fake_vm("plain", 2, NULL, false);
    el2 = fake_vm("el2", 1, NULL, true);

    open_dtb(plain, &f);
    intc = fdt_path(&f, "/intc@8000000");
    assert_true(intc > 0);
    /* The fake's GIC is a GICv3 unless a test says otherwise. */
    assert_int_equal(plain->gic_version, 3);
    assert_int_equal(fdt_node_is_compatible(&f, intc, "arm,gic-v3"), 1);
    /* One redistributor frame per vCPU. */
    assert_int_equal(fdt_get_reg(&f, intc, 1, &a, &s), 0);
    assert_int_equal(s, 2 * GICV3_RD_FRAME);
    assert_false(fdt_has_prop(&f, intc, "interrupts"));
    uart = fdt_next_compatible(&f, -1, "arm,pl011");
    assert_int_equal(uart, fdt_path(&f, "/pl011@9000000"));
    assert_int_equal(fdt_prop_string(&f, fdt_path(&f, "/chosen"), "stdout-path", &path), 0);
    assert_int_equal(fdt_path(&f, path), uart);
    assert_no_bridge(&f);

    open_dtb(el2, &f);
    intc = fdt_path(&f, "/intc@8000000");
    assert_int_equal(fdt_get_reg(&f, intc, 1, &a, &s), 0);
    assert_int_equal(s, GICV3_RD_FRAME);
    /* <PPI 9 level-high>: the maintenance interrupt, INTID 25. */
    irq = fdt_getprop(&f, intc, "interrupts", &len);
    assert_non_null(irq);
    assert_int_equal(len, 12);
    assert_int_equal(fdt_be32(irq), 1);
    assert_int_equal(fdt_be32(irq + 4), 9);
    assert_true(fdt_path(&f, "/pl011@9000000") > 0);
    assert_no_bridge(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes_follow_the_config),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
