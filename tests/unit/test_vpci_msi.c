/* The MSI capability virtualized by the vPCI filter (vdev/vpci.c,
 * vpci_offer_msi()): laid out like QEMU's edu (MSI at 0x40, the only
 * capability, control 0x0080: 64-bit, one vector, no masking). The VM's
 * address, data and enable bit stay in the filter and reach the hook;
 * the hardware's capability is never written by it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vdev/vpci.c"
#include "vpci_fake.h"

static struct fake_cfg hw;
static struct vpci bus;
static unsigned calls;
static bool last_enabled;
static uint64_t last_addr;
static uint32_t last_data;

static void changed(void *ctx, bool enabled, uint64_t addr, uint32_t data)
{
    assert_ptr_equal(ctx, &hw);
    calls++;
    last_enabled = enabled;
    last_addr = addr;
    last_data = data;
}

static const struct vpci_msi_ops msi_ops = { changed };

static uint32_t rd(unsigned off, unsigned size)
{
    uint32_t v = 0xdeadbeef;
    assert_true(vpci_cfg_read(&bus.f[0], off, size, &v));
    return v;
}

static void wr(unsigned off, unsigned size, uint32_t v)
{
    assert_true(vpci_cfg_write(&bus.f[0], off, size, v));
}

static void edu_like(uint16_t msi_ctrl)
{
    struct vpci_bar bars[VPCI_NR_BARS] = { { 0x10000000, 0x100000, false, false } };

    memset(&hw, 0, sizeof(hw));
    memset(&bus, 0, sizeof(bus));
    calls = 0;
    put32(&hw, 0x00, 0x11e81234);
    put16(&hw, 0x06, 0x0010);                   /* capability list */
    hw.b[0x34] = 0x40;
    hw.b[0x40] = 0x05;                          /* MSI, last */
    put16(&hw, 0x42, msi_ctrl);
    assert_int_equal(vpci_add(&bus, 1, 0, &fake_ops, &hw, bars), 0);
}

static void test_hidden_unless_offered(void **state)
{
    (void)state;
    edu_like(0x0080);
    assert_int_equal(rd(0x34, 1), 0);
    assert_int_equal(rd(0x06, 2) & 0x10, 0);
    assert_int_equal(rd(0x40, 4), 0);
    wr(0x44, 4, 0x08020040);
    wr(0x42, 2, 1);
    assert_int_equal(calls, 0);
    assert_int_equal(hw.writes, 0);
}

static void test_offered_and_virtual(void **state)
{
    (void)state;
    edu_like(0x0080);
    assert_int_equal(vpci_offer_msi(&bus.f[0], &msi_ops, &hw), 0);
    assert_int_equal(rd(0x06, 2) & 0x10, 0x10);
    assert_int_equal(rd(0x34, 1), 0x40);
    assert_int_equal(rd(0x40, 2), 0x0005);      /* MSI, no next */
    assert_int_equal(rd(0x42, 2), 0x0080);      /* 64-bit, one vector, disabled */

    wr(0x44, 4, 0x08020043);                    /* the low two bits are 0 */
    wr(0x48, 4, 0);
    wr(0x4c, 2, 80);
    assert_int_equal(rd(0x44, 4), 0x08020040);
    assert_int_equal(rd(0x4c, 2), 80);
    assert_int_equal(calls, 3);
    assert_false(last_enabled);
    wr(0x42, 2, 0x0071);                        /* enable, asks 8 vectors: gets one */
    assert_int_equal(rd(0x42, 2), 0x0081);
    assert_true(last_enabled);
    assert_true(last_addr == 0x08020040);
    assert_int_equal(last_data, 80);
    /* The hardware's capability never saw any of it. */
    assert_int_equal(hw.writes, 0);
    for (unsigned i = 0x42; i < 0x50; i++)
        assert_int_equal(hw.b[i], i == 0x42 ? 0x80 : 0);
    /* A 4-byte write over control and ID: only control changes. */
    wr(0x40, 4, 0x0000ff00u);
    assert_false(last_enabled);
    assert_int_equal(rd(0x40, 4), 0x00800005);

    wr(0x42, 2, 1);
    vpci_reset(&bus);
    assert_int_equal(rd(0x42, 2), 0x0080);
    assert_int_equal(rd(0x44, 4), 0);
    assert_int_equal(rd(0x4c, 2), 0);
}

static void test_32bit_layout(void **state)
{
    (void)state;
    edu_like(0x0000);
    assert_int_equal(vpci_offer_msi(&bus.f[0], &msi_ops, &hw), 0);
    wr(0x44, 4, 0x08020040);
    wr(0x48, 2, 81);                            /* data right after a 32-bit address */
    assert_int_equal(rd(0x48, 2), 81);
    assert_int_equal(last_data, 81);
    assert_true(last_addr == 0x08020040);
    wr(0x4c, 4, 0xffffffff);                    /* past the capability: dropped */
    assert_int_equal(rd(0x4c, 4), 0);
    assert_int_equal(hw.writes, 0);
}

static void test_not_offered(void **state)
{
    (void)state;
    edu_like(0x0180);                           /* per-vector masking */
    assert_true(vpci_offer_msi(&bus.f[0], &msi_ops, &hw) < 0);
    assert_int_equal(rd(0x34, 1), 0);
    edu_like(0x0080);
    hw.b[0x40] = 0x11;                          /* MSI-X only */
    assert_true(vpci_offer_msi(&bus.f[0], &msi_ops, &hw) < 0);
    assert_int_equal(rd(0x34, 1), 0);
    edu_like(0x0080);
    hw.b[0x41] = 0x40;                          /* a loop without MSI */
    hw.b[0x40] = 0x01;
    assert_true(vpci_offer_msi(&bus.f[0], &msi_ops, &hw) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hidden_unless_offered),
        cmocka_unit_test(test_offered_and_virtual),
        cmocka_unit_test(test_32bit_layout),
        cmocka_unit_test(test_not_offered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
