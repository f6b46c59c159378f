/* The virtual PCIe bridge's configuration-space filter (vdev/vpci.c),
 * against a function laid out like QEMU's virtio-blk-pci: MSI-X, vendor
 * capabilities, PCIe and PM in its list, a 64-bit prefetchable BAR. */
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

/* BAR1 4 KiB at 0x10100000, BAR4+5 16 KiB 64-bit prefetchable at 0x10104000 */
static int setup(void **state)
{
    struct vpci_bar bars[VPCI_NR_BARS] = { { 0 } };

    (void)state;
    memset(&hw, 0, sizeof(hw));
    memset(&bus, 0, sizeof(bus));
    put32(&hw, 0x00, 0x10011af4);               /* virtio-blk (modern id) */
    put16(&hw, 0x04, 0x0006);                   /* hardware: MEM | MASTER */
    put16(&hw, 0x06, 0x0010);                   /* capability list */
    put32(&hw, 0x08, 0x01000000);
    put32(&hw, 0x10, 0x0000c001);               /* an I/O BAR0: not offered */
    put32(&hw, 0x14, 0x10100000);
    put32(&hw, 0x20, 0x1010400c);
    put32(&hw, 0x2c, 0x00021af4);               /* subsystem */
    put32(&hw, 0x30, 0xfff00000);               /* a ROM the VM must not see */
    hw.b[0x34] = 0x98;
    hw.b[0x3d] = 1;                             /* INTA */
    /* 0x98 MSI-X -> 0x84 vendor (len 0x14) -> 0x7c vendor (len 0x08)
     * -> 0x40 PCIe (to 0x7b) -> 0xa0 MSI -> 0xb0 PM -> end */
    hw.b[0x98] = 0x11; hw.b[0x99] = 0x84;
    hw.b[0x84] = 0x09; hw.b[0x85] = 0x7c; hw.b[0x86] = 0x14; hw.b[0x87] = 0x05;
    hw.b[0x7c] = 0x09; hw.b[0x7d] = 0x40; hw.b[0x7e] = 0x08; hw.b[0x7f] = 0x01;
    hw.b[0x40] = 0x10; hw.b[0x41] = 0xa0; put16(&hw, 0x42, 0x0002);
    put32(&hw, 0x44, 0x10008000);               /* DEVCAP with FLR */
    hw.b[0xa0] = 0x05; hw.b[0xa1] = 0xb0;
    hw.b[0xb0] = 0x01; hw.b[0xb1] = 0x00;
    put32(&hw, 0x100, 0x00010001);              /* an extended capability (AER) */

    bars[1] = (struct vpci_bar){ .addr = 0x10100000, .size = 0x1000 };
    bars[4] = (struct vpci_bar){ .addr = 0x10104000, .size = 0x4000, .is64 = true, .prefetch = true };
    assert_int_equal(vpci_add(&bus, 2, 0, &fake_ops, &hw, bars), 0);
    hw.writes = 0;
    return 0;
}

static void test_identity_passes_through(void **state)
{
    (void)state;
    assert_int_equal(rd(0x00, 4), 0x10011af4);
    assert_int_equal(rd(0x02, 2), 0x1001);
    assert_int_equal(rd(0x08, 4), 0x01000000);
    assert_int_equal(rd(0x2c, 4), 0x00021af4);
    assert_int_equal(rd(0x3d, 1), 1);
    assert_int_equal(hw.bad_accesses, 0);
}

static void test_capability_list_virtualized(void **state)
{
    unsigned seen[8], n = 0, at;

    (void)state;
    assert_true(rd(0x06, 2) & 0x10);
    for (at = rd(0x34, 1); at && n < 8; at = rd(at + 1, 1))
        seen[n++] = at;
    /* MSI-X and MSI are gone; the rest keep their order and contents */
    assert_int_equal(n, 4);
    assert_int_equal(seen[0], 0x84);
    assert_int_equal(seen[1], 0x7c);
    assert_int_equal(seen[2], 0x40);
    assert_int_equal(seen[3], 0xb0);
    assert_int_equal(rd(0x84, 4) & 0xffff00ff, 0x05140009);
    assert_int_equal(rd(0x44, 4), 0x10008000);
    /* The hidden ones read as nothing, and so do extended capabilities */
    assert_int_equal(rd(0x98, 4), 0);
    assert_int_equal(rd(0xa0, 4), 0);
    assert_int_equal(rd(0x100, 4), 0);
    assert_int_equal(rd(0xffc, 4), 0);
}

static void test_bars_fixed_sizing_works(void **state)
{
    (void)state;
    assert_int_equal(rd(0x10, 4), 0);            /* I/O BAR not offered */
    assert_int_equal(rd(0x14, 4), 0x10100000);
    assert_int_equal(rd(0x20, 4), 0x1010400c);   /* 64-bit, prefetchable */
    assert_int_equal(rd(0x24, 4), 0);
    /* Sizing as Linux does it: all ones, read, restore */
    wr(0x14, 4, 0xffffffff);
    assert_int_equal(rd(0x14, 4), 0xfffff000);
    wr(0x14, 4, 0x10100000);
    assert_int_equal(rd(0x14, 4), 0x10100000);
    wr(0x20, 4, 0xffffffff);
    wr(0x24, 4, 0xffffffff);
    assert_int_equal(rd(0x20, 4), 0xffffc00c);
    assert_int_equal(rd(0x24, 4), 0xffffffff);
    /* Moving a BAR (onto memory it does not own) does nothing */
    wr(0x14, 4, 0x40000000);
    wr(0x20, 4, 0x0);
    wr(0x24, 4, 0x1);
    assert_int_equal(rd(0x14, 4), 0x10100000);
    assert_int_equal(rd(0x20, 4), 0x1010400c);
    assert_int_equal(rd(0x24, 4), 0);
    /* ... and never reaches the hardware */
    assert_int_equal(hw.writes, 0);
    assert_int_equal(hw.b[0x15] | hw.b[0x16] << 8 | hw.b[0x17] << 16, 0x101000 >> 0);
    /* Byte-wise all ones is sizing too */
    for (unsigned i = 0; i < 4; i++)
        wr(0x14 + i, 1, 0xff);
    assert_int_equal(rd(0x14, 4), 0xfffff000);
    assert_int_equal(rd(0x30, 4), 0);            /* no ROM */
}

static void test_command_filtered(void **state)
{
    (void)state;
    assert_int_equal(rd(0x04, 2), 0);            /* the VM's view starts at 0 */
    wr(0x04, 2, 0xffff);
    assert_int_equal(rd(0x04, 2), 0x0406);       /* MEM, MASTER, INTx disable */
    assert_int_equal(hw.b[4] | hw.b[5] << 8, 0x0406);
    wr(0x04, 2, 0x0000);
    assert_int_equal(rd(0x04, 2), 0);
    /* memory decoding stays on in the hardware: the BARs stay mapped */
    assert_int_equal(hw.b[4] | hw.b[5] << 8, 0x0002);
    wr(0x04, 1, 0x04);                           /* byte write: master only */
    assert_int_equal(rd(0x04, 2), 0x0004);
    wr(0x04, 4, 0xffff0002);                     /* with status: status dropped */
    assert_int_equal(rd(0x04, 2), 0x0002);
    assert_int_equal(hw.b[6], 0x10);
}

static void test_writes_elsewhere_dropped(void **state)
{
    (void)state;
    wr(0x00, 4, 0);
    wr(0x3c, 1, 0x23);
    wr(0x44, 4, 0);
    wr(0x48, 2, 0x8000);                         /* PCIe DEVCTL: FLR by the VM? no */
    wr(0x98, 4, 0xffffffff);                     /* MSI-X enable */
    wr(0x100, 4, 0);
    assert_int_equal(hw.writes, 0);
    assert_int_equal(rd(0x3c, 1), 0x23);         /* interrupt line: scratch */
    assert_int_equal(rd(0x00, 4), 0x10011af4);
}

static void test_bad_accesses_refused(void **state)
{
    uint32_t v;

    (void)state;
    assert_false(vpci_cfg_read(&bus.f[0], 0x01, 2, &v));
    assert_false(vpci_cfg_read(&bus.f[0], 0x02, 4, &v));
    assert_false(vpci_cfg_read(&bus.f[0], 0x1000, 1, &v));
    assert_false(vpci_cfg_read(&bus.f[0], 0x0, 3, &v));
    assert_false(vpci_cfg_write(&bus.f[0], 0x05, 2, 0));
    assert_false(vpci_cfg_write(&bus.f[0], 0x0, 8, 0));
}

static void test_ecam_routes_by_bdf(void **state)
{
    struct mmio_access a = { .offset = (2u << 15) | 0x00, .size = 4 };

    (void)state;
    assert_true(vpci_ecam_mmio(&bus, 0, &a));
    assert_int_equal(a.value, 0x10011af4);
    /* Another slot, another function, another bus: nobody there */
    a.offset = (1u << 15);
    assert_true(vpci_ecam_mmio(&bus, 0, &a));
    assert_int_equal(a.value, 0xffffffff);
    a.offset = (2u << 15) | (1u << 12);
    a.size = 2;
    assert_true(vpci_ecam_mmio(&bus, 0, &a));
    assert_int_equal(a.value, 0xffff);
    a.offset = (1u << 20) | (2u << 15);
    a.size = 4;
    assert_true(vpci_ecam_mmio(&bus, 0, &a));
    assert_int_equal(a.value, 0xffffffff);
    a.offset = (2u << 15) | 0x04;
    a.is_write = true;
    a.value = 0x6;
    assert_true(vpci_ecam_mmio(&bus, 0, &a));
    assert_int_equal(bus.f[0].command, 0x6);
    a.size = 8;
    assert_false(vpci_ecam_mmio(&bus, 0, &a));   /* 64-bit config accesses: abort */
    vpci_reset(&bus);
    assert_int_equal(bus.f[0].command, 0);
}

static void test_looping_capability_list(void **state)
{
    struct vpci b2 = { 0 };
    struct fake_cfg c = { 0 };
    struct vpci_bar bars[VPCI_NR_BARS] = { { 0 } };
    unsigned n = 0;
    uint32_t at, v;

    (void)state;
    put16(&c, 0x06, 0x10);
    c.b[0x34] = 0x40;
    c.b[0x40] = 0x09; c.b[0x41] = 0x50; c.b[0x42] = 0x08;
    c.b[0x50] = 0x09; c.b[0x51] = 0x40; c.b[0x52] = 0x08;     /* loops back */
    assert_int_equal(vpci_add(&b2, 0, 0, &fake_ops, &c, bars), 0);
    assert_true(b2.f[0].nr_caps <= VPCI_MAX_CAPS);
    for (vpci_cfg_read(&b2.f[0], 0x34, 1, &at); at && n < 100; n++)
        vpci_cfg_read(&b2.f[0], at + 1, 1, &at);
    assert_true(n < 100);                        /* the VM's list ends */
    assert_int_equal(vpci_add(&b2, 0, 0, &fake_ops, &c, bars), -1);    /* taken */
    assert_int_equal(vpci_add(&b2, 32, 0, &fake_ops, &c, bars), -1);
    (void)v;
}

/* A capability starting inside another's bytes is not offered: its next
 * pointer would be the other's contents. */
static void test_overlapping_capability_hidden(void **state)
{
    struct vpci b2 = { 0 };
    struct fake_cfg c = { 0 };
    struct vpci_bar bars[VPCI_NR_BARS] = { { 0 } };
    uint32_t at;

    (void)state;
    put16(&c, 0x06, 0x10);
    c.b[0x34] = 0x40;
    c.b[0x40] = 0x10; c.b[0x41] = 0x50;                       /* PCIe, to 0x7b */
    c.b[0x50] = 0x09; c.b[0x51] = 0x00; c.b[0x52] = 0x08;     /* inside it */
    assert_int_equal(vpci_add(&b2, 0, 0, &fake_ops, &c, bars), 0);
    assert_int_equal(b2.f[0].nr_caps, 1);
    vpci_cfg_read(&b2.f[0], 0x41, 1, &at);
    assert_int_equal(at, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_identity_passes_through, setup),
        cmocka_unit_test_setup(test_capability_list_virtualized, setup),
        cmocka_unit_test_setup(test_bars_fixed_sizing_works, setup),
        cmocka_unit_test_setup(test_command_filtered, setup),
        cmocka_unit_test_setup(test_writes_elsewhere_dropped, setup),
        cmocka_unit_test_setup(test_bad_accesses_refused, setup),
        cmocka_unit_test_setup(test_ecam_routes_by_bdf, setup),
        cmocka_unit_test(test_looping_capability_list),
        cmocka_unit_test(test_overlapping_capability_hidden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
