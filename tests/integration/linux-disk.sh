#!/usr/bin/env bash
# Linux drives an assigned virtio-blk-pci disk (docs/device-assignment.md):
# Debian's Linux 6.12 with its own virtio_blk module (tools/setup.sh puts
# it in $ELVISOR_CACHE/linux/modules) reads a disk whose content this
# script made, through the VM's virtual PCIe bridge, INTx forwarded with
# the HW bit, its DMA translated by the SMMU through the VM's stage 2.
#
#   1. bare QEMU, the same machine: the oracle;
#   2. under elvisor (tools/elvisor-run --assign-disk), VHE, and nVHE with
#      --mode both: the disk's MD5 as Linux computes it from /dev/vda equals
#      the host's, and three sectors read back their own numbers.
#
#   tests/integration/linux-disk.sh [--mode vhe|nvhe|both] [--timeout SECS]
# Ends with "linux-disk: N passed, N failed". Logs: build/integration/linux-disk-*.log.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
cache=${ELVISOR_CACHE:-/var/cache/elvisor}
linux=$cache/linux
modes=vhe timeout=240

while [ $# -gt 0 ]; do
    case $1 in
        --mode) modes=$2; shift ;;
        --timeout) timeout=$2; shift ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "linux-disk.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
case $modes in both) modes="vhe nvhe" ;; vhe|nvhe) ;; *) echo "linux-disk.sh: --mode vhe|nvhe|both" >&2; exit 2 ;; esac
[ -f "$linux/modules/virtio_blk.ko" ] || { echo "linux-disk.sh: no $linux/modules/virtio_blk.ko: run tools/setup.sh" >&2; exit 1; }
mkdir -p "$logdir"
passed=0 failed=0
check() {
    if [ "$2" = 0 ]; then passed=$((passed + 1)); echo "PASS $1"
    else failed=$((failed + 1)); echo "FAIL $1${3:+: $3}"; fi
}
has() { grep -qF -- "$2" "$1"; echo $?; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/linux-disk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# 4 MiB: every 512-byte sector starts with its own number.
python3 - "$tmp/disk.img" <<'PY'
import sys
with open(sys.argv[1], 'wb') as f:
    for i in range(8192):
        f.write(('ELVISOR-SECTOR-%06d-' % i).encode().ljust(512, b'.'))
PY
md5=$(md5sum "$tmp/disk.img" | cut -d' ' -f1)
cat >"$tmp/disk-hook" <<'SH'
#!/bin/sh
insmod /lib/modules/virtio_blk.ko || echo "DISK insmod failed"
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/vda ] || echo "DISK no /dev/vda"
for s in 0 4097 8191; do
    echo "DISK sector $s: $(dd if=/dev/vda bs=512 skip=$s count=1 2>/dev/null | head -c 21)"
done
echo "DISK md5 $(md5sum /dev/vda | cut -d' ' -f1)"
SH
chmod +x "$tmp/disk-hook"
"$repo/tools/mkinitramfs" --busybox "$linux/busybox" --add "$linux/modules/virtio_blk.ko:/lib/modules/virtio_blk.ko" \
    --add "$tmp/disk-hook:/etc/elvisor.d/50-disk" "$tmp/initramfs.cpio.gz" || exit 1

run_one() {     # LABEL ARGS...
    local label=$1 log=$logdir/linux-disk-$1.log
    shift
    "$runner" "$@" --assign-disk "$tmp/disk.img" --kernel "$linux/Image" --initrd "$tmp/initramfs.cpio.gz" \
        --append "console=ttyAMA0 elvisor.poweroff" --mem 512M --timeout "$timeout" >"$log" 2>&1
    check "$label: exit 0" $? "see $log"
    check "$label: md5 of /dev/vda" "$(has "$log" "DISK md5 $md5")" "see $log"
    for s in 0 4097 8191; do
        check "$label: sector $s" "$(has "$log" "DISK sector $s: $(printf 'ELVISOR-SECTOR-%06d' $s)")"
    done
}

run_one bare --bare
for mode in $modes; do
    m=()
    [ "$mode" = nvhe ] && m=(--nvhe)
    run_one "$mode" "${m[@]}"
    check "$mode: disk assigned" "$(has "$logdir/linux-disk-$mode.log" "vm guest: PCI 00:02.0 (1af4:1042) assigned: stream 16")"
done
echo "linux-disk: $passed passed, $failed failed"
[ $failed = 0 ]
