#!/usr/bin/env bash
# Runs the bench guest (build/guests/bench.bin) with --icount on bare
# QEMU 10 and under elvisor, and prints its BENCH figures side by side:
# counter ticks, i.e. emulated instructions, min / median of 64 iterations.
# Figures a run did not produce (elvisor not built, guest hung) show "n/a".
#
#   tests/integration/bench-guest.sh [--mode vhe|nvhe|both] [--timeout SECS]
#
# Exit status is non-zero only when the bare run yields no figures (the guest
# itself is broken); elvisor's figures are reported, not judged.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
image=$repo/build/guests/bench.bin
mode=both timeout=120

while [ $# -gt 0 ]; do
    case $1 in
        --mode) mode=${2:-}; shift ;;
        --timeout) timeout=${2:-}; shift ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-guest: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
case $mode in
    vhe) columns=(bare vhe) ;;
    nvhe) columns=(bare nvhe) ;;
    both) columns=(bare vhe nvhe) ;;
    *) echo "bench-guest: --mode wants vhe, nvhe or both" >&2; exit 2 ;;
esac
[ -f "$image" ] || { echo "bench-guest: $image missing: run make guests" >&2; exit 1; }
[ -x "$runner" ] || { echo "bench-guest: $runner missing" >&2; exit 1; }
mkdir -p "$logdir"

declare -A fig=()
names=()
for col in "${columns[@]}"; do
    args=(--kernel "$image" --smp 2 --icount --timeout "$timeout")
    # bench-floor lets the guest measure the floor too (floor_* figures).
    case $col in
        bare) args+=(--bare) ;;
        vhe) args+=(--hyp-append bench-floor) ;;
        nvhe) args+=(--nvhe --hyp-append bench-floor) ;;
    esac
    log=$logdir/bench-$col.log
    if [ $col != bare ] && [ ! -f "$repo/build/elvisor.bin" ]; then
        echo "# $col: build/elvisor.bin missing, no figures" >&2
        : >"$log"
    else
        "$runner" "${args[@]}" </dev/null 2>&1 | tr -d '\r' >"$log"
        rc=${PIPESTATUS[0]}
        [ "$rc" = 0 ] || echo "# $col: run exited $rc (log: $log)" >&2
    fi
    while read -r _ name min median; do
        [[ $min =~ ^min=([0-9]+)$ ]] && min=${BASH_REMATCH[1]} || continue
        [[ $median =~ ^median=([0-9]+)$ ]] && median=${BASH_REMATCH[1]} || continue
        [ -n "${fig[$name,seen]+x}" ] || { names+=("$name"); fig[$name,seen]=1; }
        fig[$name,$col]="$min / $median"
    done < <(grep '^BENCH ' "$log")
done

header() { case $1 in bare) echo "bare QEMU" ;; *) echo "elvisor $1" ;; esac; }
printf '%-22s' "benchmark"
for col in "${columns[@]}"; do printf '%18s' "$(header "$col")"; done
printf '\n'
bare_figures=0
for name in "${names[@]}"; do
    printf '%-22s' "$name"
    for col in "${columns[@]}"; do
        printf '%18s' "${fig[$name,$col]:-n/a}"
        [ $col = bare ] && [ -n "${fig[$name,$col]+x}" ] && bare_figures=$((bare_figures + 1))
    done
    printf '\n'
done
echo "(counter ticks = emulated instructions under --icount; min / median of 64)"
[ $bare_figures -gt 0 ]
