#!/usr/bin/env bash
# Debugging with gdb (suite `gdb`): tools/elvisor-run --gdb starts QEMU
# stopped with its gdb stub, gdb-multiarch attaches non-interactively with
# tools/elvisor.gdb, and breakpoints set by symbol name must be hit where the
# symbols say:
#   hyp_and_guest       the mmio guest (ELF) under elvisor, VHE: a breakpoint on
#                       elvisor's exit_fast (where its MMIO exits are
#                       handled, trap/exit.c) stops at EL2 called from
#                       pcpu_loop, one on the guest's guest_main stops at EL1
#                       called from guest_primary_c; elvisor-check finds
#                       elvisor.elf's code in memory at its link addresses
#   hyp_and_guest_nvhe  the same in nVHE mode
#   bare_guest          --bare: the guest's guest_main, no elvisor loaded
#   wrong_offset        elvisor's and the guest's symbols loaded 256 MiB off
#                       must NOT pass the same checks (so the checks can see
#                       symbols at the wrong address; 0x1000 off, the
#                       breakpoint on the guest's guest_main landed on other
#                       code the mmio guest runs, whose frames the shifted
#                       symbols happened to name guest_main and
#                       guest_primary_c: a check that passed by luck)
# Each session is bounded (elvisor-run --timeout, gdb under timeout), QEMU
# listens on a random free port of 127.0.0.1 (another is tried if it was
# taken meanwhile), and is stopped by gdb's kill or, failing that, by
# stopping elvisor-run. One "[gdb] PASS|FAIL check" line per check, then
# "gdb: N passed, N failed". Logs: build/integration/gdb-CHECK.{run,gdb}.log.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
gdbfile=$repo/tools/elvisor.gdb
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
guest_elf=$repo/build/guests/mmio.elf
elvisor_elf=$repo/build/elvisor.elf
gdb=${ELVISOR_GDB:-gdb-multiarch}
# Far more than a session needs (about 2 s), far less than a hung CI job.
run_timeout=60
gdb_timeout=40
listen_wait=20
WRONG_OFFSET=0x10000000

for f in "$runner" "$gdbfile" "$guest_elf" "$elvisor_elf"; do
    [ -e "$f" ] || { echo "gdb: $f missing: run make" >&2; exit 1; }
done
command -v "$gdb" >/dev/null || { echo "gdb: $gdb is missing: run tools/setup.sh" >&2; exit 1; }
mkdir -p "$logdir"

passed=0 failed=0
pass() { echo "[gdb] PASS $1"; passed=$((passed + 1)); }
fail() { echo "[gdb] FAIL $1: $2"; failed=$((failed + 1)); }

# Is a TCP port in LISTEN state (st 0A) on any address? /proc/net rather
# than ss, so the test needs nothing beyond procfs.
listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'NR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# A port in 20000..59999 that nothing listens on now.
free_port() {
    local p
    while :; do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        listening "$p" || { echo "$p"; return; }
    done
}

run_pid=
stop_runner() {
    [ -n "$run_pid" ] || return 0
    # TERM makes elvisor-run stop QEMU and remove its bundle.
    kill -TERM "$run_pid" 2>/dev/null
    wait "$run_pid" 2>/dev/null
    run_pid=
}
trap stop_runner EXIT

# session CHECK SPEC... -- SETTINGS... -- COMMANDS... -- LAUNCHER-ARGS...
# SPEC is FUNCTION:EL:CALLER: a breakpoint on FUNCTION that must stop at
# exception level EL with CALLER in the backtrace. Starts the launcher with
# --gdb on a free port, runs gdb in batch mode: the settings (-ex ... for
# the command file), the command file, the commands (-ex ..., e.g.
# elvisor-guest), one breakpoint per SPEC, then per SPEC a continue, the EL, a
# backtrace and the deletion of the breakpoint hit (so the next continue
# goes on to another one). Leaves gdb's output in $gdb_log.
gdb_log=
session() {
    local check=$1 specs=() settings=() commands=() largs=() port i gcmd
    shift
    while [ "$1" != -- ]; do specs+=("$1"); shift; done
    shift
    while [ "$1" != -- ]; do settings+=("$1"); shift; done
    shift
    while [ "$1" != -- ]; do commands+=("$1"); shift; done
    shift
    largs=("$@")
    local run_log=$logdir/gdb-$check.run.log
    gdb_log=$logdir/gdb-$check.gdb.log
    : >"$gdb_log"

    for _ in 1 2 3 4 5; do
        port=$(free_port)
        "$runner" --gdb "$port" --timeout "$run_timeout" "${largs[@]}" </dev/null >"$run_log" 2>&1 &
        run_pid=$!
        for ((i = 0; i < listen_wait * 10; i++)); do
            listening "$port" && break
            kill -0 "$run_pid" 2>/dev/null || break
            sleep 0.1
        done
        listening "$port" && kill -0 "$run_pid" 2>/dev/null && break
        stop_runner
        # Someone took the port between free_port and QEMU's bind: another one.
        grep -q 'Address already in use\|Failed to bind' "$run_log" && continue
        echo "elvisor-run did not listen on $port within ${listen_wait}s" >"$gdb_log"
        return 1
    done

    gcmd=("$gdb" -q -batch -nx -ex 'set pagination off' -ex "set \$elvisor_port = $port"
          "${settings[@]}" -x "$gdbfile" "${commands[@]}")
    for s in "${specs[@]}"; do gcmd+=(-ex "break ${s%%:*}"); done
    for s in "${specs[@]}"; do
        gcmd+=(-ex continue -ex elvisor-el -ex bt -ex 'delete $_hit_bpnum')
    done
    gcmd+=(-ex kill)
    {
        echo "# $(printf '%q ' "${gcmd[@]}")"
        timeout -k 5 "$gdb_timeout" "${gcmd[@]}" </dev/null 2>&1
        echo "# gdb exit status $?"
    } >>"$gdb_log"
    stop_runner
    return 0
}

# verify SPEC...: every SPEC was hit in $gdb_log with the right EL and
# caller. A stop is the text from its "[Thread N hit ]Breakpoint N, FUNCTION (" line
# to the next one. Prints what is wrong.
verify() {
    local s fn el caller ok=0
    for s in "$@"; do
        IFS=: read -r fn el caller <<<"$s"
        if ! awk -v fn="$fn" -v el="EL$el:" -v caller="$caller" '
                /Breakpoint [0-9]+, / { inside = index($0, ", " fn " (") > 0; has_el = has_caller = 0 }
                inside && index($0, el) == 1 { has_el = 1 }
                inside && /^#[1-9]/ && index($0, " " caller " (") { has_caller = 1 }
                inside && has_el && has_caller { found = 1 }
                END { exit !found }' "$gdb_log"; then
            echo "no stop in $fn at EL$el called from $caller"
            ok=1
        fi
    done
    return $ok
}

HYP=exit_fast:2:pcpu_loop
GUEST=guest_main:1:guest_primary_c
# Paths as the launcher prints them, absolute: gdb runs from any directory.
hyp_settings=(-ex "set \$elvisor_elf = \"$elvisor_elf\"")

# check NAME SPEC... -- SETTINGS... -- COMMANDS... -- LAUNCHER-ARGS...: one
# session that must pass.
check() {
    local name=$1 why specs=()
    shift
    for a in "$@"; do [ "$a" = -- ] && break; specs+=("$a"); done
    if ! session "$name" "$@"; then
        fail "$name" "$(head -c 300 "$gdb_log")"
        return
    fi
    if why=$(verify "${specs[@]}"); then
        pass "$name"
    else
        fail "$name" "$(tr '\n' ' ' <<<"$why")(log: $gdb_log)"
    fi
}

check hyp_and_guest "$HYP" "$GUEST" -- "${hyp_settings[@]}" -- -ex "elvisor-guest $guest_elf" -- \
    --kernel "$guest_elf"
# The command file compared elvisor's code in memory with the ELF on attach.
if grep -q 'Section .text, range .*: matched' "$gdb_log" && ! grep -q 'MIS-MATCHED' "$gdb_log"; then
    pass elvisor_check_matched
else
    fail elvisor_check_matched "no 'Section .text ... matched' from elvisor-check in $gdb_log"
fi
check hyp_and_guest_nvhe "$HYP" "$GUEST" -- "${hyp_settings[@]}" -- -ex "elvisor-guest $guest_elf" -- \
    --kernel "$guest_elf" --nvhe
check bare_guest "$GUEST" -- -ex 'set $elvisor_hyp = 0' -- -ex "elvisor-guest $guest_elf" -- \
    --bare --kernel "$guest_elf"

# The same checks with every symbol 0x1000 off must fail: breakpoints then
# sit in the middle of other code (or of nothing) and whatever stops there
# is not exit_fast at EL2 under pcpu_loop nor guest_main under
# guest_primary_c.
if session wrong_offset "$HYP" "$GUEST" -- "${hyp_settings[@]}" -ex "set \$elvisor_offset = $WRONG_OFFSET" \
        -- -ex "elvisor-guest $guest_elf $WRONG_OFFSET" -- --kernel "$guest_elf"; then
    if why=$(verify "$HYP") || why=$(verify "$GUEST"); then
        fail wrong_offset "symbols $WRONG_OFFSET off still passed a check (log: $gdb_log)"
    else
        pass wrong_offset
    fi
else
    fail wrong_offset "$(head -c 300 "$gdb_log")"
fi

echo "gdb: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
