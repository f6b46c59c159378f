#!/bin/sh
# /etc/elvisor.d/50-kvm-l1 in the KVM-as-L0 initramfs (make kvm-l0-initramfs):
# the Linux it boots in is L0 (kvm-arm.mode=nested), and this runs Linux
# /l1/Image with /l1/initramfs.cpio.gz (make kvm-initramfs) as L1 at virtual
# EL2 (kvmrun --el2), so that L1's KVM runs the test guests as L2. The
# kernel command line says:
#   kvmrun.l1=SMP:MEM          L1's vCPUs and RAM (without it, nothing runs)
#   kvmrun.l1-guests=LIST      L1's kvmrun.guests= (NAME:SMP[:MEM],...): the L2s
#   kvmrun.timeout=SECS        L1's run and, passed on, each L2's (default 600)
#   kvmrun.pin                 kvmrun --pin at both levels: vCPU i on CPU i
#   kvmrun.l0-trace            count L0's exits per L2 exit that L1 handles,
#                              from L0's KVM trace events while an L2 runs
#                              (needs kvmrun.pin: one L1 vCPU per L0 CPU);
#                              tracing costs L0 time, so not in a run whose
#                              figures count
# Framed as tools/kvm-guests-hook.sh frames its runs, L1's own frames (and
# the L2s' BENCH lines) inside:
#   KVMRUN-START l1 SMP
#   ...L1's console...
#   KVMRUN-EXIT l1 STATUS      (kvmrun's exit status, 0 = SYSTEM_OFF)
# and with kvmrun.l0-trace, after each L2's KVMRUN-EXIT, per L0 CPU and kind
# of L2 exit (hvc: L2's HVC; sync: its other synchronous exits; irq: an
# interrupt for L1 ending L2's run):
#   KVM-L0-EXITS cpu N KIND count=C min=A median=M max=X
#   KVM-L0-PATH cpu N KIND median: EC EC ...   (the first such exit with the
#                              median count: the kvm_exit classes in order,
#                              SYS64 with its register, e.g. S3_4_C14_C3_1r)
l1='' guests='' timeout=600 pin='' trace=0
for arg in $(cat /proc/cmdline); do
    case $arg in
        kvmrun.l1=*)        l1=${arg#kvmrun.l1=} ;;
        kvmrun.l1-guests=*) guests=${arg#kvmrun.l1-guests=} ;;
        kvmrun.timeout=*)   timeout=${arg#kvmrun.timeout=} ;;
        kvmrun.pin)         pin=--pin ;;
        kvmrun.l0-trace)    trace=1 ;;
    esac
done
[ -n "$l1" ] || exit 0
smp=${l1%%:*} mem=${l1#*:}
append="console=ttyAMA0 elvisor.poweroff kvmrun.timeout=$timeout${guests:+ kvmrun.guests=$guests}${pin:+ kvmrun.pin}"
tracefs=/sys/kernel/tracing
events="kvm/kvm_exit kvm/kvm_inject_nested_exception kvm/kvm_nested_eret"

run_l1() {
    kvmrun --el2 $pin --kernel /l1/Image --initrd /l1/initramfs.cpio.gz --smp "$smp" --mem "$mem" \
        --append "$append" --no-input --timeout "$timeout" </dev/null
}

trace_setup() {
    mount -t tracefs tracefs $tracefs 2>/dev/null
    for e in $events; do
        [ -e $tracefs/events/$e/enable ] || { echo "KVM-L0-EXITS none: this kernel has no trace event $e"; return 1; }
    done
    echo 16384 >$tracefs/buffer_size_kb
    echo 0 >$tracefs/tracing_on
    for e in $events; do echo 1 >$tracefs/events/$e/enable; done
    # Optional: names the system register of each SYS64 exit in the paths.
    echo 1 >$tracefs/events/kvm/kvm_handle_sys_reg/enable 2>/dev/null
}

# L0's exits of one L1 vCPU (one CPU: --pin) from an L2 exit that L0 hands
# to L1 (kvm_inject_nested_exception from L2's EL0/EL1) up to L1's ERET back
# into L2 (kvm_nested_eret to EL0/EL1), both included, as elvisor counts
# them (src/nested/exit_stats.c). kvm_exit fires for the exits that reach
# KVM's handle_exit, not for those its hyp code settles on the spot (some
# system registers, the GIC's CPU interface): a lower bound.
trace_report() {
    echo 0 >$tracefs/tracing_on
    for dir in $tracefs/per_cpu/cpu*; do
        cpu=${dir##*cpu}
        lost=$(sed -n 's/^overrun: //p' $dir/stats)
        [ "${lost:-0}" = 0 ] || echo "KVM-L0-EXITS cpu $cpu lost $lost events (trace buffer full): counts incomplete"
        awk -v cpu="$cpu" '
            function mode(line) { return substr(line, index(line, "(M: ") + 4, 3) }
            function hex(h,   i, v) { v = 0; h = tolower(h); sub(/^0x/, "", h)
                for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
                return v }
            # No ^ or %: busybox awk without its math library has neither.
            function pow2(n,   p) { p = 1; while (n-- > 0) p *= 2; return p }
            function bits(v, lo, n,   x) { x = int(v / pow2(lo)); return x - int(x / pow2(n)) * pow2(n) }
            # ESR_EL2 ISS of a trapped MSR/MRS: Op0 [21:20], Op2 [19:17],
            # Op1 [16:14], CRn [13:10], CRm [4:1], read [0].
            / kvm_handle_sys_reg: / {
                match($0, /HSR 0x[0-9a-f]+/); e = hex(substr($0, RSTART + 4, RLENGTH - 4))
                path = path sprintf(":S%d_%d_C%d_C%d_%d%s", bits(e, 20, 2), bits(e, 14, 3), bits(e, 10, 4),
                                    bits(e, 1, 4), bits(e, 17, 3), bits(e, 0, 1) ? "r" : "w")
            }
            / kvm_exit: / {
                if (!inl1) { n = 0; path = "" }
                n++
                if ($0 ~ /kvm_exit: IRQ/) ec = "IRQ"
                else { match($0, /HSR_EC: 0x[0-9a-f]+ \([^)]*\)/); ec = substr($0, RSTART + 8, RLENGTH - 8); sub(/^0x[0-9a-f]+ \(/, "", ec); sub(/\)$/, "", ec) }
                path = path " " ec
            }
            / kvm_inject_nested_exception: / && !inl1 && mode($0) != "EL2" {
                inl1 = 1
                if ($0 ~ /: IRQ: /) kind = "irq"
                else { match($0, /esr_el2 0x[0-9a-f]+/); esr = substr($0, RSTART + 10, RLENGTH - 10)
                       kind = (length(esr) == 8 && substr(esr, 1, 2) ~ /^5[89ab]$/) ? "hvc" : "sync" }
            }
            / kvm_nested_eret: / && inl1 && mode($0) != "EL2" {
                inl1 = 0; v[kind, ++c[kind]] = n
                if (!((kind, n) in ex)) ex[kind, n] = path
            }
            END {
                for (k in c) {
                    m = c[k]
                    for (i = 2; i <= m; i++) { x = v[k, i]; for (j = i - 1; j >= 1 && v[k, j] > x; j--) v[k, j + 1] = v[k, j]; v[k, j + 1] = x }
                    med = v[k, int((m + 1) / 2)]
                    printf "KVM-L0-EXITS cpu %s %s count=%d min=%d median=%d max=%d\n", cpu, k, m, v[k, 1], med, v[k, m]
                    printf "KVM-L0-PATH cpu %s %s median:%s\n", cpu, k, ex[k, med]
                }
            }' $dir/trace
        echo >$dir/trace
    done
}

echo "KVMRUN-START l1 $smp"
if [ $trace = 1 ] && trace_setup; then
    { run_l1; echo $? >/tmp/l1-status; } | while IFS= read -r line; do
        printf '%s\n' "$line"
        case $line in
            "KVMRUN-START "*) echo 1 >$tracefs/tracing_on ;;
            "KVMRUN-EXIT "*)  trace_report ;;
        esac
    done
    echo "KVMRUN-EXIT l1 $(cat /tmp/l1-status)"
else
    run_l1
    echo "KVMRUN-EXIT l1 $?"
fi
