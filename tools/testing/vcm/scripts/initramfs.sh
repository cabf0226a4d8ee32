#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the test initramfs of one arch: busybox-static, the guest test
# programs (static), dma_map_benchmark from the kernel tree, and the scripts.
#
#   initramfs.sh <arch> <output.cpio.gz>
set -euo pipefail

arch=$1
out=$2
top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=$top/build/linux
guest=$top/tools/testing/vcm/guest
work=$top/build/initramfs-$arch

case $arch in
x86_64) cc=gcc; busybox=/bin/busybox ;;
arm64) cc=aarch64-linux-gnu-gcc; busybox=$top/build/deps/busybox-arm64/bin/busybox ;;
*) echo "initramfs.sh: unknown arch $arch" >&2; exit 2 ;;
esac

mkdir -p "$work/bin" "$top/build/tools" "$work/inc/linux"
cflags="-O2 -Wall -Wextra -Werror -static -pthread"

for prog in blkcheck rawcheck nvmebench; do
	if [ "$guest/$prog.c" -nt "$work/bin/$prog" ] || [ ! -x "$work/bin/$prog" ]; then
		echo "  CC      $arch/$prog"
		$cc $cflags -o "$work/bin/$prog" "$guest/$prog.c"
	fi
done

# The kselftest, with the harness of the tree's selftests.
kst=$ksrc/tools/testing/selftests/vcm/vcm_edu_test.c
if [ "$kst" -nt "$work/bin/vcm_edu_test" ] || [ ! -x "$work/bin/vcm_edu_test" ]; then
	echo "  CC      $arch/vcm_edu_test"
	$cc -O2 -Wall -Werror -static -pthread -o "$work/bin/vcm_edu_test" "$kst"
fi

# dma_map_benchmark wants the kernel's include/linux/map_benchmark.h.
cp "$ksrc/include/linux/map_benchmark.h" "$work/inc/linux/"
mb=$ksrc/tools/testing/selftests/dma/dma_map_benchmark.c
if [ "$mb" -nt "$work/bin/dma_map_benchmark" ] || [ ! -x "$work/bin/dma_map_benchmark" ]; then
	echo "  CC      $arch/dma_map_benchmark"
	$cc -O2 -static -I"$work/inc" -o "$work/bin/dma_map_benchmark" "$mb"
fi

# gen_init_cpio from the base tree: device nodes without needing root.
gic=$top/build/tools/gen_init_cpio
if [ ! -x "$gic" ]; then
	gcc -O2 -o "$gic" "$ksrc/usr/gen_init_cpio.c"
fi

list=$work/cpio.list
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	for d in /bin /sbin /usr /usr/bin /proc /sys /tmp /vcm /root; do
		echo "dir $d 0755 0 0"
	done
	echo "file /bin/busybox $busybox 0755 0 0"
	echo "slink /bin/sh /bin/busybox 0777 0 0"
	echo "file /init $guest/init 0755 0 0"
	echo "file /vcm/tests.sh $guest/tests.sh 0755 0 0"
	echo "file /vcm/bench.sh $guest/bench.sh 0755 0 0"
	echo "file /vcm/dmabench.sh $guest/dmabench.sh 0755 0 0"
	for p in "$work"/bin/*; do
		echo "file /bin/$(basename "$p") $p 0755 0 0"
	done
} > "$list"
"$gic" "$list" | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
