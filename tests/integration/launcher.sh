#!/usr/bin/env bash
# Tests of the launcher, tools/elvisor-run, itself:
#   - bad arguments exit 2 naming the argument; a missing, empty, unreadable
#     or directory image, or one too big for --mem, exits 1; an invalid
#     --config exits 1 naming FILE:LINE and the property. None of them may
#     start QEMU: these runs use a stand-in QEMU (ELVISOR_QEMU) that records
#     being called;
#   - --dry-run prints the QEMU command and runs nothing;
#   - an arm64 Image, an ELF and a raw binary (the mmio guest linked without
#     the Image header, build/guests/mmio-raw.bin) boot under elvisor to
#     GUEST-DONE with exit 0, as does a run with stdin closed; --timeout 1
#     stops a guest that spins forever with exit 124;
#   - --smp 2 --mem 128M reach the guest: the platform guest compares its DTB
#     and the machine with "expect.cpus=2 expect.mem=128M" on its command line.
#   - --write-dtb writes, byte for byte, the DTB the platform guest finds in
#     its memory under elvisor (GICv3 with an initrd, GICv2); --vm-dtb gives
#     bare QEMU -dtb, and both refuse the wrong mode.
# One "[launcher] PASS|FAIL check" line per check, then
# "launcher: N passed, N failed"; non-zero status on any failure.
# Logs of the boots: build/integration/launcher-CHECK.log.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
runner=${ELVISOR_RUN:-$repo/tools/elvisor-run}
elvisor_bin=${ELVISOR_BIN:-$repo/build/elvisor.bin}
logdir=${ELVISOR_LOGDIR:-$repo/build/integration}
guests=$repo/build/guests
boot_timeout=60
NOBODY=65534
ARM64_IMAGE_MAGIC_OFFSET=56
ARM64_IMAGE_SIZE_OFFSET=16

for f in "$runner" "$elvisor_bin" "$repo/build/tools/elvisor-config" \
         "$guests/mmio.bin" "$guests/mmio.elf" "$guests/mmio-raw.bin" "$guests/platform.bin"; do
    [ -e "$f" ] || { echo "launcher: $f missing: run make" >&2; exit 1; }
done
mkdir -p "$logdir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/launcher-test.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

passed=0 failed=0
pass() { echo "[launcher] PASS $1"; passed=$((passed + 1)); }
fail() { echo "[launcher] FAIL $1: $2"; failed=$((failed + 1)); }
oneline() { tr '\n' ' ' <<<"$1" | cut -c1-400; }

# Stand-in QEMU: records its arguments, runs nothing.
fake_qemu=$tmp/fake-qemu
qemu_ran=$tmp/qemu-ran
printf '#!/bin/sh\necho "$@" >"%s"\n' "$qemu_ran" >"$fake_qemu"
chmod +x "$fake_qemu"

# expect_run CHECK STATUS [PATTERN...] -- ELVISOR-RUN-ARGS...
# Runs the launcher with the stand-in QEMU; wants exit STATUS, every PATTERN
# (fixed strings) in its output or in the QEMU command line it started,
# and QEMU not started unless STATUS is 0.
expect_run() {
    local check=$1 want=$2 pats=() out rc p
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do pats+=("$1"); shift; done
    shift
    rm -f "$qemu_ran"
    out=$(ELVISOR_QEMU=$fake_qemu "${run_prefix[@]}" "$runner" "$@" </dev/null 2>&1)
    rc=$?
    [ -e "$qemu_ran" ] && out+=$'\n'"QEMU: $(cat "$qemu_ran")"
    if [ "$rc" != "$want" ]; then
        fail "$check" "exit $rc, want $want: $(oneline "$out")"
        return 1
    fi
    for p in "${pats[@]}"; do
        if ! grep -qF -- "$p" <<<"$out"; then
            fail "$check" "no \"$p\" in: $(oneline "$out")"
            return 1
        fi
    done
    if [ "$want" != 0 ] && [ -e "$qemu_ran" ]; then
        fail "$check" "QEMU was started: $(cat "$qemu_ran")"
        return 1
    fi
    last_out=$out
    pass "$check"
}
run_prefix=()
last_out=

img=$guests/mmio.bin

# --- bad arguments: exit 2, the message names the argument ---------------------

expect_run args_unknown_option 2 "'--frobnicate'" -- --kernel "$img" --frobnicate
expect_run args_smp_0 2 "--smp" "'0'" -- --kernel "$img" --smp 0
expect_run args_smp_9 2 "--smp" "'9'" -- --kernel "$img" --smp 9
expect_run args_smp_x 2 "--smp" "'x'" -- --kernel "$img" --smp x
expect_run args_mem_3M 2 "--mem" "2M" "'3M'" -- --kernel "$img" --mem 3M
expect_run args_mem_word 2 "--mem" "'lots'" -- --kernel "$img" --mem lots
expect_run args_gic_4 2 "--gic" "'4'" -- --kernel "$img" --gic 4
expect_run args_kernel_with_config 2 "--kernel" "--config" -- \
    --kernel "$img" --config "$repo/configs/default.dts"
expect_run args_smp_with_config 2 "--smp" "--config" -- --config "$repo/configs/default.dts" --smp 2
expect_run args_missing_value 2 "--smp" "needs a value" -- --kernel "$img" --smp
expect_run args_missing_kernel_value 2 "--kernel" "needs a value" -- --kernel
expect_run args_nothing_to_boot 2 "--kernel" -- --smp 1
expect_run args_timeout_0 2 "--timeout" "'0'" -- --kernel "$img" --timeout 0
expect_run args_equals_form 2 "--smp 2" -- --kernel "$img" --smp=2

# --- images: exit 1 before QEMU starts -------------------------------------------

: >"$tmp/empty.bin"
mkdir "$tmp/dir.bin"
expect_run image_missing 1 "$tmp/nope.bin" "does not exist" -- --kernel "$tmp/nope.bin"
expect_run image_empty 1 "$tmp/empty.bin" "is empty" -- --kernel "$tmp/empty.bin"
expect_run image_directory 1 "$tmp/dir.bin" "not a regular file" -- --kernel "$tmp/dir.bin"
expect_run initrd_missing 1 "initrd" "$tmp/nope.cpio" -- --kernel "$img" --initrd "$tmp/nope.cpio"

# Unreadable: root reads anything, so as root the launcher runs as nobody,
# from a copy in the temporary directory: nobody may not be able to reach
# the checkout (a home directory, a private work tree), and the image check
# comes before the launcher needs anything else from it.
mkdir "$tmp/noread"
cp "$img" "$tmp/noread/guest.bin"
chmod 000 "$tmp/noread/guest.bin"
chmod 711 "$tmp" "$tmp/noread"
runner_saved=$runner
if [ "$(id -u)" = 0 ]; then
    run_prefix=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups)
    mkdir -p "$tmp/launcher/tools"
    cp "$runner" "$tmp/launcher/tools/elvisor-run"
    chmod -R a+rX "$tmp/launcher"
    runner=$tmp/launcher/tools/elvisor-run
fi
expect_run image_unreadable 1 "$tmp/noread/guest.bin" "not readable" -- --kernel "$tmp/noread/guest.bin"
run_prefix=()
runner=$runner_saved

# A raw image needs 0x80000 + its size + 2 MiB for the DTB.
truncate -s 3M "$tmp/big-raw.bin"
expect_run image_too_big_raw 1 "raise --mem" -- --kernel "$tmp/big-raw.bin" --raw --mem 4M
truncate -s 1M "$tmp/small-raw.bin"
expect_run image_fits_raw 0 "QEMU: " "-kernel $elvisor_bin" -- --kernel "$tmp/small-raw.bin" --raw --mem 4M
# What is neither an Image nor an ELF is refused unless --raw says it is a
# raw binary: random bytes, a kernel Image cut short (its EFI section table
# says how long it is), an ELF whose entry is not in its code.
head -c 65536 /dev/urandom >"$tmp/random.bin"
expect_run image_random_refused 1 "neither an arm64 Image" 'kernel-format = "raw"' -- --kernel "$tmp/random.bin"
linux_image=${ELVISOR_CACHE:-/var/cache/elvisor}/linux/Image
if [ -r "$linux_image" ]; then
    head -c 4000000 "$linux_image" >"$tmp/cut-Image"
    expect_run image_truncated_refused 1 "Image is cut short" -- --kernel "$tmp/cut-Image"
else
    fail image_truncated_refused "no Linux Image at $linux_image (run tools/setup.sh)"
fi
cp "$guests/mmio.elf" "$tmp/bad-entry.elf"
printf '\x00\x00\x00\x40\x00\x00\x00\x00' |      # e_entry = RAM base, below the code
    dd of="$tmp/bad-entry.elf" bs=1 seek=24 conv=notrunc status=none
expect_run image_elf_entry_refused 1 "ELF entry point is not in" -- --kernel "$tmp/bad-entry.elf"
# An arm64 Image needs text_offset + image_size (from its header), not its file size.
cp "$img" "$tmp/huge-image.bin"
printf '\x00\x00\x00\x10\x00\x00\x00\x00' |
    dd of="$tmp/huge-image.bin" bs=1 seek=$ARM64_IMAGE_SIZE_OFFSET conv=notrunc status=none
expect_run image_too_big_header 1 "raise --mem" -- --kernel "$tmp/huge-image.bin" --mem 256M

# --- invalid --config: exit 1, FILE:LINE and the property ------------------------

# write_cfg NAME LINES...: a config whose VM node "g" is on line 5, its
# properties from line 6 on, one per argument.
write_cfg() {
    local f=$tmp/$1.dts l
    shift
    {
        printf '/dts-v1/;\n/ {\n    compatible = "elvisor,config";\n    vms {\n        g {\n'
        for l in "$@"; do printf '            %s\n' "$l"; done
        printf '        };\n    };\n};\n'
    } >"$f"
    echo "$f"
}
k="kernel = /incbin/(\"$img\");"
cfg=$(write_cfg vcpus-type 'vcpus = "one vCPU";' 'memory-size = <0x1000000>;' "$k")
expect_run config_vcpus_type 1 "$cfg:6:" "'vcpus'" "32-bit cell" -- --config "$cfg"
cfg=$(write_cfg vcpus-zero 'vcpus = <0>;' 'memory-size = <0x1000000>;' "$k")
expect_run config_vcpus_zero 1 "$cfg:6:" "'vcpus'" "<0>" -- --config "$cfg"
cfg=$(write_cfg mem-type 'vcpus = <1>;' 'memory-size = "16M";' "$k")
expect_run config_memory_type 1 "$cfg:7:" "'memory-size'" -- --config "$cfg"
cfg=$(write_cfg mem-align 'vcpus = <1>;' 'memory-size = <0x1100000>;' "$k")
expect_run config_memory_not_2M 1 "$cfg:7:" "'memory-size'" "multiple of 2 MiB" -- --config "$cfg"
cfg=$(write_cfg mem-small 'vcpus = <1>;' 'memory-size = <0x200000>;' "$k")
expect_run config_memory_too_small 1 "$cfg:7:" "'memory-size'" "too small" -- --config "$cfg"
cfg=$(write_cfg no-kernel 'vcpus = <1>;' 'memory-size = <0x1000000>;' 'console;')
expect_run config_no_kernel 1 "$cfg:5:" "'kernel'" -- --config "$cfg"
cfg=$(write_cfg kernel-file 'vcpus = <1>;' 'memory-size = <0x1000000>;' 'kernel = /incbin/("nope.bin");')
expect_run config_kernel_file 1 "$cfg:8:" "'kernel'" "nope.bin" -- --config "$cfg"
cfg=$(write_cfg gic-4 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" 'gic-version = <4>;')
expect_run config_gic_4 1 "$cfg:9:" "'gic-version'" -- --config "$cfg"
cfg=$(write_cfg cpus-count 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" 'cpus = <0 1>;')
expect_run config_cpus_count 1 "$cfg:9:" "'cpus'" -- --config "$cfg"
cfg=$(write_cfg syntax 'vcpus = <1>' 'memory-size = <0x1000000>;' "$k")
expect_run config_syntax 1 "$cfg:7" -- --config "$cfg"
# The second VM (h, from line 11) also takes the console, on line 15.
cfg=$(write_cfg two-consoles 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" 'console;' \
      '};' 'h {' 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" 'console;')
expect_run config_two_consoles 1 "$cfg:15:" "vm 'h'" "'console'" -- --config "$cfg"
# Every error of the file in one run, each at its line.
cfg=$(write_cfg several 'vcpus = <0>;' 'memory-size = <0x1000000>;' "$k" 'gic-version = <4>;')
expect_run config_several_errors 1 "$cfg:6: vm 'g': property 'vcpus'" "$cfg:9: vm 'g': property 'gic-version'" -- \
    --config "$cfg"
# A misspelt property is an error (it would keep its default), with the
# nearest known name.
cfg=$(write_cfg typo 'vcpus = <1>;' 'memroy-size = <0x1000000>;' "$k")
expect_run config_unknown_property 1 "$cfg:7:" "'memroy-size'" "did you mean 'memory-size'?" -- --config "$cfg"
# A FIFO as /incbin/ is refused at once; dtc would wait for a writer for ever
# (the outer timeout keeps a regression from hanging the suite).
mkfifo "$tmp/k.fifo"
cfg=$(write_cfg fifo 'vcpus = <1>;' 'memory-size = <0x1000000>;' 'kernel = /incbin/("k.fifo");')
run_prefix=(timeout -k 2 10)
expect_run config_incbin_fifo 1 "$cfg:8:" "'kernel'" "is a FIFO, not a regular file" -- --config "$cfg"
run_prefix=()
# Linux arm64 keeps 2047 characters of its command line.
cfg=$(write_cfg bootargs-long 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" \
      "bootargs = \"$(printf 'x%.0s' $(seq 2048))\";")
expect_run config_bootargs_long 1 "$cfg:9:" "'bootargs'" "longer than 2047 characters" -- --config "$cfg"
cfg=$(write_cfg gic-v3 'vcpus = <1>;' 'memory-size = <0x1000000>;' "$k" 'gic-version = <3>;')
expect_run config_gic_disagrees 1 "gic-version = <3>" "--gic is 2" -- --config "$cfg" --gic 2
expect_run config_valid 0 "QEMU: " "gic-version=3" -- --config "$cfg"

# --- --dry-run: the command, nothing run ------------------------------------------

if expect_run dry_run 0 "QEMU command" "$fake_qemu -M virt,virtualization=on,gic-version=3" \
        "-smp 2" "-kernel $elvisor_bin" "-initrd " "vm 'guest': 2 vCPUs" -- \
        --kernel "$img" --smp 2 --mem 64M --dry-run; then
    if [ -e "$qemu_ran" ]; then
        fail dry_run_runs_nothing "QEMU was started"
    else
        pass dry_run_runs_nothing
    fi
    bundle=$(sed -n 's/.* -initrd \([^ ]*\) .*/\1/p' <<<"$last_out")
    if [ -n "$bundle" ] && [ ! -e "$bundle" ]; then
        pass dry_run_bundle_removed
    else
        fail dry_run_bundle_removed "bundle '$bundle' left behind"
    fi
fi
expect_run dry_run_bare 0 "$fake_qemu -M virt,gic-version=3" "-smp 2" "-m 64M" \
    "-kernel $(realpath "$img")" -- --bare --kernel "$img" --smp 2 --mem 64M --dry-run
# --el2: a VM with virtual EL2, or bare QEMU's own EL2.
expect_run dry_run_el2 0 "virt-el2;" "virtual EL2" -- --kernel "$img" --el2 --dry-run
# --el2-nvhe: the same with a non-VHE virtual EL2 (virt-el2-mode), checked.
expect_run dry_run_el2_nvhe 0 "virt-el2;" 'virt-el2-mode = "nvhe";' "virtual EL2 (nVHE)" -- \
    --kernel "$img" --el2-nvhe --dry-run
expect_run dry_run_el2_bare 0 "$fake_qemu -M virt,virtualization=on,gic-version=3" -- \
    --bare --kernel "$img" --el2 --dry-run
expect_run args_el2_with_config 2 "--el2" "--config" -- --config "$repo/configs/default.dts" --el2
# --icount is what makes benchmark figures repeatable (docs/testing.md).
expect_run dry_run_icount 0 "-icount shift=0,sleep=off" "-seed 1" "clock=vm" -- \
    --kernel "$img" --icount --dry-run
# The checker identifies each kind the way elvisor's loader will.
expect_run dry_run_kind_image 0 "(arm64 Image)" -- --kernel "$img" --dry-run
expect_run dry_run_kind_elf 0 "(ELF)" -- --kernel "$guests/mmio.elf" --dry-run
expect_run dry_run_kind_raw 0 "(raw binary)" 'kernel-format = "raw";' -- --kernel "$guests/mmio-raw.bin" --raw --dry-run
expect_run args_raw_with_config 2 "--raw" "--config" -- --config "$repo/configs/default.dts" --raw
# --gdb [PORT]: QEMU stopped (-S) with its stub on the loopback, and the gdb
# command that attaches (the gdb suite, tests/integration/gdb.sh, attaches
# for real); the guest's symbols are added when it is an ELF.
expect_run args_gdb_port_0 2 "--gdb" "'0'" -- --kernel "$img" --gdb 0
expect_run args_gdb_port_big 2 "--gdb" "'65536'" -- --kernel "$img" --gdb 65536
expect_run dry_run_gdb 0 "-gdb tcp:127.0.0.1:4321 -S" 'set $elvisor_port = 4321' \
    "set \$elvisor_elf = \"$(dirname "$elvisor_bin")/elvisor.elf\"" "-x $repo/tools/elvisor.gdb" \
    "elvisor-guest $(realpath "$guests/mmio.elf")" -- --kernel "$guests/mmio.elf" --gdb 4321 --dry-run
expect_run dry_run_gdb_bare 0 "-gdb tcp:127.0.0.1:1234 -S" 'set $elvisor_hyp = 0' -- \
    --bare --kernel "$img" --gdb --dry-run
# Started (the stand-in QEMU): the attach command is printed before QEMU runs.
expect_run gdb_config_prints_attach 0 "-gdb tcp:127.0.0.1:1234 -S" "attach with" \
    "gdb-multiarch -q -ex 'set \$elvisor_port = 1234'" "elvisor-guest FILE.elf" -- --config "$cfg" --gdb

# --- real boots under elvisor -------------------------------------------------------

# guest_done LOG NAME: empty if the guest finished with every check passing,
# else why not.
guest_done() {
    local log=$1 name=$2 line npass nfail
    line=$(grep -a "^GUEST-DONE $name " "$log" | tail -1)
    npass=$(grep -ac "^TEST $name\.[A-Za-z0-9_]*: PASS" "$log")
    nfail=$(grep -ac "^TEST .*: FAIL" "$log")
    if [ -z "$line" ]; then
        echo "no GUEST-DONE"
    elif [ "$nfail" != 0 ]; then
        echo "$nfail failing checks: $(grep -a -m3 '^TEST .*: FAIL' "$log" | tr '\n' ' ')"
    elif [ "$line" != "GUEST-DONE $name passed=$npass failed=0" ] || [ "$npass" = 0 ]; then
        echo "'$line' but $npass PASS lines"
    fi
}

# boot CHECK PATTERN ELVISOR-RUN-ARGS...: boots for real; wants exit 0, the
# guest named by --kernel's file name done with all checks passing and
# PATTERN (fixed string, may be empty) in the log.
boot() {
    local check=$1 pat=$2 log=$logdir/launcher-$1.log rc why name
    shift 2
    name=$(basename "${2%.*}")
    name=${name%-raw}
    "$runner" "$@" --timeout "$boot_timeout" </dev/null 2>&1 | tr -d '\r' >"$log"
    rc=${PIPESTATUS[0]}
    why=$(guest_done "$log" "$name")
    if [ "$rc" != 0 ]; then
        fail "$check" "exit $rc (log: $log)"
    elif [ -n "$why" ]; then
        fail "$check" "$why (log: $log)"
    elif [ -n "$pat" ] && ! grep -qaF -- "$pat" "$log"; then
        fail "$check" "no \"$pat\" in $log"
    else
        pass "$check"
    fi
}

# The raw binary must really be one: neither the Image magic nor ELF.
magic=$(od -An -c -j $ARM64_IMAGE_MAGIC_OFFSET -N4 "$guests/mmio-raw.bin" | tr -d ' ')
elf=$(od -An -tx1 -N4 "$guests/mmio-raw.bin" | tr -d ' ')
if [ "$magic" != ARMd ] && [ "$elf" != 7f454c46 ]; then
    pass raw_binary_has_no_header
else
    fail raw_binary_has_no_header "mmio-raw.bin starts like an ELF or has the Image magic"
fi

boot boot_image "arm64 Image entry 0x40080000" --kernel "$img"
boot boot_elf "ELF entry 0x40080000" --kernel "$guests/mmio.elf"
boot boot_raw "raw binary entry 0x40080000" --kernel "$guests/mmio-raw.bin" --raw

# stdin closed (not /dev/null): QEMU must not take its first file as fd 0.
log=$logdir/launcher-stdin_closed.log
"$runner" --kernel "$img" --timeout "$boot_timeout" 0<&- 2>&1 | tr -d '\r' >"$log"
rc=${PIPESTATUS[0]}
why=$(guest_done "$log" mmio)
if [ "$rc" = 0 ] && [ -z "$why" ]; then
    pass stdin_closed
else
    fail stdin_closed "exit $rc${why:+, $why} (log: $log)"
fi

# A raw guest that branches to itself forever: "b ." is 0x14000000.
printf '\x00\x00\x00\x14' >"$tmp/spin.bin"
log=$logdir/launcher-timeout.log
start=$SECONDS
# The outer timeout only keeps a broken --timeout from hanging this script.
timeout -k 5 30 "$runner" --kernel "$tmp/spin.bin" --raw --timeout 1 </dev/null >"$log" 2>&1
rc=$?
took=$((SECONDS - start))
if [ $took -gt 15 ]; then
    fail timeout "took ${took}s (exit $rc, log: $log)"
elif [ "$rc" != 124 ]; then
    fail timeout "exit $rc, want 124 (log: $log)"
elif ! grep -q "timed out after 1s" "$log"; then
    fail timeout "no 'timed out' message (log: $log)"
else
    pass timeout
fi

# --- --smp and --mem as the guest sees them ------------------------------------------

expect="expect.cpus=2 expect.mem=128M"
boot platform_smp2_mem128M "" --kernel "$guests/platform.bin" --smp 2 --mem 128M --append "$expect"
boot platform_smp2_mem128M_nvhe "" --kernel "$guests/platform.bin" --smp 2 --mem 128M \
    --append "$expect" --nvhe
boot platform_bare "" --kernel "$guests/platform.bin" --smp 2 --mem 128M --append "$expect" --bare
# The guest must notice a VM of another shape.
log=$logdir/launcher-platform_mismatch.log
"$runner" --kernel "$guests/platform.bin" --smp 1 --mem 64M --append "$expect" \
    --timeout "$boot_timeout" </dev/null 2>&1 | tr -d '\r' >"$log"
missing=
for c in dtb_cpus cpus_start dtb_memory_size ram_last_word; do
    grep -qa "^TEST platform\.$c: FAIL" "$log" || missing+=" $c"
done
if ! grep -qa "^GUEST-DONE platform passed=[0-9]* failed=4$" "$log"; then
    fail platform_mismatch "want GUEST-DONE with 4 failures (log: $log)"
elif [ -n "$missing" ]; then
    fail platform_mismatch "did not fail:$missing (log: $log)"
else
    pass platform_mismatch
fi

# --- the VM's DTB as the host tool writes it ------------------------------------------

# dtb_matches CHECK ELVISOR-RUN-ARGS...: the DTB --write-dtb writes for these
# options is, byte for byte, the one the platform guest finds in its memory
# under elvisor (printed with dtb.dump).
dtb_matches() {
    local check=$1 log=$logdir/launcher-$1.log out=$tmp/$1.dtb guest_hex tool_hex
    shift
    if ! "$runner" "$@" --write-dtb "$out" </dev/null >"$log.tool" 2>&1 || [ ! -s "$out" ]; then
        fail "$check" "--write-dtb failed: $(oneline "$(cat "$log.tool")")"
        return
    fi
    "$runner" "$@" --timeout "$boot_timeout" </dev/null 2>&1 | tr -d '\r' >"$log"
    guest_hex=$(sed -n 's/^DTB-HEX //p' "$log" | tr -d '\n')
    tool_hex=$(od -An -v -tx1 "$out" | tr -d ' \n')
    if [ -z "$guest_hex" ]; then
        fail "$check" "the guest printed no DTB (log: $log)"
    elif [ "$guest_hex" != "$tool_hex" ]; then
        fail "$check" "the guest's DTB ($(( ${#guest_hex} / 2 )) bytes) differs from --write-dtb's ($(( ${#tool_hex} / 2 )) bytes) (log: $log)"
    else
        pass "$check"
    fi
}

dump="expect.cpus=2 expect.mem=128M dtb.dump"
dtb_matches write_dtb_gicv3_initrd --kernel "$guests/platform.bin" --smp 2 --mem 128M --append "$dump" \
    --initrd "$guests/mmio.bin"
dtb_matches write_dtb_gicv2 --kernel "$guests/platform.bin" --smp 2 --mem 128M --append "$dump" --gic 2
expect_run write_dtb_not_bare 2 "not with --bare" -- --bare --kernel "$img" --write-dtb "$tmp/x.dtb"
expect_run vm_dtb_needs_bare 2 "--vm-dtb is for --bare" -- --kernel "$img" --vm-dtb
expect_run vm_dtb_bare 0 "-dtb " -- --bare --vm-dtb --kernel "$img" --mem 64M

echo "launcher: $passed passed, $failed failed"
[ "$failed" = 0 ]
