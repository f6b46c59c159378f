#include "arch/arm64/pl011.h"
#include "core/console.h"
#include "core/monitor.h"
#include "core/vm.h"
#include "lib/spinlock.h"

/* Characters read from the physical UART wait here until the target VM's
 * FIFO has room. Reading ahead of the guest is what lets the escape be
 * seen while the console VM does not read its UART (hung, busy): it is
 * recognized while fewer than the guest's 32-entry FIFO plus this many
 * characters wait. Beyond that, input stays in the physical UART. */
#define INPUT_QUEUE     256

static spinlock_t input_lock = SPINLOCK_INIT;
static volatile bool input_blocked;
static char queue[INPUT_QUEUE];
static unsigned q_head, q_count;
static bool escape_seen;        /* CONSOLE_ESCAPE read, the next key decides */
static int target = -1;
static bool target_chosen;

int console_input_target(void)
{
    if (!target_chosen) {
        for (unsigned i = 0; i < nr_vms; i++)
            if (vms[i].cfg->console) {
                target = (int)i;
                break;
            }
        target_chosen = true;
    }
    return target;
}

/* Called by the prompt, which runs inside console_input_pump() with the
 * input lock held: no lock here. What waits in the queue goes to the new
 * target (it was typed before the escape, but the old target may never
 * read it; documented in docs/running.md). */
void console_input_set_target(int vm_id)
{
    target = vm_id;
    target_chosen = true;
}

static void enqueue(char c)
{
    queue[(q_head + q_count) % INPUT_QUEUE] = c;
    q_count++;
}

/* One key from the physical UART: to the prompt, to the queue, or (the
 * escape's first key) held until the next one says what it was. */
static void take_key(char c)
{
    if (monitor_is_open()) {
        monitor_input(c);
        return;
    }
    if (escape_seen) {
        escape_seen = false;
        if (c == CONSOLE_ESCAPE_OPEN) {
            monitor_open();
            return;
        }
        /* Not an escape after all: both keys go on, in order. */
        enqueue((char)CONSOLE_ESCAPE);
        enqueue(c);
        return;
    }
    if (c == CONSOLE_ESCAPE) {
        escape_seen = true;
        return;
    }
    enqueue(c);
}

static struct vm *running_target(void)
{
    int t = console_input_target();

    return t >= 0 && (unsigned)t < nr_vms && vms[t].state == VM_RUNNING ? &vms[t] : NULL;
}

void console_input_pump(void)
{
    struct vm *vm;
    bool room;

    spin_lock(&input_lock);
    pl011_ack_rx();
    /* Two free entries: an escape that was none puts two keys at once. */
    while (q_count + 2 <= INPUT_QUEUE) {
        int c = pl011_getc();
        if (c < 0)
            break;
        take_key((char)c);
    }
    vm = running_target();
    if (!vm) {
        q_count = 0;            /* nobody takes console input: discard */
    } else {
        spin_lock(&vm->lock);
        while (q_count && vuart_rx_push(&vm->uart, queue[q_head])) {
            q_head = (q_head + 1) % INPUT_QUEUE;
            q_count--;
        }
        /* Published before the VM lock is dropped: a guest that drains the
         * FIFO right after must see it, or input would stop with an empty
         * FIFO and the physical receive interrupt off (seen under host
         * load, when this CPU's thread was descheduled between the two). */
        input_blocked = q_count != 0;
        spin_unlock(&vm->lock);
    }
    if (!vm)
        input_blocked = false;
    room = q_count + 2 <= INPUT_QUEUE;
    pl011_set_rx_irq(room);
    spin_unlock(&input_lock);
}

/* Called after a guest's DR read, with the VM lock released. */
void console_input_guest_read(void)
{
    if (input_blocked)
        console_input_pump();
}
