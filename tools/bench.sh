#!/usr/bin/env bash
# `make bench`: every figure in emulated instructions under --icount
# (-icount shift=0,sleep=off -seed 1: QEMU 10's counter advances one tick per
# instruction and nothing random or wall-clock reaches the guest), so the
# numbers are the same on every run and every machine. Each figure is shown
# beside the same guest on bare QEMU, measured in the same run.
#   1. round trips measured by the bench guest (tests/integration/bench-guest.sh)
#   2. Debian's Linux boot to /init: the kernel's own timestamp of
#      "Run /init" (its virtual counter starts when its VM starts). Each boot
#      runs twice; a figure that differs between the two is shown as
#      "first/second" and makes the exit status non-zero.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
cache=${ELVISOR_CACHE:-/var/cache/elvisor}

echo "== round trips (emulated instructions; min and median of 64 runs)"
tests/integration/bench-guest.sh || exit 1

linux_init_time() {
    local log
    log=$(tools/elvisor-run "$@" --icount --kernel "$cache/linux/Image" \
          --initrd "$cache/linux/initramfs.cpio.gz" --append "console=ttyAMA0 elvisor.poweroff" \
          --smp 2 --mem 512M --timeout 300 < /dev/null 2>&1)
    # printk time is seconds of the virtual counter: 1 ns = 1 instruction.
    sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\] Run \/init as init process.*/\1/p' <<<"$log" | head -1
}

# Two boots of one configuration: the figure, or "first/second" if they differ.
linux_figure() {
    local a b
    a=$(fmt "$(linux_init_time "$@")")
    b=$(fmt "$(linux_init_time "$@")")
    [ "$a" = "$b" ] && echo "$a" || echo "$a/$b"
}
fmt() { [ -n "$1" ] && awk -v s="$1" 'BEGIN { printf "%.0f", s * 1e9 }' || echo n/a; }

echo
echo "== Linux 6.12 boot to /init, 2 vCPUs (emulated instructions = ns of virtual time; 2 boots each)"
bare=$(linux_figure --bare)
vhe=$(linux_figure)
nvhe=$(linux_figure --nvhe)
printf '%-28s %16s %16s %16s\n' benchmark bare elvisor-vhe elvisor-nvhe
printf '%-28s %16s %16s %16s\n' linux_boot_to_init "$bare" "$vhe" "$nvhe"
if [[ "$bare$vhe$nvhe" == */* ]]; then
    echo "bench: two boots gave different figures (shown first/second): the runs are not deterministic" >&2
    exit 1
fi
