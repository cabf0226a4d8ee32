# SPDX-License-Identifier: GPL-2.0-only
#
# VCM for the Linux DMA API: build, boot and test harness.
#
#   make run      build the x86_64 guest and show the IOMMU at work in QEMU
#   make check    every test (static, userspace, KUnit, both guests, both
#                 IOMMU modes); the last line is "N passed, N failed"
#   make bench    benchmarks that print figures
#   make soak     one long guest run under load (SOAK_MINUTES=30)
#
# Everything else is a step of those: deps, tree, kernel-<arch>,
# initramfs-<arch>, boot-<arch>-<strict|lazy>, series, clean.

SHELL := /bin/bash
# Debian's tools first (a pyenv python lacks the kernel scripts' modules).
export PATH := /usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin:$(PATH)

S := tools/testing/vcm/scripts
B := build
ARCHES ?= x86_64 arm64
MODES ?= strict lazy
export ARCHES MODES

# The x86_64 test kernel carries the debug options (KASAN, lockdep, ...).
FRAGMENTS_x86_64 := tools/testing/vcm/configs/debug.config
FRAGMENTS_arm64 :=
IMAGE_x86_64 := $(B)/x86_64/arch/x86/boot/bzImage
IMAGE_arm64 := $(B)/arm64/arch/arm64/boot/Image

ALL_ARCHES := x86_64 arm64
BOOTS := $(foreach a,$(ALL_ARCHES),boot-$(a)-strict boot-$(a)-lazy)
# Static pattern rules: make skips implicit rules for .PHONY targets.
.PHONY: all help deps tree kernels run check bench soak series clean $(BOOTS) \
	$(addprefix kernel-,$(ALL_ARCHES)) $(addprefix initramfs-,$(ALL_ARCHES))

all: help

help:
	@sed -n '3,13s/^# \{0,1\}//p' Makefile

deps:
	@$(S)/deps.sh

tree: deps
	@$(S)/tree.sh

$(addprefix kernel-,$(ALL_ARCHES)): kernel-%: tree
	@FRAGMENTS="$(FRAGMENTS_$*)" $(S)/kernel.sh $* $(CURDIR)/$(B)/$*

kernels: $(addprefix kernel-,$(ARCHES))

$(addprefix initramfs-,$(ALL_ARCHES)): initramfs-%: tree
	@$(S)/initramfs.sh $* $(B)/initramfs-$*.cpio.gz

# make boot-x86_64-strict, boot-arm64-lazy, ...: one check boot, log kept.
$(BOOTS): boot-%: tree
	@arch=$(firstword $(subst -, ,$*)); mode=$(lastword $(subst -, ,$*)); \
	$(MAKE) -s kernel-$$arch initramfs-$$arch && \
	$(S)/qemu.sh $$arch $$mode check $(B)/$$arch/$(if $(findstring x86,$*),arch/x86/boot/bzImage,arch/arm64/boot/Image) \
		$(B)/initramfs-$$arch.cpio.gz $(B)/logs/$$arch-$$mode-check.log; \
	$(S)/logcheck.sh $(B)/logs/$$arch-$$mode-check.log

run: kernel-x86_64 initramfs-x86_64
	@$(S)/qemu.sh x86_64 strict run $(IMAGE_x86_64) $(B)/initramfs-x86_64.cpio.gz $(B)/logs/x86_64-strict-run.log
	@$(S)/graph-dot.sh $(B)/logs/x86_64-strict-run.log $(B)/graph | sed "s/^/  GRAPH   /"

check:
	@$(S)/check.sh

bench: deps
	@$(S)/bench.sh

soak:
	@$(S)/soak.sh

series: tree
	@$(S)/series.sh

clean:
	rm -rf $(B)
