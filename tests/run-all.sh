#!/usr/bin/env bash
# Every elvisor test, as `make check` and CI run it. Assumes the tree is
# built and provisioned (make check does both first).
#   0. no source file includes a layer above its own (docs/architecture.md)
#   1. host unit tests (ASan + UBSan), and a short run of every fuzz target
#   2. the bare-metal test guests on bare QEMU 10 (validates the guests)
#   3. the test guests under elvisor: VHE and nVHE on -cpu max, on a CPU
#      without VHE (cortex-a57), and VHE with an SMMUv3 present
#   4. Debian's Linux with 2 vCPUs to its shell, VHE and nVHE, at virtual
#      EL2, and the VM set `make run` boots (configs/default.dts)
#   5. 2-4 again on a GICv2 machine (elvisor's GICv2 driver, vGICv2)
#   6. elvisor's exit status (VMs stopped alone, fatal errors), the launcher,
#      the test guests under Linux KVM (kvmrun) on bare QEMU and as L2
#      under Linux at elvisor's virtual EL2, debugging with gdb, and guests
#      that misbehave on purpose
#   7. the multi-VM configurations, GICv3 and GICv2, and with an SMMUv3 present
#   8. the operator's console, driven as a user (expect)
#   9. device assignment through the SMMUv3 (edu DMA device, Linux's disk)
# Ends with one line "all: N passed, N failed" (suites) and fails if any did.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

. tests/suite-lib.sh

suite layers          tools/check-layers.sh
suite unit            make --no-print-directory unit
# Every libFuzzer target briefly, from -seed=1 (tests/fuzz/, make fuzz for long runs).
suite fuzz-short      make --no-print-directory fuzz-short
suite guests-bare     tests/integration/run-guests.sh --bare
suite guests-vhe-nvhe tests/integration/run-guests.sh --mode both
suite guests-no-vhe   tests/integration/run-guests.sh --mode nvhe --cpu cortex-a57
# The same guests with an SMMUv3 in stage-2 mode in the machine and nothing
# assigned (every stream aborted): the SMMU costs them nothing (VHE only).
suite guests-vhe-smmu tests/integration/run-guests.sh --mode vhe --smmu stage2
suite guests-nvhe-gicv2-smmu tests/integration/run-guests.sh --mode nvhe --gic 2 --smmu stage2
suite linux-vhe-smmu  tests/integration/linux-smp.exp --smmu stage2
suite linux-vhe       tests/integration/linux-smp.exp
suite linux-nvhe      tests/integration/linux-smp.exp --nvhe
# Linux started at (virtual) EL2: a guest hypervisor on its EL2 timer.
suite linux-el2       tests/integration/linux-smp.exp --el2
suite linux-el2-nvhe  tests/integration/linux-smp.exp --el2-nvhe --append "console=ttyAMA0 kvm-arm.mode=nvhe"
suite linux-el2-pkvm  tests/integration/linux-smp.exp --el2-nvhe --append "console=ttyAMA0 kvm-arm.mode=protected"
suite make-run-config tests/integration/make-run.sh
suite guests-bare-gicv2 tests/integration/run-guests.sh --bare --gic 2
suite guests-gicv2    tests/integration/run-guests.sh --mode both --gic 2
suite linux-gicv2     tests/integration/linux-smp.exp --gic 2
suite linux-gicv2-nvhe tests/integration/linux-smp.exp --gic 2 --nvhe
suite exit-status     tests/integration/exit-status.sh
suite exit-status-nvhe tests/integration/exit-status.sh --nvhe
suite launcher        tests/integration/launcher.sh
# The test guests under Linux KVM on bare QEMU's EL2 through kvmrun (the
# oracle for L2 guests under a guest hypervisor) and kvmrun's error checks.
suite kvm-guests      tests/integration/kvm-guests.sh
# The same guests and Linux as L2 under Linux at elvisor's virtual EL2
# (docs/nested.md §8.4, §9.13), each L2 vCPU i on L1's CPU i + 1.
suite kvm-guests-nested tests/integration/kvm-guests.sh --host elvisor --pin-offset 1 --timeout 60
# The same under Linux's KVM in nVHE mode at a non-VHE virtual EL2.
suite kvm-guests-nvhe tests/integration/kvm-guests.sh --host elvisor-nvhe --pin-offset 1 --timeout 60
# The same under Linux's protected KVM (pKVM) at a non-VHE virtual EL2.
# Linux 6.12's pKVM runs its guests with HCRX_EL2.MSCEn clear while it shows
# them FEAT_MOPS, so its Linux L2 boots with arm64.nomops (docs/nested.md §9.22).
suite kvm-guests-pkvm tests/integration/kvm-guests.sh --host elvisor-pkvm --pin-offset 1 --timeout 60 --guest-append arm64.nomops
# elvisor as the guest hypervisor of elvisor: build/elvisor.bin at virtual
# EL2 runs the test guests as its own VMs (docs/nested.md §9.14).
suite elvisor-in-elvisor tests/integration/elvisor-in-elvisor.sh
# gdb-multiarch on QEMU's stub through tools/elvisor.gdb: breakpoints in
# elvisor's exit handler and in a guest, symbols at the right addresses.
suite gdb             tests/integration/gdb.sh
# A misbehaving guest costs only itself: log flood, exception loop, CPU_OFF.
suite rogue           tests/integration/rogue.sh
suite rogue-nvhe-gicv2 tests/integration/rogue.sh --nvhe --gic 2
# Multi-VM configurations: isolation between VMs, SYSTEM_RESET of one VM,
# vCPUs time-sharing a physical CPU (timers, time slice).
suite multi-vm        tests/integration/run-multi-vm.sh --mode both
suite multi-vm-gicv2  tests/integration/run-multi-vm.sh --mode both --gic 2
# The same with an SMMUv3 present, nothing assigned, in nVHE on GICv3: the
# guest SMMU passes run VHE/GICv3 and nVHE/GICv2 (~45 s).
suite multi-vm-nvhe-smmu tests/integration/run-multi-vm.sh --mode nvhe --smmu stage2
# The operator's console (ctrl-] c): list, console, reset, stop, start.
suite monitor         tests/integration/monitor.exp
suite monitor-nvhe-gicv2 tests/integration/monitor.exp --nvhe --gic 2
# Device assignment: an edu DMA device through the SMMUv3's stage 2 (VHE
# and nVHE; bare QEMU as the oracle; refusals by the checker and elvisor).
suite edu             tests/integration/run-edu.sh --mode both
suite edu-gicv2       tests/integration/run-edu.sh --mode vhe --gic 2
# Linux's virtio-blk driver reads an assigned disk through the SMMU.
suite linux-disk      tests/integration/linux-disk.sh --mode both

echo "all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
