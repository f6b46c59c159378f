# Host unit tests: each tests/unit/test_*.c is one cmocka program that
# #includes the freestanding sources it tests, built for the host with
# AddressSanitizer and UBSan. ELVISOR_HOST_TEST lets shared code skip asm.
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function \
               -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
               -DELVISOR_HOST_TEST -Isrc -I$(GEN) -Itests/unit

$(BUILD)/unit/%: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP $< -o $@ -lcmocka

-include $(UNIT_BINS:=.d)

include tests/unit/fake.mk

tools: $(UNIT_BINS) $(FAKE_TEST_BINS)

unit: $(UNIT_BINS) $(FAKE_TEST_BINS)
	tests/run-unit.sh $(UNIT_BINS) $(FAKE_TEST_BINS)

# The database test also runs the generator on broken inputs of its own,
# and checks every register name against LLVM's assembler where it is.
LLVM_MC ?= llvm-mc
$(BUILD)/unit/test_sysreg_db: $(SYSREG_GEN) $(SYSREG_DB)
$(BUILD)/unit/test_sysreg_db: UNIT_CFLAGS += -DSYSREG_GEN_AWK='"$(abspath $(SYSREG_GEN))"' \
                                             -DSYSREG_AWK='"$(AWK)"' -DSYSREG_LLVM_MC='"$(LLVM_MC)"'
