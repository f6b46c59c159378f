/* The two-VM part: what one VM writes must never be visible to the other.
 * Each VM fills its RAM above its image with its marker (and has stored it
 * at every probed address outside its RAM); each then scans its own RAM: no
 * word may hold the peer's marker, and the words it filled must still hold
 * its own. The image itself (code, data, stacks) is not scanned: the code
 * that builds the peer's marker keeps it in registers and on the stack. */
#include "guest.h"

#include "isolation.h"

#define SCAN_WINDOW_US      3000000     /* scanning without a go signal */
#define MIN_SCAN_PASSES     2
#define PASS_NOTE_US        500000      /* few lines: they share the console with the peer */
#define GO_CHAR             'g'
#define GO_TIMEOUT_US       600000000   /* the runner's own timeout ends it first */

extern char __image_start[], __image_end[];

struct scan_stats {
    unsigned long peer_words;
    uint64_t first_peer;
    unsigned long changed;
    uint64_t first_changed, changed_value;
};

void fill_own_ram(const struct vm_ram *ram, uint64_t mark_self)
{
    for (uint64_t p = (uint64_t)(uintptr_t)__image_end; p < ram->end; p += WORD_SIZE)
        *(volatile uint64_t *)(uintptr_t)p = mark_self;
    dsb(sy);
}

static void scan_pass(const struct vm_ram *ram, uint64_t mark_self, uint64_t mark_peer,
                      struct scan_stats *st)
{
    uint64_t img_start = (uint64_t)(uintptr_t)__image_start;
    uint64_t img_end = (uint64_t)(uintptr_t)__image_end;

    for (uint64_t p = ram->base; p < img_start; p += WORD_SIZE) {
        uint64_t w = *(volatile uint64_t *)(uintptr_t)p;
        if (w == mark_peer && st->peer_words++ == 0)
            st->first_peer = p;
    }
    for (uint64_t p = img_end; p < ram->end; p += WORD_SIZE) {
        uint64_t w = *(volatile uint64_t *)(uintptr_t)p;
        if (w == mark_self)
            continue;
        if (w == mark_peer && st->peer_words++ == 0)
            st->first_peer = p;
        if (st->changed++ == 0) {
            st->first_changed = p;
            st->changed_value = w;
        }
    }
}

static bool wait_for_go(void)
{
    uint64_t deadline = cntvct() + ticks_from_us(GO_TIMEOUT_US);

    while (cntvct() < deadline)
        if (console_getc_nonblock() == GO_CHAR)
            return true;
    return false;
}

void scan_for_peer(const struct vm_ram *ram, const struct peer_mode *pm)
{
    uint64_t mark_self = marker_of(pm->self), mark_peer = marker_of(pm->peer);
    struct scan_stats st = { 0 };
    unsigned passes = 0;

    /* The runner orders the peer's scans after this line. */
    test_note("ready: RAM above the image filled, stores outside RAM made");
    if (pm->wait_go) {
        test_note("waiting for '%c' on the console", GO_CHAR);
        if (!wait_for_go()) {
            record("peer_data_absent", false, "no '%c' from the runner: nothing scanned", GO_CHAR);
            return;
        }
        scan_pass(ram, mark_self, mark_peer, &st);
        passes = 1;
    } else {
        /* Only passes announced by a line count as witnesses for the
         * runner; the others scan all the same. */
        uint64_t start = cntvct(), noted = 0;
        while (passes < MIN_SCAN_PASSES || cntvct() - start < ticks_from_us(SCAN_WINDOW_US)) {
            passes++;
            if (passes == 1 || cntvct() - noted >= ticks_from_us(PASS_NOTE_US)) {
                noted = cntvct();
                test_note("scan pass %u", passes);
            }
            scan_pass(ram, mark_self, mark_peer, &st);
        }
    }
    record_note("%u scan pass(es) of [0x%lx, 0x%lx) outside the image [0x%lx, 0x%lx)", passes,
                ram->base, ram->end, (uint64_t)(uintptr_t)__image_start,
                (uint64_t)(uintptr_t)__image_end);
    record("peer_data_absent", st.peer_words == 0,
           "%s's marker 0x%lx found %lu times in own RAM over %u pass(es), first at 0x%lx",
           pm->peer, mark_peer, st.peer_words, passes, st.first_peer);
    record("own_fill_intact", st.changed == 0,
           "words above the image not holding 0x%lx: %lu over %u pass(es), first at 0x%lx: 0x%lx",
           mark_self, st.changed, passes, st.first_changed, st.changed_value);
}
