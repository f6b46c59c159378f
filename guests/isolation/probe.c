/* Accesses outside the VM: each must take a synchronous external abort at
 * EL1, reported precisely (EC, FSC, WnR, FAR, ELR), with a load's register
 * left as it was and a store gone nowhere. */
#include "guest.h"

#include "dtb.h"
#include "isolation.h"
#include "lib/printf.h"

/* tools/elvisor-run gives the machine 2 GiB from 0x4000_0000 (QEMU virt's
 * RAM), or the VMs' total + 512 MiB when that is more: elvisor, its page
 * tables and the other VMs' RAM all live in there, so no IPA from the VM's
 * RAM end up to the larger of HOST_RAM_END and RAM end + HOST_RAM_MIN_EXTRA
 * may reach anything. */
#define HOST_RAM_BASE       0x40000000UL
#define HOST_RAM_SIZE       0x80000000UL
#define HOST_RAM_END        (HOST_RAM_BASE + HOST_RAM_SIZE)
#define HOST_RAM_MIN_EXTRA  0x20000000UL
#define GiB                 0x40000000UL

/* What a load's destination holds before the access: an aborted load must
 * leave it so. */
#define LOAD_SENTINEL       0x5A17C0DE5A17C0DEUL

/* Each access records the address of its own instruction in *pc so the
 * reported ELR can be compared with it. */
#define DEFINE_PROBE_LOAD(fn, insn, mod)                                    \
    static uint64_t fn(uintptr_t addr, uint64_t value, uint64_t *pc)        \
    {                                                                       \
        uint64_t v = LOAD_SENTINEL;                                         \
        (void)value;                                                        \
        __asm__ volatile("adr %1, 1f\n1:\t" insn " %" mod "0, [%2]"         \
                         : "+r"(v), "=&r"(*pc)                              \
                         : "r"(addr)                                        \
                         : "memory");                                       \
        return v;                                                           \
    }

#define DEFINE_PROBE_STORE(fn, insn, mod)                                   \
    static uint64_t fn(uintptr_t addr, uint64_t value, uint64_t *pc)        \
    {                                                                       \
        __asm__ volatile("adr %0, 1f\n1:\t" insn " %" mod "1, [%2]"         \
                         : "=&r"(*pc)                                       \
                         : "r"(value), "r"(addr)                            \
                         : "memory");                                       \
        return 0;                                                           \
    }

DEFINE_PROBE_LOAD(probe_ldrb, "ldrb", "w")
DEFINE_PROBE_LOAD(probe_ldr_w, "ldr", "w")
DEFINE_PROBE_LOAD(probe_ldr_x, "ldr", "x")
DEFINE_PROBE_STORE(probe_strb, "strb", "w")
DEFINE_PROBE_STORE(probe_str_w, "str", "w")
DEFINE_PROBE_STORE(probe_str_x, "str", "x")

struct access {
    const char *insn;
    bool is_write;
    uint64_t (*fn)(uintptr_t addr, uint64_t value, uint64_t *pc);
};

static const struct access loads[] = {
    { "LDRB", false, probe_ldrb },
    { "LDR W", false, probe_ldr_w },
    { "LDR X", false, probe_ldr_x },
};
static const struct access stores[] = {
    { "STRB", true, probe_strb },
    { "STR W", true, probe_str_w },
    { "STR X", true, probe_str_x },
};
#define NR_ACCESSES (sizeof(loads) / sizeof(loads[0]))

extern void isolation_branch_to(uint64_t target);
extern char isolation_branch_resume[];

/* true when the access took exactly the abort a bus error gives; otherwise
 * why not, in why. */
static bool probe_one(const struct access *a, uint64_t addr, uint64_t value, char *why, size_t n)
{
    struct sync_record rec;
    uint64_t pc = 0, got;

    exc_expect_sync();
    got = a->fn(addr, value, &pc);
    if (!exc_take_sync(&rec)) {
        if (a->is_write)
            elv_snprintf(why, n, "%s to 0x%lx completed without an abort", a->insn, addr);
        else
            elv_snprintf(why, n, "%s from 0x%lx read 0x%lx without an abort", a->insn, addr, got);
        return false;
    }

    uint64_t ec = ESR_EC(rec.esr), dfsc = ESR_DABT_DFSC(rec.esr);
    bool wnr = rec.esr & ESR_DABT_WNR, fnv = rec.esr & ESR_DABT_FNV;

    if (ec != ESR_EC_DABT_CUR)
        elv_snprintf(why, n, "%s 0x%lx: ESR 0x%lx: EC 0x%lx, want a data abort (0x%x)", a->insn,
                     addr, rec.esr, ec, ESR_EC_DABT_CUR);
    else if (dfsc != DFSC_SEA)
        elv_snprintf(why, n, "%s 0x%lx: ESR 0x%lx: DFSC 0x%lx, want synchronous external abort",
                     a->insn, addr, rec.esr, dfsc);
    else if (wnr != a->is_write)
        elv_snprintf(why, n, "%s 0x%lx: ESR 0x%lx: WnR %d", a->insn, addr, rec.esr, wnr);
    else if (fnv || rec.far != addr)
        elv_snprintf(why, n, "%s 0x%lx: FAR 0x%lx (FnV %d)", a->insn, addr, rec.far, fnv);
    else if (rec.elr != pc)
        elv_snprintf(why, n, "%s 0x%lx: ELR 0x%lx, want 0x%lx", a->insn, addr, rec.elr, pc);
    else if (!a->is_write && got != LOAD_SENTINEL)
        elv_snprintf(why, n, "%s 0x%lx aborted but changed its register to 0x%lx", a->insn, addr,
                     got);
    else
        return true;
    return false;
}

/* Every access size at each address. */
static void check_site(const char *check, const struct access *acc, const uint64_t *addrs,
                       unsigned naddrs, uint64_t value)
{
    char why[WHY_LEN];

    for (unsigned i = 0; i < naddrs; i++)
        for (unsigned k = 0; k < NR_ACCESSES; k++)
            if (!probe_one(&acc[k], addrs[i], value, why, sizeof(why))) {
                record(check, false, "%s", why);
                return;
            }
    record(check, true, NULL);
}

static void check_site_rw(const char *load_check, const char *store_check, const uint64_t *addrs,
                          unsigned naddrs, uint64_t value)
{
    check_site(load_check, loads, addrs, naddrs, value);
    check_site(store_check, stores, addrs, naddrs, value);
}

/* The first and the last doubleword of every 2 MiB block in [from, to). */
static void check_range(const char *check, const struct access *a, uint64_t from, uint64_t to,
                        uint64_t value)
{
    char why[WHY_LEN], first[WHY_LEN] = "";
    unsigned probes = 0, bad = 0;

    for (uint64_t b = from; b < to; b += BLOCK_SIZE) {
        const uint64_t addrs[] = { b, b + BLOCK_SIZE - WORD_SIZE };
        for (unsigned i = 0; i < 2; i++) {
            probes++;
            if (!probe_one(a, addrs[i], value, why, sizeof(why)) && bad++ == 0)
                elv_snprintf(first, sizeof(first), "%s", why);
        }
    }
    if (bad == 0)
        record_note("%s: %u %s probes in [0x%lx, 0x%lx)", check, probes, a->insn, from, to);
    record(check, bad == 0, "%u of %u %s probes in [0x%lx, 0x%lx) failed; first: %s", bad, probes,
           a->insn, from, to, first);
}

static void check_fetch(const char *check, uint64_t target)
{
    struct sync_record rec;

    exc_expect_sync_resume((uint64_t)(uintptr_t)isolation_branch_resume);
    isolation_branch_to(target);
    if (!exc_take_sync(&rec)) {
        record(check, false, "branch to 0x%lx returned without an abort", target);
        return;
    }

    uint64_t ec = ESR_EC(rec.esr), ifsc = ESR_IABT_IFSC(rec.esr);
    bool fnv = rec.esr & ESR_DABT_FNV;      /* FnV is bit 10 in both abort ISS formats */

    if (ec != ESR_EC_IABT_CUR)
        record(check, false, "branch to 0x%lx: ESR 0x%lx: EC 0x%lx, want an instruction abort (0x%x)",
               target, rec.esr, ec, ESR_EC_IABT_CUR);
    else if (ifsc != IFSC_SEA)
        record(check, false, "branch to 0x%lx: ESR 0x%lx: IFSC 0x%lx, want synchronous external abort",
               target, rec.esr, ifsc);
    else if (fnv || rec.far != target || rec.elr != target)
        record(check, false, "branch to 0x%lx: FAR 0x%lx (FnV %d), ELR 0x%lx", target, rec.far, fnv,
               rec.elr);
    else
        record(check, true, NULL);
}

/* The IPA size the guest is told about. */
static unsigned pa_bits(void)
{
    static const unsigned bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    uint64_t v = MMFR0_PARANGE(read_sysreg(id_aa64mmfr0_el1));

    return v < sizeof(bits) / sizeof(bits[0]) ? bits[v] : bits[sizeof(bits) / sizeof(bits[0]) - 1];
}

/* A probe only makes sense where the DTB puts no device. */
static bool no_device_at(uint64_t addr)
{
    const char *node = dtb_reg_node_at(guest_dtb, addr);

    if (node)
        record_note("0x%lx is in the reg of DTB node %s: not probed", addr, node);
    return !node;
}

static volatile uint64_t ram_canary;

void run_probes(const struct vm_ram *ram, uint64_t value)
{
    uint64_t end = ram->end;
    uint64_t below[] = { ram->base - PAGE_SIZE, ram->base - WORD_SIZE };
    uint64_t top = 1UL << pa_bits();
    uint64_t top_addrs[] = { top - PAGE_SIZE, top - WORD_SIZE };
    uint64_t a;

    a = end;
    check_site_rw("ram_end_load", "ram_end_store", &a, 1, value);
    a = end + BLOCK_SIZE;
    check_site_rw("ram_end_2m_load", "ram_end_2m_store", &a, 1, value);
    a = end + GiB;
    check_site_rw("ram_end_1g_load", "ram_end_1g_store", &a, 1, value);
    if (no_device_at(below[0]) && no_device_at(below[1]))
        check_site_rw("below_ram_load", "below_ram_store", below, 2, value);
    record_note("IPA space: %u bits (ID_AA64MMFR0_EL1.PARange), probing up to 0x%lx", pa_bits(),
                top - 1);
    check_site_rw("ipa_top_load", "ipa_top_store", top_addrs, 2, value);

    /* Where elvisor and every other VM live. */
    uint64_t from = (end + BLOCK_SIZE - 1) & ~(BLOCK_SIZE - 1);
    uint64_t to = from + HOST_RAM_MIN_EXTRA > HOST_RAM_END ? from + HOST_RAM_MIN_EXTRA : HOST_RAM_END;
    check_range("host_ram_loads", &loads[2], from, to, value);
    check_range("host_ram_stores", &stores[2], from, to, value);

    check_fetch("fetch_ram_end", end);
    if (no_device_at(below[0]))
        check_fetch("fetch_below_ram", below[0]);
    check_fetch("fetch_host_ram", to - BLOCK_SIZE);

    /* Nothing above broke the VM's own RAM or devices. */
    ram_canary = value;
    dsb(sy);
    record("ram_after_probes", ram_canary == value, "own RAM read back 0x%lx", ram_canary);
    uint32_t pidr2 = mmio_read32(guest_gic_pidr2_addr());
    record("device_after_probes", GICD_PIDR2_ARCHREV(pidr2) == guest_gic_version(),
           "GIC PIDR2 = 0x%x, want ArchRev %u", pidr2, guest_gic_version());
}
