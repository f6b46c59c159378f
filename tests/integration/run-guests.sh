#!/usr/bin/env bash
# Runs every test guest (tests/integration/guests.list) under elvisor on
# QEMU 10, or directly on QEMU with --bare, and checks their TEST lines.
#
#   tests/integration/run-guests.sh [--bare] [--mode vhe|nvhe|both] [--gic 2|3] [options]
#
# Each guest runs as `tools/elvisor-run --kernel build/guests/NAME.bin --smp N
# --timeout T --gic G` (plus --nvhe for the nVHE pass, --bare for bare QEMU, and
# the guest's own arguments from guests.list). A check passes on
# "TEST guest.check: PASS"; a guest that does not print GUEST-DONE, exits
# non-zero, or whose GUEST-DONE totals disagree with its TEST lines counts as
# one more failure. Under elvisor, two checks come from elvisor's own log:
# guest.hyp_mode (its "running in VHE|nVHE mode" line is the pass's mode) and
# the lines hyp-log.txt expects. Ends with "guests: N passed, N failed"
# (checks) and a non-zero status on any failure. Logs:
# build/integration/LABEL-NAME.log, LABEL being the pass, suffixed with the
# CPU model other than max and prefixed by gic2- in a GICv2 run (e.g.
# gic2-vhe-sgi.log, nvhe-a57-psci.log).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
trixie_root=${ELVISOR_CACHE:-/var/cache/elvisor}/trixie-root

usage() {
    cat <<'USAGE'
usage: tests/integration/run-guests.sh [options]
  --bare            run the guests directly on QEMU 10 (no elvisor); known QEMU
                    gaps listed in tests/integration/bare-xfail.txt are XFAIL
  --mode M          elvisor mode: vhe, nvhe or both (default both; ignored
                    with --bare)
  --gic 2|3         GIC version of the QEMU machine and of every VM (default 3);
                    a GICv2 run labels its passes and logs gic2-PASS
  --only A,B        run only these guests
  --cpu MODEL       QEMU CPU model for every guest (default: elvisor-run's, max);
                    other than max, labels passes and logs PASS-MODEL (nvhe-a57);
                    an Armv8.0 model (cortex-a35/a53/a57/a72) has no VHE, so
                    elvisor must run in nVHE mode in every pass
  --smmu MODE       the machine's SMMUv3 (tools/elvisor-run --smmu): stage2 puts
                    one in stage-2 mode in front of an empty PCIe bus, nothing
                    assigned (docs/device-assignment.md); labels passes and
                    logs PASS-smmu; default none
  --timeout SECS    per guest run (default 60)
  -v, --verbose     also print each guest's full console output
  -h, --help        this text
USAGE
}

bare=0 mode=both gic=3 only="" cpu="" smmu=none timeout=60 verbose=0
while [ $# -gt 0 ]; do
    case $1 in
        --bare) bare=1 ;;
        --mode) mode=${2:-}; shift ;;
        --gic) gic=${2:-}; shift ;;
        --only) only=${2:-}; shift ;;
        --cpu) cpu=${2:-}; shift ;;
        --smmu) smmu=${2:-}; shift ;;
        --timeout) timeout=${2:-}; shift ;;
        -v|--verbose) verbose=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run-guests: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case $mode in vhe|nvhe|both) ;; *) echo "run-guests: --mode wants vhe, nvhe or both" >&2; exit 2 ;; esac
case $gic in 2|3) ;; *) echo "run-guests: --gic wants 2 or 3" >&2; exit 2 ;; esac
case $smmu in none|stage2) ;; *) echo "run-guests: --smmu wants none or stage2" >&2; exit 2 ;; esac
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -gt 0 ] || { echo "run-guests: bad --timeout" >&2; exit 2; }

if [ $bare = 1 ]; then
    passes=(bare)
elif [ $mode = both ]; then
    passes=(vhe nvhe)
else
    passes=("$mode")
fi

# Guest table. Extra arguments are for --bare runs unless they follow
# "elvisor:" (then for runs under elvisor) or "all:" (every pass), up to the
# next marker ("bare:" switches back); the words after "needs:" name CPU
# features the guest cannot run without (nv2: FEAT_NV2).
names=() smps=() bare_args=() hyp_args=() needs=()
while read -r name smp extra; do
    case $name in ''|'#'*) continue ;; esac
    if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
    b="" e="" n="" dest=b
    read -r -a words <<<"${extra:-}"
    for w in "${words[@]}"; do
        case $w in
            bare:) dest=b ;;
            elvisor:) dest=e ;;
            all:) dest=a ;;
            needs:) dest=n ;;
            *) if [ $dest = n ]; then
                   n+="${n:+ }$w"
                   continue
               fi
               [ $dest = e ] || b+="${b:+ }$w"
               [ $dest = b ] || e+="${e:+ }$w" ;;
        esac
    done
    names+=("$name"); smps+=("$smp"); bare_args+=("$b"); hyp_args+=("$e"); needs+=("$n")
done <"$here/guests.list"
if [ ${#names[@]} = 0 ]; then
    echo "run-guests: no guest selected" >&2
    exit 2
fi

declare -A xfail=()
if [ $bare = 1 ]; then
    while read -r check reason; do
        case $check in ''|'#'*) continue ;; esac
        xfail[$check]=$reason
    done <"$here/bare-xfail.txt"
fi

# Lines elvisor must log in a guest's run: guest, check, count, text.
hyp_log=()
if [ $bare = 0 ]; then
    while read -r g check count text; do
        case $g in ''|'#'*) continue ;; esac
        hyp_log+=("$g"$'\t'"$check"$'\t'"$count"$'\t'"$text")
    done <"$here/hyp-log.txt"
fi

# QEMU's Armv8.0 CPU models have no FEAT_VHE: elvisor must fall back to nVHE.
cpu_model=${cpu:-max}
cpu_model=${cpu_model%%,*}
case $cpu_model in
    cortex-a35|cortex-a53|cortex-a57|cortex-a72) cpu_vhe=0 ;;
    *) cpu_vhe=1 ;;
esac
# Of QEMU 10's CPU models only max has FEAT_NV2 (elvisor refuses a VM with
# virtual EL2 without it; exit-status.sh checks that).
cpu_features=""
[ "$cpu_model" = max ] && cpu_features="nv2"

mkdir -p "$logdir"
passed=0 failed=0 xfailed=0 xpassed=0 skipped=0

# Without tools/elvisor-run, bare runs still work straight from the trixie root.
run_bare_fallback() {   # image smp extra-args...
    local image=$1 smp=$2 cpu_model=max stage rc
    local -a qemu_extra=()
    shift 2
    while [ $# -gt 0 ]; do
        [ "$1" = --cpu ] && { cpu_model=$2; shift; }
        [ "$1" = --qemu-arg ] && { qemu_extra+=("$2"); shift; }
        shift
    done
    stage=$(mktemp -d "$trixie_root/tmp/run-guests.XXXXXX") || return 1
    cp "$image" "$stage/guest.bin"
    timeout -k 5 "$timeout" chroot "$trixie_root" qemu-system-aarch64 -M "virt,gic-version=$gic" \
        -cpu "$cpu_model" -smp "$smp" -m 256M -nographic -nodefaults -serial stdio \
        -kernel "${stage#"$trixie_root"}/guest.bin" "${qemu_extra[@]}" </dev/null
    rc=$?
    rm -rf "$stage"
    return $rc
}

run_guest() {   # pass name smp bare-extra hyp-extra -> console output in the log file
    local pass=$1 name=$2 smp=$3 extra=$4 hyp_extra=$5 image=$repo/build/guests/$2.bin
    local -a args=(--kernel "$image" --smp "$smp" --timeout "$timeout" --gic "$gic")
    # shellcheck disable=SC2206 # the extras are word lists from guests.list
    [ $pass = bare ] && args+=(--bare $extra)
    # shellcheck disable=SC2206
    [ $pass != bare ] && args+=($hyp_extra)
    [ $pass = nvhe ] && args+=(--nvhe)
    [ -n "$cpu" ] && args+=(--cpu "$cpu")
    [ "$smmu" != none ] && args+=(--smmu "$smmu")
    if [ -x "$runner" ]; then
        "$runner" "${args[@]}" </dev/null
    elif [ $pass = bare ]; then
        # shellcheck disable=SC2086
        run_bare_fallback "$image" "$smp" $extra ${cpu:+--cpu "$cpu"}
    else
        echo "run-guests: $runner is missing: only --bare can run" >&2
        return 1
    fi
}

describe_rc() {
    case $1 in
        0) echo "exit 0" ;;
        124) echo "timed out after ${timeout}s" ;;
        *) echo "exit $1" ;;
    esac
}

for pass in "${passes[@]}"; do
    # The GICv3 pass on -cpu max keeps its historical names; others are
    # marked, so that their logs do not overwrite those.
    label=$pass
    [ "$cpu_model" != max ] && label=$label-${cpu_model#cortex-}
    [ "$smmu" != none ] && label=$label-smmu
    [ $gic = 2 ] && label=gic2-$label
    want_mode=VHE
    [ $pass = nvhe ] || [ $cpu_vhe = 0 ] && want_mode=nVHE
    [ $pass = vhe ] && [ $want_mode = nVHE ] && echo "[$label] note: $cpu_model has no VHE: elvisor must run in nVHE mode"
    if [ $pass != bare ] && [ ! -f "$repo/build/elvisor.bin" ]; then
        echo "[$label] note: build/elvisor.bin is missing (run make): every guest will fail"
    fi
    for i in "${!names[@]}"; do
        name=${names[$i]}
        log=$logdir/$label-$name.log
        missing=""
        for f in ${needs[$i]}; do
            [[ " $cpu_features " == *" $f "* ]] || missing+="${missing:+ }$f"
        done
        if [ -n "$missing" ]; then
            echo "[$label] SKIP $name: needs $missing, which $cpu_model lacks"
            skipped=$((skipped + 1))
            continue
        fi
        if [ ! -f "$repo/build/guests/$name.bin" ]; then
            echo "[$label] FAIL $name: build/guests/$name.bin missing (run make guests)"
            failed=$((failed + 1))
            continue
        fi
        run_guest "$pass" "$name" "${smps[$i]}" "${bare_args[$i]}" "${hyp_args[$i]}" 2>&1 | tr -d '\r' >"$log"
        rc=${PIPESTATUS[0]}
        [ $verbose = 1 ] && sed "s/^/[$label] | /" "$log"

        g_pass=0 g_fail=0 g_xfail=0 done_line=""
        while IFS= read -r line; do
            if [[ $line =~ ^TEST\ ([A-Za-z0-9_]+)\.([A-Za-z0-9_]+):\ (PASS|FAIL)(\ (.*))?$ ]]; then
                check="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}" result=${BASH_REMATCH[3]}
                reason=${BASH_REMATCH[5]}
                if [ "${BASH_REMATCH[1]}" != "$name" ]; then
                    echo "[$label] FAIL $check: reported by guest $name"
                    g_fail=$((g_fail + 1))
                elif [ $result = PASS ] && [ -n "${xfail[$check]+x}" ]; then
                    echo "[$label] XPASS $check (listed in bare-xfail.txt)"
                    g_pass=$((g_pass + 1)); xpassed=$((xpassed + 1))
                elif [ $result = PASS ]; then
                    echo "[$label] PASS $check"
                    g_pass=$((g_pass + 1))
                elif [ -n "${xfail[$check]+x}" ]; then
                    echo "[$label] XFAIL $check: $reason (known on bare QEMU: ${xfail[$check]})"
                    g_xfail=$((g_xfail + 1))
                else
                    echo "[$label] FAIL $check: $reason"
                    g_fail=$((g_fail + 1))
                fi
            elif [[ $line =~ ^GUEST-DONE\ $name\ passed=([0-9]+)\ failed=([0-9]+)$ ]]; then
                done_line=$line
                done_total=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
            elif [[ $line == BENCH\ * ]]; then
                echo "[$label] $line"
            fi
        done <"$log"

        problem=""
        if [ -z "$done_line" ]; then
            problem="no GUEST-DONE ($(describe_rc "$rc"))"
        elif [ "$rc" != 0 ]; then
            problem="$(describe_rc "$rc") after GUEST-DONE"
        elif [ "$done_total" != $((g_pass + g_fail + g_xfail)) ]; then
            problem="GUEST-DONE counts $done_total checks, the log has $((g_pass + g_fail + g_xfail)) TEST lines"
        fi
        if [ -n "$problem" ]; then
            echo "[$label] FAIL $name: $problem; last lines of $log:"
            tail -n 5 "$log" | sed "s/^/[$label]   | /"
            g_fail=$((g_fail + 1))
        fi
        if [ $pass != bare ]; then
            # elvisor says once at boot which mode it chose.
            modes=$(sed -nE 's/^elvisor\[cpu[0-9]+\]: running in (n?VHE) mode.*/\1/p' "$log" | tr '\n' ' ')
            if [ "$modes" = "$want_mode " ]; then
                echo "[$label] PASS $name.hyp_mode"
                g_pass=$((g_pass + 1))
            else
                echo "[$label] FAIL $name.hyp_mode: elvisor logged '${modes% }' for its mode, this pass wants $want_mode"
                g_fail=$((g_fail + 1))
            fi
            # With --smmu, the pass is only worth it if elvisor found the SMMU and
            # aborts every stream (nothing is assigned).
            if [ "$smmu" = stage2 ]; then
                if grep -qE '^elvisor\[cpu0\]: SMMUv3 at 0x[0-9a-f]+: .*stage 2, [0-9]+ stream IDs, all aborted' "$log"; then
                    echo "[$label] PASS $name.smmu_on"
                    g_pass=$((g_pass + 1))
                else
                    echo "[$label] FAIL $name.smmu_on: elvisor did not log its SMMUv3 in stage-2 mode, all streams aborted"
                    g_fail=$((g_fail + 1))
                fi
            fi
            for e in "${hyp_log[@]}"; do
                IFS=$'\t' read -r g check count text <<<"$e"
                [ "$g" = "$name" ] || [ "$g" = "$name@gic$gic" ] || continue
                n=$(grep -cF -- "$text" "$log")
                if [ "$n" = "$count" ]; then
                    echo "[$label] PASS $name.$check"
                    g_pass=$((g_pass + 1))
                else
                    echo "[$label] FAIL $name.$check: elvisor logged '$text' $n times, want $count"
                    g_fail=$((g_fail + 1))
                fi
            done
        fi
        passed=$((passed + g_pass)); failed=$((failed + g_fail)); xfailed=$((xfailed + g_xfail))
        if [ $g_fail = 0 ]; then
            xf=""
            [ $g_xfail -gt 0 ] && xf=", $g_xfail xfail"
            echo "[$label] guest $name: ok ($g_pass checks$xf)"
        else
            echo "[$label] guest $name: FAILED ($g_fail failing)"
        fi
    done
done

[ $skipped -gt 0 ] && echo "# $skipped guest run(s) skipped for want of a CPU feature (needs: in guests.list)"
[ $xfailed -gt 0 ] && echo "# $xfailed expected failures on bare QEMU (tests/integration/bare-xfail.txt)"
[ $xpassed -gt 0 ] && echo "# $xpassed checks listed in bare-xfail.txt passed: update the list"
echo "guests: $passed passed, $failed failed"
[ $failed = 0 ]
