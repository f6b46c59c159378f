/* BAR placement (arch/arm64/pci_bars.c): every memory BAR naturally
 * aligned inside the window, none overlapping, none sharing a 4 KiB page,
 * 32-bit BARs below 4 GiB, and a BAR that does not fit left disabled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "arch/arm64/pci_bars.c"

#define WIN_BASE    0x10000000ULL
#define WIN_SIZE    0x2eff0000ULL       /* QEMU virt's 32-bit window */

static uint64_t span(const struct pci_bar *b)
{
    return b->size < 0x1000 ? 0x1000 : b->size;
}

static void check_placement(struct pci_bar *b, unsigned n, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < n; i++) {
        if (b[i].io || b[i].size == 0)
            continue;
        assert_true(b[i].addr >= base);
        assert_true(b[i].addr + span(&b[i]) <= base + size);
        assert_int_equal(b[i].addr & (span(&b[i]) - 1), 0);
        if (!b[i].is64)
            assert_true(b[i].addr + span(&b[i]) <= (1ULL << 32));
        for (unsigned j = 0; j < i; j++) {
            if (b[j].io || b[j].size == 0)
                continue;
            assert_true(b[i].addr + span(&b[i]) <= b[j].addr || b[j].addr + span(&b[j]) <= b[i].addr);
        }
    }
}

static void test_edu_and_virtio(void **state)
{
    /* edu: BAR0 1 MiB; virtio-blk-pci: BAR1 4 KiB, BAR4 16 KiB 64-bit
     * prefetchable; an I/O BAR that stays unplaced */
    struct pci_bar b[4] = {
        { .size = 0x100000 },
        { .size = 0x1000 },
        { .size = 0x4000, .is64 = true, .prefetch = true },
        { .size = 0x20, .io = true },
    };
    struct pci_bar *p[4] = { &b[0], &b[1], &b[2], &b[3] };

    (void)state;
    assert_int_equal(pci_bars_place(p, 4, WIN_BASE, WIN_SIZE), 0);
    check_placement(b, 4, WIN_BASE, WIN_SIZE);
    assert_int_equal(b[0].addr, WIN_BASE);              /* largest first */
    assert_int_equal(b[2].addr, WIN_BASE + 0x100000);
    assert_int_equal(b[1].addr, WIN_BASE + 0x104000);
    assert_int_equal(b[3].addr, 0);
}

static void test_small_bars_get_own_page(void **state)
{
    struct pci_bar b[3] = { { .size = 0x10 }, { .size = 0x100 }, { .size = 0x80 } };
    struct pci_bar *p[3] = { &b[0], &b[1], &b[2] };

    (void)state;
    assert_int_equal(pci_bars_place(p, 3, WIN_BASE, WIN_SIZE), 0);
    check_placement(b, 3, WIN_BASE, WIN_SIZE);
    assert_true(b[0].addr >> 12 != b[1].addr >> 12);
    assert_true(b[0].addr >> 12 != b[2].addr >> 12);
    assert_true(b[1].addr >> 12 != b[2].addr >> 12);
}

static void test_does_not_fit(void **state)
{
    /* A 1 MiB window (unaligned base) holds the 512 KiB BAR and two of the
     * 256 KiB ones only. */
    struct pci_bar b[4] = { { .size = 0x80000 }, { .size = 0x40000 }, { .size = 0x40000 }, { .size = 0x40000 } };
    struct pci_bar *p[4] = { &b[0], &b[1], &b[2], &b[3] };
    unsigned placed = 0;

    (void)state;
    assert_int_equal(pci_bars_place(p, 4, 0x20040000ULL, 0x100000), -1);
    check_placement(b, 4, 0x20040000ULL, 0x100000);
    for (unsigned i = 0; i < 4; i++)
        placed += b[i].size != 0;
    assert_int_equal(placed, 2);
    /* A BAR bigger than the window */
    struct pci_bar big = { .size = 1ULL << 31 };
    struct pci_bar *pb[1] = { &big };
    assert_int_equal(pci_bars_place(pb, 1, WIN_BASE, WIN_SIZE), -1);
    assert_int_equal(big.size, 0);
    assert_int_equal(big.addr, 0);
}

static void test_32bit_bar_below_4g(void **state)
{
    /* A window that crosses 4 GiB: the 32-bit BAR must not go above. */
    struct pci_bar b[2] = { { .size = 0x10000000, .is64 = true }, { .size = 0x10000000 } };
    struct pci_bar *p[2] = { &b[0], &b[1] };

    (void)state;
    assert_int_equal(pci_bars_place(p, 2, 0xf0000000ULL, 0x20000000ULL), -1);
    assert_int_equal(b[0].addr, 0xf0000000ULL);
    assert_int_equal(b[1].size, 0);
}

static void test_random_sets(void **state)
{
    unsigned seed = 7;

    (void)state;
    for (unsigned round = 0; round < 2000; round++) {
        struct pci_bar b[12] = { { 0 } };
        struct pci_bar *p[12];
        unsigned n = 1 + round % 12;
        for (unsigned i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            b[i].size = 1ULL << (4 + (seed >> 16) % 24);
            b[i].is64 = (seed >> 8) & 1;
            b[i].io = ((seed >> 9) & 7) == 0;
            p[i] = &b[i];
        }
        uint64_t base = WIN_BASE + ((seed >> 4) & 0xff) * 0x1000;
        uint64_t size = 1ULL << (20 + round % 10);
        pci_bars_place(p, n, base, size);
        check_placement(b, n, base, size);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edu_and_virtio),
        cmocka_unit_test(test_small_bars_get_own_page),
        cmocka_unit_test(test_does_not_fit),
        cmocka_unit_test(test_32bit_bar_below_4g),
        cmocka_unit_test(test_random_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
