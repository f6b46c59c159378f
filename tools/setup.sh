#!/usr/bin/env bash
# Provision everything elvisor needs on a Debian 12 x86_64 host, from Debian
# packages only. Idempotent: prints nothing when all is in place.
#
#   tools/setup.sh                 provision what is missing
#   tools/setup.sh --status        also print where everything is
#   tools/setup.sh --newer-kernel  also the newest arm64 Linux Debian offers
#                                  (trixie-backports, unstable, experimental)
#                                  into linux-new/ (make check-newer-kernel)
#
# What it makes, under ${ELVISOR_CACHE:-/var/cache/elvisor}:
#   trixie-root/              Debian 13 root holding QEMU 10 (see tools/qemu10)
#   linux/Image               Debian 13 arm64 Linux 6.12, raw arm64 Image
#   linux/modules/virtio_blk.ko  its virtio-blk driver (an assigned disk's test)
#   linux/initramfs.cpio.gz   busybox initramfs (tools/mkinitramfs)
#   linux/busybox             Debian's static arm64 busybox
#   linux/VERSION             the kernel release (what `uname -r` says)
#   linux/PACKAGES            the Debian packages they came from
#   linux-new/Image, VERSION, PACKAGES, initramfs.cpio.gz (a link to linux/'s)
#                             with --newer-kernel only; linux/ is not touched.
#                             ELVISOR_NEWER_LINUX_PKG names the kernel package
#                             (linux-binary-REL or linux-image-REL-unsigned)
# Every step finishes with a stamp file, so an interrupted run is redone.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${ELVISOR_CACHE:-/var/cache/elvisor}
root=$cache/trixie-root
root_stamp=$cache/trixie-root.stamp
linux=$cache/linux
fetch_stamp=$linux/.fetched
initrd_stamp=$linux/.initramfs

# Host tools the build, the tests and these scripts use (libclang-rt-14-dev:
# libFuzzer and the sanitizer runtimes of the fuzz targets, tests/fuzz/;
# gdb-multiarch: the debugger for QEMU's gdb stub, tools/elvisor.gdb;
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross: the static arm64 Linux
# program kvmrun, tools/kvmrun/; gnuplot-nox: make bench's bar chart,
# tools/bench.sh).
host_packages=(
    clang lld llvm gcc make libcmocka-dev device-tree-compiler libclang-rt-14-dev
    expect mmdebstrap cpio gzip util-linux mount coreutils
    debian-archive-keyring gpg gdb-multiarch gnuplot-nox
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross
)

status=0 newer=0
for arg in "$@"; do
    case $arg in
        --status) status=1 ;;
        --newer-kernel) newer=1 ;;
        -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "usage: tools/setup.sh [--status] [--newer-kernel]" >&2; exit 2 ;;
    esac
done

did_work=0
# Long steps run as a background child so that a signal to this script reaches
# them too (mmdebstrap then unmounts what it mounted in its root).
child=
run_child() {
    "$@" &
    child=$!
    wait "$child"
    local rc=$?
    child=
    return $rc
}
on_signal() {
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null || true
        wait "$child" 2>/dev/null || true
    fi
    echo "setup.sh: interrupted; the next run redoes the unfinished step" >&3
    exit "$1"
}
exec 3>&2  # the handler may run inside a step whose stderr goes to a log
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
die() { echo "setup.sh: error: $*" >&2; exit 1; }
say() { echo "setup.sh: $*" >&2; did_work=1; }
need_root() {
    [ "$(id -u)" = 0 ] || die "$1 is missing and installing it needs root: run 'sudo $0'"
}

# --- host packages -------------------------------------------------------

missing=()
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${host_packages[@]}" 2>/dev/null || true)
for p in "${host_packages[@]}"; do
    grep -q "^$p ii" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    need_root "host packages (${missing[*]})"
    say "installing host packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_log=$(mktemp "${TMPDIR:-/tmp}/elvisor-apt.XXXXXX")
    { apt-get -q update && apt-get -q install -y --no-install-recommends "${missing[@]}"; } \
        >"$apt_log" 2>&1 \
        || { tail -n 20 "$apt_log" >&2; die "apt-get install ${missing[*]} failed (log: $apt_log)"; }
    rm -f "$apt_log"
fi

# --- cache directory and lock ---------------------------------------------

if [ ! -d "$cache" ]; then
    need_root "cache directory $cache"
    mkdir -p "$cache" || die "cannot create $cache"
fi
if [ -w "$cache" ]; then
    exec 9>"$cache/.setup.lock"
    flock 9  # concurrent runs (make -j) wait for the first to finish
fi

# Never delete a tree that has something mounted inside it (tools/qemu10 uses
# private mount namespaces, so this only guards against hand-made mounts).
safe_rm() {
    local d
    for d in "$@"; do
        [ -e "$d" ] || continue
        if findmnt -rn -o TARGET | grep -q -F -- "$(realpath "$d")/"; then
            die "$d has mounts inside it; unmount them first"
        fi
        rm -rf --one-file-system -- "$d"
    done
}

qemu_major() {  # prints the major version of the root's QEMU, or nothing
    chroot "$1" qemu-system-aarch64 --version 2>/dev/null \
        | sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p'
}

# A root made by hand (as DESIGN.md describes) has no stamp; adopt it when
# dpkg says it is complete and its QEMU runs, otherwise it is half-made.
root_is_complete() {
    [ -z "$(dpkg --root="$1" --audit 2>&1)" ] || return 1
    [ "$(dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${db:Status-Abbrev}' \
        qemu-system-arm 2>/dev/null)" = "ii " ] || return 1
    local v; v=$(qemu_major "$1")
    [ -n "$v" ] && [ "$v" -ge 10 ]
}

# --- Debian 13 root with QEMU 10 -------------------------------------------

if [ ! -f "$root_stamp" ]; then
    need_root "the trixie root ($root)"
    if [ -d "$root" ] && root_is_complete "$root"; then
        say "adopting existing trixie root $root"
        touch "$root_stamp"
    else
        say "creating Debian 13 root with QEMU 10 in $root (about a minute)"
        partial=$root.partial
        safe_rm "$partial"
        log=$cache/mmdebstrap.log
        run_child mmdebstrap --variant=essential --include=qemu-system-arm --format=directory \
            trixie "$partial" >"$log" 2>&1 \
            || { tail -n 20 "$log" >&2; die "mmdebstrap failed (full log: $log)"; }
        v=$(qemu_major "$partial")
        [ -n "$v" ] && [ "$v" -ge 10 ] \
            || die "the new root's qemu-system-aarch64 does not run or is older than 10"
        if [ -e "$root" ]; then
            safe_rm "$root.old"
            mv "$root" "$root.old"
        fi
        mv "$partial" "$root"
        safe_rm "$root.old"
        touch "$root_stamp"
    fi
fi

# --- Linux kernel and busybox for arm64 -------------------------------------

work=

apt_opts=()

# A private work directory and apt state for arm64 trixie, package lists
# fetched: sets work and apt_opts. With SUITES (e.g. "trixie-backports
# unstable") those suites instead, from the trixie root's archive.
apt_prepare() {
    local suites=${1:-} list=$root/etc/apt/sources.list parts=$root/etc/apt/sources.list.d
    work=$(mktemp -d "$cache/.linux-fetch.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work"/{lists/partial,archives/partial,parts,prefs,debs}
    touch "$work/status"
    if [ -n "$suites" ]; then
        # The archive URL of the root's own "trixie main" line, other suites.
        local url s
        url=$(awk '$1 == "deb" && $3 == "trixie" { print $2; exit }' "$list")
        [ -n "$url" ] || die "no 'deb URL trixie' line in $list to derive other suites from"
        list=$work/newer.list parts=$work/parts
        for s in $suites; do echo "deb $url $s main"; done >"$list"
    fi
    # Host apt, but for arm64 and with private state; the sources are the ones
    # mmdebstrap wrote into the trixie root, so no mirror is named here.
    apt_opts=(
        -o APT::Architecture=arm64 -o APT::Architectures=arm64
        -o Dir::State::Lists="$work/lists" -o Dir::State::status="$work/status"
        -o Dir::Cache="$work" -o Dir::Cache::Archives="$work/archives"
        -o Dir::Etc::SourceList="$list"
        -o Dir::Etc::SourceParts="$parts"
        -o Dir::Etc::Preferences="$work/prefs/none"
        -o Dir::Etc::PreferencesParts="$work/prefs"
        -o Debug::NoLocking=1 -o Acquire::Languages=none
        -o APT::Sandbox::User=root -o pkgCacheFile::Generate=true
    )
    run_child apt-get "${apt_opts[@]}" -q update >"$work/update.log" 2>&1 \
        || { cat "$work/update.log" >&2; die "apt-get update for arm64 ${suites:-trixie} failed"; }
}

# The kernel of a downloaded kernel package as a raw arm64 Image in
# $work/Image; sets rel (its release). Packages up to 6.19 hold
# /boot/vmlinuz-REL, later ones (linux-binary-REL) /usr/lib/modules/REL/vmlinuz.
image_from_deb() {
    local deb=$1 img magic
    mkdir -p "$work/kernel"
    # Only the kernel itself: the modules are not needed and are most of the package.
    dpkg-deb --fsys-tarfile "$deb" \
        | tar -x -C "$work/kernel" --wildcards --no-anchored 'vmlinuz*' \
        || die "extracting the kernel from $deb failed"
    img=$(find "$work/kernel" -type f -name 'vmlinuz*' | head -n1)
    [ -n "$img" ] || die "$deb has no vmlinuz"
    case $img in
        */boot/vmlinuz-*) rel=${img##*/vmlinuz-} ;;
        *) rel=${img%/vmlinuz}; rel=${rel##*/} ;;
    esac
    # Debian's arm64 vmlinuz has been a raw Image; decompress in case a later
    # package compresses it.
    magic=$(od -An -tx1 -N4 "$img" | tr -d ' \n')
    case $magic in
        1f8b*)     gzip -dc <"$img" >"$work/Image" ;;
        fd377a58)  xz -dc <"$img" >"$work/Image" ;;
        28b52ffd)  zstd -qdc <"$img" >"$work/Image" ;;
        *)         cp "$img" "$work/Image" ;;
    esac
    [ "$(od -An -c -j56 -N4 "$work/Image" | tr -d ' \n')" = 'ARMd' ] \
        || die "$img is not an arm64 Image (no ARM\\x64 magic at offset 56)"
}

fetch_linux() {
    local kpkg dep rel bb
    apt_prepare

    # The linux-image-arm64 metapackage names the current 6.12 ABI; its
    # -unsigned twin carries the same kernel as a plain file.
    kpkg=${ELVISOR_LINUX_PKG:-}
    if [ -z "$kpkg" ]; then
        dep=$(apt-cache "${apt_opts[@]}" depends linux-image-arm64 2>/dev/null \
            | sed -n 's/^ *Depends: \(linux-image-6\.12\.[^ ]*-arm64\)$/\1/p' | head -n1)
        if [ -n "$dep" ]; then
            kpkg=$dep-unsigned
        else
            kpkg=$(apt-cache "${apt_opts[@]}" search --names-only \
                '^linux-image-6\.12\.[0-9]+\+deb13[.0-9]*-arm64-unsigned$' \
                | cut -d' ' -f1 | sort -V | tail -n1)
        fi
    fi
    [ -n "$kpkg" ] || die "no linux-image-6.12.*-arm64-unsigned package found"

    (cd "$work/debs" && run_child apt-get "${apt_opts[@]}" -q download "$kpkg" busybox-static \
        >"$work/download.log" 2>&1) \
        || { cat "$work/download.log" >&2; die "downloading $kpkg and busybox-static failed"; }

    image_from_deb "$(ls "$work"/debs/linux-*.deb | head -n1)"
    dpkg-deb -x "$work"/debs/busybox-static_*.deb "$work/busybox"

    bb=$(find "$work/busybox" -type f -path '*/bin/busybox' | head -n1)
    [ -n "$bb" ] || die "busybox-static has no busybox binary"
    # ELF, 64-bit, e_machine EM_AARCH64 (0xb7).
    [ "$(od -An -tx1 -N5 "$bb" | tr -d ' \n')" = 7f454c4602 ] \
        && [ "$(od -An -tx1 -j18 -N2 "$bb" | tr -d ' \n')" = b700 ] \
        || die "$bb is not an arm64 ELF"

    mkdir -p "$linux"
    install -m 0644 "$work/Image" "$linux/Image.new" && mv -f "$linux/Image.new" "$linux/Image"
    install -m 0755 "$bb" "$linux/busybox.new" && mv -f "$linux/busybox.new" "$linux/busybox"
    echo "$rel" >"$linux/VERSION"
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$work"/debs/*.deb >"$linux/PACKAGES"
    cp "$linux/PACKAGES" "$fetch_stamp"
}

if [ ! -f "$fetch_stamp" ] || [ ! -f "$linux/Image" ] || [ ! -f "$linux/busybox" ]; then
    need_root "the arm64 Linux kernel ($linux)"
    say "fetching Debian 13 arm64 Linux 6.12 and busybox-static into $linux"
    rm -f "$fetch_stamp" "$initrd_stamp"
    safe_rm "$cache"/.linux-fetch.*  # left by an interrupted run
    fetch_linux
    rm -rf "$work"
fi

# Linux's virtio-blk driver is a module in Debian's kernel: the one of the
# installed Image (its VERSION, not the newest) for tests with an assigned
# disk (docs/device-assignment.md). Kept apart: the Image is not touched.
fetch_linux_modules() {
    local rel ko
    rel=$(cat "$linux/VERSION")
    apt_prepare
    (cd "$work/debs" && run_child apt-get "${apt_opts[@]}" -q download "linux-image-$rel-unsigned" \
        >"$work/download.log" 2>&1) \
        || { cat "$work/download.log" >&2; die "downloading linux-image-$rel-unsigned failed"; }
    mkdir -p "$work/mods"
    dpkg-deb --fsys-tarfile "$work"/debs/linux-image-*.deb \
        | tar -x -C "$work/mods" --wildcards '*/kernel/drivers/block/virtio_blk.ko*' \
        || die "no virtio_blk module in linux-image-$rel-unsigned"
    ko=$(find "$work/mods" -name 'virtio_blk.ko*' | head -n1)
    case $ko in
        *.xz)  xz -dc <"$ko" >"$work/virtio_blk.ko" ;;
        *.zst) zstd -qdc <"$ko" >"$work/virtio_blk.ko" ;;
        *.ko)  cp "$ko" "$work/virtio_blk.ko" ;;
        *)     die "no virtio_blk module in linux-image-$rel-unsigned" ;;
    esac
    mkdir -p "$linux/modules"
    install -m 0644 "$work/virtio_blk.ko" "$linux/modules/virtio_blk.ko.new"
    mv -f "$linux/modules/virtio_blk.ko.new" "$linux/modules/virtio_blk.ko"
}

if [ ! -f "$linux/modules/virtio_blk.ko" ]; then
    need_root "Linux's virtio_blk module ($linux/modules)"
    say "fetching virtio_blk.ko of Linux $(cat "$linux/VERSION") into $linux/modules"
    safe_rm "$cache"/.linux-fetch.*
    fetch_linux_modules
    rm -rf "$work"
fi

# The initramfs follows its recipe: rebuild when the init script or the
# builder changed since the last build, or busybox was refetched.
recipe=$(cat "$here/initramfs-init.sh" "$here/mkinitramfs" "$fetch_stamp" | sha256sum | cut -d' ' -f1)
if [ ! -f "$linux/initramfs.cpio.gz" ] || [ "$(cat "$initrd_stamp" 2>/dev/null)" != "$recipe" ]; then
    [ -w "$linux" ] || need_root "the initramfs ($linux/initramfs.cpio.gz)"
    say "building $linux/initramfs.cpio.gz"
    "$here/mkinitramfs" --busybox "$linux/busybox" "$linux/initramfs.cpio.gz" \
        || die "building the initramfs failed"
    echo "$recipe" >"$initrd_stamp"
fi

# --- optional: the newest arm64 Linux Debian offers (--newer-kernel) -------

linux_new=$cache/linux-new
newer_stamp=$linux_new/.fetched
newer_suites="trixie-backports unstable experimental"

# The newest linux-image-arm64 of those suites names the kernel release; its
# image is in linux-binary-REL (from 6.19's packaging on) or, before that,
# linux-image-REL-unsigned. Into linux-new/, beside (never over) linux/.
fetch_newer_linux() {
    local kpkg ver best='' meta rel
    apt_prepare "$newer_suites"
    kpkg=${ELVISOR_NEWER_LINUX_PKG:-}
    if [ -z "$kpkg" ]; then
        for ver in $(apt-cache "${apt_opts[@]}" madison linux-image-arm64 | awk -F'|' '{ gsub(/ /, "", $2); print $2 }'); do
            if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best"; then best=$ver; fi
        done
        [ -n "$best" ] || die "no linux-image-arm64 in $newer_suites"
        meta=$(apt-cache "${apt_opts[@]}" depends "linux-image-arm64=$best" 2>/dev/null \
            | sed -n 's/^ *Depends: linux-image-\([0-9][^ ]*-arm64\)$/\1/p' | head -n1)
        [ -n "$meta" ] || die "linux-image-arm64 $best names no linux-image-REL-arm64"
        for kpkg in "linux-binary-$meta" "linux-image-$meta-unsigned" ''; do
            [ -z "$kpkg" ] || [ -n "$(apt-cache "${apt_opts[@]}" show "$kpkg" 2>/dev/null)" ] && break
        done
        [ -n "$kpkg" ] || die "neither linux-binary-$meta nor linux-image-$meta-unsigned exists"
    fi
    (cd "$work/debs" && run_child apt-get "${apt_opts[@]}" -q download "$kpkg" \
        >"$work/download.log" 2>&1) \
        || { cat "$work/download.log" >&2; die "downloading $kpkg failed"; }
    image_from_deb "$(ls "$work"/debs/*.deb | head -n1)"
    mkdir -p "$linux_new"
    install -m 0644 "$work/Image" "$linux_new/Image.new" && mv -f "$linux_new/Image.new" "$linux_new/Image"
    echo "$rel" >"$linux_new/VERSION"
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$work"/debs/*.deb >"$linux_new/PACKAGES"
    # The busybox initramfs does not depend on the kernel.
    ln -sfn ../linux/initramfs.cpio.gz "$linux_new/initramfs.cpio.gz"
    cp "$linux_new/PACKAGES" "$newer_stamp"
}

if [ $newer = 1 ] && { [ ! -f "$newer_stamp" ] || [ ! -f "$linux_new/Image" ]; }; then
    need_root "the newer arm64 Linux kernel ($linux_new)"
    say "fetching the newest arm64 Linux of $newer_suites into $linux_new"
    rm -f "$newer_stamp"
    safe_rm "$cache"/.linux-fetch.*
    fetch_newer_linux
    rm -rf "$work"
fi

if [ $did_work = 1 ] || [ $status = 1 ]; then
    cat <<EOF
elvisor provisioning complete:
  QEMU 10      $here/qemu10  ($(chroot "$root" qemu-system-aarch64 --version 2>/dev/null | head -n1))
  trixie root  $root
  Linux Image  $linux/Image  ($(cat "$linux/VERSION"))
  initramfs    $linux/initramfs.cpio.gz
EOF
    [ ! -f "$linux_new/Image" ] || echo "  newer Linux  $linux_new/Image  ($(cat "$linux_new/VERSION"))"
    cat <<EOF
  run          tools/elvisor-run --kernel IMAGE ...   (tools/elvisor-run --help)
EOF
fi
