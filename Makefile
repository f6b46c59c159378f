# elvisor top-level build.
#   make            build the hypervisor, the test guests and the host tools
#   make run        provision (if needed) and boot the default VM set on QEMU
#   make check      provision (if needed) and run every test
#   make bench      provision (if needed) and print the benchmark figures
#   make unit       host unit tests only (sanitizers on)
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 300) each

BUILD     ?= build
CROSS_CC  ?= clang --target=aarch64-none-elf
CROSS_LD  ?= ld.lld
OBJCOPY   ?= llvm-objcopy
HOST_CC   ?= gcc

# Hypervisor and guests: freestanding C11, warnings are errors.
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wpointer-arith -Wvla -Wno-unused-parameter
CROSS_CFLAGS := -std=c11 $(WARN) -ffreestanding -fno-builtin -nostdlib -mgeneral-regs-only \
             -mstrict-align -fno-common -fno-stack-protector -fno-pic -mcmodel=small \
             -O2 -g -Isrc -Isrc/include
CROSS_ASFLAGS := -Isrc -Isrc/include -g

HYP_SRCS  := $(sort $(wildcard src/arch/arm64/*.c src/arch/arm64/*.S src/core/*.c src/vdev/*.c \
             src/nested/*.c src/lib/*.c))
HYP_OBJS  := $(patsubst src/%,$(BUILD)/hyp/%.o,$(HYP_SRCS))

.PHONY: all hyp guests tools unit check run bench clean provision
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

# Guests and host tools have their own makefiles fragments.
include guests/guests.mk
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk
include tools/tools.mk

provision:
	tools/setup.sh

run: provision
	$(MAKE) all
	tools/elvisor-run --config configs/default.dts

check: provision
	$(MAKE) all
	tests/run-all.sh

bench: provision
	$(MAKE) all
	tools/bench.sh

clean:
	rm -rf $(BUILD)
