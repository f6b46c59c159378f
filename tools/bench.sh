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
#      "Run /init" (its virtual counter starts when its VM starts), under
#      elvisor (VHE, nVHE) and on bare QEMU booted with -dtb of the very DTB
#      elvisor gives that VM (tools/elvisor-run --bare --vm-dtb, made by
#      elvisor's generator through elvisor-config dtb) and the CPU features
#      the VM sees, so both kernels see the same devices; min, median and
#      max of several boots with 1 and 2 vCPUs (a single boot's figure is
#      chaotic, see below), elvisor's median over bare's in percent.
#   3. device assignment: a stage-2 page map + unmap with and without the
#      SMMU invalidation (elvisor's own boot-time figure), and Linux reading
#      16 MiB of an assigned virtio-blk-pci disk (instructions per MiB,
#      bare and under elvisor). The disk figure includes the virtual time
#      the guest waits for QEMU's I/O, which -icount does not make exact:
#      it may differ between runs (shown "first/second", not an error).
#   (1 also runs the bench guest as L2 under Linux KVM at elvisor's virtual
#   EL2, beside the same L2 under KVM on bare QEMU's EL2, and as L2 under
#   elvisor as L1, and counts the exits to elvisor per L2 exit handled by
#   L1 in both: issue 9's figures)
#   (and beside both, the same L2 under the same L1 with Linux's own KVM as
#   L0 in elvisor's place, when tools/setup.sh --newer-kernel has provisioned
#   a kernel with nested KVM: kvm_l0_round_trips)
# tools/bench.sh --round-trips stops after 1; --linux-boot runs only 2;
# --nested runs only the three-column nested table of 1 and the exit counts
# of KVM as L0 (the KVM runs: KVM on bare QEMU's EL2, on elvisor's vEL2, on
# KVM; 6 minutes here).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
cache=${ELVISOR_CACHE:-/var/cache/elvisor}

results=${ELVISOR_BENCH_DIR:-build/bench}
logdir=${ELVISOR_LOGDIR:-build/integration}
mkdir -p "$results" "$logdir"

only=${1:-}
case $only in ''|--round-trips|--linux-boot|--nested) ;;
    *) echo "usage: tools/bench.sh [--round-trips|--linux-boot|--nested]" >&2; exit 2 ;; esac

if [ "$only" = '' ] || [ "$only" = --round-trips ]; then
echo "== round trips (emulated instructions; min and median of 64 runs)"
tests/integration/bench-guest.sh || exit 1
fi

# --- KVM column (issue 10) -------------------------------------------------
# The same bench guest under Debian's Linux 6.12 KVM in VHE mode as L0 on the
# same QEMU (bare QEMU's EL2, --icount), run by kvmrun from the KVM
# initramfs (make kvm-initramfs, tools/kvmrun/), its vCPU i pinned to L0's
# CPU i as elvisor places vCPU i on CPU i (unpinned, vtimer_irq measured
# min 7,404 / median 62,708 instead of 2,684 / 2,684; the rest the same).
# Prints the guest's own "BENCH <name> min=<n> median=<n>" lines, nothing if
# the run gave none.
kvm_round_trips() {
    local host=${1:-bare} log=${ELVISOR_LOGDIR:-build/integration}/bench-kvm.log where=(--bare)
    if [ "$host" = elvisor ]; then
        log=${ELVISOR_LOGDIR:-build/integration}/bench-kvm-nested.log
        where=()
    fi
    mkdir -p "$(dirname "$log")"
    tools/elvisor-run "${where[@]}" --el2 --icount --kernel "$cache/linux/Image" \
        --initrd build/kvm-initramfs.cpio.gz --smp 2 --mem 1G --timeout 900 \
        --append "console=ttyAMA0 elvisor.poweroff kvmrun.guests=bench:2 kvmrun.timeout=600 kvmrun.pin" \
        </dev/null 2>&1 | tr -d '\r' >"$log"
    awk '$1 == "KVMRUN-START" && $2 == "bench" { on = 1 }
         on && $1 == "BENCH" { print }
         $1 == "KVMRUN-EXIT" && $2 == "bench" { exit }' "$log"
}

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

# --- The vCPU switch between two VMs on one CPU (issue 10) -------------------
# tests/integration/configs/bench-switch.dts: two one-vCPU VMs running the
# bench guest (guests/bench/switch.c) pinned on CPU 0, VHE and nVHE. Prints
# "column name min median" for round_trip_table (2 = VHE, 3 = nVHE); a bare
# QEMU has no second VM, and the KVM column would need two KVM VMs pinned on
# one CPU, which kvmrun does not run yet: both n/a.
vm_switch_figures() {
    local col mode log
    for col in 2 3; do
        mode=(); [ $col = 3 ] && mode=(--nvhe)
        log=$logdir/bench-switch-$([ $col = 3 ] && echo nvhe || echo vhe).log
        tools/elvisor-run --config tests/integration/configs/bench-switch.dts "${mode[@]}" --icount \
            --timeout 600 </dev/null 2>&1 | tr -d '\r' >"$log"
        sed -n 's/^\[m\] BENCH /BENCH /p' "$log" | bench_lines | sed "s/^/$col /"
    done
}

# One row per figure: bare QEMU, elvisor VHE and nVHE, KVM, and elvisor
# (VHE) / KVM of the medians; the same as CSV, and a bar chart of the
# medians (log scale) when gnuplot is there.
round_trip_table() {
    local csv=$results/round-trips.csv png=$results/round-trips.png
    kvm_figures >"$results/kvm.txt"
    vm_switch_figures >"$results/vm-switch.txt"
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
               cat "$results/vm-switch.txt"
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
# --- Nested (issue 9) --------------------------------------------------------
# The bench guest as L2: under Linux 6.12's KVM running at elvisor's virtual
# EL2 (Linux is L1, elvisor L0), beside the same L2 under the same KVM on
# bare QEMU's EL2 (no L0: the KVM column's run, its log reused) and under
# the same KVM as L1 with Linux's KVM as L0 in elvisor's place
# (kvm_l0_round_trips). A round trip here is the L2 exit handled by L1's
# KVM, every trap L1 takes on the way going through L0.
#
# KVM as L0 (docs/nested.md §9.25): Debian's newer Linux (tools/setup.sh
# --newer-kernel: linux-new/, 7.3.4, nested KVM upstream since 6.16) with
# kvm-arm.mode=nested on bare QEMU's EL2 (-cpu max: FEAT_NV2), --icount; its
# kvmrun runs the same L1 (Linux 6.12, the KVM initramfs, 2 vCPUs, 1G) at
# virtual EL2 (kvmrun --el2, make kvm-l0-initramfs, tools/kvmrun/l1-hook.sh),
# whose kvmrun runs the bench guest with 2 vCPUs, pinned at both levels as
# in kvm_round_trips. ARGS: more words for L0's command line (kvmrun.l0-trace
# for nested_exit_counts' run). Prints the L2's BENCH lines; nothing, with
# the reason in $results/kvm-l0.why, when it cannot run or printed none.
kvm_l0_round_trips() {
    local log=$logdir/bench-kvm-l0${1:+-trace}.log why=$results/kvm-l0.why
    rm -f "$why" "$log"
    if [ ! -r "$cache/linux-new/Image" ]; then
        echo "no newer kernel provisioned ($cache/linux-new/Image: tools/setup.sh --newer-kernel)" >"$why"
        return 0
    fi
    if [ ! -r build/kvm-l0-initramfs.cpio.gz ]; then
        echo "build/kvm-l0-initramfs.cpio.gz missing (make kvm-l0-initramfs)" >"$why"
        return 0
    fi
    tools/elvisor-run --bare --el2 --icount --kernel "$cache/linux-new/Image" \
        --initrd build/kvm-l0-initramfs.cpio.gz --smp 2 --mem 2G --timeout 1200 \
        --append "console=ttyAMA0 elvisor.poweroff kvm-arm.mode=nested kvmrun.l1=2:1G kvmrun.l1-guests=bench:2 kvmrun.timeout=900 kvmrun.pin${1:+ $1}" \
        </dev/null 2>&1 | tr -d '\r' >"$log"
    awk '$1 == "KVMRUN-START" && $2 == "bench" { on = 1 }
         on && $1 == "BENCH" { print; n++ }
         $1 == "KVMRUN-EXIT" && $2 == "bench" { exit }
         END { if (!n) exit 1 }' "$log" && return 0
    if ! grep -q "NV2 mode initialized" "$log"; then
        echo "L0's KVM has no nested virtualization (no \"NV2 mode initialized\" in $log)" >"$why"
    elif ! grep -q '^KVMRUN-START bench' "$log"; then
        echo "L1 did not reach its L2 ($(grep -m1 '^kvmrun:' "$log" || echo "see $log"))" >"$why"
    else
        echo "L2 printed no BENCH line ($(grep -m1 '^kvmrun:' "$log" || echo "see $log"))" >"$why"
    fi
}

# The newer kernel's version (linux-new/VERSION, e.g. 7.3.4+deb13-arm64: 7.3.4).
l0_version() { local v; v=$(cat "$cache/linux-new/VERSION" 2>/dev/null) && echo "${v%%+*}" || echo "(newer kernel)"; }

# Three columns of the same L2 round trips (min / median) by L0 -- none
# (KVM one level down), elvisor, Linux KVM -- and the medians of each L0
# over one level and elvisor's over KVM's; also as CSV.
nested_table() {
    kvm_round_trips elvisor | bench_lines >"$results/kvm-nested.txt"
    kvm_l0_round_trips | bench_lines >"$results/kvm-l0.txt"
    echo
    echo "== the bench guest as L2 under Linux 6.12 KVM as L1, by L0: none (KVM on bare QEMU's EL2, one level), elvisor VHE, Linux $(l0_version) KVM (kvm-arm.mode=nested)"
    awk -v csv="$results/nested.csv" -v one="$results/kvm.txt" -v elv="$results/kvm-nested.txt" '
        { col = FILENAME == one ? 1 : FILENAME == elv ? 2 : 3
          if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } min[$1, col] = $2; med[$1, col] = $3 }
        function cell(name, c) { return ((name, c) in med) ? min[name, c] " / " med[name, c] : "n/a" }
        function ratio(name, a, b) { return ((name, a) in med && (name, b) in med && med[name, b] > 0) ? sprintf("%.1fx", med[name, a] / med[name, b]) : "n/a" }
        END {
            printf "%-20s %18s %20s %20s %10s %10s %10s\n", "round trip", "KVM on QEMU EL2", "KVM on elvisor vEL2", "KVM on KVM (KVM L0)",
                   "elvisor/1", "KVM L0/1", "elv/KVM L0"
            print "benchmark,one_level_min,one_level_median,elvisor_l0_min,elvisor_l0_median,kvm_l0_min,kvm_l0_median" > csv
            for (i = 1; i <= n; i++) {
                name = order[i]
                printf "%-20s %18s %20s %20s %10s %10s %10s\n", name, cell(name, 1), cell(name, 2), cell(name, 3),
                       ratio(name, 2, 1), ratio(name, 3, 1), ratio(name, 2, 3)
                print name "," min[name, 1] "," med[name, 1] "," min[name, 2] "," med[name, 2] "," min[name, 3] "," med[name, 3] > csv
            }
            if (!n) print "(no figures: the runs printed none, see their logs under build/integration)"
        }' "$results/kvm.txt" "$results/kvm-nested.txt" "$results/kvm-l0.txt"
    echo "(min / median; ratios of the medians. CSV: $results/nested.csv)"
    [ -s "$results/kvm-l0.why" ] && echo "(KVM as L0: n/a: $(cat "$results/kvm-l0.why"))"
    return 0
}

# The bench guest as L2 under elvisor as L1 (elvisor in elvisor, docs/nested.md
# §9.14), under --icount, beside the same guest directly under elvisor VHE
# (bench-guest.sh's run: one level, the same exits without L0 between):
# tests/integration/elvisor-in-elvisor.sh keeps the log.
nested_elvisor_table() {
    local log=$logdir/eie-bench.log
    ELVISOR_LOGDIR=$logdir tests/integration/elvisor-in-elvisor.sh bench:2:icount >/dev/null
    echo
    echo "== the bench guest as L2 under elvisor as L1 (elvisor VHE as L0) beside the same directly under elvisor VHE"
    awk -v one="$logdir/bench-vhe.log" '
        BEGIN {
            while ((getline line < one) > 0) { split(line, f, " "); if (f[1] == "BENCH") { sub("median=", "", f[4]); b[f[2]] = f[4] } }
            printf "%-20s %14s %22s %10s\n", "round trip", "elvisor VHE", "L2 under elvisor L1", "ratio"
        }
        $1 == "BENCH" { sub("min=", "", $3); sub("median=", "", $4); n++
            r = ($2 in b && b[$2] > 0) ? sprintf("%.1fx", $4 / b[$2]) : "n/a"
            printf "%-20s %14s %22s %10s\n", $2, ($2 in b) ? b[$2] : "n/a", $3 " / " $4, r }
        END { if (!n) print "(no figures: the run printed none, see " FILENAME ")" }' "$log"
    echo "(one level: median; L2: min / median)"
}

# Exits to elvisor (L0) per L2 exit that L1 handles: elvisor counts, for each
# exit of L2 it forwards to L1's virtual EL2, its own exits up to and including
# the ERET that resumes L2 (src/nested/exit_stats.c) and logs min/median/max
# per vCPU and kind when the VM stops. Read from the two nested runs above
# (Linux KVM as L1: nested_table's log; elvisor as L1: nested_elvisor_table's).
# Published orientation (NEVE, SOSP 2017): 82 to 126 traps to L0 per L2
# hypercall without NV2-style deferral, 15 with it. With Linux KVM as L0 the
# same count comes from L0's KVM trace events (kvmrun.l0-trace,
# tools/kvmrun/l1-hook.sh) in a second run of kvm_l0_round_trips, as tracing
# costs L0 time: per L0 CPU, which runs that L1 vCPU; only the exits that
# reach KVM's handle_exit (a lower bound: its hyp code settles some on the
# spot, which elvisor counts).
nested_exit_counts() {
    echo
    echo "== exits to elvisor (L0) per L2 exit handled by L1 (count: min / median / max; NEVE: 82-126 without NV2-style deferral, 15 with it)"
    printf "%-28s %-8s %22s %22s %22s\n" "L1" "vCPU" "L2 hvc" "L2 other sync" "irq for L1"
    local l1 log
    for l1 in "Linux 6.12 KVM:bench-kvm-nested.log" "elvisor:eie-bench.log"; do
        log=$logdir/${l1#*:}
        [ -r "$log" ] || { printf "%-28s (no counts: no %s)\n" "${l1%%:*}" "$log"; continue; }
        awk -v l1="${l1%%:*}" '
            /elvisor exits per exit of its guest handled at its vEL2/ {
                match($0, /vcpu [0-9]+/); cpu = substr($0, RSTART + 5, RLENGTH - 5)
                sub(/.*\(count: min\/median\/max\): /, "")
                split($0, k, ", ")
                for (i = 1; i <= 3; i++) { split(k[i], f, /[: ]+/); c[i] = f[2] " : " f[3] }
                printf "%-28s %-8s %22s %22s %22s\n", l1, cpu, c[1], c[2], c[3]; n++ }
            END { if (!n) printf "%-28s (no counts: see %s)\n", l1, FILENAME }' "$log"
    done
    echo
    echo "== the same with Linux $(l0_version) KVM as L0 (its trace events: exits reaching handle_exit, a lower bound)"
    printf "%-28s %-8s %22s %22s %22s\n" "L1" "L0 CPU" "L2 hvc" "L2 other sync" "irq for L1"
    kvm_l0_round_trips kvmrun.l0-trace >/dev/null
    log=$logdir/bench-kvm-l0-trace.log
    [ -r "$log" ] || { printf "%-28s (no counts: %s)\n" "Linux 6.12 KVM" "$(cat "$results/kvm-l0.why" 2>/dev/null)"; return 0; }
    awk '$1 == "KVM-L0-EXITS" && $4 ~ /^(hvc|sync|irq)$/ {
             cpu = $3; if (!(cpu in seen)) { seen[cpu] = 1; cpus[++n] = cpu }
             for (i = 5; i <= 8; i++) { split($i, f, "="); v[f[1]] = f[2] }
             c[cpu, $4] = v["count"] " : " v["min"] "/" v["median"] "/" v["max"] }
         $1 == "KVM-L0-EXITS" && $4 !~ /^(hvc|sync|irq)$/ { sub(/^KVM-L0-EXITS /, ""); note = note "\n(" $0 ")" }
         $1 == "KVM-L0-PATH" { sub(/^KVM-L0-PATH cpu /, ""); paths = paths "\n  L0 CPU " $0 }
         function cell(cpu, k) { return ((cpu, k) in c) ? c[cpu, k] : "-" }
         END {
             for (i = 1; i <= n; i++)
                 printf "%-28s %-8s %22s %22s %22s\n", "Linux 6.12 KVM", cpus[i], cell(cpus[i], "hvc"), cell(cpus[i], "sync"), cell(cpus[i], "irq")
             if (!n) printf "%-28s (no counts: see %s)\n", "Linux 6.12 KVM", FILENAME
             if (note != "") print substr(note, 2)
             if (paths != "") print "(the L0 exits of the first L2 exit of each kind with the median count, in order:" paths ")"
         }' "$log"
}

if [ "$only" = --nested ]; then
    kvm_figures >"$results/kvm.txt"
    nested_table
    nested_exit_counts
    exit 0
fi
if [ "$only" != --linux-boot ]; then
    echo
    round_trip_table
    nested_table
    nested_elvisor_table
    nested_exit_counts
fi
[ "$only" = --round-trips ] && exit 0

# One boot: the kernel's timestamps (printk time is the virtual counter:
# 1 ns = 1 instruction) of "Run /init" and of its power-down, elvisor's
# own instructions at EL2 over the whole run when the arguments ask for
# count-el2 ("-" otherwise), and the timestamp of "registered taskstats"
# (a late initcall at about 0.34 s that every boot of a configuration
# reaches within 1 ms, where the chaos has not started: "-" if absent);
# PAD pads the command line.
linux_boot_once() {
    local smp=$1 pad=$2 log
    shift 2
    log=$(tools/elvisor-run "$@" --icount --kernel "$cache/linux/Image" \
          --initrd "$cache/linux/initramfs.cpio.gz" \
          --append "console=ttyAMA0 elvisor.poweroff elvisor.pad=$pad" \
          --smp "$smp" --mem 512M --timeout 300 < /dev/null 2>&1)
    awk '/\] Run \/init as init process/ && !init { gsub(/[][]/, " "); init = $1 }
         /\] reboot: Power down/ && !down { gsub(/[][]/, " "); down = $1 }
         /\] registered taskstats/ && !steady { gsub(/[][]/, " "); steady = $1 }
         /count-el2: [0-9]+ instructions/ { for (i = 1; i <= NF; i++) if ($i == "count-el2:") el2 = $(i + 1) }
         END { if (init == "" || down == "") exit 1
               printf "%.0f %s %.0f %s\n", init * 1e9, el2 == "" ? "-" : el2, down * 1e9,
                      steady == "" ? "-" : sprintf("%.0f", steady * 1e9) }' <<<"$log"
}

# N boots of one configuration, the command line padded with 1..N
# characters: "min median max share mean steady" of the time to /init
# (n/a when a boot did not get there), with count-el2 the median share of
# elvisor's own instructions in the whole run (n/a without), and the
# median time to "registered taskstats" (n/a when a boot did not print it).
linux_boots() {
    local smp=$1 n=$2 i pad='' out t el2 down steady times=() shares=() steadies=() share=n/a steady_med=n/a
    shift 2
    for ((i = 1; i <= n; i++)); do
        pad+=x
        out=$(linux_boot_once "$smp" "$pad" "$@") || { echo "n/a n/a n/a n/a n/a n/a"; return; }
        read -r t el2 down steady <<<"$out"
        times+=("$t")
        [ "$steady" != - ] && steadies+=("$steady")
        [ "$el2" != - ] && shares+=("$(awk -v e="$el2" -v d="$down" 'BEGIN { printf "%.3f", e * 100 / d }')")
    done
    [ ${#shares[@]} -gt 0 ] && share=$(printf '%s\n' "${shares[@]}" | sort -n |
                                       awk '{ v[NR] = $1 } END { printf "%.2f%%", v[int((NR + 1) / 2)] }')
    [ ${#steadies[@]} -eq "$n" ] && steady_med=$(printf '%s\n' "${steadies[@]}" | sort -n |
                                                 awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    printf '%s\n' "${times[@]}" | sort -n |
        awk -v share="$share" -v steady="$steady_med" '{ v[NR] = $1; sum += $1 }
            END { printf "%s %s %s %s %.0f %s\n", v[1], v[int((NR + 1) / 2)], v[NR], share, sum / NR, steady }'
}

# elvisor's median over bare's, in percent more.
overhead() {
    [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || { echo n/a; return; }
    awk -v e="$1" -v b="$2" 'BEGIN { printf "%+.2f%%", (e - b) * 100 / b }'
}

# A boot's time to /init is deterministic under -icount, but chaotic: one
# more character on the command line moves it by up to 3 % with 1 vCPU and
# 15 % with 2 (where timer ticks and QEMU's round-robin between the vCPUs
# fall against the boot's waits and spins; docs/performance.md). So each
# configuration boots N times with the command line padded 1..N characters,
# and the medians are compared. Bare QEMU gets the VM's own DTB (--vm-dtb:
# the same devices) and the CPU features the VM sees where QEMU can take
# them away (no SVE, SME, pointer authentication, PMU); the VM's CPU still
# lacks RAS and WFxT, which bare -cpu max cannot drop.
bare_cpu=max,sve=off,sme=off,pauth=off,pmu=off
# elvisor's own instructions are counted (count-el2) with 1 vCPU only:
# under -icount QEMU's PMU counts the whole machine's instructions while a
# CPU's counter runs (arch/arm64/pmu_count.h).
linux_boot_row() {
    local smp=$1 n=$2 bare vhe nvhe count=()
    [ "$smp" = 1 ] && count=(--hyp-append count-el2)
    read -r -a bare <<<"$(linux_boots "$smp" "$n" --bare --vm-dtb --cpu "$bare_cpu")"
    read -r -a vhe <<<"$(linux_boots "$smp" "$n" "${count[@]}")"
    read -r -a nvhe <<<"$(linux_boots "$smp" "$n" --nvhe "${count[@]}")"
    printf '%-22s %28s %28s %28s %10s %10s %10s %10s %10s %10s %12s %12s\n' "linux_boot_${smp}cpu" "${bare[*]:0:3}" "${vhe[*]:0:3}" \
        "${nvhe[*]:0:3}" "$(overhead "${vhe[1]}" "${bare[1]}")" "$(overhead "${nvhe[1]}" "${bare[1]}")" \
        "$(overhead "${vhe[4]}" "${bare[4]}")" "$(overhead "${nvhe[4]}" "${bare[4]}")" "${vhe[3]}" "${nvhe[3]}" \
        "$(overhead "${vhe[5]}" "${bare[5]}")" "$(overhead "${nvhe[5]}" "${bare[5]}")"
    echo "linux_boot_${smp}cpu,$(IFS=,; echo "${bare[*]:0:3},${vhe[*]:0:3},${nvhe[*]:0:3}"),${vhe[3]%\%},${nvhe[3]%\%},$(IFS=,; echo "${bare[4]},${vhe[4]},${nvhe[4]},${bare[5]},${vhe[5]},${nvhe[5]}")" \
        >> "$results/linux-boot.csv"
}

echo
echo "== Debian's Linux 6.12 boot to /init, 512M (emulated instructions; min median max of N boots, the command"
echo "   line padded 1..N characters; bare: -dtb of the VM's DTB, -cpu $bare_cpu)"
echo "   vhe-mean, nvhe-mean: the same of the means (a median of 15 chaotic boots moves by a few percent)"
echo "   el2-vhe, el2-nvhe: elvisor's own instructions (count-el2) in percent of the whole run, median"
echo "   steady-vhe, steady-nvhe: the same for the time to \"registered taskstats\" (medians), before the chaos"
echo "benchmark,bare_min,bare_median,bare_max,vhe_min,vhe_median,vhe_max,nvhe_min,nvhe_median,nvhe_max,vhe_el2_pct,nvhe_el2_pct,bare_mean,vhe_mean,nvhe_mean,bare_steady,vhe_steady,nvhe_steady" \
    > "$results/linux-boot.csv"
printf '%-22s %28s %28s %28s %10s %10s %10s %10s %10s %10s %12s %12s\n' benchmark bare-same-dtb elvisor-vhe elvisor-nvhe vhe-median nvhe-median \
    vhe-mean nvhe-mean el2-vhe el2-nvhe steady-vhe steady-nvhe
linux_boot_row 1 15
linux_boot_row 2 15
echo "(CSV: $results/linux-boot.csv)"
[ "$only" = --linux-boot ] && exit 0

# --- device assignment (docs/device-assignment.md) ---------------------------

echo
echo "== assigned devices (emulated instructions)"
# elvisor's own boot-time figure: one page mapped and unmapped in a VM's
# stage 2, with and without the SMMU told (TLBI_S2_IPA + CMD_SYNC).
s2log=$(tools/elvisor-run --icount --assign-edu --kernel build/guests/edu.bin --timeout 120 </dev/null 2>&1)
s2=$(sed -n 's/.*a stage-2 page map + unmap costs \([0-9]*\) counter ticks with the SMMU invalidated, \([0-9]*\) without.*/\1 \2/p' \
     <<<"$s2log" | head -1)
printf '%-28s %16s %16s\n' benchmark "with-smmu" "without"
printf '%-28s %16s %16s\n' s2_page_map_unmap "${s2% *}" "${s2#* }"

# Linux reads 16 MiB of an assigned virtio-blk-pci disk: instructions per
# MiB between two kernel timestamps around the read.
disk_tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-disk.XXXXXX")
trap 'rm -rf "$disk_tmp"' EXIT
head -c $((16 << 20)) /dev/zero | tr '\0' 'e' >"$disk_tmp/disk.img"
cat >"$disk_tmp/hook" <<'SH'
#!/bin/sh
insmod /lib/modules/virtio_blk.ko
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo BENCH-DISK-START >/dev/kmsg
dd if=/dev/vda of=/dev/null bs=1M count=16 2>/dev/null
echo BENCH-DISK-END >/dev/kmsg
SH
chmod +x "$disk_tmp/hook"
tools/mkinitramfs --busybox "$cache/linux/busybox" \
    --add "$cache/linux/modules/virtio_blk.ko:/lib/modules/virtio_blk.ko" \
    --add "$disk_tmp/hook:/etc/elvisor.d/50-disk" "$disk_tmp/initramfs.cpio.gz" || exit 1

disk_read_per_mib() {
    local log start end
    log=$(tools/elvisor-run "$@" --icount --assign-disk "$disk_tmp/disk.img" --kernel "$cache/linux/Image" \
          --initrd "$disk_tmp/initramfs.cpio.gz" --append "console=ttyAMA0 elvisor.poweroff" \
          --mem 512M --timeout 300 </dev/null 2>&1)
    start=$(sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\] BENCH-DISK-START.*/\1/p' <<<"$log" | head -1)
    end=$(sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\] BENCH-DISK-END.*/\1/p' <<<"$log" | head -1)
    [ -n "$start" ] && [ -n "$end" ] && awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", (b - a) * 1e9 / 16 }' \
        || echo n/a
}
disk_figure() {
    local a b
    a=$(disk_read_per_mib "$@")
    b=$(disk_read_per_mib "$@")
    [ "$a" = "$b" ] && echo "$a" || echo "$a/$b"
}
printf '%-28s %16s %16s %16s\n' benchmark bare elvisor-vhe elvisor-nvhe
printf '%-28s %16s %16s %16s\n' disk_read_per_mib "$(disk_figure --bare)" "$(disk_figure)" "$(disk_figure --nvhe)"
