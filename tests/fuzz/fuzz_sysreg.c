/* Fuzz target: the trapped system-register dispatch (sysreg_trap) with a
 * fake vCPU, as tests/unit/test_sysreg_emul.c builds it. The input sets
 * the VM's IPA size, then gives operations: an MSR/MRS ISS (any of the
 * 2^25), the value in Rt, what the handler behind a table entry answers
 * (accept or refuse, the value it reads), the hardware ID register value,
 * and whether the vCPU has virtual EL2. Invariants after every trap:
 *  - either the instruction was emulated (PC + 4, no UNDEF) or refused
 *    (PC unchanged, exactly one UNDEF at that PC, one log line); never both;
 *  - a read changes only Rt (nothing for XZR), a write or a refusal no
 *    register; PSTATE never;
 *  - at most one handler runs; an encoding neither in the table nor in the
 *    ID space runs none and is refused;
 *  - ID space (op0 3, op1 0, CRn 0, CRm 1..7): reads emulated from one
 *    hardware read of that CRm/op2, writes refused; a plain guest's value
 *    only hides fields (each 4-bit field is the hardware's or 0), except
 *    PARange, which is the VM's IPA size; a vEL2 guest never sees EL3 or
 *    FEAT_NV;
 *  - an ICC_SGI1R_EL1 write reaches the vGIC once with Rt's value and the
 *    vCPU's id. */
#include "fuzz_support.h"

/* Sources under test: the only lines of this target naming src/ files. */
#include "arch/arm64/esr.c"
#include "trap/id_regs.c"
#include "trap/sysreg_emul.c"

#define PC0     0x40081000ULL
#define PSTATE0 0x3c5ULL

/* ---- Test doubles ---- */

unsigned hyp_ipa_bits;

static unsigned nested_calls;
const struct sysreg_desc *nested_sysreg_find(uint32_t key)
{
    nested_calls++;
    return NULL;    /* the EL2 registers have their own unit tests */
}

static uint64_t hw_value;
static unsigned id_reads, id_crm, id_op2;
uint64_t arch_read_id_reg(unsigned crm, unsigned op2)
{
    FUZZ_CHECK(crm >= 1 && crm <= 7 && op2 <= 7, "hardware read of CRm %u op2 %u", crm, op2);
    id_reads++;
    id_crm = crm;
    id_op2 = op2;
    return hw_value;
}

static unsigned undefs;
static uint64_t undef_pc;
void inject_undef(struct vcpu *v)
{
    undefs++;
    undef_pc = v->regs.pc;
}

static unsigned sgis, sgi_src;
static uint64_t sgi_val;
bool vgic_send_sgi_to_others(struct vgic *g, unsigned src_vcpu, uint64_t icc_sgi1r,
                             uint32_t *gen_before)
{
    sgis++;
    sgi_src = src_vcpu;
    sgi_val = icc_sgi1r;
    return false;
}

static unsigned handler_calls, log_lines;
static bool handler_ok;
static uint64_t handler_value;

#define FAKE_READ(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t *val) \
    { handler_calls++; *val = handler_value; return handler_ok; }
#define FAKE_WRITE(fn) \
    bool fn(struct vcpu *v, const struct sysreg_desc *d, uint64_t val) \
    { handler_calls++; return handler_ok; }
FAKE_READ(vtimer_cntpct_read)
FAKE_READ(vtimer_cntpctss_read)
FAKE_READ(vtimer_ptimer_tval_read)
FAKE_WRITE(vtimer_ptimer_tval_write)
FAKE_READ(vtimer_ptimer_ctl_read)
FAKE_WRITE(vtimer_ptimer_ctl_write)
FAKE_READ(vtimer_ptimer_cval_read)
FAKE_WRITE(vtimer_ptimer_cval_write)

void vm_log(struct vm *vm, enum log_level level, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    log_lines++;
}

/* ---- The vCPU ---- */

static struct vm_config cfg = { .name = "fuzz" };
static struct vm vm;
/* A vEL2 vCPU as nested_vm_attach() leaves it, as far as the dispatch
 * reaches: its extension's register lookup (the stub above) and the VM's
 * virt-el2 flag. */
static const struct vcpu_ext_ops vel2_ext = { .sysreg = nested_sysreg_find };

static void check_id_value(uint32_t key, uint64_t hw, uint64_t val, bool vel2)
{
    if (vel2) {
        if (key == SYSREG_KEY(3, 0, 0, 4, 0))
            FUZZ_CHECK(((val >> 12) & 0xf) == 0, "vEL2 guest sees EL3");
        if (key == SYSREG_KEY(3, 0, 0, 7, 2))
            FUZZ_CHECK(((val >> 24) & 0xf) == 0, "vEL2 guest sees FEAT_NV");
        return;
    }
    for (unsigned shift = 0; shift < 64; shift += 4) {
        uint64_t f = (val >> shift) & 0xf, h = (hw >> shift) & 0xf;
        if (key == SYSREG_KEY(3, 0, 0, 7, 0) && shift == 0) {
            FUZZ_CHECK(f <= 6 && (f == 0 || hyp_ipa_bits >= (unsigned[]){ 32, 36, 40, 42, 44, 48, 52 }[f]),
                       "PARange %llu for %u IPA bits", (unsigned long long)f, hyp_ipa_bits);
            continue;
        }
        FUZZ_CHECK(f == h || f == 0, "key %#x field at %u: %llu, hardware %llu", key, shift,
                   (unsigned long long)f, (unsigned long long)h);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = { data, size };
    unsigned idx;

    memset(&vm, 0, sizeof(vm));
    vm.cfg = &cfg;
    vm.nr_vcpus = 4;
    hyp_ipa_bits = 32 + fuzz_u8(&in) % 21;
    idx = fuzz_u8(&in) % 4;
    struct vcpu *v = &vm.vcpus[idx];
    v->vm = &vm;
    v->id = idx;
    for (unsigned i = 0; i < 31; i++)
        v->regs.x[i] = 0xa5a5000000000000ULL | ((uint64_t)i << 32) | i;

    for (unsigned op = 0; op < 64 && fuzz_more(&in); op++) {
        uint64_t esr = (uint64_t)EC_SYS64 << ESR_EC_SHIFT | ESR_IL | (fuzz_u32(&in) & ESR_ISS_MASK);
        uint64_t rt_val = fuzz_u64(&in);
        uint8_t flags = fuzz_u8(&in);
        struct vcpu_regs before;
        struct sysreg_access a;

        hw_value = fuzz_u64(&in);
        handler_value = fuzz_u64(&in);
        handler_ok = flags & 1;
        v->ext = (flags & 2) ? &vel2_ext : NULL;
        cfg.virt_el2 = v->ext != NULL;
        v->regs.pc = PC0 + 8 * op;
        v->regs.pstate = PSTATE0;
        esr_decode_sysreg(esr, &a);
        vcpu_set_reg(v, a.reg, rt_val);
        before = v->regs;
        undefs = id_reads = sgis = handler_calls = log_lines = nested_calls = 0;

        sysreg_trap(v, esr);

        uint32_t key = sysreg_access_key(&a);
        const struct sysreg_desc *d = sysreg_find(key);
        bool id_space = a.op0 == 3 && a.op1 == 0 && a.crn == 0 && a.crm >= 1 && a.crm <= 7;
        bool emulated = v->regs.pc == before.pc + 4;

        FUZZ_CHECK(v->regs.pstate == before.pstate, "PSTATE changed");
        FUZZ_CHECK(emulated || v->regs.pc == before.pc, "PC moved by %lld",
                   (long long)(v->regs.pc - before.pc));
        FUZZ_CHECK(emulated ? undefs == 0 : (undefs == 1 && undef_pc == before.pc && log_lines == 1),
                   "emulated %d with %u UNDEFs, %u log lines", emulated, undefs, log_lines);
        FUZZ_CHECK(emulated || log_lines == 1, "refusal logged %u times", log_lines);
        FUZZ_CHECK(nested_calls == (v->ext ? 1u : 0u), "EL2 table asked %u times", nested_calls);
        for (unsigned i = 0; i < 31; i++)
            if (!(emulated && a.is_read && i == a.reg))
                FUZZ_CHECK(v->regs.x[i] == before.x[i], "x%u changed", i);
        FUZZ_CHECK(handler_calls + id_reads + sgis <= 1, "%u handlers ran",
                   handler_calls + id_reads + sgis);

        if (d) {
            FUZZ_CHECK(!id_space, "table entry %s inside the ID space", d->name);
            FUZZ_CHECK(id_reads == 0, "ID read for %s", d->name);
        } else if (id_space) {
            FUZZ_CHECK(emulated == a.is_read, "ID %s %s", a.is_read ? "read" : "write",
                       emulated ? "emulated" : "refused");
            if (a.is_read) {
                FUZZ_CHECK(id_reads == 1 && id_crm == a.crm && id_op2 == a.op2, "hardware read");
                if (a.reg < 31)
                    check_id_value(key, hw_value, v->regs.x[a.reg], v->ext != NULL);
            }
        } else {
            FUZZ_CHECK(!emulated && handler_calls + id_reads + sgis == 0,
                       "unknown S%u_%u_C%u_C%u_%u not refused", a.op0, a.op1, a.crn, a.crm, a.op2);
        }
        if (d && strcmp(d->name, "ICC_SGI1R_EL1") == 0 && !a.is_read)
            FUZZ_CHECK(emulated && sgis == 1 && sgi_src == v->id && sgi_val == (a.reg < 31 ? before.x[a.reg] : 0),
                       "SGI1R write");
        if (handler_calls == 1) {
            FUZZ_CHECK(emulated == handler_ok, "handler said %d, emulated %d", handler_ok, emulated);
            if (emulated && a.is_read && a.reg < 31)
                FUZZ_CHECK(v->regs.x[a.reg] == handler_value, "read value not in Rt");
        }
    }
    return 0;
}
