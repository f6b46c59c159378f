/* The virtio-mmio window's empty slots (vdev/virtio_mmio.c), register by
 * register, as bare QEMU's virt board answers (guests/virtio checks the same
 * on QEMU and under elvisor). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vdev/virtio_mmio.c"

static uint64_t rd(uint64_t offset, unsigned size)
{
    struct mmio_access acc = { .offset = offset, .size = size, .value = 0xdeadbeef };

    assert_true(virtio_mmio_empty(0, 0, &acc));
    return acc.value;
}

static void test_every_slot_is_empty(void **state)
{
    (void)state;
    for (unsigned n = 0; n < VIRTIO_MMIO_SLOTS; n++) {
        uint64_t s = n * VIRTIO_MMIO_SLOT_SIZE;

        assert_int_equal(rd(s + VIRTIO_MMIO_MAGIC_VALUE, 4), 0x74726976);
        assert_int_equal(rd(s + VIRTIO_MMIO_VERSION, 4), 2);
        assert_int_equal(rd(s + VIRTIO_MMIO_DEVICE_ID, 4), 0);
        assert_int_equal(rd(s + VIRTIO_MMIO_VENDOR_ID, 4), 0x554d4551);
        for (uint64_t off = 0x10; off < VIRTIO_MMIO_SLOT_SIZE; off += 4)
            assert_int_equal(rd(s + off, 4), 0);
    }
}

/* What bare QEMU returned for slot 0: byte 0 0x76, byte 1 0, halfword 0
 * 0x6976, doubleword 0x2_74726976. */
static void test_access_sizes(void **state)
{
    (void)state;
    assert_int_equal(rd(0, 1), 0x76);
    assert_int_equal(rd(1, 1), 0);
    assert_int_equal(rd(0, 2), 0x6976);
    assert_int_equal(rd(0, 8), 0x274726976ull);
}

static void test_writes_ignored_and_bounds(void **state)
{
    struct mmio_access w = { .offset = 0x70, .size = 4, .is_write = true, .value = 0xff };
    struct mmio_access out = { .offset = VIRTIO_MMIO_SIZE, .size = 4 };
    struct mmio_access last = { .offset = VIRTIO_MMIO_SIZE - 4, .size = 8 };
    struct mmio_access odd = { .offset = 0, .size = 3 };

    (void)state;
    assert_true(virtio_mmio_empty(0, 0, &w));
    assert_int_equal(rd(0x70, 4), 0);
    assert_false(virtio_mmio_empty(0, 0, &out));
    assert_false(virtio_mmio_empty(0, 0, &last));
    assert_false(virtio_mmio_empty(0, 0, &odd));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_slot_is_empty),
        cmocka_unit_test(test_access_sizes),
        cmocka_unit_test(test_writes_ignored_and_bounds),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
