/* A vCPU's EL1 physical timer where the hardware cannot offset it
 * (docs/vtimer.md): the trapped CNTPCT/CNTP_* registers, and the watch over
 * the timers of vCPUs that are not loaded. The arithmetic is vdev/vtimer.h. */
#ifndef ELVISOR_TRAP_VTIMER_H
#define ELVISOR_TRAP_VTIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "vdev/vtimer.h"

struct vcpu;
struct sysreg_desc;

/* For a vCPU that is not loaded (its timers are in v->timers, not in the
 * hardware): every EL1 timer whose condition holds at hardware count now is
 * injected into the vGIC as the forwarded interrupt it would be if loaded,
 * unless that interrupt is still pending or active there. Returns the
 * earliest hardware count at which one of the others fires, VTIMER_NEVER
 * if none will; *fired says whether one was injected. */
uint64_t vtimer_poll_unloaded(struct vcpu *v, uint64_t now, bool *fired);

/* For a loaded vCPU: the same for each of its timers that no hardware
 * timer runs in its current context (v->tmap), e.g. a guest hypervisor's
 * EL2 timers while its guest runs. */
uint64_t vtimer_poll_sw(struct vcpu *v, uint64_t now, bool *fired);

/* The offset between the hardware count and the count timer id compares
 * with: the VM's, plus v->timer_voff for the EL1 virtual timer. */
uint64_t vtimer_offset(const struct vcpu *v, enum vtimer_id id);
/* That count now. */
uint64_t vtimer_ctx_count(const struct vcpu *v, enum vtimer_id id);
/* Timer id's CTL and CVAL as its guest sees them, wherever it is: the
 * hardware EL1 timer that runs it while the vCPU is loaded, else memory
 * (ISTATUS then computed from CVAL and the count now). A write reaches
 * both; CTL keeps ENABLE and IMASK only. */
uint64_t vtimer_ctx_ctl(const struct vcpu *v, enum vtimer_id id);
void vtimer_ctx_set_ctl(struct vcpu *v, enum vtimer_id id, uint64_t val);
uint64_t vtimer_ctx_cval(const struct vcpu *v, enum vtimer_id id);
void vtimer_ctx_set_cval(struct vcpu *v, enum vtimer_id id, uint64_t cval);

/* Trapped-register handlers for the sysreg table (emulated mode only). */
bool vtimer_cntpct_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
bool vtimer_cntpctss_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
bool vtimer_ptimer_ctl_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
bool vtimer_ptimer_ctl_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val);
bool vtimer_ptimer_cval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
bool vtimer_ptimer_cval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val);
bool vtimer_ptimer_tval_read(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val);
bool vtimer_ptimer_tval_write(struct vcpu *v, const struct sysreg_desc *d, uint64_t val);

#endif
