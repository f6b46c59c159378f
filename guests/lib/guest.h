/* Everything a test guest includes. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "exceptions.h"
#include "gic.h"
#include "mmio.h"
#include "platform.h"
#include "psci.h"
#include "smp.h"
#include "sysreg.h"
#include "test.h"
#include "timer.h"

/* The DTB address the guest was entered with. */
extern const void *guest_dtb;
/* CNTVCT_EL0 and CNTPCT_EL0 read by the guest's first instructions. */
extern uint64_t guest_entry_cntvct, guest_entry_cntpct;
/* HCR_EL2 as the boot CPU found it at EL2 (GUEST_EL2 builds; else 0). */
extern uint64_t guest_entry_hcr;
/* GUEST_EL2 builds: true in a guest that runs at EL2 with E2H = 0 (it
 * defines it; the library's weak definition says false). */
extern const bool guest_el2_nvhe;

/* Evaluates cond until it holds or timeout_us of counter time passed;
 * yields whether it held. */
#define WAIT_UNTIL(cond, timeout_us)                                        \
    ({                                                                      \
        uint64_t deadline__ = cntvct() + ticks_from_us(timeout_us);         \
        bool ok__;                                                          \
        while (!(ok__ = (cond)) && cntvct() < deadline__)                   \
            cpu_relax();                                                    \
        ok__;                                                               \
    })

#define WAIT_TIMEOUT_US 2000000     /* generous: TCG on a loaded host is slow */

#endif
