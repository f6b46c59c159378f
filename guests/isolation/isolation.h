/* Shared by the isolation guest's files: deferred results and the marker
 * word a VM writes into its own RAM and at every address it must not reach. */
#ifndef ISOLATION_H
#define ISOLATION_H

#include <stdbool.h>
#include <stdint.h>

#define BLOCK_SIZE      0x200000UL      /* stage-2 block: the unit elvisor maps RAM in */
#define PAGE_SIZE       0x1000UL
#define WORD_SIZE       8UL
#define WHY_LEN         160

/* Results are printed at the end, not as they come: with two VMs on one
 * console, lines printed at the same time by both could be cut apart. */
void record(const char *check, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void record_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_results(void);

/* Upper half of every marker word: which VM wrote it is in the lower half. */
#define MARKER_TAG      0x1501A7EDUL

/* The marker of the VM called name. Computed at run time from the DTB's
 * bootargs, so the 64-bit value is nowhere in the image. */
uint64_t marker_of(const char *name);

/* Loads, stores and instruction fetches outside the VM (probe.c). */
struct vm_ram {
    uint64_t base, end;
};
void run_probes(const struct vm_ram *ram, uint64_t store_value);

/* The two-VM part (share.c): fill own RAM, scan it for the peer's marker. */
struct peer_mode {
    char self[16];
    char peer[16];
    bool wait_go;
};
void fill_own_ram(const struct vm_ram *ram, uint64_t mark_self);
void scan_for_peer(const struct vm_ram *ram, const struct peer_mode *pm);

#endif
