#!/usr/bin/env bash
# A guest that misbehaves on purpose (guests/rogue) costs only itself:
#   undef-flood  20,000 reads of a register elvisor refuses with a warning:
#                elvisor's log stays short (at most GUEST_LOG_BURST lines a
#                window, then one line saying how many it held back and for
#                which VM), one line names the exception storm, and a timer
#                VM on the other CPU passes its checks.
#   vector-loop  a vector table that faults on itself: elvisor stops that VM
#                alone (exit status 4) with a line naming it, and a VM sharing
#                its physical CPU runs to its end.
#   cpu-off      the only vCPU of a VM calls CPU_OFF: the VM is off, elvisor
#                says so and powers the machine off (exit status 0).
#
#   tests/integration/rogue.sh [elvisor-run options, e.g. --nvhe --gic 2]
#
# One "PASS name" / "FAIL name: why" line per check, then
# "rogue: N passed, N failed"; non-zero on any failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
run=$repo/tools/elvisor-run
guests=$repo/build/guests
timeout=${ROGUE_TIMEOUT:-90}
extra=("$@")
# The promise of src/core/guest_log.h, restated: at most 10 lines per VM
# every 5 seconds.
burst=10 window=5

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
check() {  # name condition-command... ; why
    local name=$1 why=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rogue.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/vm-config-lib.sh"

# run NAME WANT_RC -- elvisor-run args...: runs, checks the exit status.
run() {
    local name=$1 want=$2 rc
    shift 3
    "$run" --timeout "$timeout" "${extra[@]}" "$@" </dev/null >"$tmp/$name.log" 2>&1
    rc=$?
    cp "$tmp/$name.log" "$repo/build/integration/rogue-$name.log" 2>/dev/null || true
    if [ "$rc" = "$want" ]; then
        pass "$name-status"
    else
        fail "$name-status" "exit status $rc, want $want; last lines:"
        tail -n 5 "$tmp/$name.log" | sed 's/^/  | /'
    fi
}
has() { grep -Eq -- "$2" "$tmp/$1.log"; }
count() { grep -Ec -- "$2" "$tmp/$1.log"; }

mkdir -p "$repo/build/integration"

# 1. A warning flood is held back, and counted, per VM.
vm_config "$tmp/flood.dts" "$(vm_node rogue "$guests/rogue.bin" 0 0x2000000 "bootargs = \"rogue=undef_flood\";")" \
    "$(vm_node worker "$guests/timer.bin" 1 0x2000000)"
start=$SECONDS
run undef-flood 0 -- --config "$tmp/flood.dts"
most=$((burst * (2 + (SECONDS - start) / window)))
check undef-flood-guest "the rogue VM did not finish its reads" \
    has undef-flood '^\[rogue\] GUEST-DONE rogue passed=1 failed=0'
check undef-flood-worker "the timer VM beside it failed or did not finish" \
    has undef-flood '^\[worker\] GUEST-DONE timer passed=[0-9]+ failed=0'
n=$(count undef-flood 'vm rogue vcpu 0: read of unhandled system register S3_3_C9_C12_0')
check undef-flood-log-bounded "$n warning lines for 20000 refused reads (want 1..$most)" \
    test "$n" -ge 1 -a "$n" -le "$most"
check undef-flood-held-back-named "no line saying how many lines of vm rogue were held back" \
    has undef-flood 'vm rogue: [0-9]+ more log lines of this VM held back'
check undef-flood-storm-named "no line naming vm rogue's exception storm" \
    has undef-flood 'vm rogue: exception storm: 10000 exceptions injected within 5000 ms'

# 2. A vector table that faults on itself: that VM is stopped, named; the VM
# sharing its CPU finishes.
vm_config "$tmp/loop.dts" "$(vm_node rogue "$guests/rogue.bin" 0 0x2000000 "bootargs = \"rogue=vector_loop\";")" \
    "$(vm_node fine "$guests/mmio.bin" 0 0x2000000)"
run vector-loop 4 -- --config "$tmp/loop.dts"
check vector-loop-named "no line naming the looping VM" \
    has vector-loop 'vm rogue vcpu 0: exception loop: [0-9]+ exceptions in a row taken at the vector 0xa800200 itself .*VM stopped'
check vector-loop-other-runs "the VM sharing its CPU did not finish" \
    has vector-loop '^\[fine\] GUEST-DONE mmio passed=[0-9]+ failed=0'

# 3. CPU_OFF of the last vCPU: the VM is off, the machine powers off.
run cpu-off 0 -- --kernel "$guests/rogue.bin" --append rogue=cpu_off
check cpu-off-logged "no line saying the VM is off" \
    has cpu-off 'vm guest: its last vCPU turned itself off \(PSCI CPU_OFF\): powered off'

echo "rogue: $passed passed, $failed failed"
[ "$failed" = 0 ]
