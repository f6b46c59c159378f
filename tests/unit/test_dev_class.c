/* The device-class walkers (core/dev_class.c): every class in table order,
 * a NULL hook skipped, creation and reset stopped at the first class that
 * fails with that class named, and nothing after it touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/dev_class.c"

/* The walkers never look inside a VM: the tests give them a trace. */
struct vm {
    char trace[64];
    const char *fail_in;            /* the hook that returns -1, by name */
};

struct vm_dt {
    char trace[64];
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
        (void)vm;                                                           \
        note(dt->trace, "d" #tag);                                          \
    }

CLASS(A)
CLASS(B)
CLASS(C)

static const struct dev_class class_a = { "a", create_A, reset_A, quiesce_A, describe_A };
/* Only creation, as the virtio-mmio window's row. */
static const struct dev_class class_b = { "b", create_B, NULL, NULL, NULL };
static const struct dev_class class_c = { "c", create_C, reset_C, quiesce_C, describe_C };
static const struct dev_class *const table[] = { &class_a, &class_b, &class_c };

static void test_every_class_in_order(void **state)
{
    struct vm vm = { "", NULL };
    struct vm_dt dt = { "" };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_create(table, 3, &vm, &failed), 0);
    assert_null(failed);
    dev_classes_quiesce(table, 3, &vm);
    assert_int_equal(dev_classes_reset(table, 3, &vm, &failed), 0);
    assert_null(failed);
    dev_classes_describe(table, 3, &vm, &dt);
    /* b has no reset, quiesce or DTB node: skipped, not called. */
    assert_string_equal(vm.trace, "cAcBcCqAqCrArC");
    assert_string_equal(dt.trace, "dAdC");
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
    struct vm_dt dt = { "" };
    const char *failed = NULL;

    (void)state;
    assert_int_equal(dev_classes_create(table, 0, &vm, &failed), 0);
    assert_int_equal(dev_classes_reset(table, 0, &vm, &failed), 0);
    dev_classes_quiesce(table, 0, &vm);
    dev_classes_describe(table, 0, &vm, &dt);
    assert_null(failed);
    assert_string_equal(vm.trace, "");
    assert_string_equal(dt.trace, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_class_in_order),
        cmocka_unit_test(test_create_stops_at_failing_class),
        cmocka_unit_test(test_reset_stops_at_failing_class),
        cmocka_unit_test(test_empty_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
