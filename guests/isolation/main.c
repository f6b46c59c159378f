/* isolation: a VM reaches its own RAM and its devices and nothing else.
 * Loads, stores and instruction fetches past the end of RAM (the first
 * byte, +2 MiB, +1 GiB), just below RAM, at the top of the IPA space and at
 * every 2 MiB block of the host RAM range, where elvisor and the other VMs
 * live, must each take a synchronous external abort and return no data.
 * The RAM range comes from the DTB's memory node.
 *
 * With "isolation.self=NAME isolation.peer=NAME" in its bootargs (the
 * two-VM configuration, tests/integration/configs/isolation-2vm.dts) the
 * guest also writes its marker into all of its RAM above its image, stores
 * it at every probed address, and then scans its own RAM for the peer's
 * marker: neither the peer's RAM nor its stray stores may show up there.
 * "isolation.wait-go" makes it scan once, after the runner types 'g' on the
 * console (sent when the peer has finished); without it the guest scans
 * repeatedly for a few seconds, printing "# scan pass N" as each starts so
 * the runner can check that a pass followed the peer's "# ready" line. */
#include "guest.h"

#include <stdarg.h>

#include "bootargs.h"
#include "dtb.h"
#include "isolation.h"
#include "lib/printf.h"

const char guest_name[] = "isolation";

#define MAX_RESULTS     48
#define FNV_OFFSET      0x811C9DC5U
#define FNV_PRIME       0x01000193U
#define SINGLE_VM_NAME  "solo"

struct result {
    const char *check;      /* NULL: a note */
    bool ok;
    char why[WHY_LEN];
};

static struct result results[MAX_RESULTS];
static unsigned nr_results;

static void vrecord(const char *check, bool ok, const char *fmt, va_list ap)
{
    struct result *r;

    if (nr_results == MAX_RESULTS) {
        /* Reported as a failure of its own rather than lost. */
        results[MAX_RESULTS - 1] = (struct result){ "too_many_results", false, "raise MAX_RESULTS" };
        return;
    }
    r = &results[nr_results++];
    r->check = check;
    r->ok = ok;
    r->why[0] = '\0';
    if (!ok && fmt)
        elv_vsnprintf(r->why, sizeof(r->why), fmt, ap);
}

void record(const char *check, bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vrecord(check, ok, fmt, ap);
    va_end(ap);
}

void record_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (nr_results < MAX_RESULTS) {
        struct result *r = &results[nr_results++];
        r->check = NULL;
        r->ok = true;
        elv_vsnprintf(r->why, sizeof(r->why), fmt, ap);
    }
    va_end(ap);
}

void report_results(void)
{
    for (unsigned i = 0; i < nr_results; i++) {
        const struct result *r = &results[i];
        if (!r->check)
            test_note("%s", r->why);
        else if (r->ok)
            test_pass(r->check);
        else
            test_fail(r->check, "%s", r->why);
    }
    nr_results = 0;
}

uint64_t marker_of(const char *name)
{
    uint32_t h = FNV_OFFSET;

    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * FNV_PRIME;
    return (MARKER_TAG << 32) | h;
}

extern char __image_start[], __image_end[];

void guest_main(void)
{
    struct vm_ram ram;
    struct peer_mode pm = { .self = SINGLE_VM_NAME };
    uint64_t base = 0, size = 0;
    char flag[2];
    int rc = dtb_memory(guest_dtb, &base, &size);
    const char *args = dtb_bootargs(guest_dtb);
    uint64_t img_start = (uint64_t)(uintptr_t)__image_start, img_end = (uint64_t)(uintptr_t)__image_end;

    bool mem_ok = rc == 1 && base == RAM_BASE && size >= BLOCK_SIZE && size % BLOCK_SIZE == 0 &&
                  img_start >= base && img_end <= base + size;
    record("dtb_memory", mem_ok, "memory node: %s, reg 0x%lx+0x%lx, image [0x%lx, 0x%lx)",
           rc == 1 ? "found" : rc == 0 ? "missing" : "DTB invalid", base, size, img_start, img_end);
    if (!mem_ok) {
        report_results();
        return;
    }
    ram.base = base;
    ram.end = base + size;
    record_note("RAM from the DTB: [0x%lx, 0x%lx)", ram.base, ram.end);

    bool two_vm = bootarg_get(args, "isolation.peer", pm.peer, sizeof(pm.peer));
    if (two_vm && !bootarg_get(args, "isolation.self", pm.self, sizeof(pm.self))) {
        record("bootargs", false, "isolation.peer without isolation.self: \"%s\"", args ? args : "");
        report_results();
        return;
    }
    pm.wait_go = bootarg_get(args, "isolation.wait-go", flag, sizeof(flag));
    uint64_t mark_self = marker_of(pm.self);
    if (two_vm && (mark_self == marker_of(pm.peer))) {
        record("bootargs", false, "%s and %s have the same marker", pm.self, pm.peer);
        report_results();
        return;
    }
    if (two_vm)
        record_note("VM %s, peer %s: marker 0x%lx; %s", pm.self, pm.peer, mark_self,
                    pm.wait_go ? "scans once on 'g' from the console" : "scans for a while");

    run_probes(&ram, mark_self);
    if (!two_vm) {
        report_results();
        return;
    }
    /* The fill covers the DTB too: nothing reads it from here on. */
    fill_own_ram(&ram, mark_self);
    scan_for_peer(&ram, &pm);
    report_results();
}
