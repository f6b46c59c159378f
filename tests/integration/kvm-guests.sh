#!/usr/bin/env bash
# The project's bare-metal test guests under Linux KVM, each run by kvmrun
# (tools/kvmrun/) from the KVM initramfs (make kvm-initramfs), and their TEST
# lines checked: the oracle for the same guests as L2 under a guest
# hypervisor, and the proof that kvmrun works.
#
#   tests/integration/kvm-guests.sh [--host bare|elvisor|elvisor-nvhe|elvisor-pkvm] [--pin | --pin-offset N]
#                                   [--only A,B] [--guest-append ARGS]
#                                   [--timeout S] [-v]
#
# --host bare (default): Debian's Linux 6.12 on bare QEMU's own EL2
#   (tools/elvisor-run --bare --el2), KVM in VHE mode as L0. Also runs
#   kvmrun's own error checks, and boots the same Linux without EL2 once to
#   see kvmrun refuse to run without /dev/kvm.
# --host elvisor: the same Linux at elvisor's virtual EL2 (--el2 --smp 2
#   --mem 1G), the guests as L2 under its KVM (docs/nested.md §9.4 item 7).
# --host elvisor-nvhe: the same Linux at a non-VHE virtual EL2 of elvisor
#   (--el2-nvhe) with kvm-arm.mode=nvhe: its KVM in nVHE mode, the guests
#   as L2 under it.
# --host elvisor-pkvm: the same Linux at a non-VHE virtual EL2 of elvisor
#   (--el2-nvhe) with kvm-arm.mode=protected: its KVM in protected nVHE
#   mode (pKVM), the guests as L2 under it.
# --pin: kvmrun --pin, each guest vCPU i on the host's CPU i.
# --pin-offset N: the test guests' vCPU i on the host's CPU i + N (mod its
#   2 CPUs): with 1, each L2 vCPU on an L1 CPU of another number, which
#   shows an L2 that reads its host CPU's MPIDR; Linux stays unpinned.
# Then a second boot runs Debian's Linux itself as a guest under kvmrun, 2
# vCPUs (make kvm-linux-initramfs), driven at its console by
# tests/integration/kvm-linux.exp: it reports 2 CPUs, its shell answers
# what we type, and kvmrun exits 0 at its poweroff. --only selects it as
# "linux". --guest-append adds kernel arguments to that guest Linux's.
#
# Guests and their vCPUs: tests/integration/kvm-guests.list. Checks that
# fail for reasons in KVM itself (where KVM's choices differ from elvisor's
# contract) are in tests/integration/kvm-xfail.txt: reported XFAIL, not
# counted. A guest that does not print GUEST-DONE, whose totals disagree
# with its TEST lines, or whose kvmrun exits non-zero is one more failure.
# Ends with "kvm-guests: N passed, N failed" and fails on any failure.
# Log: build/integration/kvm-HOST.log.
# ELVISOR_LINUX_DIR: the host Linux's directory (Image; default
# $ELVISOR_CACHE/linux, tools/setup.sh --newer-kernel fills linux-new);
# ELVISOR_KVM_LINUX_INITRAMFS: the initramfs with the guest Linux (default
# build/kvm-linux-initramfs.cpio.gz; make kvm-linux-new-initramfs for linux-new).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
cache=${ELVISOR_CACHE:-/var/cache/elvisor}
initrd=$repo/build/kvm-initramfs.cpio.gz
linux_dir=${ELVISOR_LINUX_DIR:-$cache/linux}
linux_initrd=${ELVISOR_KVM_LINUX_INITRAMFS:-$repo/build/kvm-linux-initramfs.cpio.gz}
host=bare only='' timeout=120 verbose=0 pin= guest_append=()

while [ $# -gt 0 ]; do
    case $1 in
        --host) host=${2:-}; shift ;;
        --only) only=${2:-}; shift ;;
        --pin) pin=' kvmrun.pin' ;;
        --pin-offset)
            [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "kvm-guests: --pin-offset wants a number" >&2; exit 2; }
            pin=" kvmrun.pin-offset=$2"; shift ;;
        --timeout) timeout=${2:-}; shift ;;
        --guest-append) guest_append=(--guest-append "${2:-}"); shift ;;
        -v|--verbose) verbose=1 ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "kvm-guests: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case $host in bare|elvisor|elvisor-nvhe|elvisor-pkvm) ;;
    *) echo "kvm-guests: --host wants bare, elvisor, elvisor-nvhe or elvisor-pkvm" >&2; exit 2 ;; esac
# How the host starts and what its KVM must say it is.
host_el2=(--el2) kvm_cmdline='' kvm_mode=VHE
[ $host = elvisor-nvhe ] && host_el2=(--el2-nvhe) kvm_cmdline=' kvm-arm.mode=nvhe' kvm_mode='Hyp nVHE'
[ $host = elvisor-pkvm ] && host_el2=(--el2-nvhe) kvm_cmdline=' kvm-arm.mode=protected' kvm_mode='Protected nVHE'
[[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -gt 0 ] || { echo "kvm-guests: bad --timeout" >&2; exit 2; }
[ -f "$initrd" ] || { echo "kvm-guests: $initrd missing: run make kvm-initramfs" >&2; exit 1; }
[ -f "$linux_initrd" ] || { echo "kvm-guests: $linux_initrd missing: run make kvm-linux-initramfs" >&2; exit 1; }
[ -f "$linux_dir/Image" ] || { echo "kvm-guests: $linux_dir/Image missing: run tools/setup.sh" >&2; exit 1; }
mkdir -p "$logdir"

run_linux=1
[ -z "$only" ] || [[ ",$only," == *",linux,"* ]] || run_linux=0
names=() specs=()
while read -r name smp mem _; do
    case $name in ''|'#'*) continue ;; esac
    [ -z "$only" ] || [[ ",$only," == *",$name,"* ]] || continue
    names+=("$name")
    specs+=("$name:$smp:$mem")
done <"$here/kvm-guests.list"
[ ${#names[@]} -gt 0 ] || [ $run_linux = 1 ] || { echo "kvm-guests: no guest selected" >&2; exit 2; }

declare -A xfail=()
while read -r check reason; do
    case $check in ''|'#'*) continue ;; esac
    xfail[$check]=$reason
done <"$here/kvm-xfail.txt"

passed=0 failed=0 xfailed=0
pass() { passed=$((passed + 1)); [ $verbose = 0 ] || echo "  PASS $1"; }
fail() { failed=$((failed + 1)); echo "  FAIL $1${2:+: $2}"; }

# Linux as the KVM host: L0 on bare QEMU, or L1 at elvisor's virtual EL2.
boot_host() {
    local log=$1 host_initrd=$2; shift 2
    local args=(--kernel "$linux_dir/Image" --initrd "$host_initrd" --smp 2 --mem 1G)
    [ $host = bare ] && args+=(--bare)
    "$runner" "${args[@]}" "$@" </dev/null 2>&1 | tr -d '\r' >"$log"
    return "${PIPESTATUS[0]}"
}

# The test guests in one boot of the host, each checked.
run_guests() {
    guest_list=$(IFS=,; echo "${specs[*]}")
    checks=''
    [ $host = bare ] && checks=' kvmrun.checks'
    log=$logdir/kvm-$host.log
    # The whole boot: Linux, then every guest in turn, each within its timeout.
    boot_timeout=$(( 300 + timeout * ${#names[@]} ))
    echo "# Linux on $host EL2, guests under its KVM: ${names[*]} (log: $log)"
    boot_host "$log" "$initrd" "${host_el2[@]}" --timeout "$boot_timeout" \
        --append "console=ttyAMA0$kvm_cmdline elvisor.poweroff kvmrun.guests=$guest_list kvmrun.timeout=$timeout$checks$pin"
    rc=$?
    [ $verbose = 0 ] || cat "$log"
    if [ $rc != 0 ]; then
        fail "host" "tools/elvisor-run exited $rc"
        grep -a -m5 -i "elvisor.*\(error\|stopp\|fatal\)\|kvm \[[0-9]*\]: .*fail\|Kernel panic" "$log" | sed 's/^/    /'
    fi
    grep -aq "kvm \[1\]: $kvm_mode mode initialized successfully" "$log" && pass "host.kvm_mode" \
        || fail "host.kvm_mode" "no 'kvm [1]: $kvm_mode mode initialized successfully' from the host Linux"
    # No log flood from elvisor, whatever the guest hypervisor does (its
    # warnings are once per vCPU and cause; 6.12 and 7.3 need at most 4).
    if [ $host != bare ]; then
        nwarn=$(grep -ac '^elvisor\[cpu[0-9]*\]: warning' "$log")
        [ "$nwarn" -le 32 ] && pass "host.elvisor_log_bounded" \
            || fail "host.elvisor_log_bounded" "$nwarn elvisor warning lines (at most 32)"
    fi

    if [ $host = bare ]; then
        while read -r _ name result rest; do
            name=${name%:}
            [ "$result" = PASS ] && pass "kvmrun.$name" || fail "kvmrun.$name" "$rest"
        done < <(grep -a '^KVMRUN-CHECK ' "$log")
        [ "$(grep -ac '^KVMRUN-CHECK ' "$log")" = 5 ] && pass "kvmrun.checks_ran" \
            || fail "kvmrun.checks_ran" "want 5 KVMRUN-CHECK lines"
    fi

    # One guest's section of the log, from its KVMRUN-START to its KVMRUN-EXIT.
    section() { awk -v n="$1" '$1 == "KVMRUN-START" && $2 == n { on = 1 } on { print } $1 == "KVMRUN-EXIT" && $2 == n { exit }' "$log"; }

    for name in "${names[@]}"; do
        out=$(section "$name")
        if [ -z "$out" ]; then
            fail "$name" "never started (the host stopped before it)"
            continue
        fi
        npass=0 nfail=0
        while read -r _ check result rest; do
            check=${check%:}
            case $result in
                PASS) npass=$((npass + 1)); pass "$check" ;;
                FAIL)
                    nfail=$((nfail + 1))
                    if [ -n "${xfail[$check]+x}" ]; then
                        xfailed=$((xfailed + 1)); echo "  XFAIL $check: $rest (${xfail[$check]})"
                    else
                        fail "$check" "$rest"
                    fi ;;
            esac
        done < <(grep -a '^TEST ' <<<"$out")
        done_line=$(grep -a "^GUEST-DONE $name " <<<"$out")
        exit_line=$(grep -a "^KVMRUN-EXIT $name " <<<"$out")
        if [ -z "$done_line" ]; then
            fail "$name.done" "no GUEST-DONE ($npass passed, $nfail failed before it stopped)"
            grep -a '^kvmrun:' <<<"$out" | head -5 | sed 's/^/    /'
        elif [ "$done_line" != "GUEST-DONE $name passed=$npass failed=$nfail" ]; then
            fail "$name.done" "'$done_line' disagrees with its TEST lines ($npass passed, $nfail failed)"
        fi
        if [ "$exit_line" != "KVMRUN-EXIT $name 0" ]; then
            fail "$name.exit" "kvmrun: '${exit_line:-no KVMRUN-EXIT}' (0 = SYSTEM_OFF)"
        fi
    done

}
[ ${#names[@]} = 0 ] || run_guests

# Debian's Linux as a guest of kvmrun (an L2 under --host elvisor), typed
# at as a user (tests/integration/kvm-linux.exp).
if [ $run_linux = 1 ]; then
    llog=$logdir/kvm-$host-linux.log
    echo "# Linux on $host EL2, Linux with 2 vCPUs under its KVM at its console (log: $llog)"
    linux_pin=''
    [ "$pin" = ' kvmrun.pin' ] && linux_pin=--pin
    # As L2 every console character is one MMIO exit through L1's KVM and
    # kvmrun: kvm-linux.exp boots it `quiet` (the whole boot log took 25 to
    # 65 s, over 300 s on a loaded machine; quiet, the test takes ~40 s).
    linux_timeout=$((timeout + 30))
    [ $host != bare ] && linux_timeout=$((timeout * 4 + 60))
    (cd "$repo" && ELVISOR_LINUX_DIR=$linux_dir ELVISOR_KVM_LINUX_INITRAMFS=$linux_initrd "$here/kvm-linux.exp" --host $host $linux_pin --timeout $linux_timeout "${guest_append[@]}") \
        </dev/null 2>&1 | tr -d '\r' >"$llog"
    [ $verbose = 0 ] || cat "$llog"
    nlinux=0
    while read -r _ check result rest; do
        check=${check%:}
        nlinux=$((nlinux + 1))
        [ "$result" = PASS ] && pass "$check" || fail "$check" "$rest"
    done < <(grep -a '^TEST kvm-linux\.' "$llog")
    [ $nlinux = 6 ] && pass "kvm-linux.all_checks_ran" || fail "kvm-linux.all_checks_ran" "$nlinux of 6 (log: $llog)"
fi

# Without EL2 the host has no KVM: kvmrun must say so and exit 3.
if [ $host = bare ] && [ -z "$only" ]; then
    nokvm=$logdir/kvm-bare-no-el2.log
    boot_host "$nokvm" "$initrd" --timeout 300 \
        --append "console=ttyAMA0 elvisor.poweroff kvmrun.guests=psci:1 kvmrun.timeout=30"
    if grep -aq "kvmrun: /dev/kvm does not exist" "$nokvm" && grep -aq "^KVMRUN-EXIT psci 3" "$nokvm"; then
        pass "kvmrun.no_dev_kvm"
    else
        fail "kvmrun.no_dev_kvm" "without EL2, want 'kvmrun: /dev/kvm does not exist' and exit 3 (log: $nokvm)"
    fi
fi

echo "kvm-guests: $passed passed, $failed failed ($xfailed XFAIL not counted)"
[ $failed = 0 ]
