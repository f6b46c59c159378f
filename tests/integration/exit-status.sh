#!/usr/bin/env bash
# elvisor's exit status, as tools/elvisor-run returns it: 0 when every VM
# powered itself off, 4 when elvisor stopped a VM (the other VMs still run to
# their end), 3 when elvisor itself cannot go on. elvisor writes the status on
# its status port (QEMU's second PL011), which no VM can reach (the abort
# guest checks that).
#
#   tests/integration/exit-status.sh [elvisor-run options, e.g. --nvhe, --cpu MODEL]
#
# One "PASS name" / "FAIL name: why" line per check, then
# "exit-status: N passed, N failed"; non-zero on any failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
run=$repo/tools/elvisor-run
guests=$repo/build/guests
timeout=60
extra=("$@")
# The CPU model asked for (elvisor-run's last --cpu wins; default max): only
# max has FEAT_NV2, which the vel2nest check needs (run-guests.sh says why).
cpu_model=max
for ((i = 0; i < ${#extra[@]}; i++)); do
    [ "${extra[$i]}" = --cpu ] && cpu_model=${extra[$((i + 1))]:-max}
done
cpu_model=${cpu_model%%,*}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exit-status.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT_RC PATTERN -- elvisor-run args...: runs, checks the status
# and that PATTERN (an ERE) appears in the output.
expect() {
    local name=$1 want=$2 pattern=$3 rc
    shift 4
    "$run" --timeout "$timeout" "${extra[@]}" "$@" </dev/null >"$tmp/$name.log" 2>&1
    rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$name" "exit status $rc, want $want; last lines:"
        tail -n 5 "$tmp/$name.log" | sed 's/^/  | /'
    elif ! grep -Eq -- "$pattern" "$tmp/$name.log"; then
        fail "$name" "exit status $rc but no line matching '$pattern'"
        tail -n 5 "$tmp/$name.log" | sed 's/^/  | /'
    else
        pass "$name"
    fi
}

. "$(dirname "${BASH_SOURCE[0]}")/vm-config-lib.sh"

# 1. Every VM powers itself off: 0.
expect all-off 0 'GUEST-DONE mmio passed=[0-9]+ failed=0' -- --kernel "$guests/mmio.bin"

# 2. A VM placed on a CPU the machine lacks is stopped alone: the other VM
# runs to its end, then the status says which VM elvisor stopped.
vm_config "$tmp/missing-cpu.dts" "$(vm_node lost "$guests/mmio.bin" 1 0x8000000 console\;)" \
    "$(vm_node fine "$guests/mmio.bin" 0 0x8000000)"
expect vm-on-missing-cpu 4 'vm lost: vCPU 0 is placed on CPU 1, but this machine has 1 CPU' -- \
    --config "$tmp/missing-cpu.dts" --host-smp 1
if grep -Eq '^\[fine\] GUEST-DONE mmio passed=[0-9]+ failed=0' "$tmp/vm-on-missing-cpu.log"; then
    pass vm-on-missing-cpu-other-runs
else
    fail vm-on-missing-cpu-other-runs "VM 'fine' did not finish"
fi
grep -q 'elvisor ended with status 4: .*vm lost was stopped' "$tmp/vm-on-missing-cpu.log" \
    && pass vm-on-missing-cpu-reason || fail vm-on-missing-cpu-reason "elvisor-run did not name the VM"

# 3. A VM larger than the machine's free RAM (QEMU's -m given again, after
# elvisor-run's own, wins) is stopped alone.
expect vm-too-big 4 'vm guest: not enough physical memory for 1024 MiB' -- \
    --kernel "$guests/mmio.bin" --mem 1G --qemu-arg -m --qemu-arg 1G

# 4. A VM with virtual EL2 on a CPU without FEAT_NV2 (QEMU's cortex-a57) is
# refused with a log line, not started at EL1 instead.
expect vel2-without-nv2 4 'vm guest: virt-el2 needs FEAT_NV2 \(ID_AA64MMFR2_EL1.NV = 2\), this CPU has NV = 0' -- \
    --kernel "$guests/vel2.bin" --smp 2 --el2 --cpu cortex-a57
if grep -q '^TEST ' "$tmp/vel2-without-nv2.log"; then
    fail vel2-without-nv2-not-run "the guest ran"
else
    pass vel2-without-nv2-not-run
fi

# 5. A guest hypervisor that translates an address of its guest with AT
# while its own stage 2 is on (HCR_EL2.VM) gets the answer of the shadow
# of that stage 2 (docs/nested.md §9.7): vel2nest=vm sets VM with an empty
# stage 2, so its guest's first fetch faults back to it and the AT reports
# a stage-2 fault of its walk in PAR_EL1, as on bare QEMU's EL2; needs
# FEAT_NV2 (QEMU's max).
if [ "$cpu_model" != max ]; then
    echo "SKIP vel2nest-at-stage2: needs nv2, which $cpu_model lacks"
else
    expect vel2nest-at-stage2 0 'GUEST-DONE vel2nest passed=2 failed=0' -- \
        --kernel "$guests/vel2nest.bin" --el2 --append vel2nest=vm
fi

# 6. elvisor cannot go on: a VM bundle that is not one (a config tool that
# writes garbage stands in for a corrupted bundle) ends with 3.
cat >"$tmp/bad-config-tool" <<'TOOL'
#!/bin/sh
# stands in for elvisor-config: "bundle IN OUT ..." writes a bundle that is garbage
head -c 4096 /dev/urandom >"$3"
TOOL
chmod +x "$tmp/bad-config-tool"
ELVISOR_CONFIG_TOOL=$tmp/bad-config-tool expect bad-bundle 3 'elvisor ended with status 3: invalid VM bundle' -- \
    --kernel "$guests/mmio.bin"

echo "exit-status: $passed passed, $failed failed"
[ "$failed" = 0 ]
