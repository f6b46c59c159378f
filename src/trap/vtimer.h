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

/* For a vCPU that is not loaded (its timers are in v->timer, not in the
 * hardware): every EL1 timer whose condition holds at hardware count now is
 * injected into the vGIC as the forwarded interrupt it would be if loaded,
 * unless that interrupt is still pending or active there. Returns the
 * earliest hardware count at which one of the others fires, VTIMER_NEVER
 * if none will; *fired says whether one was injected. */
uint64_t vtimer_poll_unloaded(struct vcpu *v, uint64_t now, bool *fired);

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
