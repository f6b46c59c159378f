/* What vel2nest's parts share to run its guest (main.c, controls.c). */
#ifndef VEL2NEST_NEST_H
#define VEL2NEST_NEST_H

#include <stdbool.h>
#include <stdint.h>

#include "run.h"

#define HCR_VM                  BIT(0)
#define HCR_IMO                 BIT(4)
#define HCR_TWI                 BIT(13)
#define HCR_TID3                BIT(18)
#define HCR_TVM                 BIT(26)
#define HCR_TGE                 BIT(27)
#define HCR_RW                  BIT(31)
#define HCR_TERR                BIT(36)
#define ESR_SYS_READ            BIT(0)
#define ESR_EC_SYS64            0x18
#define ESR_IL                  BIT(25)
#define ESR_SYS_RT(esr)         FIELD(esr, 5, 5)
#define CPTR_FPEN_NOTRAP        (3UL << 20)     /* CPTR_EL2 (E2H = 1) FPEN */
#define ISS_SYS_RT_MASK         (0x1fUL << 5)
#define ID_EMULATED             0x0000000012345678UL    /* what L1 answers for a trapped read */
#define NAME_MAX_LEN            40

/* What the payload's exits showed. Only the lower-EL synchronous entry of
 * nest_vectors (VBAR_EL2 + 0x400) reaches nest_exit_c; an exit delivered at
 * any other offset lands in the library's handlers, which fail the guest. */
struct nest_seen {
    unsigned n;
    uint64_t id_esr, id_elr, id_spsr;
    uint64_t wfi_esr, wfi_elr;
    uint64_t hvc_esr, hvc_elr, hvc_spsr;
    uint64_t l2_id, l2_probe, l2_sctlr, l2_el, bad_esr, bad_elr;
    unsigned sys_n, fp_n;
    uint64_t fp_esr, fp_elr;
    uint64_t sys_esr[32];
    bool ended, unexpected;
    bool irq;
    uint64_t irq_elr, irq_spsr, irq_iar, irq_count;
    bool fiq;
    uint64_t fiq_elr, fiq_iar;
};
extern struct nest_seen seen;

/* What its checks clear of HCR_EL2 for a run unless they ask for it:
 * stage 2, the traps and routing of the first run. */
#define NEST_HCR_QUIET          (HCR_VM | HCR_TID3 | HCR_TWI | HCR_TVM | HCR_IMO)

/* Its controls over its guest (controls.c). */
void check_l2_cnthctl(void);
void check_l2_mdcr(void);
void check_l2_ids(void);
void check_l2_hcr_traps(void);
void check_l2_cptr(void);
void check_l2_maint(void);
void check_l2_mops(void);
/* Its HCR_EL2.TID1, TID4 and TID5 over its guest (idgroups.c). */
void check_l2_id_groups(void);

/* Its HCR_EL2.FMO/IMO routing of its own interrupts while its guest runs
 * (route.c); nest_exit_c hands an FIQ exit (nest_irq_flag ==
 * NEST_FLAG_FIQ) to nest_fiq_exit. */
#define NEST_FLAG_FIQ           2
void check_fmo_routing(void);
void check_vse(void);
void check_vi_vf(void);
struct exc_frame;
void nest_fiq_exit(struct exc_frame *f);

#endif
