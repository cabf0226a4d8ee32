#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make soak: one long guest boot (tests.sh soak) with verified traffic on
# every DMA device, CPU hotplug, devices removed and rescanned, and edu's
# IOVA window, ending with the space accounting check and a kmemleak
# scan; then the log check. Not part of make check.
#
#   SOAK_MINUTES=30 SOAK_ARCH=x86_64 SOAK_MODE=strict soak.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"
s=tools/testing/vcm/scripts
b=build
arch=${SOAK_ARCH:-x86_64}
mode=${SOAK_MODE:-strict}
min=${SOAK_MINUTES:-30}
case $arch in
x86_64)
	frags=tools/testing/vcm/configs/debug.config
	image=$b/$arch/arch/x86/boot/bzImage ;;
arm64)
	frags=
	image=$b/$arch/arch/arm64/boot/Image ;;
*) echo "soak.sh: SOAK_ARCH is x86_64 or arm64" >&2; exit 2 ;;
esac
$s/deps.sh
$s/tree.sh
FRAGMENTS=$frags $s/kernel.sh "$arch" "$top/$b/$arch"
$s/initramfs.sh "$arch" "$b/initramfs-$arch.cpio.gz"
log=$b/logs/$arch-$mode-soak.log
rc=0
# The guest stops at the end of its last round: allow one more, and boot.
TIMEOUT=$((min * 60 + 1200)) EXTRA_CMDLINE="vcm.soak=$((min * 60))" \
	$s/qemu.sh "$arch" "$mode" soak "$image" "$b/initramfs-$arch.cpio.gz" "$log" || rc=1
tr -d '\r' < "$log" | sed -n 's/^\[[ 0-9.]*\]     soak: //p' | grep -v '^round ' || true
grep -q 'vcmtest: ok soak' "$log" || { echo "soak: FAILED (log: $log)"; rc=1; }
$s/logcheck.sh "$log" || rc=1
[ $rc = 0 ] && echo "soak: passed (log: $log)"
exit $rc
