#include "arch/arm64/pl011.h"
#include "core/console.h"
#include "core/vm.h"
#include "lib/spinlock.h"

static spinlock_t input_lock = SPINLOCK_INIT;
static volatile bool input_blocked;
static int held = -1;       /* a character read but not yet delivered */

static struct vm *console_vm(void)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (vms[i].cfg->console && vms[i].state == VM_RUNNING)
            return &vms[i];
    return NULL;
}

void console_input_pump(void)
{
    struct vm *vm = console_vm();
    bool full = false;

    spin_lock(&input_lock);
    if (vm)
        spin_lock(&vm->lock);
    pl011_ack_rx();
    for (;;) {
        if (held < 0)
            held = pl011_getc();
        if (held < 0)
            break;
        if (!vm) {
            held = -1;          /* nobody takes console input: discard */
            continue;
        }
        if (!vuart_rx_push(&vm->uart, (char)held)) {
            full = true;
            break;
        }
        held = -1;
    }
    /* Published before the VM lock is dropped: a guest that drains the
     * FIFO right after must see it, or input would stop with an empty FIFO
     * and the physical receive interrupt off (seen under host load, when
     * this CPU's thread was descheduled between the two). */
    input_blocked = full;
    if (vm)
        spin_unlock(&vm->lock);
    pl011_set_rx_irq(!full);
    spin_unlock(&input_lock);
}

/* Called after the guest's DR read, with the VM lock released. */
void console_input_guest_read(void)
{
    if (input_blocked)
        console_input_pump();
}
