#!/usr/bin/env bash
# `make bench`: every figure in emulated instructions under --icount
# (-icount shift=0,sleep=off -seed 1: QEMU 10's counter advances one tick per
# instruction and nothing random or wall-clock reaches the guest), so the
# numbers are the same on every run and every machine. Each figure is shown
# beside the same guest on bare QEMU, measured in the same run.
#   1. round trips measured by the bench guest (tests/integration/bench-guest.sh),
#      then one table of them beside Linux KVM's (when kvm_round_trips is
#      there), written as CSV with a bar chart under build/bench/
#   2. Debian's Linux boot to /init: the kernel's own timestamp of
#      "Run /init" (its virtual counter starts when its VM starts). Each boot
#      runs twice; a figure that differs between the two is shown as
#      "first/second" and makes the exit status non-zero.
# tools/bench.sh --round-trips stops after 1.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
cache=${ELVISOR_CACHE:-/var/cache/elvisor}

results=${ELVISOR_BENCH_DIR:-build/bench}
logdir=${ELVISOR_LOGDIR:-build/integration}
mkdir -p "$results" "$logdir"

echo "== round trips (emulated instructions; min and median of 64 runs)"
tests/integration/bench-guest.sh || exit 1

# "BENCH name min=N median=N" lines of one bench-guest.sh log as
# "name min median".
bench_lines() { awk '$1 == "BENCH" { sub("min=", "", $3); sub("median=", "", $4); print $2, $3, $4 }' "$@"; }

# The KVM column: kvm_round_trips (the KVM launcher's, when present) prints
# the bench guest's BENCH lines under Linux KVM on the same QEMU; without it,
# or when it prints nothing, the column says n/a.
kvm_figures() {
    declare -F kvm_round_trips >/dev/null || return 0
    kvm_round_trips | bench_lines
}

# One row per figure: bare QEMU, elvisor VHE and nVHE, KVM, and elvisor
# (VHE) / KVM of the medians; the same as CSV, and a bar chart of the
# medians (log scale) when gnuplot is there.
round_trip_table() {
    local csv=$results/round-trips.csv png=$results/round-trips.png
    kvm_figures >"$results/kvm.txt"
    awk -v csv="$csv" '
        { col = $1; min[$2, col] = $3; med[$2, col] = $4; if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 } }
        function cell(name, c) { return ((name, c) in med) ? min[name, c] " / " med[name, c] : "n/a" }
        function num(name, c) { return ((name, c) in med) ? med[name, c] : "" }
        END {
            printf "%-20s %14s %14s %14s %14s %12s\n", "round trip", "bare QEMU", "elvisor vhe", "elvisor nvhe", "KVM", "elvisor/KVM"
            print "benchmark,bare_min,bare_median,vhe_min,vhe_median,nvhe_min,nvhe_median,kvm_min,kvm_median,vhe_over_kvm" > csv
            for (i = 1; i <= n; i++) {
                name = order[i]
                ratio = (num(name, 2) != "" && num(name, 4) > 0) ? sprintf("%.2f", med[name, 2] / med[name, 4]) : ""
                printf "%-20s %14s %14s %14s %14s %12s\n", name, cell(name, 1), cell(name, 2), cell(name, 3),
                       cell(name, 4), ratio == "" ? "n/a" : ratio "x"
                line = name
                for (c = 1; c <= 4; c++) line = line "," (((name, c) in min) ? min[name, c] : "") "," num(name, c)
                print line "," ratio > csv
            }
            print "(min / median; elvisor/KVM of the medians, below 1 = elvisor cheaper)"
        }' <({ bench_lines "$logdir/bench-bare.log" | sed 's/^/1 /'
               bench_lines "$logdir/bench-vhe.log" | sed 's/^/2 /'
               bench_lines "$logdir/bench-nvhe.log" | sed 's/^/3 /'
               sed 's/^/4 /' "$results/kvm.txt"; })
    echo "(CSV: $csv)"
    if command -v gnuplot >/dev/null; then
        gnuplot <<GNUPLOT && echo "(chart: $png)"
set terminal pngcairo size 1200,600 noenhanced
set output "$png"
set datafile separator ","
set key autotitle columnheader
set title "Round trips in emulated instructions (median of 64, -icount shift=0): lower is better"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [1:*]
set ylabel "instructions"
set xtics rotate by -30
set key top left
plot "$csv" using 3:xtic(1) title "bare QEMU", "" using 5 title "elvisor VHE", \
     "" using 7 title "elvisor nVHE"$( [ -s "$results/kvm.txt" ] && echo ', "" using 9 title "KVM"')
GNUPLOT
    else
        echo "bench: gnuplot missing (tools/setup.sh installs it): no chart" >&2
    fi
}
echo
round_trip_table
[ "${1:-}" = --round-trips ] && exit 0

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
