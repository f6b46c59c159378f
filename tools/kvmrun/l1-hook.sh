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
# Framed as tools/kvm-guests-hook.sh frames its runs, L1's own frames (and
# the L2s' BENCH lines) inside:
#   KVMRUN-START l1 SMP
#   ...L1's console...
#   KVMRUN-EXIT l1 STATUS      (kvmrun's exit status, 0 = SYSTEM_OFF)
l1='' guests='' timeout=600 pin=''
for arg in $(cat /proc/cmdline); do
    case $arg in
        kvmrun.l1=*)        l1=${arg#kvmrun.l1=} ;;
        kvmrun.l1-guests=*) guests=${arg#kvmrun.l1-guests=} ;;
        kvmrun.timeout=*)   timeout=${arg#kvmrun.timeout=} ;;
        kvmrun.pin)         pin=--pin ;;
    esac
done
[ -n "$l1" ] || exit 0
smp=${l1%%:*} mem=${l1#*:}
append="console=ttyAMA0 elvisor.poweroff kvmrun.timeout=$timeout${guests:+ kvmrun.guests=$guests}${pin:+ kvmrun.pin}"
echo "KVMRUN-START l1 $smp"
kvmrun --el2 $pin --kernel /l1/Image --initrd /l1/initramfs.cpio.gz --smp "$smp" --mem "$mem" \
    --append "$append" --no-input --timeout "$timeout" </dev/null
echo "KVMRUN-EXIT l1 $?"
