#!/usr/bin/env bash
# Device assignment through the SMMUv3's stage 2 (docs/device-assignment.md),
# with QEMU's edu DMA device and the edu guest (guests/edu):
#
#   1. bare QEMU, the same machine (SMMU present, not enabled by anyone):
#      the guest's DMA round trip and completion interrupt work (the
#      oracle for 2's positive checks);
#   1b. (GICv3) bare QEMU: the edu's MSI through the ITS the guest programs
#      with elvisor's ITS encoders, with the SMMU in bypass and translating
#      through a stage 2 of the guest's (the oracle for MSIs, not built yet);
#   1c. (GICv3 suite) bare QEMU with GICv2, whose virt has a real GICv2m
#      frame: the guest's side of MSIs (edu.role=msi-v2m), the oracle for 2c;
#   2. under elvisor, tests/integration/configs/edu-2vm.dts: VM `edu` owns
#      the device: the round trip works, a completion interrupt cleared
#      through GICD_ICACTIVER or GICD_ICPENDR does not stop the next one
#      (the physical SPI is deactivated too), and DMA at IPAs past its RAM, far
#      above it, at VM `marker`'s physical RAM and at elvisor's SMMU stream
#      table all fault: elvisor logs each (stream 8, read and write, the
#      IPA), `marker` finds its marker intact afterwards, and the run ends
#      with every VM powered off (exit 0);
#      With GICv3, elvisor's own ITS (MSI step 3): up at boot, the edu's
#      DeviceID 8 EventID 0 mapped to LPI 8192 on the VM's CPU, and the
#      ITS's INT for it taken there as that LPI;
#   2c. (GICv3) under elvisor, the same msi-v2m guest: the VM's frame,
#      its MSI capability virtualized, the DMA's completion as the SPI its
#      data names (through the doorbell, the SMMU, the ITS, the LPI), INTx
#      again with MSI off, nothing for an SPI outside the frame, a CPU
#      write to the doorbell or the device's DMA to it raising nothing;
#      and two VMs with an edu each doing all that at once
#      (tests/integration/configs/edu-msi-2dev.dts);
#   2b. two VMs, two edus (tests/integration/configs/edu-2dev.dts): their
#      round trips overlap and each gets only its own data back; each
#      device's DMA at the other VM's RAM faults, logged with its own stream,
#      and both markers stay intact (see below);
#   3. SYSTEM_RESET quiesces the device: a DMA into the VM's RAM started
#      just before the reset lands on bare QEMU (the oracle: nobody stops
#      the device) and never under elvisor; the rebooted VM's command
#      register reads 0;
#   3b. power-off quiesces the device: the same DMA, then PSCI SYSTEM_OFF
#      (tests/integration/configs/edu-poweroff.dts) while VM `marker` keeps
#      running; QEMU's monitor reads the powered-off VM's RAM a second
#      later: the DMA never landed;
#   4. the configuration refused: without --assign-edu (no SMMU, no edu:
#      elvisor-config names the file, line, VM and reason), and by elvisor
#      itself at boot when the checker is not told the machine and the
#      machine has no SMMU (the VM is not started, exit status 4).
#
#   tests/integration/run-edu.sh [--mode vhe|nvhe|both] [--gic 2|3] [--timeout SECS]
# Ends with "edu: N passed, N failed" and a non-zero status on any failure.
# Logs: build/integration/edu-*.log.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
config_tool=${ELVISOR_CONFIG_TOOL:-$repo/build/tools/elvisor-config}
guest=$repo/build/guests/edu.bin
cfg=$here/configs/edu-2vm.dts
modes=both gic=3 timeout=90

while [ $# -gt 0 ]; do
    case $1 in
        --mode) modes=$2; shift ;;
        --gic) gic=$2; shift ;;
        --timeout) timeout=$2; shift ;;
        -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
        *) echo "run-edu.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
case $modes in both) modes="vhe nvhe" ;; vhe|nvhe) ;; *) echo "run-edu.sh: --mode vhe|nvhe|both" >&2; exit 2 ;; esac
mkdir -p "$logdir"
passed=0 failed=0

check() {   # check NAME CONDITION-RESULT(0/1) [WHY]
    if [ "$2" = 0 ]; then
        passed=$((passed + 1)); echo "PASS $1"
    else
        failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"
    fi
}
has() { grep -qF -- "$2" "$1"; echo $?; }

# The addresses edu-2vm.dts aims at, and what elvisor must log for them.
# marker's RAM starts at 0xba000000; its marker from 1 MiB in (above its
# image): 2 MiB in is marked.
marker_ram=0xba000000 peer_pa=0xba200000 table_pa=0xbe004000
blocked_ipas=(0x44100000 0x8000000000 $peer_pa $table_pa)
edu_checks=24       # TEST lines of VM edu with edu.expect-blocked and both addresses

# MSI step 3 (GICv3): elvisor's ITS is up, and each assigned edu's
# (DeviceID, EventID 0) is mapped to an LPI on its VM's CPU; the INT
# elvisor sends for it comes back as that LPI on that CPU. On GICv2 no ITS
# may be claimed. its_checks MODE LOG "VM BDF DEVID LPI CPU"...
its_checks() {
    local mode=$1 log=$2 vm bdf devid lpi cpu
    shift 2
    if [ "$gic" != 3 ]; then
        check "$mode: no ITS on GICv2" "$([ "$(has "$log" "ITS at")" = 1 ]; echo $?)"
        return
    fi
    check "$mode: ITS up" "$(has "$log" "ITS at 0x8080000: TYPER 0x1f0001efb1, LPIs 8192-16383 on in")" "see $log"
    for row in "$@"; do
        read -r vm bdf devid lpi cpu <<<"$row"
        check "$mode: vm $vm's $bdf mapped in the ITS" \
              "$(has "$log" "vm $vm: PCI $bdf MSI: ITS DeviceID $devid EventID 0 -> LPI $lpi on CPU $cpu")" "see $log"
        check "$mode: vm $vm's LPI $lpi arrives on CPU $cpu" \
              "$(has "$log" "elvisor[cpu$cpu]: vm $vm: PCI $bdf MSI path checked: the ITS's INT of DeviceID $devid EventID 0 arrived as LPI $lpi on CPU $cpu")" \
              "see $log"
    done
}

# 1. bare QEMU
log=$logdir/edu-bare.log
"$runner" --bare --assign-edu --gic "$gic" --kernel "$guest" --timeout "$timeout" >"$log" 2>&1
check "bare: exit 0" $? "see $log"
check "bare: all guest checks pass" "$(has "$log" "GUEST-DONE edu passed=10 failed=0")" "see $log"
# 1b. (GICv3) the facts MSIs of assigned devices will rest on, bare: the
# guest programs the ITS itself with elvisor's encoders (arch/arm64/its_enc.c)
# and the edu's MSI; the completion arrives as the LPI mapped for DeviceID 8
# (the requester ID, through the SMMU's region in bypass) and EventID 0, and
# nothing for an EventID the ITT lacks (docs/device-assignment.md).
if [ "$gic" = 3 ]; then
    log=$logdir/edu-bare-msi-its.log
    "$runner" --bare --assign-edu --gic 3 --kernel "$guest" --append "edu.role=msi-its" --timeout "$timeout" \
        >"$log" 2>&1
    check "bare msi-its: the MSI arrives through the ITS as LPI 8192, an unmapped EventID raises nothing" \
          "$(has "$log" "GUEST-DONE edu passed=11 failed=0")" "see $log"
    # The same with the SMMU on, translating the stream through a stage 2 of
    # the guest's own (DMA through an alias only translation resolves): the
    # requester ID survives translation; the doorbell must be in the stage 2.
    log=$logdir/edu-bare-msi-its-smmu.log
    "$runner" --bare --assign-edu --gic 3 --kernel "$guest" --append "edu.role=msi-its edu.smmu=s2" \
        --timeout "$timeout" >"$log" 2>&1
    check "bare msi-its through the SMMU's stage 2: translated, and the MSI still arrives as LPI 8192" \
          "$(has "$log" "GUEST-DONE edu passed=13 failed=0")" "see $log"
fi

# 1c. the guest's side of MSIs through a GICv2m frame, bare (QEMU's own
# frame and GIC): the oracle for 2c.
msi_v2m_checks=14   # TEST lines of msi-v2m without edu.doorbell
if [ "$gic" = 3 ]; then
    log=$logdir/edu-bare-msi-v2m.log
    "$runner" --bare --assign-edu --gic 2 --kernel "$guest" --append "edu.role=msi-v2m" --timeout "$timeout" \
        >"$log" 2>&1
    check "bare msi-v2m (GICv2): the MSI arrives as the frame's SPI, INTx again with MSI off" \
          "$(has "$log" "GUEST-DONE edu passed=$msi_v2m_checks failed=0")" "see $log"
fi

for mode in $modes; do
    m=()
    [ "$mode" = nvhe ] && m=(--nvhe)
    # 2c. (GICv3) MSIs of an assigned function under elvisor: the same
    # checks as 1c, and the doorbell's (5 more).
    if [ "$gic" = 3 ]; then
        log=$logdir/edu-$mode-msi-v2m.log
        "$runner" "${m[@]}" --assign-edu --gic 3 --kernel "$guest" \
            --append "edu.role=msi-v2m edu.doorbell=0x08090040" --timeout "$timeout" >"$log" 2>&1
        check "$mode msi-v2m: exit 0" $? "see $log"
        check "$mode msi-v2m: MSI offered" \
              "$(has "$log" "vm guest: PCI 00:01.0 MSI: ITS DeviceID 8 EventID 0 -> LPI 8192 on CPU 0, offered through the VM's MSI frame")"
        check "$mode msi-v2m: guest checks" "$(has "$log" "GUEST-DONE edu passed=$((msi_v2m_checks + 5)) failed=0")" \
              "see $log"
        # Two VMs, an edu each, both on MSIs at once (configs/edu-msi-2dev.dts):
        # each gets exactly its own device's completions.
        log=$logdir/edu-$mode-msi-2dev.log
        "$runner" "${m[@]}" --assign-edu --assign-edu --gic 3 --config "$here/configs/edu-msi-2dev.dts" \
            --timeout "$timeout" >"$log" 2>&1
        check "$mode msi-2dev: exit 0" $? "see $log"
        check "$mode msi-2dev: b's MSI is LPI 8193 on CPU 1" \
              "$(has "$log" "vm b: PCI 00:03.0 MSI: ITS DeviceID 24 EventID 0 -> LPI 8193 on CPU 1, offered")"
        for vm in a b; do
            check "$mode msi-2dev: $vm's checks" \
                  "$(has "$log" "[$vm] GUEST-DONE edu passed=$((msi_v2m_checks + 5)) failed=0")" "see $log"
        done
    fi
    # 2. under elvisor, two VMs
    log=$logdir/edu-$mode-2vm.log
    "$runner" "${m[@]}" --assign-edu --gic "$gic" --config "$cfg" --timeout "$timeout" >"$log" 2>&1
    check "$mode: exit 0" $? "see $log"
    check "$mode: elvisor runs in $mode mode" "$(has "$log" "running in ${mode/vhe/VHE} mode")"
    check "$mode: device assigned" "$(has "$log" "vm edu: PCI 00:01.0 (1234:11e8) assigned: stream 8")"
    check "$mode: marker VM at $marker_ram" "$(has "$log" "vm marker: 1 vCPU, 64 MiB at PA $marker_ram")" \
          "elvisor's allocation changed: update edu-2vm.dts and this script"
    check "$mode: stream table at $table_pa" "$(has "$log" "stream table at PA $table_pa")" \
          "elvisor's allocation changed: update edu-2vm.dts and this script"
    check "$mode: edu VM's checks" "$(has "$log" "[edu] GUEST-DONE edu passed=$edu_checks failed=0")"
    for ipa in "${blocked_ipas[@]}"; do
        for dir in read write; do
            check "$mode: $dir at $ipa faulted and logged" \
                  "$(has "$log" "vm edu: DMA of PCI 00:01.0 (stream 8) blocked by the SMMU: F_TRANSLATION, $dir at IPA $ipa")"
        done
    done
    check "$mode: marker intact" "$(has "$log" "[marker] TEST edu.marker_intact: PASS")"
    its_checks "$mode" "$log" "edu 00:01.0 8 8192 0"
    done_line=$(grep -nF "[edu] GUEST-DONE" "$log" | head -1 | cut -d: -f1)
    intact_line=$(grep -nF "[marker] TEST edu.marker_intact" "$log" | head -1 | cut -d: -f1)
    [ -n "$done_line" ] && [ -n "$intact_line" ] && [ "$done_line" -lt "$intact_line" ]
    check "$mode: marker checked after the DMA attempts" $? "edu done at line ${done_line:-?}, marker at ${intact_line:-?}"
done

# 2b. two VMs, each with a device of its own, at once
# (tests/integration/configs/edu-2dev.dts): a owns 00:01.0 (stream 8), b a
# second edu at 00:03.0 (stream 24). Their round trips overlap (each
# started before the other finished) and each gets only its own data
# back; each device's DMA at the other VM's marked RAM, past its own RAM
# and far above faults and is logged with its own stream and VM; each
# marker, checked after the other VM's device aimed at it, is intact.
two_cfg=$here/configs/edu-2dev.dts
a_pa=0xba000000 b_pa=0xb6000000
two_checks=23       # TEST lines of each VM with edu.mark, edu.rounds and expect-blocked
line_of() { grep -nF -- "$2" "$1" | head -1 | cut -d: -f1; }
before() {   # before NAME LOG FIRST-TEXT LATER-TEXT: FIRST's line comes before LATER's
    local f l
    f=$(line_of "$2" "$3") l=$(line_of "$2" "$4")
    [ -n "$f" ] && [ -n "$l" ] && [ "$f" -lt "$l" ]
    check "$1" $? "'$3' at line ${f:-none}, '$4' at line ${l:-none}"
}
for mode in $modes; do
    m=()
    [ "$mode" = nvhe ] && m=(--nvhe)
    log=$logdir/edu-$mode-2dev.log
    "$runner" "${m[@]}" --assign-edu --assign-edu --gic "$gic" --config "$two_cfg" --timeout "$timeout" >"$log" 2>&1
    check "$mode 2dev: exit 0" $? "see $log"
    check "$mode 2dev: a owns 00:01.0" "$(has "$log" "vm a: PCI 00:01.0 (1234:11e8) assigned: stream 8")"
    check "$mode 2dev: b owns 00:03.0" "$(has "$log" "vm b: PCI 00:03.0 (1234:11e8) assigned: stream 24")"
    check "$mode 2dev: a at $a_pa" "$(has "$log" "vm a: 1 vCPU, 64 MiB at PA $a_pa")" \
          "elvisor's allocation changed: update edu-2dev.dts and this script"
    check "$mode 2dev: b at $b_pa" "$(has "$log" "vm b: 1 vCPU, 64 MiB at PA $b_pa")" \
          "elvisor's allocation changed: update edu-2dev.dts and this script"
    for vm in a b; do
        check "$mode 2dev: $vm's checks" "$(has "$log" "[$vm] GUEST-DONE edu passed=$two_checks failed=0")" "see $log"
    done
    its_checks "$mode 2dev" "$log" "a 00:01.0 8 8192 0" "b 00:03.0 24 8193 1"
    before "$mode 2dev: a's round trips overlap b's" "$log" "[a] # rounds started" "[b] # rounds done"
    before "$mode 2dev: b's round trips overlap a's" "$log" "[b] # rounds started" "[a] # rounds done"
    for who in "a 00:01.0 8 $((b_pa + 0x200000))" "b 00:03.0 24 $((a_pa + 0x200000))"; do
        read -r vm dev sid peer <<<"$who"
        for ipa in "$(printf 0x%x "$peer")" 0x44100000 0x8000000000; do
            for dir in read write; do
                check "$mode 2dev: $vm's $dir at $ipa logged with stream $sid" \
                      "$(has "$log" "vm $vm: DMA of PCI $dev (stream $sid) blocked by the SMMU: F_TRANSLATION, $dir at IPA $ipa")"
            done
        done
    done
    before "$mode 2dev: a's marker checked after b's device aimed at it" "$log" \
           "[b] TEST edu.write_peer_vm_completes" "[a] TEST edu.marker_intact: PASS"
    before "$mode 2dev: b's marker checked after a's device aimed at it" "$log" \
           "[a] TEST edu.write_peer_vm_completes" "[b] TEST edu.marker_intact: PASS"
done

# 3. SYSTEM_RESET quiesces the device
log=$logdir/edu-bare-reset.log
"$runner" --bare --assign-edu --gic "$gic" --kernel "$guest" --append "edu.role=reset edu.expect-landed=1" \
    --timeout "$timeout" >"$log" 2>&1
check "bare reset: the DMA lands without quiesce" "$(has "$log" "TEST edu.dma_lands_without_quiesce: PASS")" "see $log"
for mode in $modes; do
    m=()
    [ "$mode" = nvhe ] && m=(--nvhe)
    log=$logdir/edu-$mode-reset.log
    "$runner" "${m[@]}" --assign-edu --gic "$gic" --kernel "$guest" --append "edu.role=reset" \
        --timeout "$timeout" >"$log" 2>&1
    check "$mode reset: exit 0" $? "see $log"
    check "$mode reset: VM reset" "$(has "$log" "vm guest: reset by the guest")"
    check "$mode reset: the DMA never lands" "$(has "$log" "GUEST-DONE edu passed=7 failed=0")" "see $log"
done

# 3b. power-off quiesces the device: VM edu starts a DMA into its RAM and
# powers off; VM marker keeps elvisor (and QEMU) running; 1 s later (ten
# times the device's delay) QEMU's monitor (ctrl-a c on the console, fed
# through a FIFO) reads the target in the powered-off VM's physical RAM:
# the zeros the guest wrote there must still be there.
poweroff_cfg=$here/configs/edu-poweroff.dts
poweroff_target_off=0x1400000      # the guest's RESET_TARGET from its RAM base
for mode in $modes; do
    m=()
    [ "$mode" = nvhe ] && m=(--nvhe)
    log=$logdir/edu-$mode-poweroff.log
    fifo=$(mktemp -u "${TMPDIR:-/tmp}/edu-console.XXXXXX")
    mkfifo "$fifo"
    "$runner" "${m[@]}" --assign-edu --gic "$gic" --config "$poweroff_cfg" --timeout "$timeout" \
        <"$fifo" >"$log" 2>&1 &
    run_pid=$!
    exec 7>"$fifo"
    for _ in $(seq 100); do
        grep -qF "vm edu: powered off by the guest" "$log" && break
        sleep 0.2
    done
    check "$mode poweroff: VM powered off" "$(has "$log" "vm edu: powered off by the guest")" "see $log"
    sleep 1
    ram_pa=$(sed -nE 's/.*vm edu: 1 vCPU, 64 MiB at PA (0x[0-9a-f]+).*/\1/p' "$log" | head -1)
    if [ -n "$ram_pa" ]; then
        printf '\001c' >&7
        sleep 0.3
        printf 'xp /512xg 0x%x\n' $((ram_pa + poweroff_target_off)) >&7
        sleep 1
        printf '\001c' >&7
    fi
    exec 7>&-
    wait "$run_pid"
    rc=$?
    rm -f "$fifo"
    words=$(tr -d '\r' <"$log" | sed -nE 's/^[0-9a-f]{16}: (0x[0-9a-f]{16}( 0x[0-9a-f]{16})*)$/\1/p' | tr ' ' '\n')
    landed=$(grep -c '^0xa5a5a5a5a5a5a5a5$' <<<"$words")
    zeros=$(grep -c '^0x0000000000000000$' <<<"$words")
    check "$mode poweroff: target read through QEMU's monitor" "$([ "$(grep -c . <<<"$words")" = 512 ]; echo $?)" \
          "RAM at '${ram_pa:-?}', see $log"
    check "$mode poweroff: the DMA never lands" "$([ "$landed" = 0 ] && [ "$zeros" = 512 ]; echo $?)" \
          "$landed of 512 words hold the pattern, $zeros the zeros the guest wrote"
    check "$mode poweroff: exit 0, marker intact" \
          "$([ $rc = 0 ] && [ "$(has "$log" "[marker] TEST edu.marker_intact: PASS")" = 0 ]; echo $?)" "exit $rc, see $log"
done

# 4. refusals
log=$logdir/edu-refused-checker.log
"$runner" --config "$cfg" --gic "$gic" --timeout "$timeout" >"$log" 2>&1
rc=$?
check "checker: refused (exit 1)" "$([ $rc = 1 ]; echo $?)" "exit $rc"
pci_line=$(grep -n "pci-devices" "$cfg" | tail -1 | cut -d: -f1)
check "checker: no SMMU named" "$(has "$log" "edu-2vm.dts:$pci_line: vm 'edu': property 'pci-devices': the machine has no SMMU")"
check "checker: missing function named" \
      "$(has "$log" "edu-2vm.dts:$pci_line: vm 'edu': property 'pci-devices': 00:01.0: no such PCI function on this machine (it has: 00:00.0)")"

# elvisor's own check: a checker that is not told the machine
unaware=$(mktemp "${TMPDIR:-/tmp}/edu-checker.XXXXXX")
trap 'rm -f "$unaware"' EXIT
cat >"$unaware" <<SH
#!/usr/bin/env bash
args=()
while [ \$# -gt 0 ]; do
    case \$1 in --pci|--smmu) shift ;; *) args+=("\$1") ;; esac
    shift
done
exec "$config_tool" "\${args[@]}"
SH
chmod +x "$unaware"
log=$logdir/edu-refused-elvisor.log
ELVISOR_CONFIG_TOOL=$unaware "$runner" --assign-edu --smmu none --gic "$gic" --kernel "$guest" \
    --timeout "$timeout" >"$log" 2>&1
rc=$?
check "elvisor: VM not started (exit 4)" "$([ $rc = 4 ]; echo $?)" "exit $rc, see $log"
check "elvisor: says why" "$(has "$log" "vm guest: pci-devices: the machine has no SMMUv3 (QEMU: -M virt,iommu=smmuv3): the VM is not started")"
check "elvisor: the guest never ran" "$([ "$(has "$log" "# guest edu")" = 1 ]; echo $?)"

echo "edu: $passed passed, $failed failed"
[ $failed = 0 ]
