#!/bin/busybox sh
# /init of the test initramfs that tools/mkinitramfs builds around Debian's
# static arm64 busybox. It runs as PID 1 in the guest Linux.
#
# Contract that tests rely on:
#   - the line starting with "ELVISOR-INITRAMFS:" is printed once the
#     shell is about to start (after the mounts below);
#   - the interactive shell's prompt is "~ # ";
#   - `poweroff -f` powers the VM off (PSCI SYSTEM_OFF), and so does leaving
#     the shell (exit or ctrl-d), so a scripted session ends the VM cleanly;
#   - with `elvisor.poweroff` on the kernel command line the VM powers off
#     right after that line, without a shell (make bench times boots so);
#   - executable files in /etc/elvisor.d/ (added with mkinitramfs --add) run
#     in name order before the shell, with their output on the console.

# The applet symlinks are made here rather than at build time because the
# arm64 busybox cannot run on the x86_64 build host. --install follows
# /proc/self/exe to find itself, hence proc first.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s

export PATH=/sbin:/usr/sbin:/bin:/usr/bin
export HOME=/root
export TERM="${TERM:-vt100}"
export PS1='\w \$ '

mount -t sysfs sysfs /sys
# Linux does not mount devtmpfs over an initramfs by itself.
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
hostname elvisor-guest

for hook in /etc/elvisor.d/*; do
    [ -x "$hook" ] && "$hook"
done

echo "ELVISOR-INITRAMFS: Linux $(uname -r) on $(nproc) CPU(s), busybox shell ready"
case " $(cat /proc/cmdline) " in
    *" elvisor.poweroff "*) poweroff -f ;;
esac

cd /root
# setsid + cttyhack give the shell the console as its controlling terminal,
# which job control and ctrl-c need; without cttyhack fall back to a plain
# shell on the inherited console.
if command -v cttyhack >/dev/null 2>&1; then
    setsid cttyhack sh
else
    sh
fi

echo "ELVISOR-INITRAMFS: shell exited, powering off"
sync
poweroff -f
# PID 1 must never return, or the kernel panics.
while :; do sleep 3600; done
