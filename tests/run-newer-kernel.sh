#!/usr/bin/env bash
# The Linux suites of issue 9 with the newest arm64 kernel Debian offers
# (tools/setup.sh --newer-kernel: linux-new/, today 7.3 from trixie-backports)
# instead of Debian 13's 6.12, as `make check-newer-kernel` runs them.
# Assumes the tree, the KVM initramfs and the newer kernel's kvm-linux
# initramfs are built (make check-newer-kernel does that first).
#   1. the bar: the kernel's KVM on bare QEMU's own EL2 (VHE), with the test
#      guests and the same kernel as its guests through kvmrun (the oracle)
#   2. the kernel at elvisor's virtual EL2, VHE, nVHE (kvm-arm.mode=nvhe) and
#      protected (kvm-arm.mode=protected): KVM's mode, shell, timer ticks on
#      both vCPUs on the right INTID
#   3. the test guests and the same kernel as L2 under its KVM, in each mode
# Ends with "newer-kernel: N passed, N failed" (suites); non-zero if any failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

. tests/suite-lib.sh

cache=${ELVISOR_CACHE:-/var/cache/elvisor}
export ELVISOR_LINUX_DIR=$cache/linux-new
export ELVISOR_KVM_LINUX_INITRAMFS=$PWD/build/kvm-linux-new-initramfs.cpio.gz
export ELVISOR_LOGDIR=$PWD/build/integration-newer-kernel
[ -f "$ELVISOR_LINUX_DIR/Image" ] \
    || { echo "run-newer-kernel: $ELVISOR_LINUX_DIR/Image missing: run tools/setup.sh --newer-kernel" >&2; exit 1; }
echo "# Linux $(cat "$ELVISOR_LINUX_DIR/VERSION") ($(cat "$ELVISOR_LINUX_DIR/PACKAGES"))"

suite newer-kvm-guests-bare    tests/integration/kvm-guests.sh --host bare
suite newer-linux-el2          tests/integration/linux-smp.exp --el2
suite newer-linux-el2-nvhe     tests/integration/linux-smp.exp --el2-nvhe --append "console=ttyAMA0 kvm-arm.mode=nvhe"
suite newer-linux-el2-pkvm     tests/integration/linux-smp.exp --el2-nvhe --append "console=ttyAMA0 kvm-arm.mode=protected"
suite newer-kvm-guests-nested  tests/integration/kvm-guests.sh --host elvisor --pin-offset 1 --timeout 60
suite newer-kvm-guests-nvhe    tests/integration/kvm-guests.sh --host elvisor-nvhe --pin-offset 1 --timeout 60
suite newer-kvm-guests-pkvm    tests/integration/kvm-guests.sh --host elvisor-pkvm --pin-offset 1 --timeout 60

echo "newer-kernel: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
