# Host tools. elvisor-config checks a VM configuration with the hypervisor's
# own config parser and image loader planning, and writes the bundle; the
# launcher (tools/elvisor-run) builds every bundle with it.
ELVISOR_CONFIG      := $(BUILD)/tools/elvisor-config
ELVISOR_CONFIG_SRCS := tools/elvisor-config.c tools/config_report.c tools/dts_srcmap.c \
                       tools/dts_refs.c tools/vm_dtb_of_config.c \
                       src/core/config.c src/core/loader.c src/core/vm_dtb.c src/core/vm_dt_nodes.c \
                       src/lib/fdt_read.c src/lib/fdt_write.c src/lib/printf.c
ELVISOR_CONFIG_OBJS := $(patsubst %.c,$(BUILD)/tools/obj/%.o,$(ELVISOR_CONFIG_SRCS))
# ELVISOR_HOST_TEST gives the shared sources the C library's string functions.
# -O1 as for the unit tests: gcc 12 at -O2 reports a false "may be used
# uninitialized" in src/lib/fdt_read.c (cells_prop).
TOOLS_CFLAGS        := -std=c11 -Wall -Wextra -Werror -O1 -g -DELVISOR_HOST_TEST \
                       -Isrc -I$(GEN) -Itools

$(BUILD)/tools/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) -MMD -MP -c $< -o $@

$(ELVISOR_CONFIG): $(ELVISOR_CONFIG_OBJS)
	$(HOST_CC) -o $@ $(ELVISOR_CONFIG_OBJS)

-include $(ELVISOR_CONFIG_OBJS:.o=.d)

tools: $(ELVISOR_CONFIG)

# These unit tests run the built tool on temporary files.
CONFIG_TOOL_TESTS := $(BUILD)/unit/test_elvisor_config $(BUILD)/unit/test_elvisor_config_bundle
$(CONFIG_TOOL_TESTS): $(ELVISOR_CONFIG)
$(CONFIG_TOOL_TESTS): UNIT_CFLAGS += -DELVISOR_CONFIG_BIN='"$(abspath $(ELVISOR_CONFIG))"' \
                                     -DELVISOR_CONFIG_DOC='"$(abspath docs/configuration.md)"'

# kvmrun: the project's KVM launcher, a static aarch64 Linux program that
# runs in an arm64 Linux (bare QEMU's L1, or Linux at elvisor's virtual EL2)
# and places the guest with elvisor's own loader and guest DTB code
# (docs/kvmrun.md). Debian's cross compiler: gcc-aarch64-linux-gnu.
KVMRUN          := $(BUILD)/tools/kvmrun
KVMRUN_CC       ?= aarch64-linux-gnu-gcc
KVMRUN_SRCS     := $(sort $(wildcard tools/kvmrun/*.c)) src/core/loader.c src/core/vm_dtb.c src/core/vm_dt_nodes.c \
                   src/lib/fdt_write.c src/lib/printf.c
KVMRUN_OBJS     := $(patsubst %.c,$(BUILD)/tools/kvmrun-obj/%.o,$(KVMRUN_SRCS))
KVMRUN_CFLAGS   := -std=c11 -D_GNU_SOURCE $(WARN) -O2 -g -DELVISOR_HOST_TEST -Isrc -I$(GEN) -Itools/kvmrun

$(BUILD)/tools/kvmrun-obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(KVMRUN_CC) $(KVMRUN_CFLAGS) -MMD -MP -c $< -o $@

$(KVMRUN): $(KVMRUN_OBJS)
	$(KVMRUN_CC) -static -pthread -o $@ $(KVMRUN_OBJS)

-include $(KVMRUN_OBJS:.o=.d)

tools: $(KVMRUN)

# The initramfs for Linux as a KVM host (L0 on bare QEMU, or L1 at elvisor's
# virtual EL2): busybox, kvmrun on the PATH, the EL1 test guests under
# /guests, and a boot hook running those named by kvmrun.guests= on the
# command line (tools/kvm-guests-hook.sh). `make run`'s initramfs stays small.
KVM_INITRAMFS        := $(BUILD)/kvm-initramfs.cpio.gz
KVM_INITRAMFS_GUESTS := $(filter-out $(patsubst %,$(BUILD)/guests/%.bin,$(EL2_GUESTS)),$(GUEST_BINS))
$(KVM_INITRAMFS): $(KVMRUN) $(KVM_INITRAMFS_GUESTS) tools/kvm-guests-hook.sh tools/mkinitramfs \
                  tools/initramfs-init.sh
	tools/mkinitramfs --add $(KVMRUN):/bin/kvmrun \
	    --add tools/kvm-guests-hook.sh:/etc/elvisor.d/50-kvm-guests \
	    $(foreach g,$(KVM_INITRAMFS_GUESTS),--add $(g):/guests/$(notdir $(g))) $@

.PHONY: kvm-initramfs
kvm-initramfs: $(KVM_INITRAMFS)

# The same with Debian's Linux Image and make run's initramfs under /l2/, for
# Linux as a guest of kvmrun (kvmrun.linux=SMP:MEM; 16 MB, so kept apart).
KVM_LINUX_INITRAMFS := $(BUILD)/kvm-linux-initramfs.cpio.gz
ELVISOR_CACHE       ?= /var/cache/elvisor
$(KVM_LINUX_INITRAMFS): $(KVMRUN) tools/kvm-guests-hook.sh tools/mkinitramfs tools/initramfs-init.sh \
                        $(ELVISOR_CACHE)/linux/Image $(ELVISOR_CACHE)/linux/initramfs.cpio.gz
	tools/mkinitramfs --add $(KVMRUN):/bin/kvmrun \
	    --add tools/kvm-guests-hook.sh:/etc/elvisor.d/50-kvm-guests \
	    --add $(ELVISOR_CACHE)/linux/Image:/l2/Image \
	    --add $(ELVISOR_CACHE)/linux/initramfs.cpio.gz:/l2/initramfs.cpio.gz $@

.PHONY: kvm-linux-initramfs
kvm-linux-initramfs: $(KVM_LINUX_INITRAMFS)

# The same for the newer kernel of tools/setup.sh --newer-kernel (linux-new/):
# its Image as the guest Linux (make check-newer-kernel).
KVM_LINUX_NEW_INITRAMFS := $(BUILD)/kvm-linux-new-initramfs.cpio.gz
$(KVM_LINUX_NEW_INITRAMFS): $(KVMRUN) tools/kvm-guests-hook.sh tools/mkinitramfs tools/initramfs-init.sh \
                            $(ELVISOR_CACHE)/linux-new/Image $(ELVISOR_CACHE)/linux/initramfs.cpio.gz
	tools/mkinitramfs --add $(KVMRUN):/bin/kvmrun \
	    --add tools/kvm-guests-hook.sh:/etc/elvisor.d/50-kvm-guests \
	    --add $(ELVISOR_CACHE)/linux-new/Image:/l2/Image \
	    --add $(ELVISOR_CACHE)/linux/initramfs.cpio.gz:/l2/initramfs.cpio.gz $@

.PHONY: kvm-linux-new-initramfs
kvm-linux-new-initramfs: $(KVM_LINUX_NEW_INITRAMFS)

# KVM as L0 (tools/bench.sh's nested_kvm_l0): booted in the newer kernel
# (kvm-arm.mode=nested), kvmrun runs make check's Linux 6.12 as L1 at
# virtual EL2 with the KVM initramfs, whose kvmrun runs the test guests as L2
# (tools/kvmrun/l1-hook.sh; docs/nested.md §9.25).
KVM_L0_INITRAMFS := $(BUILD)/kvm-l0-initramfs.cpio.gz
$(KVM_L0_INITRAMFS): $(KVMRUN) $(KVM_INITRAMFS) tools/kvmrun/l1-hook.sh tools/mkinitramfs tools/initramfs-init.sh \
                     $(ELVISOR_CACHE)/linux/Image
	tools/mkinitramfs --add $(KVMRUN):/bin/kvmrun \
	    --add tools/kvmrun/l1-hook.sh:/etc/elvisor.d/50-kvm-l1 \
	    --add $(ELVISOR_CACHE)/linux/Image:/l1/Image \
	    --add $(KVM_INITRAMFS):/l1/initramfs.cpio.gz $@

.PHONY: kvm-l0-initramfs
kvm-l0-initramfs: $(KVM_L0_INITRAMFS)
