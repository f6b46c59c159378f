#!/usr/bin/env bash
# Runs libFuzzer targets built by `make fuzz-build` (build/fuzz/fuzz_<name>).
#   run-fuzz.sh --short NAME...   each target for a fixed number of inputs
#                                 from -seed=1 (repeatable; make check)
#   run-fuzz.sh --long NAME...    each target for FUZZ_SECONDS (default 300)
# FUZZ_JOBS targets run at once (default: the number of CPUs).
# Seeds: tests/fuzz/corpus/<name>/ (*.dts compiled with dtc, other files as
# they are) into build/fuzz/seeds/<name>/. The corpus a long run grows is
# kept in build/fuzz/corpus/<name>/ (the next long run starts from it); the
# short run starts from the seeds alone and keeps nothing. A crashing or
# invariant-breaking input is saved as build/fuzz/crashes/<name>/crash-*
# (or leak-*, timeout-*, oom-*); the target's log is build/fuzz/log/<name>.log.
# Prints one line per target and ends with "fuzz: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

mode=${1:-}
case $mode in
    --short|--long) shift ;;
    *) echo "usage: tests/fuzz/run-fuzz.sh --short|--long NAME..." >&2; exit 2 ;;
esac
[ $# -gt 0 ] || { echo "run-fuzz.sh: no targets named" >&2; exit 2; }

build=${BUILD:-build}/fuzz
seconds=${FUZZ_SECONDS:-300}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
# The short run: enough inputs to get past the seeds into mutations of
# every target, a few seconds each at the slowest target's speed.
short_runs=${FUZZ_SHORT_RUNS:-20000}

make_seeds() {  # name -> build/fuzz/seeds/name
    local name=$1 src=tests/fuzz/corpus/$1 out=$build/seeds/$1 f
    rm -rf "$out" && mkdir -p "$out" || return 1
    [ -d "$src" ] || return 0
    for f in "$src"/*; do
        [ -f "$f" ] || continue
        case $f in
            *.dts) dtc -q -I dts -O dtb -o "$out/$(basename "${f%.dts}").dtb" "$f" \
                       || { echo "run-fuzz.sh: dtc failed on $f" >&2; return 1; } ;;
            *) cp "$f" "$out/" ;;
        esac
    done
}

run_one() {  # name: runs the target, writes build/fuzz/log/name.{log,result}
    local name=$1 bin=$build/fuzz_$1 log=$build/log/$1.log res=$build/log/$1.result
    local work args=() dict=tests/fuzz/dict/$1.dict rc start=$SECONDS
    mkdir -p "$build/crashes/$name" "$build/log"
    if ! make_seeds "$name" >"$log" 2>&1; then
        echo "FAIL $name: seeds could not be made (see $log)" >"$res"; return
    fi
    if [ "$mode" = --short ]; then
        work=$build/short/$name
        rm -rf "$work"
        args=(-seed=1 -runs="$short_runs")
    else
        work=$build/corpus/$name
        args=(-max_total_time="$seconds")
    fi
    mkdir -p "$work"
    [ -f "$dict" ] && args+=(-dict="$dict")
    "$bin" "${args[@]}" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/crashes/$name/" "$work" "$build/seeds/$name" >>"$log" 2>&1
    rc=$?
    local runs eps
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
    if [ $rc -eq 0 ]; then
        echo "PASS $name: ${runs:-?} runs, ${eps:-?} exec/s, $((SECONDS - start)) s" >"$res"
    else
        echo "FAIL $name: exit $rc after ${runs:-?} runs; input in $build/crashes/$name/, log $log" >"$res"
    fi
}

running=0
for name in "$@"; do
    if [ ! -x "$build/fuzz_$name" ]; then
        mkdir -p "$build/log"
        echo "FAIL $name: $build/fuzz_$name not built (make fuzz-build)" >"$build/log/$name.result"
        continue
    fi
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

passed=0 failed=0
for name in "$@"; do
    line=$(cat "$build/log/$name.result" 2>/dev/null || echo "FAIL $name: no result")
    echo "[fuzz] $line"
    case $line in PASS*) passed=$((passed + 1)) ;; *) failed=$((failed + 1)) ;; esac
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
