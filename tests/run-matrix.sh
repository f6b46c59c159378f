#!/usr/bin/env bash
# The whole elvisor suite on each CPU model people have, as `make
# check-matrix` runs it (docs/testing.md, "The CPU-model matrix"). `make
# check` (tests/run-all.sh) runs a representative subset of it; this runs
# every cell. Assumes the tree is built and provisioned (make check-matrix
# does both first).
#
#   tests/run-matrix.sh [--cpus A,B] [--gics 3,2]
#
# For each CPU model x GIC version:
#   guests       run-guests.sh, VHE and nVHE where the CPU has VHE, nVHE only
#                otherwise (guests.list `needs: nv2` skipped without NV2)
#   linux-MODE   Debian's Linux with 2 vCPUs to its shell, each mode the CPU has
#   (Linux at virtual EL2 is in make check and make check-nested, not
#   here)
#   multi-vm     the multi-VM configurations, each mode the CPU has
#   exit-status-MODE, rogue-MODE
# What a CPU cannot do is skipped with the reason printed. The CPU-
# independent suites (layers, unit, fuzz, bare guests, launcher, gdb,
# make-run-config) stay in make check. Same summary lines as run-all.sh:
# "=== name: PASS|FAIL (N s)" per suite, "=== name: SKIP (reason)", then
# "matrix: N passed, N failed"; non-zero if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# max: Armv9 with VHE, NV2, ECV, FGT. neoverse-n1: Armv8.2, VHE without NV
# (cortex-a76 would be the other choice, but elvisor cannot run a guest on
# its 40-bit PARange yet: docs/testing.md). cortex-a72: Armv8.0, no VHE
# (make check already runs cortex-a57's guests).
cpus=(max neoverse-n1 cortex-a72)
gics=(3 2)
while [ $# -gt 0 ]; do
    case $1 in
        --cpus) IFS=, read -r -a cpus <<<"${2:-}"; shift ;;
        --gics) IFS=, read -r -a gics <<<"${2:-}"; shift ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run-matrix: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done

. tests/suite-lib.sh

start_all=$SECONDS
for cpu in "${cpus[@]}"; do
    # The same tables as run-guests.sh and linux-smp.exp: QEMU's Armv8.0
    # models lack FEAT_VHE, and only max has FEAT_NV2.
    case $cpu in
        cortex-a35|cortex-a53|cortex-a57|cortex-a72) modes=(nvhe) ;;
        *) modes=(vhe nvhe) ;;
    esac
    for gic in "${gics[@]}"; do
        cell=$cpu-gic$gic
        if [ ${#modes[@]} = 2 ]; then
            suite "$cell-guests" tests/integration/run-guests.sh --mode both --cpu "$cpu" --gic "$gic"
        else
            suite "$cell-guests" tests/integration/run-guests.sh --mode nvhe --cpu "$cpu" --gic "$gic"
        fi
        [ ${#modes[@]} = 1 ] && skip "$cell-linux-vhe" "$cpu has no VHE"
        for m in "${modes[@]}"; do
            flag=()
            [ "$m" = nvhe ] && flag=(--nvhe)
            suite "$cell-linux-$m" tests/integration/linux-smp.exp --cpu "$cpu" --gic "$gic" "${flag[@]}"
        done
        suite "$cell-multi-vm" tests/integration/run-multi-vm.sh --mode both --cpu "$cpu" --gic "$gic"
        for m in "${modes[@]}"; do
            flag=()
            [ "$m" = nvhe ] && flag=(--nvhe)
            suite "$cell-exit-status-$m" tests/integration/exit-status.sh --cpu "$cpu" --gic "$gic" "${flag[@]}"
            suite "$cell-rogue-$m" tests/integration/rogue.sh --cpu "$cpu" --gic "$gic" "${flag[@]}"
        done
    done
done

echo "# $skipped suite(s) skipped for want of a CPU feature (reasons above); $((SECONDS - start_all)) s in all"
echo "matrix: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
