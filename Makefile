# elvisor top-level build.
#   make            build the hypervisor, the test guests and the host tools
#   make run        provision (if needed) and boot the default VM set on QEMU
#   make debug      the same (or DEBUG_ARGS), QEMU stopped until gdb attaches
#   make check      provision (if needed) and run every test (a representative
#                   subset of the CPU-model matrix)
#   make check-matrix  the same, the CPU-model x GIC matrix in full (long)
#   make check-newer-kernel  the Linux-as-guest-hypervisor suites with the
#                   newest arm64 kernel Debian offers (tools/setup.sh --newer-kernel)
#   make bench      provision (if needed) and print the benchmark figures
#                   (elvisor, bare QEMU, and Linux KVM through kvmrun)
#   make kvm-initramfs  the initramfs with kvmrun and the test guests
#                   (kvm-linux-initramfs: kvmrun and a Linux guest;
#                   kvm-l0-initramfs: Linux 6.12 as L1 under KVM as L0)
#   make unit       host unit tests only (sanitizers on)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 300) each

BUILD     ?= build
CROSS_CC  ?= clang --target=aarch64-none-elf
CROSS_LD  ?= ld.lld
OBJCOPY   ?= llvm-objcopy
HOST_CC   ?= gcc
HOST_AR   ?= ar
AWK       ?= awk

# Generated headers live under $(GEN), which every compile has on its include
# path: the register database src/arch/arm64/sysreg.db becomes
# "arch/arm64/sysreg-defs.h" (docs/sysreg.md).
GEN         := $(BUILD)/gen
SYSREG_DB   := src/arch/arm64/sysreg.db
SYSREG_GEN  := tools/gen-sysreg.awk
SYSREG_DEFS := $(GEN)/arch/arm64/sysreg-defs.h

# Hypervisor and guests: freestanding C11, warnings are errors.
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wvla -Wno-unused-parameter
CROSS_CFLAGS := -std=c11 $(WARN) -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only \
             -mstrict-align -fno-common -fno-stack-protector -fno-pic -mcmodel=small \
             -O2 -g -Isrc -I$(GEN)
CROSS_ASFLAGS := -Isrc -I$(GEN) -g

# Every layer folder under src/ (docs/architecture.md); a new folder needs no edit here.
HYP_SRCS  := $(sort $(wildcard src/*/*.c src/*/*.S src/arch/arm64/*.c src/arch/arm64/*.S))
HYP_OBJS  := $(patsubst src/%,$(BUILD)/hyp/%.o,$(HYP_SRCS))

.PHONY: all hyp guests tools unit check check-matrix check-kvm-nested check-newer-kernel run debug bench clean provision layers
all: hyp guests tools

hyp: $(BUILD)/elvisor.bin

$(BUILD)/hyp/%.c.o: src/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(CROSS_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hyp/%.S.o: src/%.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(CROSS_ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/elvisor.elf: $(HYP_OBJS) src/arch/arm64/elvisor.ld
	$(CROSS_LD) -T src/arch/arm64/elvisor.ld --no-undefined -o $@ $(HYP_OBJS)

$(BUILD)/elvisor.bin: $(BUILD)/elvisor.elf
	$(OBJCOPY) -O binary $< $@

-include $(HYP_OBJS:.o=.d)

# Written to a temporary file first: a database error stops the build
# (the generator names the file and line) and leaves no half header behind.
$(SYSREG_DEFS): $(SYSREG_DB) $(SYSREG_GEN)
	@mkdir -p $(dir $@)
	$(AWK) -f $(SYSREG_GEN) $(SYSREG_DB) > $@.tmp || { rm -f $@.tmp; exit 1; }
	mv $@.tmp $@

# Guests and host tools have their own makefiles fragments.
include guests/guests.mk
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include tools/tools.mk

# Any object may include the generated header: it exists before the first
# compile (order-only), and the -MMD dependency files rebuild its users
# when it changes.
$(HYP_OBJS) $(UNIT_BINS) $(FAKE_LIB_OBJS) $(FAKE_TEST_BINS) $(FUZZ_BINS) $(ELVISOR_CONFIG_OBJS): | $(SYSREG_DEFS)

provision:
	tools/setup.sh

# No file of src/ includes a layer above its own (docs/architecture.md).
layers:
	tools/check-layers.sh

run: provision
	$(MAKE) all
	tools/elvisor-run --config configs/default.dts

# QEMU waits for gdb on 127.0.0.1:1234 and the launcher prints the gdb
# command (README.md, "Debugging with gdb"), e.g.
# make debug DEBUG_ARGS="--kernel build/guests/mmio.elf".
DEBUG_ARGS ?= --config configs/default.dts
debug: provision
	$(MAKE) all
	tools/elvisor-run --gdb $(DEBUG_ARGS)

check: provision
	$(MAKE) all kvm-initramfs kvm-linux-initramfs
	tests/run-all.sh

# Linux 6.12 started at virtual EL2 (a guest hypervisor on its EL2 timer),
# ten boots in a row: make check boots it once; this catches a rare hang
# (docs/nested.md §9.9 has the one found).
check-nested: provision
	$(MAKE) all
	for i in 1 2 3 4 5 6 7 8 9 10; do tests/integration/linux-smp.exp --el2 || exit 1; done

# The test guests and Debian's Linux as L2 guests under Linux at elvisor's
# virtual EL2, through kvmrun (docs/nested.md §8.4): make check's suite
# kvm-guests-nested alone, unpinned (1 to 4 minutes).
check-kvm-nested: provision
	$(MAKE) all kvm-initramfs kvm-linux-initramfs
	tests/integration/kvm-guests.sh --host elvisor --timeout 60

# The newest arm64 Linux Debian offers (linux-new/, beside make check's 6.12)
# on bare QEMU's EL2 and as guest hypervisor at elvisor's virtual EL2, VHE
# and nVHE, with L2 guests through kvmrun (tests/run-newer-kernel.sh).
check-newer-kernel: provision
	tools/setup.sh --newer-kernel
	$(MAKE) all kvm-initramfs kvm-linux-new-initramfs
	tests/run-newer-kernel.sh

# The chaos guest for 10^6 operations on each vCPU beside VMs that check
# their own work, VHE and nVHE, GICv3 and GICv2 (about two minutes here).
soak: provision
	$(MAKE) all
	tests/integration/run-multi-vm.sh --mode both --only chaos-soak --timeout 1800
	tests/integration/run-multi-vm.sh --mode both --only chaos-soak --timeout 1800 --gic 2

# Every CPU-dependent suite on max, neoverse-n1 and cortex-a72, GICv3 and
# GICv2 (tests/run-matrix.sh, docs/testing.md).
check-matrix: provision
	$(MAKE) all
	tests/run-matrix.sh

bench: provision
	$(MAKE) all kvm-initramfs kvm-l0-initramfs
	tools/bench.sh

clean:
	rm -rf $(BUILD)
