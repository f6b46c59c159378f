/* Library start-up on the boot CPU, then the guest's guest_main(). */
#include "guest.h"
#include "bootargs.h"
#include "dtb.h"

/* The exception level the library is built for (GUEST_EL2: guests.mk's
 * EL2_GUESTS). */
#ifdef GUEST_EL2
#define GUEST_EL        2
#define BOOT_EL_CHECK   "boot_el2"
#else
#define GUEST_EL        1
#define BOOT_EL_CHECK   "boot_el1"
#endif

const void *guest_dtb;
uint64_t guest_entry_cntvct, guest_entry_cntpct;
uint64_t guest_entry_hcr;
#ifdef GUEST_EL2
/* A guest that runs as a non-VHE hypervisor defines it as true (head.S). */
__attribute__((weak)) const bool guest_el2_nvhe = false;
#endif

void guest_primary_c(const void *dtb, uint64_t current_el);

void guest_primary_c(const void *dtb, uint64_t current_el)
{
    char unused[2];

    guest_dtb = dtb;
    console_init();
    test_quiet = bootarg_get(dtb_bootargs(dtb), "test.quiet", unused, sizeof(unused));
    unsigned cpus = smp_init(dtb);
    if (!test_quiet)
        gprintf("# guest %s: dtb=%p cpus=%u\n", guest_name, dtb, cpus);
    if (CURRENTEL_EL(current_el) != GUEST_EL) {
        test_fail(BOOT_EL_CHECK, "entered at EL%lu, this guest runs at EL%u",
                  (unsigned long)CURRENTEL_EL(current_el), GUEST_EL);
        test_done();
    }
    unsigned gic = guest_gic_probe(dtb);
    if (test_quiet)
        ;
    else if (gic == 2)
        gprintf("# gic: v2, GICD=0x%lx GICC=0x%lx%s\n", guest_gic_dist_base(), guest_gic_cpuif_base(),
                guest_gic_from_dtb() ? "" : " (not in the DTB: platform defaults)");
    else
        gprintf("# gic: v3, GICD=0x%lx%s\n", guest_gic_dist_base(),
                guest_gic_from_dtb() ? "" : " (not in the DTB: platform defaults)");
    guest_gic_dist_init();
    if (guest_gic_cpu_init() != 0) {
        test_fail("boot_gic", "no redistributor for MPIDR 0x%lx", read_sysreg(mpidr_el1));
        test_done();
    }
    guest_main();
    test_done();
}
