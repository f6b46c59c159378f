# gdb command file for elvisor on QEMU's gdb stub (README.md, "Debugging
# with gdb"; docs/running.md, "--gdb"). Start QEMU stopped with
#
#   tools/elvisor-run --gdb [PORT] --kernel build/guests/mmio.elf
#
# which prints the exact command to attach, e.g. from the repository's top:
#
#   gdb-multiarch -q -x tools/elvisor.gdb -ex 'elvisor-guest build/guests/mmio.elf'
#
# Settings, given with -ex 'set $NAME = VALUE' BEFORE -x (gdb runs -ex and -x
# in command-line order):
#   $elvisor_port    TCP port of QEMU's stub on 127.0.0.1 (default 1234)
#   $elvisor_elf     elvisor's ELF (default "build/elvisor.elf", relative to
#                    gdb's working directory)
#   $elvisor_offset  added to every elvisor address (default 0, see below)
#   $elvisor_hyp     0: do not load elvisor at all (tools/elvisor-run --bare)
#
# Where elvisor runs: QEMU loads build/elvisor.bin like a Linux Image, at RAM
# base 0x4000_0000 + the header's text_offset 0x20_0000 = 0x4020_0000, which
# is the link address in src/arch/arm64/elvisor.ld; elvisor's EL2 page tables
# map every address to itself (src/arch/arm64/hyp.c), before and after the
# MMU is on. So the ELF's own addresses are right and the offset is 0; it
# exists for a build linked elsewhere, and the gdb test
# (tests/integration/gdb.sh) sets a wrong one to show that it would notice.
#
# Address spaces: QEMU's stub translates every address with the regime the
# CPU is in when gdb asks. Stopped at EL2 (elvisor), addresses are host
# physical addresses; stopped at EL1/EL0 (a guest), they are that guest's
# virtual addresses, through its stage 1 and elvisor's stage 2. Consequences:
#   - a breakpoint is a PC value, matched at every EL and in every VM: a
#     guest linked at 0x4008_0000 and elvisor never overlap, but two VMs
#     running the same ELF both stop there (elvisor-vmid tells them apart);
#     elvisor-break-hyp / elvisor-break-guest add the EL as a condition;
#   - print elvisor's variables only while stopped at EL2, a guest's only
#     while stopped in that guest (elvisor-el says where you are);
#   - a guest with virtual EL2 (--el2) runs at hardware EL1: it is "guest".

set architecture aarch64
set osabi none

if $_isvoid($elvisor_port)
  set $elvisor_port = 1234
end
if $_isvoid($elvisor_elf)
  set $elvisor_elf = "build/elvisor.elf"
end
if $_isvoid($elvisor_offset)
  set $elvisor_offset = 0
end
if $_isvoid($elvisor_hyp)
  set $elvisor_hyp = 1
end

# The exec file lets elvisor-check compare memory with the ELF's sections;
# symbols come from symbol-file so that they can take an offset.
if $elvisor_hyp
  eval "exec-file %s", $elvisor_elf
  eval "symbol-file -o 0x%lx %s", $elvisor_offset, $elvisor_elf
end

define elvisor-guest
  if $argc == 0
    echo usage: elvisor-guest FILE.elf [OFFSET]\n
  end
  if $argc == 1
    add-symbol-file $arg0
  end
  if $argc == 2
    add-symbol-file $arg0 -o $arg1
  end
end
document elvisor-guest
elvisor-guest FILE.elf [OFFSET]: add a guest ELF's symbols at its link
addresses (+ OFFSET). They are guest virtual addresses (or IPAs for a guest
with its MMU off): breakpoints there hit while that guest runs, and its
variables read right only while stopped in it (elvisor-el).
end

define elvisor-el
  set $_elvisor_el = ($cpsr >> 2) & 3
  if $_elvisor_el == 2
    printf "EL2: elvisor (addresses are host physical)\n"
  else
    # QEMU shows VTTBR_EL2 only on a machine with EL2 (not with --bare).
    if $_isvoid($VTTBR_EL2)
      printf "EL%d: a guest (addresses are that guest's)\n", $_elvisor_el
    else
      printf "EL%d: a guest, VMID %d (addresses are that guest's)\n", $_elvisor_el, ($VTTBR_EL2 >> 48) & 0xffff
    end
  end
end
document elvisor-el
elvisor-el: the exception level the selected CPU stopped at: EL2 is elvisor,
EL1/EL0 a guest (its VMID from VTTBR_EL2).
end

define elvisor-vmid
  printf "VMID %d\n", ($VTTBR_EL2 >> 48) & 0xffff
end
document elvisor-vmid
elvisor-vmid: the VMID in VTTBR_EL2 of the selected CPU (the VM it runs, or
ran last when stopped at EL2).
end

define elvisor-break-hyp
  break $arg0 if (($cpsr >> 2) & 3) == 2
end
document elvisor-break-hyp
elvisor-break-hyp LOCATION: a breakpoint that stops only at EL2 (elvisor).
end

define elvisor-break-guest
  break $arg0 if (($cpsr >> 2) & 3) < 2
end
document elvisor-break-guest
elvisor-break-guest LOCATION: a breakpoint that stops only at EL1/EL0 (a guest).
end

define elvisor-check
  if (($cpsr >> 2) & 3) == 2
    compare-sections -r
  else
    echo elvisor-check: stopped in a guest, whose addresses are not elvisor's; stop at EL2 first\n
  end
end
document elvisor-check
elvisor-check: compare elvisor's code and read-only data in memory with
$elvisor_elf at its link addresses (at EL2 only). "matched" means the ELF is
the one QEMU runs; "MIS-MATCHED" means a stale or different build.
end

eval "target remote 127.0.0.1:%d", $elvisor_port
# Last, so that nothing above is skipped if the target refuses it.
if $elvisor_hyp && $elvisor_offset == 0
  elvisor-check
end
