#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build out-of-tree test modules against one kernel build and append them,
# under /vcm/, to an initramfs.
#
#   modules.sh <arch> <ksrc> <kernel-out> <initramfs> <initrd-out> <dir>...
#
# Each <dir> (tools/testing/vcm/dmatest, ...) holds a Kbuild and the
# module's sources; it is copied next to the kernel build, in
# <kernel-out>-modules/<name>/, so that the repository stays clean and a
# module is rebuilt only when its sources change. MODFLAGS adds make
# arguments (static.sh passes C=2 W=1), and then no initrd is written
# when <initrd-out> is "-".
set -euo pipefail

arch=$1
ksrc=$2
kout=$3
in=$4
initrd=$5
shift 5
top=$(cd "$(dirname "$0")/../../../.." && pwd)

case $arch in
x86_64) karch=x86_64 cross= ;;
arm64) karch=arm64 cross=aarch64-linux-gnu- ;;
*) echo "modules.sh: unknown arch $arch" >&2; exit 2 ;;
esac

work=$kout-modules
mkdir -p "$work"
list=$work/cpio.list
echo "dir /vcm 0755 0 0" > "$list"
for d in "$@"; do
	name=$(basename "$d")
	mkdir -p "$work/$name"
	# Sources removed or renamed since the last build must not stay.
	rm -f "$work/$name"/*.[ch]
	find "$top/$d" -maxdepth 1 \( -name Kbuild -o -name '*.[ch]' \) \
		-exec cp -p -t "$work/$name/" {} +
	echo "  MODULE  $work/$name"
	# shellcheck disable=SC2086 # MODFLAGS is a list of make arguments
	make -s -C "$ksrc" O="$kout" ARCH=$karch CROSS_COMPILE=$cross \
		M="$work/$name" ${MODFLAGS:-} modules
	for ko in "$work/$name"/*.ko; do
		echo "file /vcm/$(basename "$ko") $ko 0644 0 0" >> "$list"
	done
done
[ "$initrd" = - ] && exit 0
"$top/build/tools/gen_init_cpio" "$list" | gzip -1 > "$work/modules.cpio.gz"
cat "$in" "$work/modules.cpio.gz" > "$initrd.tmp"
mv "$initrd.tmp" "$initrd"
