#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the DMA benchmark of make bench: map/unmap latency through
# the IOMMU with the vcm_dma_bench module bound to edu, how many mappings
# edu's space holds and what bad unmaps do to the allocator, and NVMe reads.
# Prints one "dmab: CASE METRIC=VALUE ..." line per case; the host pairs
# them with the same run on the other kernel.
#
#   dmabench.sh MSECS
ms=${1:-1000}
# Under QEMU's -icount (vcm.icount=1) the clock counts instructions of all
# vCPUs, run in turn: only single-thread map/unmap figures mean anything.
icount=
grep -q 'vcm.icount=1' /proc/cmdline && icount=1
strict=strict
grep -q 'iommu.strict=0' /proc/cmdline && strict=lazy
d=/sys/kernel/debug/vcm_dma_bench/run

insmod /vcm/vcm_dma_bench.ko || { echo "dmab: error insmod"; exit 1; }
edu=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat "$p/vendor"):$(cat "$p/device")" = 0x1234:0x11e8 ] && edu=$(basename "$p")
done
[ -n "$edu" ] || { echo "dmab: error no edu"; exit 1; }
[ -e "/sys/bus/pci/devices/$edu/driver" ] && echo "$edu" > "/sys/bus/pci/devices/$edu/driver/unbind"
echo vcm_dma_bench > "/sys/bus/pci/devices/$edu/driver_override"
echo "$edu" > /sys/bus/pci/drivers_probe
[ -e "/sys/bus/pci/drivers/vcm_dma_bench/$edu" ] || { echo "dmab: error bind"; exit 1; }

rc=0
for mode in single sg; do
	for g in 1 16 256; do
		for t in 1 2; do
			[ -n "$icount" ] && [ $t = 2 ] && continue
			if echo "$mode $g $t $ms" > $d; then
				echo "dmab: $strict-$mode-g$g-t$t $(cat $d)"
			else
				echo "dmab: error $strict-$mode-g$g-t$t"
				rc=1
			fi
		done
	done
done
[ -n "$icount" ] && exit $rc
# The allocator under edu's 28-bit mask, and after bad unmaps (checks, not
# timed; see vcm_dma_bench.c).
for c in fill badunmap; do
	if echo "$c" > $d; then
		echo "dmab: $strict-$c $(cat $d)"
	else
		echo "dmab: error $strict-$c"
		rc=1
	fi
done
nvme=
for b in /sys/block/nvme*; do
	[ -e "$b" ] && nvme=$(basename "$b") && break
done
# What dma_opt_mapping_size() made of the queue's limits.
q=/sys/block/$nvme/queue
echo "dmab: $strict-nvme-limits max_hw_sectors_kb=$(cat $q/max_hw_sectors_kb) max_sectors_kb=$(cat $q/max_sectors_kb) optimal_io_size=$(cat $q/optimal_io_size)"
# On the VCM kernel: the context of the NVMe controller, whose graph
# counts the allocations its cache did not serve.
pci=$(basename "$(readlink -f "/sys/block/$nvme/device/device")")
graph=
for g in /sys/kernel/debug/vcm/dma*/graph; do
	[ -r "$g" ] && grep -q "^device pci $pci$" "$g" && graph=$g && break
done
misses() { sed -n 's/^cache misses \([0-9]*\)$/\1/p' "$graph"; }
reads() { awk '{ print $1 }' "/sys/block/$nvme/stat"; }
# Request size:queue depth.
for c in 4096:1 131072:1 131072:32 1048576:1 1048576:32 4194304:1 4194304:32; do
	bs=${c%:*} qd=${c#*:}
	name=$strict-nvme-read-$((bs / 1024))k
	[ "$qd" = 1 ] || name=$name-qd$qd
	[ -n "$graph" ] && m0=$(misses) && r0=$(reads)
	if r=$(nvmebench "/dev/$nvme" "$bs" "$ms" "$qd"); then
		echo "dmab: $name $r"
	else
		echo "dmab: error $name"
		rc=1
	fi
	[ -n "$graph" ] &&
		echo "dmab: $name-cache misses=$(($(misses) - m0)) nvme_reqs=$(($(reads) - r0))"
done
exit $rc
