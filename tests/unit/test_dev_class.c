/* The device-class walkers (core/dev_class.c): every class in table order,
 * a NULL hook skipped, creation and reset stopped at the first class that
 * fails with that class named, and nothing after it touched; in the guest
 * DTB (core/vm_dtb.c), each class's node written by the class itself, at
 * its parent, only when the VM has that device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "host_support.h"
#include "lib/fdt_read.c"
#include "lib/fdt_write.c"
#include "lib/printf.c"
#include "core/dev_class.c"
#include "core/vm_dtb.c"
#include "core/vm_dt_nodes.c"

/* The walkers never look inside a VM: the tests give them a trace. */
struct vm {
    char trace[64];
    const char *fail_in;            /* the hook that returns -1, by name */
};

static void note(char *trace, const char *what)
{
    strncat(trace, what, 63 - strlen(trace));
}

#define CLASS(tag)                                                          \
    static int create_##tag(struct vm *vm)                                  \
    {                                                                       \
        note(vm->trace, "c" #tag);                                          \
        return vm->fail_in && !strcmp(vm->fail_in, "c" #tag) ? -1 : 0;      \
    }                                                                       \
    static int reset_##tag(struct vm *vm)                                   \
    {                                                                       \
        note(vm->trace, "r" #tag);                                          \
        return vm->fail_in && !strcmp(vm->fail_in, "r" #tag) ? -1 : 0;      \
    }                                                                       \
    static void quiesce_##tag(struct vm *vm) { note(vm->trace, "q" #tag); } \
    static void describe_##tag(const struct vm *vm, struct vm_dt *dt)       \
    {                                                                       \
        note(((struct vm *)vm)->trace, "d" #tag);                           \
        (void)dt;                                                           \
    }

CLASS(A)
CLASS(B)
CLASS(C)

static const struct dev_class class_a = { "a", create_A, reset_A, quiesce_A, NULL, describe_A,
                                           DEV_DT_ROOT };
/* Only creation, as the virtio-mmio window's row. */
static const struct dev_class class_b = { .name = "b", .create = create_B };
static const struct dev_class class_c = { "c", create_C, reset_C, quiesce_C, NULL, describe_C,
                                           DEV_DT_ROOT };
static const struct dev_class *const table[] = { &class_a, &class_b, &class_c };

static void test_every_class_in_order(void **state)
{
    struct vm vm = { "", NULL };
    struct vm_dt dt = { NULL, NULL };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_create(table, 3, &vm, &failed), 0);
    assert_null(failed);
    dev_classes_quiesce(table, 3, &vm);
    assert_int_equal(dev_classes_reset(table, 3, &vm, &failed), 0);
    assert_null(failed);
    dev_classes_describe(table, 3, &vm, &dt, DEV_DT_ROOT);
    /* b has no reset, quiesce or DTB node: skipped, not called. */
    assert_string_equal(vm.trace, "cAcBcCqAqCrArCdAdC");
    /* None of them lives under the GIC. */
    dev_classes_describe(table, 3, &vm, &dt, DEV_DT_GIC);
    assert_string_equal(vm.trace, "cAcBcCqAqCrArCdAdC");
}

static void test_create_stops_at_failing_class(void **state)
{
    struct vm vm = { "", "cB" };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_create(table, 3, &vm, &failed), -1);
    assert_non_null(failed);
    assert_string_equal(failed, "b");
    assert_string_equal(vm.trace, "cAcB");      /* c never created */
}

static void test_reset_stops_at_failing_class(void **state)
{
    struct vm vm = { "", "rA" };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_reset(table, 3, &vm, &failed), -1);
    assert_non_null(failed);
    assert_string_equal(failed, "a");
    assert_string_equal(vm.trace, "rA");
}

static void test_empty_table(void **state)
{
    struct vm vm = { "", "cA" };
    struct vm_dt dt = { NULL, NULL };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_create(table, 0, &vm, &failed), 0);
    assert_int_equal(dev_classes_reset(table, 0, &vm, &failed), 0);
    dev_classes_quiesce(table, 0, &vm);
    dev_classes_describe(table, 0, &vm, &dt, DEV_DT_ROOT);
    assert_null(failed);
    assert_string_equal(vm.trace, "");
}

/* ---- The guest DTB through the classes ---- */

/* A board of three classes shaped as elvisor's (core/vm_devices.c): an
 * interrupt controller that opens its node and lets its children write
 * theirs inside it, a console that /chosen names, and a bridge with an
 * MSI frame under the controller, both only when the VM's configuration
 * has a bridge ("bridge" in its trace stands for pci-devices). */
static bool has_bridge(const struct vm *vm)
{
    return strstr(vm->trace, "bridge") != NULL;
}

static void describe_under_gic(const struct vm *vm, struct vm_dt *dt);

static void intc_describe(const struct vm *vm, struct vm_dt *dt)
{
    static const struct vm_dt_gic g = { .gicd_base = 0x08000000, .gicd_size = 0x10000,
                                        .gicr_base = 0x080a0000, .gicr_size = 0x20000 };

    vm_dt_gic_open(dt, &g);
    describe_under_gic(vm, dt);
    vm_dt_gic_close(dt);
}

static void console_chosen(const struct vm *vm, struct vm_dt_chosen *ch)
{
    (void)vm;
    vm_dt_pl011_path(ch->stdout_path, 0x09000000);
}

static void console_describe(const struct vm *vm, struct vm_dt *dt)
{
    static const struct vm_dt_uart u = { 0x09000000, 0x1000, 1 };

    (void)vm;
    vm_dt_pl011(dt, &u);
}

static void bridge_chosen(const struct vm *vm, struct vm_dt_chosen *ch)
{
    if (has_bridge(vm))
        ch->pci_probe_only = true;
}

static void bridge_describe(const struct vm *vm, struct vm_dt *dt)
{
    static const struct vm_dtb_pci pci = { .ecam_base = 0x4010000000ull, .ecam_size = 0x100000,
                                           .mmio_base = 0x10000000, .mmio_size = 0x2eff0000,
                                           .nr = 1, .fn = { { 1, 0, 1, 4 } },
                                           .msi_frame_base = 0x08020000, .msi_frame_size = 0x1000 };

    if (has_bridge(vm))
        vm_dt_pcie(dt, &pci);
}

static void frame_describe(const struct vm *vm, struct vm_dt *dt)
{
    if (has_bridge(vm))
        vm_dt_v2m(dt, 0x08020000, 0x1000);
}

static const struct dev_class intc_class = { .name = "intc", .describe = intc_describe };
static const struct dev_class console_class = { .name = "console", .chosen = console_chosen,
                                                .describe = console_describe };
static const struct dev_class bridge_class = { .name = "bridge", .chosen = bridge_chosen,
                                               .describe = bridge_describe };
static const struct dev_class frame_class = { .name = "frame", .describe = frame_describe,
                                              .dt_parent = DEV_DT_GIC };
static const struct dev_class *const board[] = { &intc_class, &console_class, &bridge_class,
                                                  &frame_class };
#define NR_BOARD (sizeof(board) / sizeof(board[0]))

static void describe_under_gic(const struct vm *vm, struct vm_dt *dt)
{
    dev_classes_describe(board, NR_BOARD, vm, dt, DEV_DT_GIC);
}

static void board_devices(struct vm_dt *dt, const void *vm)
{
    dev_classes_describe(board, NR_BOARD, vm, dt, DEV_DT_ROOT);
}

/* Builds the VM's DTB as write_guest_dtb() does and opens it. */
static void board_dtb(const struct vm *vm, uint8_t *buf, size_t size, struct fdt *f)
{
    static const uint64_t mpidr[] = { 0 };
    struct vm_dtb_params p = { .ram_base = 0x40000000, .ram_size = 0x8000000, .nr_vcpus = 1,
                               .vcpu_mpidr = mpidr, .gic_version = 3,
                               .write_devices = board_devices, .devices = vm };
    int n;

    dev_classes_chosen(board, NR_BOARD, vm, &p.chosen);
    n = vm_dtb_build(&p, buf, size);
    assert_true(n > 0);
    assert_int_equal(fdt_open(f, buf, (size_t)n), 0);
}

static void test_node_only_with_its_device(void **state)
{
    struct vm plain = { "", NULL }, with_bridge = { "bridge", NULL };
    uint8_t buf[4096];
    struct fdt f;
    const char *path;
    uint32_t v;

    (void)state;
    board_dtb(&plain, buf, sizeof(buf), &f);
    assert_true(fdt_path(&f, "/intc@8000000") > 0);
    assert_true(fdt_path(&f, "/pl011@9000000") > 0);
    assert_int_equal(fdt_prop_string(&f, fdt_path(&f, "/chosen"), "stdout-path", &path), 0);
    assert_string_equal(path, "/pl011@9000000");
    assert_true(fdt_next_compatible(&f, -1, "pci-host-ecam-generic") < 0);
    assert_true(fdt_next_compatible(&f, -1, "arm,gic-v2m-frame") < 0);
    assert_false(fdt_has_prop(&f, fdt_path(&f, "/chosen"), "linux,pci-probe-only"));

    board_dtb(&with_bridge, buf, sizeof(buf), &f);
    assert_int_equal(fdt_next_compatible(&f, -1, "pci-host-ecam-generic"),
                     fdt_path(&f, "/pcie@4010000000"));
    /* The frame's node is the controller's child, not the root's. */
    assert_int_equal(fdt_next_compatible(&f, -1, "arm,gic-v2m-frame"),
                     fdt_path(&f, "/intc@8000000/v2m@8020000"));
    assert_true(fdt_path(&f, "/v2m@8020000") < 0);
    assert_int_equal(fdt_prop_u32(&f, fdt_path(&f, "/chosen"), "linux,pci-probe-only", &v), 0);
    assert_int_equal(v, 1);
}

/* Without a console class, /chosen names none and there are no aliases. */
static void test_no_console(void **state)
{
    static const struct dev_class *const bare[] = { &intc_class };
    static const uint64_t mpidr[] = { 0 };
    struct vm vm = { "", NULL };
    struct vm_dtb_params p = { .ram_base = 0x40000000, .ram_size = 0x8000000, .nr_vcpus = 1,
                               .vcpu_mpidr = mpidr, .gic_version = 3 };
    uint8_t buf[4096];
    struct fdt f;
    int n;

    (void)state;
    dev_classes_chosen(bare, 1, &vm, &p.chosen);
    n = vm_dtb_build(&p, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(fdt_open(&f, buf, (size_t)n), 0);
    assert_true(fdt_path(&f, "/chosen") > 0);
    assert_false(fdt_has_prop(&f, fdt_path(&f, "/chosen"), "stdout-path"));
    assert_true(fdt_path(&f, "/aliases") < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_class_in_order),
        cmocka_unit_test(test_create_stops_at_failing_class),
        cmocka_unit_test(test_reset_stops_at_failing_class),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_node_only_with_its_device),
        cmocka_unit_test(test_no_console),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
