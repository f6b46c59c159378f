#!/bin/sh
# /etc/elvisor.d/50-kvm-guests in the KVM initramfs (make kvm-initramfs):
# runs bare-metal guests under the Linux it boots in, with kvmrun, before the
# shell. Which ones the kernel command line says:
#   kvmrun.guests=NAME:SMP[:MEM][,...]   /guests/NAME.bin with SMP vCPUs and
#                                        MEM of RAM (default 128M); its bootargs
#                                        "expect.cpus=SMP expect.mem=MEM" (the
#                                        platform guest checks them)
#   kvmrun.timeout=SECS                  per guest (default 120)
#   kvmrun.checks                        also kvmrun's own error checks: bad
#                                        image, bad option, --no-reboot
#   kvmrun.pin                           kvmrun --pin: vCPU i on host CPU i
#   kvmrun.pin-offset=N                  kvmrun --pin-offset N: vCPU i on host
#                                        CPU i + N (the test guests only)
#   kvmrun.linux=SMP:MEM                 Linux /l2/Image with /l2/initramfs.cpio.gz
#                                        (make kvm-linux-initramfs) as a guest,
#                                        console=ttyAMA0 elvisor.poweroff, framed
#                                        as the guest "linux"
# Each run is framed for tests/integration/kvm-guests.sh and tools/bench.sh:
#   KVMRUN-START NAME SMP
#   ...the guest's console...
#   KVMRUN-EXIT NAME STATUS          (kvmrun's exit status, 0 = SYSTEM_OFF)
guests='' timeout=120 checks=0 pin='' guest_pin='' linux=
for arg in $(cat /proc/cmdline); do
    case $arg in
        kvmrun.guests=*)  guests=${arg#kvmrun.guests=} ;;
        kvmrun.timeout=*) timeout=${arg#kvmrun.timeout=} ;;
        kvmrun.checks)    checks=1 ;;
        kvmrun.pin)       pin=--pin ;;
        kvmrun.pin-offset=*) guest_pin="--pin-offset ${arg#kvmrun.pin-offset=}" ;;
        kvmrun.linux=*)   linux=${arg#kvmrun.linux=} ;;
    esac
done

# KVMRUN-CHECK NAME: PASS|FAIL when kvmrun ARGS exits with WANT and says WORDS.
check() {
    name=$1 want=$2 words=$3
    shift 3
    out=$(kvmrun --no-input --timeout "$timeout" "$@" 2>&1 </dev/null)
    rc=$?
    case $out in
        *"$words"*) if [ "$rc" = "$want" ]; then echo "KVMRUN-CHECK $name: PASS"; return; fi ;;
    esac
    echo "KVMRUN-CHECK $name: FAIL exit $rc (want $want), output: $out"
}
if [ $checks = 1 ]; then
    check bad_image 2 "cannot load kernel '/init'" /init
    check missing_image 2 "cannot open kernel '/nonexistent'" /nonexistent
    check bad_option 2 "unknown option '--frobnicate'" --frobnicate /guests/psci.bin
    check bad_smp 2 "--smp wants 1 to" --smp 0 /guests/psci.bin
    check no_reboot 5 "asked for SYSTEM_RESET" --no-reboot --smp 2 /guests/psci.bin
fi

if [ -n "$linux" ]; then
    smp=${linux%%:*} mem=${linux#*:}
    echo "KVMRUN-START linux $smp"
    kvmrun $pin --kernel /l2/Image --initrd /l2/initramfs.cpio.gz --smp "$smp" --mem "$mem" \
        --append "console=ttyAMA0 elvisor.poweroff" --no-input --timeout "$timeout" </dev/null
    echo "KVMRUN-EXIT linux $?"
fi

[ -n "$guests" ] || exit 0
for spec in $(echo "$guests" | tr ',' ' '); do
    name=${spec%%:*}
    rest=${spec#"$name"}
    rest=${rest#:}
    smp=${rest%%:*}
    mem=${rest#"$smp"}
    mem=${mem#:}
    smp=${smp:-1} mem=${mem:-128M}
    echo "KVMRUN-START $name $smp"
    kvmrun $pin $guest_pin --smp "$smp" --mem "$mem" --append "expect.cpus=$smp expect.mem=$mem" --no-input \
        --timeout "$timeout" "/guests/$name.bin" </dev/null
    echo "KVMRUN-EXIT $name $?"
done
