#!/usr/bin/env bash
# elvisor inside elvisor (issue 9, docs/nested.md §9.14): build/elvisor.bin
# boots as the guest (L1) of elvisor (L0) in a VM with virtual EL2, with a
# bundle of one test guest as its initrd, and runs that guest as its own VM
# (L2). A guest passes when its own GUEST-DONE line reports no failure and
# both elvisors then power off cleanly.
#
# usage: tests/integration/elvisor-in-elvisor.sh [GUEST[:VCPUS[:MODE]]]...
# (default: the guests known to pass, below). MODE is a '+' list of:
# "icount" runs the machine under -icount shift=0, which counter's
# first-instruction checks need, as in guests.list; "nv2" gives L1 FEAT_NV2
# (`virt-el2-nv2`, --el2-nv2) and the guest a virtual EL2 of its own in L1
# (`virt-el2;` in the inner bundle): three levels, the guest a hypervisor
# at L2 whose own guest is L3 (docs/nested.md §9.21); "elvisor2" puts
# elvisor at L2 as well (a virt-el2 VM of L1's, 128 MiB, with the guest's
# bundle as its initrd) and the guest at L3 (log eie-NAME-3.log; L1 gets
# 512 MiB); both, "nv2+elvisor2", offer FEAT_NV2 to that second elvisor
# and give the guest a virtual EL2 in it (four levels of hypervisor);
# "nvhe" (with nv2) makes that virtual EL2 a non-VHE one
# (`virt-el2-mode = "nvhe"` in the inner bundle: L1 sets HCR_EL2.NV1 for
# it, which L0 offers with FEAT_NV2 as E2H0 = NI, docs/nested.md §9.23).
# A guest's bootargs under elvisor (GUEST_BOOTARGS) go into the inner
# bundle. Not in the default list: the other
# guests in mode elvisor2 (they pass but for counter's first-instruction
# bound; §9.21 lists them), kept out for time.
# Each run's log (both elvisors and the guest): build/integration/eie-NAME.log
# (tools/bench.sh reads the bench guest's figures and L0's exit counts there).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$PWD

DEFAULT_GUESTS=(mmio:1 abort:1 isolation:1 psci:2 sgi:2 timer:1 dbgregs:1
                counter:2:icount contend:2:icount mops:1 idregs:2 virtio:1 rogue:1 bench:2
                vel2:2:nv2 vel2nest:1:icount+nv2 vel2s2:1:nv2 vel2nvhe:1:nv2+nvhe sgi:2:elvisor2)
# What a guest's bootargs say under elvisor (guests.list's "elvisor:").
declare -A GUEST_BOOTARGS=([vel2nvhe]=vel2nvhe=elvisor)
TIMEOUT_SECS=40
L2_MEM=0x2000000                # 32 MiB
L1_MEM=256M
L2_ELVISOR_MEM=0x8000000        # 128 MiB: elvisor at L2 (mode elvisor2)

tools/setup.sh
for f in build/elvisor.bin build/tools/elvisor-config; do
    [ -e "$f" ] || { echo "elvisor-in-elvisor: $f missing (run make)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

guests=("$@")
[ ${#guests[@]} -gt 0 ] || guests=("${DEFAULT_GUESTS[@]}")

# A one-VM bundle: NAME VCPUS MEM KERNEL OUT [EXTRA-PROPERTIES...]
bundle_one() {
    local name=$1 vcpus=$2 mem=$3 kernel=$4 out=$5
    shift 5
    {
        printf '/dts-v1/;\n/ {\n    compatible = "elvisor,config";\n    vms {\n        %s {\n' "$name"
        printf '            vcpus = <%s>;\n            memory-size = <%s>;\n' "$vcpus" "$mem"
        printf '            kernel = /incbin/("%s");\n' "$kernel"
        for p in "$@"; do printf '            %s\n' "$p"; done
        printf '        };\n    };\n};\n'
    } >"$out.dts"
    build/tools/elvisor-config bundle -q "$out.dts" "$out"
}

passed=0 failed=0
for entry in "${guests[@]}"; do
    name=${entry%%:*}
    IFS=: read -r name vcpus mode <<<"$entry"
    vcpus=${vcpus:-1}
    icount_args=() el2_arg=--el2 inner_props=() deep=0 suffix= l2_props=("virt-el2;")
    case "+${mode:-}+" in *+icount+*) icount_args=(--qemu-arg -icount --qemu-arg shift=0,sleep=off) ;; esac
    case "+${mode:-}+" in *+nv2+*) el2_arg=--el2-nv2 inner_props=("virt-el2;") l2_props+=("virt-el2-nv2;") ;; esac
    case "+${mode:-}+" in *+elvisor2+*) el2_arg=--el2-nv2 deep=1 suffix=-3 ;; esac
    case "+${mode:-}+" in *+nvhe+*) inner_props+=('virt-el2-mode = "nvhe";') ;; esac
    [ -n "${GUEST_BOOTARGS[$name]:-}" ] && inner_props+=("bootargs = \"${GUEST_BOOTARGS[$name]}\";")
    image=$repo/build/guests/$name.bin
    [ -e "$image" ] || { echo "FAIL $name: $image missing"; failed=$((failed + 1)); continue; }
    bundle_one "$name" "$vcpus" $L2_MEM "$image" "$work/$name.dtb" "${inner_props[@]}" \
        || { echo "FAIL $name: inner bundle not built"; failed=$((failed + 1)); continue; }
    initrd=$work/$name.dtb
    if [ $deep = 1 ]; then
        # elvisor at L2 too (a VM with virtual EL2 of L1's), the guest at L3.
        bundle_one l2 $((vcpus > 1 ? vcpus : 2)) $L2_ELVISOR_MEM "$repo/build/elvisor.bin" "$work/l2-$name.dtb" \
            "initrd = /incbin/(\"$work/$name.dtb\");" "${l2_props[@]}" \
            || { echo "FAIL $name: L1's bundle not built"; failed=$((failed + 1)); continue; }
        initrd=$work/l2-$name.dtb
    fi
    log=${ELVISOR_LOGDIR:-build/integration}/eie-$name$suffix.log
    mkdir -p "$(dirname "$log")"
    # L1 gets at least 2 vCPUs, as elvisor-run gives a machine at least 2 CPUs.
    tools/elvisor-run --kernel build/elvisor.bin $el2_arg --initrd "$initrd" \
        --mem $([ $deep = 1 ] && echo 512M || echo $L1_MEM) --smp $((vcpus > 1 ? vcpus : 2)) --timeout $TIMEOUT_SECS "${icount_args[@]}" \
        </dev/null >"$log" 2>&1
    rc=$?
    done_line=$(grep -a "^GUEST-DONE $name " "$log" | tail -1)
    l1_off=$(grep -ac "vm $name: powered off by the guest" "$log")
    l0_off=$(grep -ac "vm guest: powered off by the guest" "$log")
    l2_off=1
    [ $deep = 1 ] && l2_off=$(grep -ac "vm l2: powered off by the guest" "$log")
    # L0 (VM "guest") handles no access of its guest's guest as an unhandled
    # register: those are L1's to judge, or UNDEFINED quietly where the VM
    # lacks the feature (the PMU: idregs and rogue read PMCR_EL0).
    l0_unhandled=$(grep -ac "vm guest vcpu [0-9]*: [a-z]* of unhandled system register" "$log")
    if [ $rc = 0 ] && [[ $done_line == *" failed=0"* ]] && [ "$l1_off" -ge 1 ] && [ "$l2_off" -ge 1 ] &&
       [ "$l0_off" -ge 1 ] && [ "$l0_unhandled" = 0 ]; then
        echo "PASS $name ($done_line)"
        passed=$((passed + 1))
    else
        echo "FAIL $name: status $rc, '${done_line:-no GUEST-DONE}', $l0_unhandled unhandled-register lines of L0; last lines:"
        tail -n 15 "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
echo "elvisor-in-elvisor: $passed passed, $failed failed"
[ $failed = 0 ]
