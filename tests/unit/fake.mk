# Host tests of the glue (exit path, run loop, world switch, nested context
# switch, timers): the real objects of src/, built for the host, linked
# against the fake architecture in src/arch/fake instead of src/arch/arm64's
# hardware parts (docs/architecture.md). Each tests/unit/fake/test_*.c is
# one cmocka program; the library holds every object, the linker takes
# what a test needs.
FAKE_HW_SRCS   := $(addprefix src/arch/arm64/,cpu_features.c debug_regs.c el1_regs.c esr.c id_reg_hw.c mops.c platform.c pmu_count.c \
                  pci.c pci_bars.c smmuv3.c smmuv3_enc.c its.c its_enc.c)
FAKE_LIB_SRCS  := $(sort $(wildcard src/arch/fake/*.c) $(FAKE_HW_SRCS) \
                  $(filter-out src/run/main.c src/lib/string.c,$(wildcard $(addsuffix /*.c,$(addprefix src/,lib vdev core hyp trap nested run)))))
FAKE_LIB_OBJS  := $(patsubst src/%.c,$(BUILD)/fake/obj/%.o,$(FAKE_LIB_SRCS))
FAKE_LIB       := $(BUILD)/fake/libelvisor-fake.a
FAKE_CFLAGS    := $(UNIT_CFLAGS) -DELVISOR_FAKE_ARCH
FAKE_TEST_SRCS := $(sort $(wildcard tests/unit/fake/test_*.c))
FAKE_TEST_BINS := $(patsubst tests/unit/fake/%.c,$(BUILD)/unit/fake/%,$(FAKE_TEST_SRCS))

$(BUILD)/fake/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FAKE_CFLAGS) -MMD -MP -c $< -o $@

$(FAKE_LIB): $(FAKE_LIB_OBJS)
	@rm -f $@
	$(HOST_AR) rcs $@ $(FAKE_LIB_OBJS)

$(BUILD)/unit/fake/%: tests/unit/fake/%.c tests/unit/fake/fake_vm.c tests/unit/fake/fake_vm.h $(FAKE_LIB)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(FAKE_CFLAGS) -Itests/unit/fake -MMD -MP $< tests/unit/fake/fake_vm.c $(FAKE_LIB) -o $@ -lcmocka

-include $(FAKE_LIB_OBJS:.o=.d) $(FAKE_TEST_BINS:=.d)
