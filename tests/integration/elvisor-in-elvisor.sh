#!/usr/bin/env bash
# elvisor inside elvisor (issue 9, docs/nested.md §9.14): build/elvisor.bin
# boots as the guest (L1) of elvisor (L0) in a VM with virtual EL2, with a
# bundle of one test guest as its initrd, and runs that guest as its own VM
# (L2). A guest passes when its own GUEST-DONE line reports no failure and
# both elvisors then power off cleanly.
#
# usage: tests/integration/elvisor-in-elvisor.sh [GUEST[:VCPUS]]...
# (default: the guests known to pass, below)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD

DEFAULT_GUESTS=(mmio:1 timer:1)
TIMEOUT_SECS=60
L2_MEM=0x2000000                # 32 MiB
L1_MEM=256M

tools/setup.sh
for f in build/elvisor.bin build/tools/elvisor-config; do
    [ -e "$f" ] || { echo "elvisor-in-elvisor: $f missing (run make)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

guests=("$@")
[ ${#guests[@]} -gt 0 ] || guests=("${DEFAULT_GUESTS[@]}")

passed=0 failed=0
for entry in "${guests[@]}"; do
    name=${entry%%:*}
    vcpus=1
    [[ $entry == *:* ]] && vcpus=${entry#*:}
    image=$repo/build/guests/$name.bin
    [ -e "$image" ] || { echo "FAIL $name: $image missing"; failed=$((failed + 1)); continue; }
    cat >"$work/$name.dts" <<DTS
/dts-v1/;
/ {
    compatible = "elvisor,config";
    vms {
        $name {
            vcpus = <$vcpus>;
            memory-size = <$L2_MEM>;
            kernel = /incbin/("$image");
        };
    };
};
DTS
    build/tools/elvisor-config bundle -q "$work/$name.dts" "$work/$name.dtb" \
        || { echo "FAIL $name: inner bundle not built"; failed=$((failed + 1)); continue; }
    log=$work/$name.log
    # L1 gets one more vCPU than its guest, so that a guest's second vCPU
    # has a CPU of its own in L1 as on the machine.
    tools/elvisor-run --kernel build/elvisor.bin --el2 --initrd "$work/$name.dtb" \
        --mem $L1_MEM --smp $((vcpus > 1 ? vcpus : 2)) --timeout $TIMEOUT_SECS \
        </dev/null >"$log" 2>&1
    rc=$?
    done_line=$(grep -a "^GUEST-DONE $name " "$log" | tail -1)
    l1_off=$(grep -ac "vm $name: powered off by the guest" "$log")
    l0_off=$(grep -ac "vm guest: powered off by the guest" "$log")
    if [ $rc = 0 ] && [[ $done_line == *" failed=0"* ]] && [ "$l1_off" -ge 1 ] && [ "$l0_off" -ge 1 ]; then
        echo "PASS $name ($done_line)"
        passed=$((passed + 1))
    else
        echo "FAIL $name: status $rc, '${done_line:-no GUEST-DONE}'; last lines:"
        tail -n 15 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "elvisor-in-elvisor: $passed passed, $failed failed"
[ $failed = 0 ]
