#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: benchmarks that print figures, one line each:
#   bench: <suite> <workload> <param> ours=<v> theirs=<v> unit=<u> ratio=<ours/theirs>
# (lower is better). Figures, not tests: nothing here passes or fails on a
# number; the script fails only when a benchmark could not run.
#
#  - userspace: callgrind instructions per operation, VCM against
#    drivers/iommu/iova.c from the base tree (tools/testing/vcm), and the
#    native wall time per call of W3 and of a lookup alone in its tree;
#  - in each guest (ARCHES), booted with 4 CPUs and a kernel without the
#    debug options: the allocator workloads of tools/testing/vcm/iovabench,
#    VCM against iova.c's iova_domain and against a maple-tree allocator
#    with iova.c's cache (lines ending in peer=maple) in the same boot.
#  - the DMA benchmark (bench-dma.sh): the VCM kernel against the pristine
#    base kernel in the same QEMU set-up, alternating, median of 3 rounds.
#  - both guest benchmarks once more under QEMU's -icount, where the guest
#    clock counts instructions: the same figures as exact kernel
#    instruction counts (unit=instr/op, unit=instr), free of TCG's timing
#    noise (single-thread cases only).
#
# BENCH=alloc or BENCH=dma runs only one of the guest benchmarks.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"
s=tools/testing/vcm/scripts
ARCHES=${ARCHES:-x86_64 arm64}
rc=0

# The "bench: migrate" lines of a guest log, times as unit $2.
bench_migrate() {
	tr -d '\r' < "$1" | grep '^bench: migrate .*bindings=' |
		sed -e "s/ ns=/ $2=/" -e "s/ ns\/MiB=/ $2\/MiB=/" | grep . ||
		{ echo "no bench: migrate line in $1"; return 1; }
}

$s/tree.sh || exit 1
if [ "${BENCH:-all}" != dma ]; then
	echo "== userspace: callgrind, instructions per operation"
	make -s -C tools/testing/vcm KSRC="$top/build/linux" callgrind || rc=1
	echo "== userspace: native wall time per call, W3 and a lookup alone (median of 3)"
	make -s -C tools/testing/vcm KSRC="$top/build/linux" native || rc=1
fi

for arch in $ARCHES; do
	[ "${BENCH:-all}" = dma ] && break
	out=$top/build/$arch-bench
	log=build/logs/$arch-strict-bench.log
	echo "== $arch guest: allocator workloads, ns/op and KiB"
	FRAGMENTS=tools/testing/vcm/configs/bench.config $s/kernel.sh "$arch" "$out" || { rc=1; continue; }
	$s/initramfs.sh "$arch" "build/initramfs-$arch.cpio.gz" || { rc=1; continue; }
	initrd=build/initrd-$arch-bench.cpio.gz
	$s/modules.sh "$arch" "$top/build/linux" "$out" "build/initramfs-$arch.cpio.gz" \
		"$initrd" tools/testing/vcm/iovabench tools/testing/vcm/migbench || { rc=1; continue; }
	image=$out/arch/x86/boot/bzImage
	[ "$arch" = arm64 ] && image=$out/arch/arm64/boot/Image
	SMP=4 TIMEOUT=${BENCH_TIMEOUT:-900} $s/qemu.sh "$arch" strict bench "$image" \
		"$initrd" "$log" || rc=1
	grep '# note:' "$log" | sed 's/^/    /' | sort -u
	$s/bench-alloc.sh "$log" || rc=1
	echo "== $arch guest: vcm_phys_migrate() of a buffer bound in 0-3 contexts (median of 5)"
	bench_migrate "$log" ns || rc=1

	# The same workloads under -icount: the guest clock counts
	# instructions, so "ns/op" is the exact number of kernel
	# instructions per operation. One CPU, one run (deterministic).
	echo "== $arch guest: allocator workloads W1 W2 W3 W4 W6, kernel instructions per op (QEMU -icount)"
	log=build/logs/$arch-strict-bench-icount.log
	ICOUNT=1 SMP=1 TIMEOUT=${BENCH_TIMEOUT:-900} \
		EXTRA_CMDLINE="vcm.bench=reps=1,W1,W2,W3,W4,W6,M1" \
		$s/qemu.sh "$arch" strict bench "$image" \
		"$initrd" "$log" || rc=1
	grep '# note: W3 cost' "$log" |
		sed 's/^.*# note: /    # note, in instructions: /' | sort -u
	$s/bench-alloc.sh "$log" |
		sed -n -e 's/^bench: alloc \(W[0-9]-worst\) \(.*\) unit=ns ratio=\(.*\)$/bench: alloc \1-kernel \2 unit=instr ratio=\3/p' -e t \
			-e 's/^bench: alloc \(W[0-9]\)\(-find\)\{0,1\} \(.*\) unit=ns\/op ratio=\([0-9.a-z]*\) .* peer=maple$/bench: alloc \1\2-kernel \3 unit=instr\/op ratio=\4 peer=maple/p' -e t \
			-e 's/^bench: alloc \(W[0-9]\)\(-find\)\{0,1\} \(.*\) unit=ns\/op ratio=\([0-9.a-z]*\).*/bench: alloc \1\2-kernel \3 unit=instr\/op ratio=\4/p' || rc=1
	echo "== $arch guest: vcm_phys_migrate(), kernel instructions (QEMU -icount)"
	bench_migrate "$log" instr || rc=1
done
for arch in $ARCHES; do
	[ "${BENCH:-all}" = alloc ] && break
	echo "== $arch guests: DMA API and NVMe, VCM kernel against the pristine base kernel"
	$s/bench-dma.sh "$arch" || rc=1
	echo "== $arch guests: DMA map/unmap, guest instructions per op (QEMU -icount), one thread"
	DMA_ICOUNT=1 DMA_ROUNDS=1 DMA_MS=${DMA_ICOUNT_MS:-300} $s/bench-dma.sh "$arch" || rc=1
done
exit $rc
