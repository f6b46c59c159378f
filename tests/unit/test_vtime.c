/* A VM's own time (core/vtime.c): its virtual offset grows by exactly the
 * time during which every vCPU of it that is on was switched out while it
 * could run; time one of them waits or runs is the VM's own; wall-time VMs
 * never change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/vtime.c"

static struct vm_config cfg;
static struct vm vm;

static int setup(void **state)
{
    (void)state;
    memset(&vm, 0, sizeof(vm));
    cfg.own_time = true;
    vm.cfg = &cfg;
    vm.nr_vcpus = 2;
    vm.vcpus[0].vm = vm.vcpus[1].vm = &vm;
    vm.vcpus[0].power = vm.vcpus[1].power = VCPU_ON;
    vm.cnt_offset = vm.vcnt_offset = 1000;
    return 0;
}

static void test_hidden_only_while_all_preempted(void **state)
{
    struct vcpu *a = &vm.vcpus[0], *b = &vm.vcpus[1];

    (void)state;
    vtime_preempted(a, 2000);               /* b still runs: nothing hidden */
    assert_int_equal(vm.stolen_since, 0);
    vtime_preempted(b, 2500);               /* now the whole VM waits */
    assert_int_equal(vm.stolen_since, 2500);
    assert_int_equal(vtime_offset_at(&vm, 2600), 1100);    /* frozen meanwhile */
    vtime_resume(b, 3000);
    assert_int_equal(vm.vcnt_offset, 1500);
    assert_int_equal(vm.stolen_since, 0);
    vtime_resume(a, 4000);                  /* b ran since 3000: not hidden */
    assert_int_equal(vm.vcnt_offset, 1500);
    assert_int_equal(vm.nr_preempted, 0);
    assert_int_equal(vm.cnt_offset, 1000);  /* the physical counter keeps wall time */
}

static void test_off_vcpu_does_not_count(void **state)
{
    struct vcpu *a = &vm.vcpus[0];

    (void)state;
    vm.vcpus[1].power = VCPU_OFF;
    vtime_preempted(a, 5000);               /* the only one on */
    assert_int_equal(vm.stolen_since, 5000);
    vtime_preempted(a, 6000);               /* counted once */
    assert_int_equal(vm.nr_preempted, 1);
    vtime_resume(a, 7000);
    assert_int_equal(vm.vcnt_offset, 3000);
}

static void test_reset_keeps_hidden_time(void **state)
{
    (void)state;
    vm.vcpus[1].power = VCPU_OFF;
    vtime_preempted(&vm.vcpus[0], 100);
    vtime_reset(&vm, 400);
    assert_int_equal(vm.vcnt_offset, 1300);
    assert_int_equal(vm.nr_preempted, 0);
    assert_false(vm.vcpus[0].time_preempted);
}

static void test_wall_time_untouched(void **state)
{
    (void)state;
    cfg.own_time = false;
    vtime_preempted(&vm.vcpus[0], 10);
    vtime_preempted(&vm.vcpus[1], 20);
    vtime_resume(&vm.vcpus[0], 1000000);
    assert_int_equal(vm.vcnt_offset, 1000);
    assert_int_equal(vtime_offset_at(&vm, 5000000), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hidden_only_while_all_preempted, setup),
        cmocka_unit_test_setup(test_off_vcpu_does_not_count, setup),
        cmocka_unit_test_setup(test_reset_keeps_hidden_time, setup),
        cmocka_unit_test_setup(test_wall_time_untouched, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
