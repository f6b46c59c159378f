# libFuzzer targets (tests/fuzz/fuzz_<name>.c), built with Debian's clang
# and ASan + UBSan. Each target #includes the sources it tests, as the unit
# tests do, so the list of src/ files a target covers is in that target's
# own file and nowhere else. See docs/testing.md, "Fuzzing".
#   make fuzz            every target for FUZZ_SECONDS (default 300) each
#   make fuzz-short      every target briefly with a fixed seed (make check)
#   make fuzz-build      build only
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_JOBS    ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_SRCS    := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function \
                -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -DELVISOR_HOST_TEST -Isrc -I$(GEN) -Itests/fuzz

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP $< -o $@

-include $(FUZZ_BINS:=.d)

.PHONY: fuzz fuzz-short fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-fuzz.sh --long $(FUZZ_NAMES)

fuzz-short: fuzz-build
	FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-fuzz.sh --short $(FUZZ_NAMES)
