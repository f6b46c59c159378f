#include "core/monitor.h"

#include "arch/arm64/esr.h"
#include "arch/arm64/gic.h"
#include "arch/arm64/hw_timer.h"
#include "core/console.h"
#include "core/pcpu.h"
#include "core/vm.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "vdev/vgic.h"

/* Room for the longest command with a VM name; a longer line is refused
 * whole rather than cut into a command that was not typed. */
#define LINE_MAX        64

static bool is_open;
static char line[LINE_MAX];
static unsigned line_len;
static bool line_too_long;
static bool last_was_cr;        /* a terminal may send "\r\n": one Enter */

struct command {
    const char *name;
    const char *args;           /* for help; "" when none */
    bool needs_vm;              /* takes exactly one argument, a VM name */
    void (*run)(struct vm *vm);
    const char *help;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[192];
    va_list ap;

    va_start(ap, fmt);
    elv_vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    size_t n = strlen(buf);
    buf[n] = '\n';
    buf[n + 1] = '\0';
    console_write(buf);
}

static const char *state_name(enum vm_state s)
{
    switch (s) {
    case VM_RUNNING:   return "running";
    case VM_RESETTING: return "resetting";
    case VM_OFF:       return "off";
    case VM_STOPPED:   return "stopped";
    }
    return "?";
}

static void cmd_help(struct vm *vm);

static void cmd_list(struct vm *unused)
{
    (void)unused;
    for (unsigned i = 0; i < nr_vms; i++) {
        const struct vm *vm = &vms[i];

        say("vm %s: %s%s%s", vm->cfg->name, state_name(vm->state),
            console_input_target() == (int)i ? ", console input" : "",
            vm->created ? "" : ", not created");
        if (!vm->created)
            continue;
        /* Read while the vCPUs run: each figure is a snapshot. */
        for (unsigned j = 0; j < vm->nr_vcpus; j++) {
            const struct vcpu *v = &vm->vcpus[j];
            const uint32_t *ec = v->nr_sync_exits;
            uint64_t all = v->nr_exits, irq = v->nr_irq_exits;
            uint64_t known = irq + ec[EC_WFX] + ec[EC_HVC64] + ec[EC_SMC64] + ec[EC_SYS64] +
                             ec[EC_DABT_LOW] + ec[EC_IABT_LOW];

            say("  vcpu %u: %s, cpu %u, exits %llu: irq %llu, wfx %u, hvc %u, smc %u, sysreg %u, "
                "dabt %u, iabt %u, other %llu", j, v->power == VCPU_ON ? "on" : "off", v->pcpu,
                (unsigned long long)all, (unsigned long long)irq, ec[EC_WFX], ec[EC_HVC64],
                ec[EC_SMC64], ec[EC_SYS64], ec[EC_DABT_LOW], ec[EC_IABT_LOW],
                (unsigned long long)(all >= known ? all - known : 0));
        }
    }
}

static void cmd_console(struct vm *vm)
{
    console_input_set_target((int)vm->id);
    say("console input goes to vm %s%s", vm->cfg->name,
        vm->state == VM_RUNNING ? "" : " (not running: input is discarded until it is)");
}

static void cmd_reset(struct vm *vm)
{
    if (vm_operator_reset(vm, VM_RUNNING))
        say("vm %s: reset (as by SYSTEM_RESET)", vm->cfg->name);
    else
        say("error: vm %s is %s, not running: nothing to reset (start boots a VM that is off)",
            vm->cfg->name, state_name(vm->state));
}

static void cmd_stop(struct vm *vm)
{
    if (vm_operator_stop(vm))
        say("vm %s: stopped by the operator (elvisor will exit with status 4)", vm->cfg->name);
    else
        say("error: vm %s is %s, not running", vm->cfg->name, state_name(vm->state));
}

static void cmd_start(struct vm *vm)
{
    enum vm_state s = vm->state;

    if (s != VM_OFF && s != VM_STOPPED) {
        say("error: vm %s is %s: only a VM that is off or stopped can be started", vm->cfg->name,
            state_name(s));
        return;
    }
    if (!vm->created) {
        say("error: vm %s was never created (see the log at boot): it cannot be started", vm->cfg->name);
        return;
    }
    /* Its vCPU 0's CPU does the boot (the reset path): it must run. */
    for (unsigned i = 0; i < vm->nr_vcpus; i++)
        if (!pcpus[vm->vcpus[i].pcpu].online) {
            say("error: vm %s has vCPU %u on CPU %u, which is not running", vm->cfg->name, i,
                vm->vcpus[i].pcpu);
            return;
        }
    /* The images are still in the bundle in memory: the reset path
     * reloads them, as after SYSTEM_RESET. */
    if (vm_operator_reset(vm, s))
        say("vm %s: starting", vm->cfg->name);
    else
        say("error: vm %s changed state meanwhile (now %s); try again", vm->cfg->name,
            state_name(vm->state));
}

/* ---- irqs: a VM's interrupt state, as KVM's vgic-state debugfs file ---- */

#define IRQS_SHOWN      64      /* per bank; more are counted, not listed */

static void say_irq(const struct vgic_irq_view *q, bool spi)
{
    char where[40] = "", from[32] = "", to[24] = "";

    if (q->hw)
        elv_snprintf(from, sizeof(from), ", forwarded from %u", q->pintid);
    if (q->lr_owner != VGIC_NONE8)
        elv_snprintf(where, sizeof(where), ", in vcpu %u's LRs", q->lr_owner);
    if (spi && q->target != VGIC_NONE8)
        elv_snprintf(to, sizeof(to), ", to vcpu %u", q->target);
    say("    INTID %u: %s%s%s%s%s%s, priority 0x%02x, group %u, %s", q->intid,
        q->enabled ? "enabled" : "disabled", q->pending ? ", pending" : "", q->active ? ", active" : "",
        from, where, to, q->priority, q->group1 ? 1u : 0u, q->edge ? "edge" : "level");
}

static void say_bank(struct vm *vm, unsigned bank)
{
    static struct vgic_irq_view views[IRQS_SHOWN];
    unsigned n = vgic_snapshot(&vm->vgic, bank, views, IRQS_SHOWN);

    for (unsigned i = 0; i < n && i < IRQS_SHOWN; i++)
        say_irq(&views[i], bank == VGIC_NO_VCPU);
    if (n > IRQS_SHOWN)
        say("    ... and %u more", n - IRQS_SHOWN);
    if (n == 0)
        say("    none enabled, pending or active");
}

static const char *const timer_names[VTIMER_NR] = {
    [VTIMER_EL1_PHYS] = "EL1 physical", [VTIMER_EL1_VIRT] = "EL1 virtual",
    [VTIMER_EL2_PHYS] = "EL2 physical (CNTHP)", [VTIMER_EL2_VIRT] = "EL2 virtual (CNTHV)",
};

/* A timer the hardware runs for a loaded vCPU lives in that CPU's
 * registers, which only that CPU can read: its copy in memory is from the
 * last switch, so it is not shown. */
static void say_timers(const struct vcpu *v)
{
    unsigned nr = v->ext ? VTIMER_NR : VTIMER_EL2_PHYS;

    for (unsigned t = 0; t < nr; t++) {
        bool in_hw = false;
        for (unsigned h = 0; h < HW_TIMER_NR; h++)
            in_hw |= v->loaded && v->tmap.hw[h] == (enum vtimer_id)t;
        if (in_hw)
            say("    timer %s: in cpu %u's hardware timer", timer_names[t], v->pcpu);
        else
            say("    timer %s: ctl 0x%llx, cval 0x%llx (in memory)", timer_names[t],
                (unsigned long long)v->timers[t].ctl, (unsigned long long)v->timers[t].cval);
    }
    for (unsigned h = 0; h < HW_TIMER_NR; h++)
        if (v->hw_timer_vintid[h])
            say("    PPI %u (hardware %s timer) is forwarded as INTID %u", hw_timer_ppi((enum hw_timer)h),
                h == HW_TIMER_EL1_PHYS ? "physical" : "virtual", v->hw_timer_vintid[h]);
}

static void cmd_irqs(struct vm *vm)
{
    if (!vm->created) {
        say("error: vm %s was never created (see the log at boot)", vm->cfg->name);
        return;
    }
    say("vm %s: %s, GICv%u", vm->cfg->name, state_name(vm->state), vm->gic_version);
    for (unsigned i = 0; i < vm->nr_vcpus; i++) {
        const struct vcpu *v = &vm->vcpus[i];
        struct gic_private_state g;

        say("  vcpu %u: %s, cpu %u, %s%s", i, v->power == VCPU_ON ? "on" : "off", v->pcpu,
            v->wait == VCPU_WAIT_WFI ? "waiting for an interrupt" : "running",
            v->loaded ? ", loaded" : "");
        say_timers(v);
        say_bank(vm, i);
        if (gic_private_state(pcpus[v->pcpu].mpidr, &g))
            say("    cpu %u's physical SGIs/PPIs: enabled 0x%08x, pending 0x%08x, active 0x%08x", v->pcpu,
                g.enabled, g.pending, g.active);
        else
            say("    cpu %u's physical SGIs/PPIs: only readable on that CPU (GICv2 banks them)", v->pcpu);
    }
    say("  SPIs:");
    say_bank(vm, VGIC_NO_VCPU);
}

static void close_prompt(void);

static void cmd_quit(struct vm *unused)
{
    (void)unused;
    close_prompt();
}

static const struct command commands[] = {
    { "help",    "",     false, cmd_help,    "this list" },
    { "list",    "",     false, cmd_list,    "each VM: state, vCPUs (power, physical CPU), exits by kind" },
    { "irqs",    "NAME", true,  cmd_irqs,    "VM NAME's interrupts: vGIC state, timers, its CPUs' PPIs" },
    { "console", "NAME", true,  cmd_console, "console input goes to VM NAME from now on" },
    { "reset",   "NAME", true,  cmd_reset,   "reset a running VM, as if it called SYSTEM_RESET" },
    { "stop",    "NAME", true,  cmd_stop,    "stop a running VM (elvisor then exits with status 4)" },
    { "start",   "NAME", true,  cmd_start,   "boot a VM that is off or stopped again" },
    { "quit",    "",     false, cmd_quit,    "back to the VMs (so does ctrl-])" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(struct vm *unused)
{
    (void)unused;
    for (unsigned i = 0; i < NR_COMMANDS; i++)
        say("  %s%s%s: %s", commands[i].name, commands[i].args[0] ? " " : "", commands[i].args,
            commands[i].help);
}

static struct vm *vm_by_name(const char *name)
{
    for (unsigned i = 0; i < nr_vms; i++)
        if (strcmp(vms[i].cfg->name, name) == 0)
            return &vms[i];
    return NULL;
}

/* Splits the line in place into at most 3 words (a third means too many). */
static unsigned split(char *s, char *words[3])
{
    unsigned n = 0;

    while (*s && n < 3) {
        while (*s == ' ' || *s == '\t')
            *s++ = '\0';
        if (!*s)
            break;
        words[n++] = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

static void execute(char *s)
{
    char *w[3];
    unsigned n = split(s, w);
    const struct command *c = NULL;

    if (n == 0)
        return;
    for (unsigned i = 0; i < NR_COMMANDS && !c; i++)
        if (strcmp(commands[i].name, w[0]) == 0)
            c = &commands[i];
    if (!c) {
        say("error: unknown command '%s' (help lists them)", w[0]);
        return;
    }
    if (n != (c->needs_vm ? 2u : 1u)) {
        say("error: usage: %s%s%s", c->name, c->args[0] ? " " : "", c->args);
        return;
    }
    struct vm *vm = NULL;
    if (c->needs_vm) {
        vm = vm_by_name(w[1]);
        if (!vm) {
            say("error: no VM named '%s' (list shows them)", w[1]);
            return;
        }
    }
    c->run(vm);
}

bool monitor_is_open(void)
{
    return is_open;
}

static void new_line(void)
{
    line_len = 0;
    line_too_long = false;
}

void monitor_open(void)
{
    is_open = true;
    last_was_cr = false;
    new_line();
    console_hold_guests(true);
    console_write("\nelvisor: operator's console; guest output is held. help lists the commands, "
                  "quit or ctrl-] returns.\nelvisor> ");
}

static void close_prompt(void)
{
    is_open = false;
    console_write("elvisor: back to the VMs\n");
    console_hold_guests(false);
}

void monitor_input(char c)
{
    bool cr = c == '\r';

    if (c == '\n' && last_was_cr) {
        last_was_cr = false;
        return;
    }
    last_was_cr = cr;
    if (c == CONSOLE_ESCAPE) {
        console_write("\n");
        close_prompt();
        return;
    }
    if (cr || c == '\n') {
        console_write("\n");
        if (line_too_long) {
            say("error: line too long (at most %u characters): ignored", LINE_MAX - 1);
        } else {
            line[line_len] = '\0';
            execute(line);
        }
        new_line();
        if (is_open)
            console_write("elvisor> ");
        return;
    }
    if (c == 0x7f || c == '\b') {
        if (line_len && !line_too_long) {
            line_len--;
            console_write("\b \b");
        }
        return;
    }
    if (c == 0x03) {                /* ctrl-c: drop the line */
        console_write("^C\nelvisor> ");
        new_line();
        return;
    }
    if (c < 0x20 || c > 0x7e)
        return;                     /* other control keys mean nothing here */
    if (line_len + 1 >= LINE_MAX) {
        line_too_long = true;
        return;
    }
    char echo[2] = { c, '\0' };
    line[line_len++] = c;
    console_write(echo);
}
