# Bare-metal test and benchmark guests: every guests/<name>/ except lib/ is
# one guest, linked with the guest library into build/guests/<name>.bin
# (a raw arm64 Image: loads at RAM base + 0x80000 on QEMU and elvisor).
GUEST_NAMES    := $(sort $(filter-out lib,$(notdir $(patsubst %/,%,$(dir $(wildcard guests/*/*.c))))))
GUEST_CFLAGS   := $(CROSS_CFLAGS) -Iguests/lib
GUEST_ASFLAGS  := $(CROSS_ASFLAGS) -Iguests/lib
# The guests reuse the hypervisor's freestanding printf, string and FDT reader code.
GUEST_LIB_SRCS := $(sort $(wildcard guests/lib/*.c guests/lib/*.S)) src/lib/printf.c src/lib/string.c \
                  src/lib/fdt_read.c
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/guests/obj/%.o,$(GUEST_LIB_SRCS))
GUEST_BINS     := $(patsubst %,$(BUILD)/guests/%.bin,$(GUEST_NAMES))
GUEST_ALL_OBJS := $(GUEST_LIB_OBJS)

# Guests that run at EL2 (under elvisor: virtual EL2) link the library
# built with GUEST_EL2: entry, vectors and exception handling with the EL2
# registers, PSCI over SMC (docs/testing.md).
EL2_GUESTS     := vel2 vel2nest vel2s2 vel2nvhe
GUEST_LIB_OBJS_EL2 := $(patsubst %,$(BUILD)/guests/obj-el2/%.o,$(GUEST_LIB_SRCS))
GUEST_ALL_OBJS += $(GUEST_LIB_OBJS_EL2)

$(BUILD)/guests/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/obj-el2/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -DGUEST_EL2 -MMD -MP -c $< -o $@

$(BUILD)/guests/obj-el2/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_ASFLAGS) -DGUEST_EL2 -MMD -MP -c $< -o $@

# Files of the hypervisor's own a guest also assembles: fpsimd moves its
# FP/SIMD registers with the code elvisor switches them with.
GUEST_SRCS_fpsimd := src/arch/arm64/fpsimd.S

# One link rule per guest, each with its own object list.
define GUEST_template
GUEST_OBJS_$(1) := $$(patsubst %,$$(BUILD)/guests/obj/%.o,$$(sort $$(wildcard guests/$(1)/*.c guests/$(1)/*.S)) $$(GUEST_SRCS_$(1)))
GUEST_LIB_$(1)  := $$(if $$(filter $(1),$$(EL2_GUESTS)),$$(GUEST_LIB_OBJS_EL2),$$(GUEST_LIB_OBJS))
GUEST_ALL_OBJS  += $$(GUEST_OBJS_$(1))
$$(BUILD)/guests/$(1).elf: $$(GUEST_OBJS_$(1)) $$(GUEST_LIB_$(1)) guests/lib/guest.ld
	$$(CROSS_LD) -T guests/lib/guest.ld --no-undefined -o $$@ $$(GUEST_OBJS_$(1)) $$(GUEST_LIB_$(1))
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call GUEST_template,$(g))))

# <name>-raw.bin: the same guest without the arm64 Image header, a raw
# binary (the launcher tests boot it; loaders must not need the header).
RAW_GUESTS     := mmio
GUEST_BINS     += $(patsubst %,$(BUILD)/guests/%-raw.bin,$(RAW_GUESTS))
GUEST_RAW_HEAD := $(BUILD)/guests/obj/guests/lib/head-raw.S.o
GUEST_ALL_OBJS += $(GUEST_RAW_HEAD)

$(GUEST_RAW_HEAD): guests/lib/head.S
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_ASFLAGS) -DGUEST_RAW_BINARY -MMD -MP -c $< -o $@

define GUEST_RAW_template
$$(BUILD)/guests/$(1)-raw.elf: $$(GUEST_OBJS_$(1)) $$(GUEST_LIB_OBJS) $$(GUEST_RAW_HEAD) guests/lib/guest.ld
	$$(CROSS_LD) -T guests/lib/guest.ld --no-undefined -o $$@ $$(GUEST_OBJS_$(1)) \
	    $$(GUEST_RAW_HEAD) $$(filter-out %/guests/lib/head.S.o,$$(GUEST_LIB_OBJS))
endef
$(foreach g,$(RAW_GUESTS),$(eval $(call GUEST_RAW_template,$(g))))

$(BUILD)/guests/%.bin: $(BUILD)/guests/%.elf
	$(OBJCOPY) -O binary $< $@

-include $(GUEST_ALL_OBJS:.o=.d)

.PHONY: guests
guests: $(GUEST_BINS)
