/* The VM's GICv2m-style MSI frame (vdev/v2m.c): MSI_TYPER laid out as
 * QEMU 10.0.13's GICv2 `virt` frame reads (0x0050_0040: 64 SPIs from
 * INTID 80), SETSPI_NS raising exactly the SPIs of the range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "vdev/v2m.c"

static uint32_t raised[8];
static unsigned nr_raised;

static void raise_spi(void *ctx, uint32_t intid)
{
    assert_ptr_equal(ctx, raised);
    if (nr_raised < 8)
        raised[nr_raised] = intid;
    nr_raised++;
}

static bool access(struct v2m *m, uint64_t off, unsigned size, bool write, uint64_t *v)
{
    struct mmio_access a = { off, size, write, write ? *v : 0xdeadbeef };
    bool ok = v2m_mmio(m, 0, &a);
    if (!write)
        *v = a.value;
    return ok;
}

static void test_typer_like_qemu(void **state)
{
    struct v2m m;
    uint64_t v = 0;

    (void)state;
    assert_int_equal(v2m_init(&m, 80, 64, raise_spi, raised), 0);
    assert_true(access(&m, V2M_MSI_TYPER, 4, false, &v));
    assert_int_equal(v, 0x00500040);
    assert_true(access(&m, V2M_MSI_IIDR, 4, false, &v));
    assert_int_equal(v >> 20, 0x53);
    assert_true(access(&m, 0x100, 4, false, &v));
    assert_int_equal(v, 0);
    /* MSI_TYPER is read-only */
    v = 0x12345678;
    assert_true(access(&m, V2M_MSI_TYPER, 4, true, &v));
    assert_true(access(&m, V2M_MSI_TYPER, 4, false, &v));
    assert_int_equal(v, 0x00500040);
}

static void test_setspi(void **state)
{
    struct v2m m;
    uint64_t v;

    (void)state;
    nr_raised = 0;
    assert_int_equal(v2m_init(&m, 80, 64, raise_spi, raised), 0);
    v = 80;
    assert_true(access(&m, V2M_MSI_SETSPI_NS, 4, true, &v));
    v = 143;
    assert_true(access(&m, V2M_MSI_SETSPI_NS, 4, true, &v));
    assert_int_equal(nr_raised, 2);
    assert_int_equal(raised[0], 80);
    assert_int_equal(raised[1], 143);
    /* Outside the range: another VM's SPI, a PPI, elvisor's: nothing. */
    uint64_t outside[] = { 79, 144, 27, 1023, 0 };
    for (unsigned i = 0; i < 5; i++) {
        v = outside[i];
        assert_true(access(&m, V2M_MSI_SETSPI_NS, 4, true, &v));
    }
    assert_int_equal(nr_raised, 2);
    assert_int_equal(m.ignored, 5);
    /* Bits above the INTID field are ignored, as the frame's are. */
    v = 0xfffff000u | 81;
    assert_true(access(&m, V2M_MSI_SETSPI_NS, 4, true, &v));
    assert_int_equal(nr_raised, 3);
    assert_int_equal(raised[2], 81);
}

static void test_bad_accesses(void **state)
{
    struct v2m m;
    uint64_t v = 80;

    (void)state;
    nr_raised = 0;
    assert_int_equal(v2m_init(&m, 80, 64, raise_spi, raised), 0);
    assert_false(access(&m, V2M_MSI_SETSPI_NS, 8, true, &v));
    assert_false(access(&m, V2M_MSI_SETSPI_NS, 2, true, &v));
    assert_false(access(&m, V2M_MSI_SETSPI_NS + 2, 4, true, &v));
    assert_false(access(&m, V2M_FRAME_SIZE, 4, false, &v));
    assert_int_equal(nr_raised, 0);

    assert_true(v2m_init(&m, 31, 1, raise_spi, raised) < 0);       /* a PPI */
    assert_true(v2m_init(&m, 80, 0, raise_spi, raised) < 0);
    assert_true(v2m_init(&m, 1000, 21, raise_spi, raised) < 0);    /* past 1019 */
    assert_int_equal(v2m_init(&m, 1000, 20, raise_spi, raised), 0);
    assert_true(v2m_init(&m, 80, 1, NULL, raised) < 0);
}

static void test_owns(void **state)
{
    struct v2m m;

    (void)state;
    assert_int_equal(v2m_init(&m, 80, 64, raise_spi, raised), 0);
    assert_true(v2m_owns(&m, 0x08020000, 0x08020040, 80));
    assert_true(v2m_owns(&m, 0x08020000, 0x08020040, 143));
    assert_false(v2m_owns(&m, 0x08020000, 0x08020040, 144));
    assert_false(v2m_owns(&m, 0x08020000, 0x08020044, 80));
    assert_false(v2m_owns(&m, 0x08020000, 0x08090040, 80));    /* the ITS's doorbell */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typer_like_qemu),
        cmocka_unit_test(test_setspi),
        cmocka_unit_test(test_bad_accesses),
        cmocka_unit_test(test_owns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
