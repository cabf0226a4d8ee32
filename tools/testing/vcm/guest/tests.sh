#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the VCM tests. Each test prints "vcmtest: ok NAME" or
# "vcmtest: not ok NAME"; the host counts them and checks the plan.
#
#   tests.sh check|run|bench
mode=$1
strict=1
grep -q 'iommu.strict=0' /proc/cmdline && strict=0

log() { echo "vcm: $*"; }

# Run one test; its output is printed with a prefix so the log shows why.
t() {
	name=$1
	shift
	if "$@" > /tmp/t.out 2>&1; then
		res="ok"
	else
		res="not ok"
	fi
	sed "s/^/    $name: /" /tmp/t.out
	echo "vcmtest: $res $name"
}

pci_find() {	# pci_find VENDOR DEVICE: print the first matching BDF
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

blkdevs_of() {	# blkdevs_of DRIVER: every whole disk driven by DRIVER
	for b in /sys/block/*; do
		drv=$(basename "$(readlink -f "$b/device/device/driver" 2>/dev/null || readlink -f "$b/device/driver")")
		[ "$drv" = "$1" ] && basename "$b"
	done
}

# blkcheck_all DRIVER: blkcheck on every disk of DRIVER (at least one).
blkcheck_all() {
	drv=$1
	shift
	disks=$(blkdevs_of "$drv")
	[ -n "$disks" ] || { echo "no $drv disk"; return 1; }
	for d in $disks; do
		blkcheck "/dev/$d" "$@" || return 1
	done
}

netdevs_of() {	# netdevs_of DRIVER: all interfaces driven by DRIVER
	for n in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$n/device/driver" 2>/dev/null)")" = "$1" ] && basename "$n"
	done
}

# Print each IOMMU group, its default domain type and its devices.
show_groups() {
	for g in /sys/kernel/iommu_groups/*; do
		echo "group $(basename "$g"): type $(cat "$g/type")"
		for d in "$g"/devices/*; do
			bdf=$(basename "$d")
			echo "    $bdf $(cat "$d/vendor"):$(cat "$d/device") driver=$(basename "$(readlink "$d/driver" 2>/dev/null || echo none)")"
		done
	done
}

# Every DMA device sits in a group whose default domain is translated in the
# mode this boot asked for; edu shares its group with the device beside it
# behind the PCI bridge.
check_groups() {
	want=DMA
	[ $strict = 0 ] && want=DMA-FQ
	bind_edu || return 1
	show_groups
	n=0
	for d in /sys/bus/pci/devices/*; do
		id=$(cat "$d/vendor"):$(cat "$d/device")
		case $id in
		0x1b36:0x0010|0x1af4:0x1042|0x8086:0x10d3|0x1234:0x11e8) ;;	# nvme virtio-blk e1000e edu
		*) continue ;;
		esac
		g=$(readlink -f "$d/iommu_group") || { echo "$d: no IOMMU group"; return 1; }
		type=$(cat "$g/type")
		[ "$type" = "$want" ] || { echo "$(basename "$d"): domain type $type, want $want"; return 1; }
		n=$((n + 1))
	done
	[ $n -ge 5 ] || { echo "only $n DMA devices found"; return 1; }
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	peers=$(ls "/sys/bus/pci/devices/$edu/iommu_group/devices" | wc -l)
	[ "$peers" -ge 2 ] || { echo "edu is alone in its IOMMU group"; return 1; }
	echo "$n DMA devices, all in $want domains; edu group has $peers devices"
}

check_net() {
	set -- $(netdevs_of e1000e)
	[ $# = 2 ] || { echo "want two e1000e interfaces, have: $*"; return 1; }
	ip link set "$1" up && ip link set "$2" up || return 1
	i=0
	while [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" != 1 ] ||
	      [ "$(cat "/sys/class/net/$2/carrier" 2>/dev/null)" != 1 ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "no carrier on $1/$2"; return 1; }
		sleep 0.1
	done
	rawcheck "$1" "$2" 300 && rawcheck "$2" "$1" 300
}

# Bind edu to dma_map_benchmark (idempotent). On arm64 a PCI device without
# a driver has no IOMMU group yet: of_iommu_configure() runs at bind time.
bind_edu() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	dev=/sys/bus/pci/devices/$edu
	[ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" = dma_map_benchmark ] && return 0
	if [ -e "$dev/driver" ]; then
		echo "$edu" > "$dev/driver/unbind" || return 1
	fi
	echo dma_map_benchmark > "$dev/driver_override" || return 1
	echo "$edu" > /sys/bus/pci/drivers_probe
	[ -e /sys/kernel/debug/dma_map_benchmark ] || { echo "dma_map_benchmark did not bind"; return 1; }
}

check_dmabench() {
	bind_edu || return 1
	# edu can only address 28 bits.
	dma_map_benchmark -t 1 -s 1 -g 1 -b 28 || return 1
	# Two threads map TO_DEVICE: with bidirectional mappings, upstream
	# dma-debug can pair an unmap with the other thread's entry when the
	# IOVA is reused between the IOMMU unmap and debug_dma_unmap_page(),
	# and then reports a false "cacheline tracking EEXIST".
	dma_map_benchmark -t 2 -s 1 -g 16 -b 28 -d 1 || return 1
	dma_map_benchmark -t 1 -s 1 -g 256 -b 28
}

# Every device at once: disks, NICs and edu, sharing the IOVA allocators
# of their domains and the CPUs.
check_stress() {
	bind_edu || return 1
	set -- $(netdevs_of e1000e)
	[ $# = 2 ] || { echo "want two e1000e interfaces, have: $*"; return 1; }
	ip link set "$1" up && ip link set "$2" up || return 1
	blkcheck_all nvme 4096,65536,1048576,4194304 1 > /tmp/s.nvme 2>&1 &
	p1=$!
	blkcheck_all virtio_blk 4096,65536,1048576,4194304 1 > /tmp/s.vblk 2>&1 &
	p2=$!
	rawcheck "$1" "$2" 200 > /tmp/s.net 2>&1 &
	p3=$!
	dma_map_benchmark -t 2 -s 2 -g 16 -b 28 -d 1 > /tmp/s.edu 2>&1 &
	p4=$!
	rc=0
	for p in "$p1 nvme" "$p2 vblk" "$p3 net" "$p4 edu"; do
		set -- $p
		if wait "$1"; then
			echo "$2: ok"
		else
			echo "$2: FAILED"
			rc=1
		fi
		sed "s/^/    $2: /" "/tmp/s.$2"
	done
	return $rc
}

# Misuse the DMA API through vcm_dma_test bound to edu: each case must end
# as the driver expects (see drivers/iommu/vcm/dma_test.c), and the two bad
# unmaps must be reported by DMA-API debug. The warnings they cause are
# bracketed in the kernel log for logcheck.
check_bad_input() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	dev=/sys/bus/pci/devices/$edu
	[ -e "$dev/driver" ] && echo "$edu" > "$dev/driver/unbind"
	echo vcm_dma_test > "$dev/driver_override" || return 1
	echo "$edu" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = vcm_dma_test ] || { echo "vcm_dma_test did not bind"; return 1; }
	dbg=/sys/kernel/debug/dma-api
	[ -e $dbg/error_count ] || { echo "no DMA-API debug in this kernel"; return 1; }
	echo 1 > $dbg/all_errors
	rc=0
	for c in zero-length beyond-mask never-mapped double-unmap; do
		before=$(cat $dbg/error_count)
		echo "vcmtest: expect-begin WARNING:|Call Trace:|DMA-API:|vcm: dma[0-9]*: free of|vcm_dma_test" > /dev/kmsg
		if echo $c > /sys/kernel/debug/vcm_dma_test/run; then res=ok; else res=FAILED; rc=1; fi
		echo "vcmtest: expect-end" > /dev/kmsg
		after=$(cat $dbg/error_count)
		echo "$c: $res, DMA-API debug errors $before -> $after"
		case $c in
		never-mapped|double-unmap)	# a page and an MMIO range each
			[ "$after" -ge $((before + 2)) ] || { echo "$c: DMA-API debug missed a report"; rc=1; } ;;
		*)
			[ "$after" = "$before" ] || { echo "$c: unexpected DMA-API debug report"; rc=1; } ;;
		esac
	done
	echo 0 > $dbg/all_errors
	return $rc
}

check_kmemleak() {
	[ -e /sys/kernel/debug/kmemleak ] || { echo "kmemleak: not in this kernel"; return 0; }
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	[ -z "$leaks" ] && { echo "no leaks"; return 0; }
	echo "$leaks"
	return 1
}

# The VCM context of a device's DMA domain: vcm_ctx BDF prints its graph file.
vcm_ctx() {
	local g
	for g in /sys/kernel/debug/vcm/dma*/graph; do
		grep -q "^device pci $1\$" "$g" 2>/dev/null && { echo "$g"; return 0; }
	done
	return 1
}

# Streaming ranges in use in a context: allocated minus cached free ones.
vcm_live() {
	sed -n 's/^summary reservations [0-9]* dma \([0-9]*\) cached \([0-9]*\)$/\1 \2/p' "$1" |
		{ read -r dma cached && echo $((dma - cached)); }
}

# Each DMA device's domain is a VCM context that lists the device and the
# reserved regions of this platform; devices of one IOMMU group share one
# context, other groups have their own; the context shows streaming
# mappings while I/O runs.
check_graph() {
	bind_edu || return 1
	ls /sys/kernel/debug/vcm/dma*/graph > /dev/null 2>&1 || { echo "no VCM DMA context in debugfs"; return 1; }
	case $(uname -m) in
	x86_64) want="msi 0xfee00000-0xfeefffff" ;;	# VT-d interrupt range
	*) want="sw-msi 0x8000000-0x80fffff" ;;		# SMMUv3 software MSI window
	esac
	set -- $want
	kind=$1 range=$2
	for d in /sys/bus/pci/devices/*; do
		case $(cat "$d/vendor"):$(cat "$d/device") in
		0x1b36:0x0010|0x1af4:0x1042|0x8086:0x10d3|0x1234:0x11e8) ;;
		*) continue ;;
		esac
		bdf=$(basename "$d")
		f=$(vcm_ctx "$bdf") || { echo "$bdf: in no VCM context"; return 1; }
		grep -q "^region $range $kind\$" "$f" || { echo "$bdf: $f lacks region $range $kind"; cat "$f"; return 1; }
		grep -q "^region .* pci-window\$" "$f" || { echo "$bdf: $f has no PCI window region"; return 1; }
		g=$(basename "$(readlink -f "$d/iommu_group")")
		for p in /sys/bus/pci/devices/*; do
			[ "$p" = "$d" ] || [ ! -e "$p/iommu_group" ] && continue
			vcm_ctx "$(basename "$p")" > /tmp/pf || continue
			pg=$(basename "$(readlink -f "$p/iommu_group")")
			if [ "$pg" = "$g" ] && [ "$(cat /tmp/pf)" != "$f" ]; then
				echo "$bdf and $(basename "$p") share group $g but not a context"; return 1
			fi
			if [ "$pg" != "$g" ] && [ "$(cat /tmp/pf)" = "$f" ]; then
				echo "$bdf and $(basename "$p") share a context across groups"; return 1
			fi
		done
		echo "$bdf: group $g, $f"
	done
	nvme_bdf=$(basename "$(readlink -f "/sys/block/$nvme/device/device")")
	f=$(vcm_ctx "$nvme_bdf") || { echo "nvme $nvme_bdf: no context"; return 1; }
	idle=$(vcm_live "$f")
	[ -n "$idle" ] || { echo "no summary line in $f"; return 1; }
	dd if="/dev/$nvme" of=/dev/null bs=4M count=400 iflag=direct 2>/dev/null &
	ddpid=$!
	max=$idle i=0
	while [ $i -lt 200 ] && kill -0 $ddpid 2>/dev/null; do
		n=$(vcm_live "$f")
		[ "$n" -gt "$max" ] && max=$n
		[ "$max" -gt "$idle" ] && break
		i=$((i + 1))
	done
	kill $ddpid 2>/dev/null
	wait $ddpid 2>/dev/null
	echo "nvme $nvme_bdf: $idle streaming ranges idle, $max seen during I/O"
	[ "$max" -gt "$idle" ] || { echo "no streaming mapping seen in the context during I/O"; return 1; }
	grep -v '^range' "$f"
}

nvme=$(blkdevs_of nvme | head -n 1)

case $mode in
check)
	echo "vcmtest: plan 9"
	t iommu-groups check_groups
	t vcm-graph check_graph
	t blk-nvme blkcheck_all nvme 4096,16384,65536,1048576,4194304,8388608 2
	t blk-virtio blkcheck_all virtio_blk 4096,16384,65536,1048576,4194304,8388608 2
	t net-e1000e check_net
	t dmabench-edu check_dmabench
	t stress-all check_stress
	t dma-bad-input check_bad_input
	t kmemleak check_kmemleak
	;;
bench)
	/vcm/bench.sh
	;;
dmabench)
	ms=1000
	for arg in $(cat /proc/cmdline); do
		case $arg in
		vcm.ms=*) ms=${arg#vcm.ms=} ;;
		esac
	done
	/vcm/dmabench.sh "$ms"
	;;
run)
	log "IOMMU: $(dmesg | grep -m1 -E 'DMAR: IOMMU enabled|arm-smmu-v3.*ias')"
	log "IOMMU groups and default domain types (strict=$strict);"
	log "type DMA or DMA-FQ: the device's DMA is translated by the IOMMU"
	show_groups
	log "round trip through the IOMMU: 1 MiB of random data to /dev/$nvme and back (O_DIRECT)"
	dd if=/dev/urandom of=/tmp/out.bin bs=1M count=1 2>/dev/null
	dd if=/tmp/out.bin of="/dev/$nvme" bs=1M count=1 oflag=direct 2>/dev/null
	dd if="/dev/$nvme" of=/tmp/in.bin bs=1M count=1 iflag=direct 2>/dev/null
	log "written: $(sha256sum < /tmp/out.bin)"
	log "read:    $(sha256sum < /tmp/in.bin)"
	if cmp -s /tmp/out.bin /tmp/in.bin; then
		log "round trip verified: identical"
	else
		log "round trip FAILED: data differs"
	fi
	t blk-nvme blkcheck "/dev/$nvme" 4096,65536,1048576 1
	bdf=$(basename "$(readlink -f "/sys/block/$nvme/device/device")")
	log "the VCM context of $bdf's DMA domain (/sys/kernel/debug/vcm/*/graph):"
	log "its devices, typed reserved regions, and every allocated IOVA range"
	f=$(vcm_ctx "$bdf") && head -n 40 "$f"
	;;
esac
