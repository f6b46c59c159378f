#!/usr/bin/env bash
# Runs the multi-VM configurations (tests/integration/configs/) under elvisor
# on QEMU 10 and checks what every VM prints.
#
#   tests/integration/run-multi-vm.sh [--mode vhe|nvhe|both] [--gic 2|3] [--cpu MODEL] [--smmu stage2] [options]
#
# Each configuration runs as `tools/elvisor-run --config FILE --timeout T
# --gic G` (plus --cpu MODEL when given, --nvhe for the nVHE pass, --smmu stage2
# when given, and --hyp-append with the suite's elvisor options, e.g. vmid-churn's
# vmid-bits=3). With --smmu stage2 the machine has an SMMUv3 and nothing is
# assigned: each run also checks that elvisor turned it on with every stream
# aborted, and logs are labelled PASS-smmu (as run-guests.sh's). With several VMs elvisor starts
# every console line with "[vm] "; lines "[vm] TEST guest.check: PASS|FAIL"
# are the checks. When two VMs print at once, elvisor may cut their lines
# into pieces, each with its prefix: a VM's pieces are joined and split
# again where a guest line starts ("# ", "TEST ", "GUEST-DONE "). A run passes when QEMU exits 0, every VM of the suite
# printed one GUEST-DONE whose totals match its TEST lines, no check failed,
# and the suite's order checks hold. The VM marked `console` in the config
# gets the character 'g' typed once every other VM has printed GUEST-DONE:
# the guests wait for it, so the order of their phases does not depend on
# host speed. Ends with "multi-vm: N passed, N failed" (checks) and a
# non-zero status on any failure. Logs: build/integration/multi-PASS-SUITE.log
# (as printed) and .log.joined (cut lines joined), PASS suffixed with the CPU
# model other than max and prefixed by gic2- in a GICv2 run (as
# run-guests.sh: gic2-nvhe-a57). A CPU model without VHE runs the nVHE pass
# only; a suite that needs FEAT_NV2 (vmid-churn-nested) is skipped, with
# the reason printed, on a CPU without it.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}

usage() {
    cat <<'USAGE'
usage: tests/integration/run-multi-vm.sh [options]
  --mode M          elvisor mode: vhe, nvhe or both (default both)
  --gic 2|3         GIC version of the QEMU machine (default 3); the configs
                    name none, so the VMs get the machine's
  --only A,B        run only these suites (isolation-2vm, vm-reset,
                    timer-share, spin-share, hold-share, reset-share,
                    dbgregs-share, fpsimd-share, vmid-churn, vmid-churn-nested,
                    own-time-share, chaos; chaos-soak only when named)
  --cpu MODEL       QEMU CPU model (default: elvisor-run's, max); an Armv8.0
                    model (cortex-a35/a53/a57/a72) has no VHE, so only the
                    nVHE pass runs; suites that need FEAT_NV2 are skipped
                    on models without it (every model but max)
  --smmu MODE       the machine's SMMUv3 (tools/elvisor-run --smmu): stage2
                    puts one in stage-2 mode with nothing assigned, and each
                    run checks elvisor's boot line saying so; default none
  --timeout SECS    per run (default 120)
  -v, --verbose     also print each run's full console output
  -h, --help        this text
USAGE
}

# Suites: name, config, the console VM (gets 'g' when the others are done;
# empty when no guest waits for it), the other VMs, and order checks
# "FIRST => LAST": some line matching the extended regex FIRST comes before
# some line matching LAST.
suites=(isolation-2vm vm-reset timer-share spin-share hold-share reset-share dbgregs-share fpsimd-share vmid-churn vmid-churn-nested
        own-time-share chaos)
# Run only when named with --only (make soak): too long for make check.
extra_suites=(chaos-soak)
declare -A config console others orders hypargs runargs maxlog needs
config[isolation-2vm]=configs/isolation-2vm.dts
console[isolation-2vm]=b
others[isolation-2vm]=a
# a's scanning must overlap b's stores; b, alone on CPU 1, goes down last.
orders[isolation-2vm]='^\[b\] # ready: => ^\[a\] # scan pass [0-9]+$
^elvisor\[cpu[0-9]+\]: vm a: powered off => ^elvisor\[cpu1\]: vm b: powered off'
config[vm-reset]=configs/vm-reset.dts
console[vm-reset]=b
others[vm-reset]=a
# b is running before a resets, and is still running after a is done.
orders[vm-reset]='^\[b\] # steady: loop started$ => ^\[a\] # SYSTEM_RESET$
^\[a\] # SYSTEM_RESET$ => ^\[a\] GUEST-DONE
^elvisor\[cpu[0-9]+\]: vm a: powered off => ^elvisor\[cpu1\]: vm b: powered off'
config[timer-share]=configs/timer-share.dts
console[timer-share]=
others[timer-share]="a b c d"
# The two timer VMs had their timer checks running at the same time.
orders[timer-share]='^\[a\] TEST timer\.vtimer_cval_irq: => ^\[b\] GUEST-DONE
^\[b\] TEST timer\.vtimer_cval_irq: => ^\[a\] GUEST-DONE'
config[spin-share]=configs/spin-share.dts
console[spin-share]=
others[spin-share]="s t"
# t made all its checks while s spun without exits on the same CPU.
orders[spin-share]='^\[s\] # spin: started => ^\[t\] GUEST-DONE
^\[t\] GUEST-DONE => ^\[s\] # spin: done'
config[own-time-share]=configs/own-time-share.dts
console[own-time-share]=
others[own-time-share]="o w t"
# o and w spun at the same time on the same CPU, so each was switched out.
orders[own-time-share]='^\[o\] # spin: started => ^\[w\] # spin: done
^\[w\] # spin: started => ^\[o\] # spin: done'
# A counter that ticks once per instruction: the host descheduling QEMU
# then shows in no counter, so every jump left is elvisor's doing.
runargs[own-time-share]="--icount"
config[chaos]=configs/chaos.dts
console[chaos]=
others[chaos]="x p w"
orders[chaos]=''
# Boot lines (6), the rate-limited warnings the chaos VM causes (10 every
# 5 s, then one line on how many were held back) and power-off lines.
maxlog[chaos]=60
config[chaos-soak]=configs/chaos-soak.dts
console[chaos-soak]=
others[chaos-soak]="x p w"
orders[chaos-soak]=''
maxlog[chaos-soak]=400
config[reset-share]=configs/reset-share.dts
console[reset-share]=
others[reset-share]="c s"
# c rebooted and finished while s spun on the same CPU.
orders[reset-share]='^\[s\] # spin: started => ^\[c\] TEST psci\.system_reset: PASS
^\[c\] GUEST-DONE => ^\[s\] # spin: done'
config[hold-share]=configs/hold-share.dts
console[hold-share]=
others[hold-share]="h t"
# t's virtual timer interrupts were checked while h held PPI 27 active. h
# holds it from its hold_vtimer_expired check on, but prints "hold: started"
# a little later: on a loaded host t's first vtimer interrupt check
# (cval_irq) was seen to come in between, so its second (tval_irq) counts too.
orders[hold-share]='^\[h\] # hold: started => ^\[t\] TEST timer\.vtimer_(cval|tval)_irq:
^\[t\] TEST timer\.vtimer_cval_irq: => ^\[h\] # hold: done'
config[dbgregs-share]=configs/dbgregs-share.dts
console[dbgregs-share]=
others[dbgregs-share]="a b"
# b read its reset values after a had written its patterns, and each VM
# wrote its patterns before the other finished re-reading its own.
orders[dbgregs-share]='^\[a\] # dbgregs: patterns written => ^\[b\] # dbgregs: reading the reset values
^\[a\] # dbgregs: patterns written => ^\[b\] GUEST-DONE
^\[b\] # dbgregs: patterns written => ^\[a\] GUEST-DONE'
config[fpsimd-share]=configs/fpsimd-share.dts
console[fpsimd-share]=
others[fpsimd-share]="a b"
# Each VM wrote its pattern before the other finished re-reading its own.
orders[fpsimd-share]='^\[a\] # fpsimd: tag 1 pattern written => ^\[b\] GUEST-DONE
^\[b\] # fpsimd: tag 2 pattern written => ^\[a\] GUEST-DONE'
config[vmid-churn]=configs/vmid-churn.dts
console[vmid-churn]=p
others[vmid-churn]="x y"
hypargs[vmid-churn]="vmid-bits=3"
# 3-bit VMIDs: elvisor says so, and the 33 VMIDs x's and y's 32 boots and
# p take rolled the space over at least 4 times (it counts them when a VM
# powers off) while p, never put, kept its VMID and made its probes; p
# scanned after both churning VMs were done, and went down last.
orders[vmid-churn]='^elvisor\[cpu0\]: VMIDs: 3 bits \(vmid-bits=3; => ^\[p\] # ready:
^elvisor\[cpu[0-9]+\]: VMIDs: ([4-9]|[1-9][0-9]+) rollovers so far => ^elvisor\[cpu1\]: vm p: powered off
^\[x\] GUEST-DONE => ^\[p\] TEST isolation\.peer_data_absent: PASS
^\[y\] GUEST-DONE => ^\[p\] TEST isolation\.peer_data_absent: PASS'
config[vmid-churn-nested]=configs/vmid-churn-nested.dts
console[vmid-churn-nested]=
others[vmid-churn-nested]="n m x y"
hypargs[vmid-churn-nested]="vmid-bits=2"
# Its guest hypervisors run at virtual EL2 (virt-el2), which needs FEAT_NV2.
needs[vmid-churn-nested]=nv2
# Rollovers came while each guest hypervisor made its checks. Only the
# rollover lines elvisor's rate limit lets through (32 every 5 s) can show
# it: with 10 the churn's first ten could all come before vel2nest's first
# line on an idle machine (seen once in four runs).
orders[vmid-churn-nested]='^elvisor\[cpu[0-9]+\]: VMIDs: rollover [0-9]+, => ^\[n\] GUEST-DONE
^elvisor\[cpu[0-9]+\]: VMIDs: rollover [0-9]+, => ^\[m\] GUEST-DONE
^\[n\] # guest vel2s2 => ^elvisor\[cpu[0-9]+\]: VMIDs: rollover [0-9]+,
^\[m\] # guest vel2nest => ^elvisor\[cpu[0-9]+\]: VMIDs: rollover [0-9]+,'

mode=both gic=3 only="" cpu="" smmu=none timeout=120 verbose=0
while [ $# -gt 0 ]; do
    case $1 in
        --mode) mode=${2:-}; shift ;;
        --gic) gic=${2:-}; shift ;;
        --only) only=${2:-}; shift ;;
        --cpu) cpu=${2:-}; shift ;;
        --smmu) smmu=${2:-}; shift ;;
        --timeout) timeout=${2:-}; shift ;;
        -v|--verbose) verbose=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run-multi-vm: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case $mode in vhe|nvhe|both) ;; *) echo "run-multi-vm: --mode wants vhe, nvhe or both" >&2; exit 2 ;; esac
case $gic in 2|3) ;; *) echo "run-multi-vm: --gic wants 2 or 3" >&2; exit 2 ;; esac
case $smmu in none|stage2) ;; *) echo "run-multi-vm: --smmu wants none or stage2" >&2; exit 2 ;; esac
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -gt 0 ] || { echo "run-multi-vm: bad --timeout" >&2; exit 2; }
if [ "$mode" = both ]; then passes=(vhe nvhe); else passes=("$mode"); fi

# As run-guests.sh: QEMU's Armv8.0 models have no FEAT_VHE, so elvisor runs
# nVHE whatever is asked; a "VHE" pass would only repeat the nVHE one.
cpu_model=${cpu:-max}
cpu_model=${cpu_model%%,*}
case $cpu_model in
    cortex-a35|cortex-a53|cortex-a57|cortex-a72)
        if [ "$mode" != nvhe ]; then
            echo "run-multi-vm: note: $cpu_model has no VHE: running the nVHE pass only"
            passes=(nvhe)
        fi ;;
esac
# Of QEMU 10's CPU models only max has FEAT_NV2 (as in run-guests.sh).
cpu_features=""
[ "$cpu_model" = max ] && cpu_features="nv2"

selected=()
for s in "${suites[@]}" "${extra_suites[@]}"; do
    if [ -z "$only" ] || [[ ",$only," == *",$s,"* ]]; then
        [[ " ${extra_suites[*]} " == *" $s "* ]] && [ -z "$only" ] && continue
        selected+=("$s")
    fi
done
if [ ${#selected[@]} = 0 ]; then
    echo "run-multi-vm: no suite selected (known: ${suites[*]})" >&2
    exit 2
fi

mkdir -p "$logdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/run-multi-vm.XXXXXX") || exit 1
run_pid=
cleanup() {
    [ -n "$run_pid" ] && kill -TERM "$run_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Boots one configuration; console output (\r removed) in $log. Types 'g'
# into the console VM once every other VM has printed GUEST-DONE.
run_config() {   # pass suite log -> elvisor-run's status
    local pass=$1 suite=$2 log=$3 fifo=$tmp/console-in raw=$tmp/raw.log fd rc sent=0 vm done_all
    local -a args=(--config "$here/${config[$suite]}" --timeout "$timeout" --gic "$gic")
    [ -n "$cpu" ] && args+=(--cpu "$cpu")
    [ "$pass" = nvhe ] && args+=(--nvhe)
    [ "$smmu" != none ] && args+=(--smmu "$smmu")
    [ -n "${hypargs[$suite]:-}" ] && args+=(--hyp-append "${hypargs[$suite]}")
    # shellcheck disable=SC2206
    [ -n "${runargs[$suite]:-}" ] && args+=(${runargs[$suite]})

    rm -f "$fifo"
    mkfifo "$fifo" || return 1
    # Emptied here, not by the background redirection below: the loop may
    # look before that runs, and must not find the last suite's GUEST-DONE.
    : >"$raw"
    # Read-write, so neither side blocks in open() and QEMU never sees EOF.
    exec {fd}<>"$fifo"
    "$runner" "${args[@]}" <"$fifo" >"$raw" 2>&1 &
    run_pid=$!
    local ticks=0
    while kill -0 "$run_pid" 2>/dev/null; do
        if [ $sent = 0 ] && [ -f "$raw" ]; then
            done_all=1
            for vm in ${others[$suite]}; do
                tr -d '\r' <"$raw" | join_vm_lines /dev/stdin | grep -qE "^\[$vm\] GUEST-DONE " \
                    || { done_all=0; break; }
            done
            if [ $done_all = 1 ]; then
                printf g >&"$fd"
                sent=1
            fi
        elif [ $sent -ge 1 ] && [ $((++ticks % 10)) = 0 ] &&
             ! tr -d '\r' <"$raw" | join_vm_lines /dev/stdin |
                 grep -qE "^\[${console[$suite]}\] GUEST-DONE "; then
            # The console VM ignores repeats. One 'g' was seen lost once
            # in ~20 runs (GICv2, nVHE) before a PL011 interrupt race was
            # fixed; a repeat keeps this isolation test about isolation,
            # and the count is printed so that input loss stays visible.
            printf g >&"$fd"
            sent=$((sent + 1))
        fi
        sleep 0.2
    done
    [ $sent -gt 1 ] && echo "[$pass/$suite] note: 'g' typed $sent times before the console VM finished"
    wait "$run_pid"
    rc=$?
    run_pid=
    exec {fd}>&-
    tr -d '\r' <"$raw" >"$log"
    join_vm_lines "$log" >"$log.joined"
    return $rc
}

# Console output with each VM's lines put together again, each at the place
# where its last piece was printed (see the top): a VM's pieces are joined
# into one stream, which is split again where a guest line starts.
join_vm_lines() {   # file
    awk '
        BEGIN { tok[1] = "# "; tok[2] = "TEST "; tok[3] = "GUEST-DONE " }
        function next_start(s, from,   best, t, k) {
            best = 0
            for (t = 1; t <= 3; t++) {
                k = index(substr(s, from), tok[t])
                if (k && (!best || from + k - 1 < best)) best = from + k - 1
            }
            return best
        }
        function emit(n, line,   prev) {
            prev = (n in out) ? out[n] "\n" : ""     # decided before out[n] exists
            out[n] = prev line
        }
        match($0, /^\[[^]]+\] /) {
            vm = substr($0, 2, RLENGTH - 3); text = substr($0, RLENGTH + 1)
            if (!(vm in nfrag)) { nfrag[vm] = 0; order[++nvms] = vm }
            if (text != "") { ftext[vm, nfrag[vm]] = text; fnr[vm, nfrag[vm]] = NR; nfrag[vm]++ }
            next
        }
        { emit(NR, $0) }
        END {
            for (v = 1; v <= nvms; v++) {
                vm = order[v]; s = ""
                for (i = 0; i < nfrag[vm]; i++) { fend[i] = length(s) + length(ftext[vm, i]); s = s ftext[vm, i] }
                cur = 1; f = 0
                while (cur <= length(s)) {
                    nx = next_start(s, cur + 1); e = nx ? nx - 1 : length(s)
                    while (fend[f] < e) f++
                    emit(fnr[vm, f], "[" vm "] " substr(s, cur, e - cur + 1))
                    cur = e + 1
                }
            }
            for (i = 1; i <= NR; i++) if (i in out) print out[i]
        }
    ' "$1"
}

describe_rc() {
    case $1 in
        0) echo "exit 0" ;;
        124) echo "timed out after ${timeout}s" ;;
        *) echo "exit $1" ;;
    esac
}

# Line number of the first (or last) line matching an extended regex, or 0.
first_line() { grep -nE -m1 -- "$1" "$2" | cut -d: -f1 | head -n1 || true; }
last_line() { grep -nE -- "$1" "$2" | tail -n1 | cut -d: -f1 || true; }

# elvisor's boot lines that the SMMU adds: PCI bridge, 00:00.0, SMMUv3, queues.
smmu_boot_lines=4
passed=0 failed=0 skipped=0
for pass in "${passes[@]}"; do
    # -cpu max keeps the historical log names; other models are marked so
    # that their logs do not overwrite those.
    label=$pass
    [ "$cpu_model" != max ] && label=$label-${cpu_model#cortex-}
    [ "$smmu" != none ] && label=$label-smmu
    [ "$gic" = 2 ] && label=gic2-$label
    for suite in "${selected[@]}"; do
        tag="[$label/$suite]"
        log=$logdir/multi-$label-$suite.log
        missing=""
        for f in ${needs[$suite]:-}; do
            [[ " $cpu_features " == *" $f "* ]] || missing+="${missing:+ }$f"
        done
        if [ -n "$missing" ]; then
            echo "$tag SKIP $suite: needs $missing, which $cpu_model lacks"
            skipped=$((skipped + 1))
            continue
        fi
        run_config "$pass" "$suite" "$log"
        rc=$?
        [ $verbose = 1 ] && while IFS= read -r l; do echo "$tag | $l"; done <"$log"

        s_pass=0 s_fail=0
        declare -A vm_tests=() vm_done=() vm_done_total=()
        for vm in ${console[$suite]} ${others[$suite]}; do
            vm_tests[$vm]=0 vm_done[$vm]=0
        done
        while IFS= read -r line; do
            [[ $line =~ ^\[([A-Za-z0-9,._+@-]+)\]\ (.*)$ ]] || continue
            vm=${BASH_REMATCH[1]} text=${BASH_REMATCH[2]}
            if [[ $text =~ ^TEST\ ([A-Za-z0-9_]+\.[A-Za-z0-9_]+):\ (PASS|FAIL)(\ (.*))?$ ]]; then
                check=${BASH_REMATCH[1]} result=${BASH_REMATCH[2]} reason=${BASH_REMATCH[4]}
                if [ -z "${vm_tests[$vm]+x}" ]; then
                    echo "$tag FAIL $vm: $check from a VM the suite does not know"
                    s_fail=$((s_fail + 1))
                    continue
                fi
                vm_tests[$vm]=$((vm_tests[$vm] + 1))
                if [ "$result" = PASS ]; then
                    echo "$tag PASS $vm: $check"
                    s_pass=$((s_pass + 1))
                else
                    echo "$tag FAIL $vm: $check: $reason"
                    s_fail=$((s_fail + 1))
                fi
            elif [[ $text =~ ^GUEST-DONE\ [A-Za-z0-9_]+\ passed=([0-9]+)\ failed=([0-9]+)$ ]]; then
                if [ -n "${vm_done[$vm]+x}" ]; then
                    vm_done[$vm]=$((vm_done[$vm] + 1))
                    vm_done_total[$vm]=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
                fi
            fi
        done <"$log.joined"

        problems=()
        [ "$rc" = 0 ] || problems+=("$(describe_rc "$rc") (want 0: the last VM powers the machine off)")
        for vm in ${console[$suite]} ${others[$suite]}; do
            if [ "${vm_done[$vm]}" != 1 ]; then
                problems+=("VM $vm printed GUEST-DONE ${vm_done[$vm]} times, want once")
            elif [ "${vm_done_total[$vm]}" != "${vm_tests[$vm]}" ]; then
                problems+=("VM $vm: GUEST-DONE counts ${vm_done_total[$vm]} checks, the log has ${vm_tests[$vm]} TEST lines")
            elif [ "${vm_tests[$vm]}" = 0 ]; then
                problems+=("VM $vm made no checks")
            fi
        done
        while IFS= read -r rule; do
            [ -n "$rule" ] || continue
            first=${rule%% => *} last=${rule#* => }
            f=$(first_line "$first" "$log.joined") l=$(last_line "$last" "$log.joined")
            if [ -z "$f" ] || [ -z "$l" ] || [ "$f" -ge "$l" ]; then
                problems+=("order: no line /$first/ (line ${f:-none}) before a line /$last/ (last: ${l:-none})")
            fi
        done <<<"${orders[$suite]}"
        # With --smmu, the run is only worth it if elvisor found the SMMU
        # and aborts every stream (nothing is assigned).
        if [ "$smmu" = stage2 ]; then
            if grep -qE '^elvisor\[cpu0\]: SMMUv3 at 0x[0-9a-f]+: .*stage 2, [0-9]+ stream IDs, all aborted' "$log.joined"; then
                echo "$tag PASS $suite: smmu_on"
                s_pass=$((s_pass + 1))
            else
                problems+=("elvisor did not log its SMMUv3 in stage-2 mode, all streams aborted")
            fi
        fi
        if [ -n "${maxlog[$suite]:-}" ]; then
            # The SMMU's boot lines (PCI bridge, its one function, the SMMU,
            # its queues) are elvisor's, not the guests' doing.
            limit=${maxlog[$suite]}
            [ "$smmu" != none ] && limit=$((limit + smmu_boot_lines))
            n=$(grep -c '^elvisor\[' "$log.joined")
            [ "$n" -le "$limit" ] ||
                problems+=("elvisor logged $n lines, more than the $limit a guest may cause")
        fi

        for p in "${problems[@]}"; do
            echo "$tag FAIL $suite: $p"
            s_fail=$((s_fail + 1))
        done
        if [ ${#problems[@]} -gt 0 ]; then
            echo "$tag last lines of $log:"
            tail -n 8 "$log.joined" | while IFS= read -r l; do echo "$tag   | $l"; done
        fi
        passed=$((passed + s_pass)); failed=$((failed + s_fail))
        if [ $s_fail = 0 ]; then
            echo "$tag suite $suite: ok ($s_pass checks)"
        else
            echo "$tag suite $suite: FAILED ($s_fail failing)"
        fi
        unset vm_tests vm_done vm_done_total
    done
done

[ $skipped -gt 0 ] && echo "# $skipped suite run(s) skipped for want of a CPU feature"
echo "multi-vm: $passed passed, $failed failed"
[ $failed = 0 ]
