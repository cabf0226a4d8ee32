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

# Run one test; its output goes to the log with a prefix so the log shows
# why. Output and result are written as kernel records: the console prints
# each record whole, where the tty's output can be cut up by kernel
# messages printed at the same time.
t() {
	name=$1
	shift
	if "$@" > /tmp/t.out 2>&1; then
		res="ok"
	else
		res="not ok"
	fi
	while IFS= read -r line || [ -n "$line" ]; do
		echo "    $name: $line" > /dev/kmsg
	done < /tmp/t.out
	echo "vcmtest: $res $name" > /dev/kmsg
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

# Verified traffic on every DMA device at once, in the background: NVMe
# and virtio-blk blocks of sizes $3, 200 frames from e1000e $1 to $2, and
# edu under dma_map_benchmark (bound by bind_edu), but for the classes
# in $4 (nvme, vblk, net, edu) if given. traffic_running says whether some
# of it still runs; traffic_wait prints how each ended, and fails if one
# did.
traffic_start() {
	skip=" ${4:-} "
	: > /tmp/s.nvme
	: > /tmp/s.vblk
	: > /tmp/s.net
	: > /tmp/s.edu
	if [ -z "${skip##* nvme *}" ]; then true & else
		blkcheck_all nvme "$3" 1 > /tmp/s.nvme 2>&1 &
	fi
	tp1=$!
	if [ -z "${skip##* vblk *}" ]; then true & else
		blkcheck_all virtio_blk "$3" 1 > /tmp/s.vblk 2>&1 &
	fi
	tp2=$!
	if [ -z "${skip##* net *}" ]; then true & else
		rawcheck "$1" "$2" 200 > /tmp/s.net 2>&1 &
	fi
	tp3=$!
	if [ -z "${skip##* edu *}" ]; then true & else
		dma_map_benchmark -t 2 -s 2 -g 16 -b 28 -d 1 > /tmp/s.edu 2>&1 &
	fi
	tp4=$!
}

traffic_running() {
	kill -0 $tp1 $tp2 $tp3 $tp4 2>/dev/null
}

traffic_wait() {
	trc=0
	for p in "$tp1 nvme" "$tp2 vblk" "$tp3 net" "$tp4 edu"; do
		set -- $p
		if wait "$1"; then
			echo "$2: ok"
		else
			echo "$2: FAILED"
			trc=1
		fi
		sed "s/^/    $2: /" "/tmp/s.$2"
	done
	return $trc
}

# Every device at once: disks, NICs and edu, sharing the IOVA allocators
# of their domains and the CPUs.
check_stress() {
	bind_edu || return 1
	set -- $(netdevs_of e1000e)
	[ $# = 2 ] || { echo "want two e1000e interfaces, have: $*"; return 1; }
	ip link set "$1" up && ip link set "$2" up || return 1
	traffic_start "$1" "$2" 4096,65536,1048576,4194304
	traffic_wait
}

# Every DMA context's allocated ranges after emptying its IOVA cache: one
# "dma<N> <ranges>" line each.
ranges_all() {
	for d in /sys/kernel/debug/vcm/dma*; do
		echo 1 > "$d/drain" || return 1
		echo "$(basename "$d") $(sed -n 's/^ranges //p' "$d/stats")"
	done
}

# The two e1000e interfaces as $n1 and $n2, their links taken down, and
# then what $1 (ranges_all or ranges_by_dev) prints, with every IOVA
# cache emptied, written to $2: the ranges held with no traffic running.
links_down_ranges() {
	set -- "$1" "$2" $(netdevs_of e1000e)
	[ $# = 4 ] || { shift 2; echo "want two e1000e interfaces, have: $*"; return 1; }
	n1=$3
	n2=$4
	ip link set "$n1" down && ip link set "$n2" down || return 1
	sleep 1
	"$1" > "$2" || { echo "cannot drain the caches"; return 1; }
}

# CPUs leave and come back while every DMA device moves verified data:
# each CPU but the first goes offline and online again, in turns, under
# NVMe, virtio-blk, e1000e and edu traffic. Every transfer must verify,
# and afterwards, with the network links down as before and every cache
# emptied, each DMA context must hold exactly the ranges it held before:
# none lost with the cache or flush queue of a CPU that went away.
check_cpuhp() {
	cpus=$(ls -d /sys/devices/system/cpu/cpu[1-9]* 2>/dev/null)
	[ -n "$cpus" ] || { echo "one CPU: none to take offline"; return 1; }
	bind_edu || return 1
	links_down_ranges ranges_all /tmp/r0 || return 1
	ip link set "$n1" up && ip link set "$n2" up || return 1
	traffic_start "$n1" "$n2" 4096,65536,1048576
	rc=0
	cycles=0
	while [ $cycles -lt 4 ] || traffic_running; do
		for c in $cpus; do
			echo 0 > "$c/online" || { echo "$(basename "$c") did not go offline"; rc=1; }
			sleep 0.2
			echo 1 > "$c/online" || { echo "$(basename "$c") did not come back"; rc=1; }
			cycles=$((cycles + 1))
		done
		[ $rc = 0 ] || break
	done
	traffic_wait || rc=1
	echo "$cycles CPU offline/online cycles"
	ip link set "$n1" down && ip link set "$n2" down || rc=1
	sleep 1
	ranges_all > /tmp/r1 || { echo "cannot drain the caches"; return 1; }
	if ! cmp -s /tmp/r0 /tmp/r1; then
		echo "ranges per context before and after differ:"
		paste /tmp/r0 /tmp/r1
		rc=1
	fi
	return $rc
}

# Misuse the DMA API through vcm_dma_test bound to edu: each case must end
# as the driver expects (see tools/testing/vcm/dmatest/), and the two bad
# unmaps must be reported by DMA-API debug and must not free IOVA. The
# warnings they cause are bracketed in the kernel log for logcheck.
check_bad_input() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	dev=/sys/bus/pci/devices/$edu
	[ -d /sys/bus/pci/drivers/vcm_dma_test ] ||
		insmod /vcm/vcm_dma_test.ko || { echo "cannot load vcm_dma_test"; return 1; }
	[ -e "$dev/driver" ] && echo "$edu" > "$dev/driver/unbind"
	echo vcm_dma_test > "$dev/driver_override" || return 1
	echo "$edu" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver")")" = vcm_dma_test ] || { echo "vcm_dma_test did not bind"; return 1; }
	dbg=/sys/kernel/debug/dma-api
	[ -e $dbg/error_count ] || { echo "no DMA-API debug in this kernel"; return 1; }
	echo 1 > $dbg/all_errors
	echo "vcmtest: bad-input start" > /dev/kmsg
	rc=0
	for c in zero-length beyond-mask never-mapped double-unmap; do
		before=$(cat $dbg/error_count)
		echo "vcmtest: expect-begin WARNING:|Call Trace:|DMA-API:|vcm_dma_test" > /dev/kmsg
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
	# A bad unmap must not reach the IOVA allocator, whose DMA-API debug
	# record says so (lazy mode: when the flush queue flushes, 10 ms on).
	sleep 1
	if dmesg | sed -n '/vcmtest: bad-input start/,$p' | grep 'free of IOVA .* not allocated'; then
		echo "a bad unmap gave the allocator IOVA it had not handed out"
		rc=1
	fi
	return $rc
}

# Bind edu to the window sample driver (samples/vcm/vcm_edu.c).
bind_vcm_edu() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	dev=/sys/bus/pci/devices/$edu
	[ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" = vcm_edu ] && return 0
	[ -e "$dev/driver" ] && echo "$edu" > "$dev/driver/unbind"
	echo vcm_edu > "$dev/driver_override" || return 1
	echo "$edu" > /sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "$dev/driver" 2>/dev/null)")" = vcm_edu ] || { echo "vcm_edu did not bind"; return 1; }
}

# The text of dma-iommu and VCM's core as "start end": from the first
# iommu_dma_ function to the function after the last vcm_ one below the
# samples' (built-in text is in link order: drivers/iommu/dma-iommu.c,
# then drivers/iommu/vcm/, then samples/).
vcm_text() {
	grep -E '^[0-9a-f]+ [tT] [^ ]+$' /proc/kallsyms | sort | awk '
		!start && $3 ~ /^iommu_dma_/ { start = $1 }
		done { next }
		$3 ~ /^vcm_edu_/ { done = 1; next }
		after { end = $1; after = 0 }
		$3 ~ /^vcm_/ { after = 1 }
		END { if (start && end) print "0x" start, "0x" end }'
}

# failslab and fail_page_alloc, where built in, count down the kselftest's
# fail-nth too. fail_alloc MODE sets them up, quiet: off, not at all (the
# sweeps fail fail_vcm's points alone); all, at every slab and page
# allocation made with dma-iommu or VCM on the stack. The chains also run
# the PCI core, ACPI and sysfs, whose failures are not under test
# (ACPICA, for one, frees an object still in use when it cannot allocate
# while updating reference counts).
fail_alloc() {
	d=/sys/kernel/debug
	[ -d $d/failslab ] || return 0
	set -- "$1" $(vcm_text)
	[ $# = 3 ] || { echo "cannot find VCM's text in /proc/kallsyms"; return 1; }
	case $1 in
	off)	# An empty required range, and no stack to look at.
		set -- off 0 0 0 Y 1 ;;
	all)	set -- all "$2" "$3" 32 N 0 ;;
	*)	echo "fail_alloc: no mode $1"; return 1 ;;
	esac
	for a in failslab fail_page_alloc; do
		echo 0 > $d/$a/verbose
		echo "$2" > $d/$a/require-start
		echo "$3" > $d/$a/require-end
		echo "$4" > $d/$a/stacktrace-depth
		echo "$5" > $d/$a/ignore-gfp-wait
	done
	echo "$6" > $d/fail_page_alloc/min-order
	echo "fault injection at allocations: $1, text $2-$3"
}

# The kselftest of tools/testing/selftests/vcm/ on edu: the window
# sample's DMA, bad input and faults, the two-step API, a migration,
# fault injection sweeps over those call chains, and stale IOVAs of the
# DMA API (with vcm_dma_test). Its TAP goes to the log, where the host
# parses it (kselftest.sh); the expected IOMMU faults are bracketed by
# the kselftest itself.
check_kselftest() {
	[ -d /sys/bus/pci/drivers/vcm_dma_test ] ||
		insmod /vcm/vcm_dma_test.ko || { echo "cannot load vcm_dma_test"; return 1; }
	fail_alloc "$(cmdline_arg vcm.fail_alloc off)" || return 1
	/bin/vcm_edu_test "$@"
	st=$?
	fail_alloc off
	return $st
}

# While edu holds its window, heavy DMA on the device sharing its domain
# never gets an IOVA inside the window: checked in the graph many times
# during the traffic.
check_coexist() {
	bind_vcm_edu || return 1
	f=$(vcm_ctx "$edu") || { echo "$edu: in no VCM context"; return 1; }
	set -- $(sed -n 's/^window \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\) .*/\1 \2/p' "$f")
	[ $# = 2 ] || { echo "no window in $f"; return 1; }
	wlo=$(($1)) whi=$(($2))
	peer= drv=
	for p in /sys/bus/pci/devices/$edu/iommu_group/devices/*; do
		[ "$(basename "$p")" = "$edu" ] && continue
		d=$(basename "$(readlink "$p/driver" 2>/dev/null)")
		case $d in
		e1000e|virtio-pci) peer=$(basename "$p") drv=$d; break ;;
		esac
	done
	[ -n "$peer" ] || { echo "edu shares its domain with no NIC or disk"; return 1; }
	case $drv in
	e1000e)
		set -- $(netdevs_of e1000e)
		ip link set "$1" up && ip link set "$2" up
		rawcheck "$1" "$2" 1500 > /tmp/c.out 2>&1 &
		;;
	virtio-pci)
		disk=
		for b in /sys/block/*; do
			case $(readlink -f "$b/device") in
			*"$peer"*) disk=$(basename "$b") ;;
			esac
		done
		[ -n "$disk" ] || { echo "$peer: no disk"; return 1; }
		blkcheck "/dev/$disk" 4096,65536,1048576,4194304 2 > /tmp/c.out 2>&1 &
		;;
	*)
		echo "$peer: driver $drv, no traffic generator"; return 1 ;;
	esac
	tpid=$!
	echo "window $(printf '%#x-%#x' $wlo $whi); traffic on $peer ($drv)"
	samples=0 seen=0 bad=0
	while kill -0 $tpid 2>/dev/null; do
		grep '^range .* dma$' "$f" > /tmp/c.ranges
		while read -r _ r _; do
			lo=$((${r%-*})) hi=$((${r#*-}))
			seen=$((seen + 1))
			if [ $hi -ge $wlo ] && [ $lo -le $whi ]; then
				echo "streaming range $r inside the window"; bad=1
			fi
		done < /tmp/c.ranges
		samples=$((samples + 1))
	done
	wait $tpid || { echo "traffic on $peer failed:"; cat /tmp/c.out; return 1; }
	echo "$samples samples of the graph, $seen streaming ranges checked, $bad overlaps"
	[ $samples -gt 0 ] && [ $seen -gt 0 ] && [ $bad = 0 ]
}

# Switch edu's group to an identity domain: vcm_edu must fail to probe with
# -EOPNOTSUPP (no window without translation), and the group's VCM context
# goes away with its DMA domain. Then back to a translated domain, where
# the window works again and the partner device does DMA as before.
check_identity() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	g=/sys/bus/pci/devices/$edu/iommu_group
	want=$(cat $g/type)
	drivers=
	for p in $g/devices/*; do
		d=$(basename "$(readlink "$p/driver" 2>/dev/null)")
		[ -n "$d" ] || continue
		drivers="$drivers $(basename "$p")=$d"
		echo "$(basename "$p")" > "$p/driver/unbind"
	done
	echo "vcmtest: identity switch of $edu's group" > /dev/kmsg
	echo identity > $g/type || { echo "cannot switch the group to identity"; return 1; }
	echo "group $(basename "$(readlink -f $g)"): $want -> $(cat $g/type)"
	rc=0
	if bind_vcm_edu > /dev/null 2>&1; then
		echo "vcm_edu bound in an identity domain"; rc=1
	fi
	# x86: RAM starts at 0, edu's 28-bit mask is accepted, and the window
	# is refused with -EOPNOTSUPP. arm64 virt: RAM starts at 1 GiB, above
	# edu's 28 bits, so dma_set_mask() already fails with -EIO: no DMA
	# at all without translation. Either way the driver does not bind.
	dmesg | sed -n '/vcmtest: identity switch/,$p' > /tmp/id.log
	grep "vcm_edu $edu: \(error -95: no IOVA window\|probe with driver vcm_edu failed with error -5\)" /tmp/id.log |
		tail -n 1 | sed 's/^\[[ 0-9.]*\] //'
	grep -q "vcm_edu $edu: \(error -95: no IOVA window\|probe with driver vcm_edu failed with error -5\)" /tmp/id.log ||
		{ echo "vcm_edu did not fail as expected"; rc=1; }
	vcm_ctx "$edu" > /dev/null && { echo "$edu still has a VCM context"; rc=1; }
	echo "$want" > $g/type || { echo "cannot switch the group back to $want"; return 1; }
	echo "back to $(cat $g/type)"
	for e in $drivers; do
		b=${e%%=*}
		[ "$b" = "$edu" ] && continue
		echo "$b" > /sys/bus/pci/drivers_probe
		[ "$(basename "$(readlink "/sys/bus/pci/devices/$b/driver")")" = "${e#*=}" ] ||
			{ echo "$b: ${e#*=} did not bind again"; rc=1; }
		echo "$b: ${e#*=} bound again"
	done
	bind_vcm_edu || return 1
	f=$(vcm_ctx "$edu") || { echo "$edu: no VCM context after the switch back"; return 1; }
	grep "^window " "$f"
	echo selftest > /sys/kernel/debug/vcm_edu/run || { echo "selftest failed after the switch back"; rc=1; }
	return $rc
}

# Set peer and drv to the first device other than edu and its bridge in
# edu's IOMMU group, and its driver; fails if there is none.
edu_peer() {
	peer= drv=
	for p in /sys/bus/pci/devices/$edu/iommu_group/devices/*; do
		b=$(basename "$p")
		[ "$b" = "$edu" ] && continue
		[ "$(cat "$p/class")" = 0x060400 ] && continue	# the bridge
		peer=$b drv=$(basename "$(readlink "$p/driver" 2>/dev/null)")
		return 0
	done
	return 1
}

# The device sharing edu's group leaves (PCI remove) and comes back (rescan)
# three times while two loops read the domain's graph and edu holds its
# window: the graph stops and starts listing it, the window stays, DMA
# through the window still works, and (under KASAN on x86) nothing reads
# the removed device's memory.
check_hotplug() {
	bind_vcm_edu || return 1
	f=$(vcm_ctx "$edu") || { echo "$edu: in no VCM context"; return 1; }
	edu_peer || { echo "edu shares its group with no other device"; return 1; }
	grep -q "^device pci $peer\$" "$f" || { echo "$peer is not in $f"; return 1; }
	win=$(grep '^window ' "$f")
	touch /tmp/hp.go
	( while [ -e /tmp/hp.go ]; do cat "$f" > /dev/null; done ) &
	r1=$!
	( while [ -e /tmp/hp.go ]; do cat "$f" > /dev/null; done ) &
	r2=$!
	rc=0
	for round in 1 2 3; do
		echo 1 > "/sys/bus/pci/devices/$peer/remove" || { echo "cannot remove $peer"; rc=1; break; }
		if grep -q "^device pci $peer\$" "$f"; then
			echo "round $round: $peer still in the graph after its removal"; rc=1
		fi
		echo 1 > /sys/bus/pci/rescan
		i=0
		while [ ! -e "/sys/bus/pci/devices/$peer/driver" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		grep -q "^device pci $peer\$" "$f" || { echo "round $round: $peer not back in the graph"; rc=1; }
	done
	rm -f /tmp/hp.go
	wait $r1 $r2
	[ "$(grep '^window ' "$f")" = "$win" ] || { echo "the window changed: $(grep '^window ' "$f")"; rc=1; }
	d=$(basename "$(readlink "/sys/bus/pci/devices/$peer/driver" 2>/dev/null)")
	[ "$d" = "$drv" ] || { echo "$peer: driver '$d' after the rescan, was '$drv'"; rc=1; }
	echo selftest > /sys/kernel/debug/vcm_edu/run || { echo "edu's selftest failed"; rc=1; }
	echo "$peer ($drv) removed and rescanned 3 times while the graph was read; $win"
	return $rc
}

# With every driver of edu's group unbound, one loop switches the group
# between an identity and its DMA domain (each switch frees a domain and
# its VCM context) and reads every graph, while the device sharing edu's
# group is removed and rescanned three times. Afterwards the group is back
# in its DMA domain, both drivers bind again and edu's window works.
check_typerace() {
	edu=$(pci_find 0x1234 0x11e8) || { echo "no edu device"; return 1; }
	g=/sys/bus/pci/devices/$edu/iommu_group
	want=$(cat $g/type)
	edu_peer || { echo "edu shares its group with no other device"; return 1; }
	for p in $g/devices/*; do
		[ -e "$p/driver" ] && echo "$(basename "$p")" > "$p/driver/unbind"
	done
	touch /tmp/tr.go
	(
		n=0
		while [ -e /tmp/tr.go ]; do
			echo identity > $g/type 2>/dev/null && n=$((n + 1))
			cat /sys/kernel/debug/vcm/dma*/graph > /dev/null 2>&1
			echo "$want" > $g/type 2>/dev/null && n=$((n + 1))
			cat /sys/kernel/debug/vcm/dma*/graph > /dev/null 2>&1
		done
		echo "$n type switches" > /tmp/tr.n
	) &
	loop=$!
	rc=0
	for round in 1 2 3; do
		echo 1 > "/sys/bus/pci/devices/$peer/remove" || { echo "cannot remove $peer"; rc=1; break; }
		echo 1 > /sys/bus/pci/rescan
		[ -e "/sys/bus/pci/devices/$peer" ] || { echo "round $round: $peer did not come back"; rc=1; break; }
		# The rescan binds its driver, which stops the switches: unbind.
		p=/sys/bus/pci/devices/$peer
		[ -e "$p/driver" ] && echo "$peer" > "$p/driver/unbind"
		sleep 0.5
	done
	rm -f /tmp/tr.go
	wait $loop
	cat /tmp/tr.n
	echo "$want" > $g/type || { echo "cannot switch the group back to $want"; return 1; }
	echo "$peer" > /sys/bus/pci/drivers_probe
	d=$(basename "$(readlink "/sys/bus/pci/devices/$peer/driver" 2>/dev/null)")
	[ "$d" = "$drv" ] || { echo "$peer: driver '$d' at the end, was '$drv'"; rc=1; }
	bind_vcm_edu || return 1
	vcm_ctx "$edu" > /dev/null || { echo "$edu: in no VCM context at the end"; rc=1; }
	echo selftest > /sys/kernel/debug/vcm_edu/run || { echo "edu's selftest failed"; rc=1; }
	echo "$peer ($drv) removed and rescanned 3 times during type switches; group $(cat $g/type)"
	return $rc
}

# dma-iommu's address policy, seen in NVMe's VCM context after its I/O:
# PCI devices that can address 64 bits get IOVA below 4 GiB first (every
# range of this light load fits there), unless iommu.forcedac=1 (the x86
# lazy boot), where every range must lie above 4 GiB.
check_dac() {
	nb=$(pci_find 0x1b36 0x0010) || { echo "no NVMe device"; return 1; }
	blkcheck_all nvme 4096,65536,1048576 1 > /dev/null || { echo "NVMe I/O failed"; return 1; }
	f=$(vcm_ctx "$nb") || { echo "$nb: in no VCM context"; return 1; }
	sed -n 's/^range 0x\([0-9a-f]*\)-0x\([0-9a-f]*\) dma$/\1 \2/p' "$f" > /tmp/dac.r
	n=$(wc -l < /tmp/dac.r)
	[ "$n" -gt 0 ] || { echo "no streaming range in $f"; return 1; }
	dac=0
	grep -q 'iommu.forcedac=1' /proc/cmdline && dac=1
	bad=0
	while read -r lo hi; do
		# Hex digits past the eighth are above 4 GiB.
		if [ $dac = 1 ]; then
			[ ${#lo} -gt 8 ] || { echo "range 0x$lo-0x$hi below 4 GiB with forcedac"; bad=1; }
		else
			[ ${#hi} -le 8 ] || { echo "range 0x$lo-0x$hi above 4 GiB without forcedac"; bad=1; }
		fi
	done < /tmp/dac.r
	echo "$n streaming ranges of $nb, forcedac=$dac: $(head -n1 /tmp/dac.r) ... $(tail -n1 /tmp/dac.r)"
	return $bad
}

# The traffic class of PCI device $1 (nvme, vblk, net, edu), if any.
dev_class() {
	case $(cat "/sys/bus/pci/devices/$1/vendor"):$(cat "/sys/bus/pci/devices/$1/device") in
	0x1b36:0x0010) echo nvme ;;
	0x1af4:0x1042) echo vblk ;;
	0x8086:0x10d3) echo net ;;
	0x1234:0x11e8) echo edu ;;
	esac
}

# For each DMA device but the second e1000e and the second virtio-blk:
# its BDF and the traffic classes of its IOMMU group, which stop while it
# leaves. They must: VT-d clears the context entry of every requester ID
# of a device it releases, and a device behind a PCIe-to-PCI bridge
# shares the bridge's with the group's other devices, whose DMA then
# faults until the device is back (upstream's intel-iommu, as in the
# pristine kernel).
leave_devices() {
	for id in "0x1b36 0x0010" "0x1af4 0x1042" "0x8086 0x10d3" "0x1234 0x11e8"; do
		b=$(pci_find $id) || { echo "no device $id"; return 1; }
		cl=
		for p in "/sys/bus/pci/devices/$b/iommu_group/devices/"*; do
			c=$(dev_class "$(basename "$p")")
			[ -n "$c" ] && cl="$cl $c"
		done
		echo "$b $(echo $cl | tr ' ' '\n' | sort -u | tr '\n' ',')"
	done
}

# Wait up to 10 s for PCI device $1 to have a driver.
wait_driver() {
	i=0
	while [ ! -e "/sys/bus/pci/devices/$1/driver" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		sleep 0.1
	done
}

# Verified DMA on one class of device, as after it came back.
works() {
	case $1 in
	nvme) blkcheck_all nvme 4096,65536 1 ;;
	vblk) blkcheck_all virtio_blk 4096,65536 1 ;;
	net)
		set -- $(netdevs_of e1000e)
		[ $# = 2 ] || { echo "want two e1000e interfaces, have: $*"; return 1; }
		ip link set "$1" up && ip link set "$2" up && check_net ;;
	edu) bind_edu && dma_map_benchmark -t 1 -s 1 -g 16 -b 28 > /dev/null ;;
	esac
}

# One device leaves and comes back: PCI remove and rescan, then its
# driver unbound and bound again. edu comes back to dma_map_benchmark.
leave_once() {
	b=$1
	echo 1 > "/sys/bus/pci/devices/$b/remove" || { echo "cannot remove $b"; return 1; }
	echo 1 > /sys/bus/pci/rescan
	[ -e "/sys/bus/pci/devices/$b" ] || { echo "$b did not come back"; return 1; }
	[ "$2" = edu ] && { bind_edu || return 1; }
	wait_driver "$b" || { echo "$b: no driver after the rescan"; return 1; }
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$b/driver")")
	echo "$b" > "/sys/bus/pci/devices/$b/driver/unbind" || { echo "cannot unbind $b"; return 1; }
	echo "$b" > "/sys/bus/pci/drivers/$drv/bind" || { echo "cannot bind $b to $drv"; return 1; }
}

# Every DMA device leaves and comes back in turn (leave_once, at least
# twice and for as long as the traffic lasts) while the others move
# verified data and two loops read every context's graph and the DOT
# picture; then it must move verified data itself. In strict mode,
# every DMA group then switches to DMA-FQ through sysfs while all the
# devices move data, which must verify too.
check_devleave() {
	bind_edu || return 1
	devs=$(leave_devices) || { echo "$devs"; return 1; }
	touch /tmp/dl.go
	( while [ -e /tmp/dl.go ]; do
		cat /sys/kernel/debug/vcm/dma*/graph /sys/kernel/debug/vcm/graph.dot > /dev/null 2>&1
	done ) &
	r1=$!
	( while [ -e /tmp/dl.go ]; do
		cat /sys/kernel/debug/vcm/dma*/graph > /dev/null 2>&1
	done ) &
	r2=$!
	rc=0
	echo "$devs" > /tmp/dl.devs
	while read -r b classes; do
		class=$(dev_class "$b")
		set -- $(netdevs_of e1000e)
		[ $# = 2 ] || { echo "want two e1000e interfaces, have: $*"; rc=1; break; }
		ip link set "$1" up && ip link set "$2" up || { rc=1; break; }
		traffic_start "$1" "$2" 4096,65536,1048576 "$(echo "$classes" | tr , ' ')"
		n=0
		while [ $n -lt 2 ] || traffic_running; do
			leave_once "$b" "$class" || { rc=1; break; }
			n=$((n + 1))
		done
		traffic_wait || rc=1
		works "$class" || { echo "$class ($b) does not work after leaving"; rc=1; }
		echo "$class ($b): left and came back $n times; traffic stopped: $classes"
		[ $rc = 0 ] || break
	done < /tmp/dl.devs
	rm -f /tmp/dl.go
	wait $r1 $r2
	[ $rc = 0 ] || return 1
	[ $strict = 1 ] || return 0
	set -- $(netdevs_of e1000e)
	ip link set "$1" up && ip link set "$2" up || return 1
	traffic_start "$1" "$2" 4096,65536,1048576
	for g in /sys/kernel/iommu_groups/*; do
		[ "$(cat "$g/type")" = DMA ] || continue
		echo DMA-FQ > "$g/type" || { echo "group $(basename "$g"): no switch to DMA-FQ"; rc=1; }
		[ "$(cat "$g/type")" = DMA-FQ ] || { echo "group $(basename "$g") is $(cat "$g/type")"; rc=1; }
	done
	traffic_wait || rc=1
	works edu || rc=1
	echo "every DMA group switched to DMA-FQ under traffic"
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
	# VT-d's interrupt range is reserved; SMMUv3's software MSI window is
	# not, as dma-iommu maps the doorbells itself in a DMA domain.
	case $(uname -m) in
	x86_64) kind=msi range=0xfee00000-0xfeefffff ;;
	*) kind= range= ;;
	esac
	for d in /sys/bus/pci/devices/*; do
		case $(cat "$d/vendor"):$(cat "$d/device") in
		0x1b36:0x0010|0x1af4:0x1042|0x8086:0x10d3|0x1234:0x11e8) ;;
		*) continue ;;
		esac
		bdf=$(basename "$d")
		f=$(vcm_ctx "$bdf") || { echo "$bdf: in no VCM context"; return 1; }
		if [ -n "$kind" ] && ! grep -q "^region $range $kind\$" "$f"; then
			echo "$bdf: $f lacks region $range $kind"; cat "$f"; return 1
		fi
		if grep -q '^region .* sw-msi$' "$f"; then
			echo "$bdf: $f reserves the software MSI window"; cat "$f"; return 1
		fi
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
	# Two readers loop over the disk until the polls end, so that one is
	# mapped at almost any time: one pass over the small disk may end
	# between two reads of the graph.
	rm -f /tmp/graph-stop
	pids=
	for bs in 4M 1M; do
		while [ ! -e /tmp/graph-stop ]; do
			dd if="/dev/$nvme" of=/dev/null bs=$bs count=8 iflag=direct 2>/dev/null
		done &
		pids="$pids $!"
	done
	max=$idle i=0
	while [ $i -lt 300 ]; do
		n=$(vcm_live "$f")
		[ "$n" -gt "$max" ] && max=$n
		[ "$max" -gt "$idle" ] && break
		i=$((i + 1))
	done
	touch /tmp/graph-stop
	wait $pids
	echo "nvme $nvme_bdf: $idle streaming ranges idle, $max seen during I/O ($i polls)"
	[ "$max" -gt "$idle" ] || { echo "no streaming mapping seen in the context during I/O"; return 1; }
	grep -v '^range' "$f"
}

# The VCM RFC's video pipeline (samples/vcm/vcm_video.c) on this machine's
# IOMMU: decoder and display domains and the CPU share three buffers. The
# kernel checks every page's translation and bytes ("start" fails if one
# is wrong); here the graph must show each buffer bound in all three
# contexts, and "stop" must leave nothing translating.
check_video() {
	d=/sys/kernel/debug/vcm_video
	[ -d $d ] || { echo "no $d"; return 1; }
	if ! echo start > $d/run; then
		echo "start failed"
		cat $d/graph
		echo stop > $d/run
		return 1
	fi
	cat $d/graph
	rc=0
	grep -q '^check ok:' $d/graph || { echo "no 'check ok' line"; rc=1; }
	# The frame buffer moves to new pages under all three mappers: the
	# kernel checks addresses, bytes and quiesce calls; every part must
	# have moved, to a part of its size.
	if echo migrate > $d/run; then
		grep -E '^(buffer frame|  bound in|migrated|check)' $d/graph
		n=$(grep -c '^migrated frame part [0-9]*: [0-9]* KiB 0x[0-9a-f]* -> 0x[0-9a-f]*$' $d/graph)
		moved=$(awk '/^migrated frame part/ && $7 != $9 { n++ } END { print n + 0 }' $d/graph)
		[ "$n" -gt 0 ] && [ "$moved" = "$n" ] || { echo "migrate: $moved of $n parts moved"; rc=1; }
		grep -q '^check ok:' $d/graph || { echo "no 'check ok' line after migrate"; rc=1; }
	else
		echo "migrate failed"
		grep '^check' $d/graph
		rc=1
	fi
	for b in frame input0 input1; do
		set -- $(awk -v b="$b:" '/^[^ ]/ { inb = ($1 == "buffer" && $2 == b) }
			inb && /^  bound in / { n++; s = s " " $3 } END { print n + 0, s }' $d/graph)
		n=$1
		shift
		ctxs=$(echo "$@" | tr ' ' '\n' | sort | tr '\n' ' ')
		if [ "$n" != 3 ] || [ "$ctxs" != "cpu decoder display " ]; then
			echo "buffer $b: bound $n times, in: $ctxs (want cpu, decoder, display)"
			rc=1
		fi
	done
	for c in decoder display cpu; do
		n=$(awk -v c="$c:" '/^[^ ]/ { inc = ($1 == "context" && $2 == c) }
			inc && /^  reservation / { n++ } END { print n + 0 }' $d/graph)
		[ "$n" = 3 ] || { echo "context $c: $n reservations, want 3"; rc=1; }
	done
	echo stop > $d/run || { echo "stop failed (the log says why)"; dmesg | grep vcm_video | tail -n 3; rc=1; }
	grep -q '^no pipeline' $d/graph || { echo "pipeline still there after stop"; rc=1; }
	return $rc
}

# The allocator benchmark (tools/testing/vcm/iovabench) loads and runs a
# short W1 and W2: they must print their figures against iova.c and the
# maple tree, whatever the time figures are. The IOVA a range holds does
# not depend on the machine: above what the caches hold, every allocator
# takes exactly what is asked.
check_iova_bench() {
	p=/sys/module/vcm_iova_bench/parameters
	d=/sys/kernel/debug/vcm_iova_bench
	[ -d $d ] || insmod /vcm/vcm_iova_bench.ko || { echo "cannot load vcm_iova_bench"; return 1; }
	echo 1 > $p/reps && echo 2000 > $p/w1_pairs && echo 2000 > $p/w2_pairs || return 1
	echo W1,W2 > $d/run || { echo "the run failed"; return 1; }
	cat $d/results
	grep -q '^bench: alloc W1 .*[0-9]$' $d/results || { echo "no W1 figure"; return 1; }
	grep -q '^bench: alloc W1 .* peer=maple$' $d/results || { echo "no W1 figure against the maple tree"; return 1; }
	grep -q '^bench: alloc W2-waste 4K-4M ours=' $d/results || { echo "no W2 waste figure"; return 1; }
	[ "$(grep -c '^bench: alloc W2-waste 4M+4K-16M ours=1.000 theirs=1.000 ' $d/results)" = 2 ] ||
		{ echo "ranges above the caches' sizes do not hold exactly what they asked"; return 1; }
	! grep '^# note: maple' $d/results || { echo "the maple tree failed to erase"; return 1; }
	! grep 'lost from the tree' $d/results || { echo "an allocator lost live ranges"; return 1; }
}

# The migration benchmark (tools/testing/vcm/migbench) loads, migrates a
# 2 MiB buffer bound in 0 to 3 contexts and prints a figure for each.
check_migrate_bench() {
	insmod /vcm/vcm_migrate_bench.ko reps=1 max_mib=2 || { echo "vcm_migrate_bench failed"; return 1; }
	dmesg | grep 'vcm_migrate_bench: bench: migrate' | sed 's/^\[[ 0-9.]*\] //'
	for n in 0 1 2 3; do
		dmesg | grep -q "vcm_migrate_bench: bench: migrate 2M bindings=$n parts=[0-9]* ns=[0-9]* ns/MiB=[0-9]*" ||
			{ echo "no figure for $n bindings"; return 1; }
	done
}

# The vcm trace events against the counters of vcm/dma<N>/stats: reads
# from NVMe with the allocation and free events of its context on; the
# allocations the trace shows served by the cache and by the tree are the
# hits, and the misses and large ones, the counters add in the meantime.
check_trace() {
	tr=/sys/kernel/tracing
	[ -d $tr/events ] || mount -t tracefs nodev $tr || return 1
	[ -d $tr/events/vcm ] || { echo "no vcm trace events"; return 1; }
	bdf=$(basename "$(readlink -f "/sys/block/$nvme/device/device")")
	g=$(vcm_ctx "$bdf") || { echo "$bdf: in no VCM context"; return 1; }
	st=$(dirname "$g")/stats
	id=$(sed -n 's/^id //p' "$st")
	grep -q "^context .* id $id\$" "$g" || { echo "$g does not name context $id"; return 1; }
	stv() { sed -n "s/^$1 //p" "$st"; }
	echo 0 > $tr/tracing_on
	echo 4096 > $tr/buffer_size_kb
	echo > $tr/trace
	for e in vcm_iova_alloc vcm_iova_free; do
		echo "ctx == $id" > $tr/events/vcm/$e/filter
		echo 1 > $tr/events/vcm/$e/enable
	done
	h0=$(stv hits); m0=$(stv misses); l0=$(stv large); f0=$(stv failures)
	echo 1 > $tr/tracing_on
	for bs in 4k 64k 1M 8M; do
		dd if="/dev/$nvme" of=/dev/null bs=$bs count=16 iflag=direct 2>/dev/null ||
			{ echo "dd bs=$bs failed"; return 1; }
	done
	echo 0 > $tr/tracing_on
	h1=$(stv hits); m1=$(stv misses); l1=$(stv large); f1=$(stv failures)
	for e in vcm_iova_alloc vcm_iova_free; do
		echo 0 > $tr/events/vcm/$e/enable
		echo 0 > $tr/events/vcm/$e/filter
	done
	grep -v '^#' $tr/trace > /tmp/trace.txt
	echo > $tr/trace
	lost=$(sed -n 's/^overrun: //p' $tr/per_cpu/cpu*/stats | awk '{ n += $1 } END { print n + 0 }')
	th=$(grep -c "vcm_iova_alloc: ctx=$id .* cache\$" /tmp/trace.txt)
	tt=$(grep -c "vcm_iova_alloc: ctx=$id .* tree\$" /tmp/trace.txt)
	tf=$(grep -c "vcm_iova_free: ctx=$id " /tmp/trace.txt)
	echo "context $id: trace: $th allocations from the cache, $tt from the tree, $tf frees"
	echo "context $id: counters: hits +$((h1 - h0)), misses +$((m1 - m0)), large +$((l1 - l0)), failures +$((f1 - f0))"
	rc=0
	[ "$lost" = 0 ] || { echo "the trace buffer lost $lost events"; rc=1; }
	[ "$th" -gt 0 ] || { echo "no allocation traced"; rc=1; }
	[ "$th" = $((h1 - h0)) ] || { echo "cache allocations traced and counted differ"; rc=1; }
	[ "$tt" = $((m1 - m0 + l1 - l0)) ] || { echo "tree allocations traced and counted differ"; rc=1; }
	[ "$f1" = "$f0" ] || { echo "allocations failed"; rc=1; }
	return $rc
}

# The whole graph in DOT (vcm/graph.dot) with the video pipeline up and
# edu's window sample bound: every DMA context of vcm/dma*/graph is a
# cluster with as many regions, windows and bindings; the pipeline's three
# contexts are clusters of three reservations each, and its three buffers
# are shared, each bound in all three. The host renders what is printed
# between the markers with Graphviz.
check_dot() {
	bind_vcm_edu || return 1
	d=/sys/kernel/debug/vcm_video
	echo start > $d/run || { echo "video pipeline did not start"; return 1; }
	rc=0
	cat /sys/kernel/debug/vcm/graph.dot > /tmp/g.dot || rc=1
	rm -f /tmp/dma*.graph
	for g in /sys/kernel/debug/vcm/dma*/graph; do
		cp "$g" "/tmp/$(basename "$(dirname "$g")").graph"
	done
	echo stop > $d/run || { echo "video pipeline did not stop"; rc=1; }
	n=0
	for g in /tmp/dma*.graph; do
		id=$(sed -n 's/^context .* id \([0-9]*\)$/\1/p' "$g")
		[ -n "$id" ] || { echo "$g: no context id"; rc=1; continue; }
		want="$(grep -c '^region ' "$g") $(grep -c '^window ' "$g") $(grep -c '^  bind ' "$g")"
		have="$(grep -c "^	*c${id}r[0-9]* \[.*label=\"region " /tmp/g.dot) $(grep -c "^	*c${id}r[0-9]* \[.*fillcolor=lightblue" /tmp/g.dot) $(grep -c "^	*c${id}r[0-9]* -> p" /tmp/g.dot)"
		[ "$want" = "$have" ] || { echo "context $id: regions, windows, bindings: graph $want, DOT $have"; rc=1; }
		n=$((n + 1))
	done
	echo "$n DMA contexts match"
	for c in decoder display cpu; do
		id=$(sed -n "s/^	*label=\"context \([0-9]*\): [^,]*, vcm_video $c\\\\n.*/\1/p" /tmp/g.dot)
		[ -n "$id" ] || { echo "no cluster for the video $c context"; rc=1; continue; }
		r=$(grep -c "^	*c${id}r[0-9]* \[" /tmp/g.dot)
		[ "$r" = 3 ] || { echo "video $c: $r reservations drawn, want 3"; rc=1; }
	done
	s=$(grep -c 'in 3 contexts".*fillcolor=orange' /tmp/g.dot)
	p=$(grep -o 'p[0-9a-f]* \[shape=ellipse, label="[^"]*in 3 contexts"' /tmp/g.dot | sort -u | wc -l)
	[ "$p" = 3 ] || { echo "$p buffers shown shared by 3 contexts, want 3"; rc=1; }
	[ "$s" -ge 3 ] || { echo "shared buffers not highlighted"; rc=1; }
	echo "DOT BEGIN"
	cat /tmp/g.dot
	echo "DOT END"
	return $rc
}

# The ranges of every DMA context after emptying its IOVA cache, by
# device: one "<BDF> <ranges>" line per device, sorted, so that a device
# that left and came back (in a new context) compares as itself.
ranges_by_dev() {
	for d in /sys/kernel/debug/vcm/dma*; do
		echo 1 > "$d/drain" || return 1
		r=$(sed -n 's/^ranges //p' "$d/stats")
		sed -n 's/^device pci //p' "$d/graph" | sed "s/\$/ $r/"
	done | sort
}

# make soak (vcm.soak=SECONDS): rounds of verified traffic on every DMA
# device until the time is up. In each round every CPU but the first goes
# offline and online, and one device (each in turn) leaves and comes back
# (leave_once) while the devices outside its IOMMU group move data; in
# every other round edu runs its IOVA window (vcm_edu's DMA selftest, in
# a loop) instead of dma_map_benchmark. At the end, with the links down
# and every cache emptied, each device's context must hold the ranges it
# held at the start, and kmemleak must find nothing.
soak() {
	secs=$1
	cpus=$(ls -d /sys/devices/system/cpu/cpu[1-9]* 2>/dev/null)
	bind_edu || return 1
	leave_devices > /tmp/soak.devs || { cat /tmp/soak.devs; return 1; }
	ndev=$(wc -l < /tmp/soak.devs)
	links_down_ranges ranges_by_dev /tmp/soak.r0 || return 1
	now() { cut -d. -f1 /proc/uptime; }
	end=$(($(now) + secs))
	round=0 cycles=0 leaves=0 wins=0 winruns=0 rc=0
	while [ "$(now)" -lt $end ]; do
		round=$((round + 1))
		set -- $(sed -n "$(((round - 1) % ndev + 1))p" /tmp/soak.devs)
		b=$1
		skip=$(echo "$2" | tr , ' ')
		class=$(dev_class "$b")
		win=0
		if [ $((round % 2)) = 0 ] && [ -n "${skip##*edu*}" ]; then
			win=1
			skip="$skip edu"
			bind_vcm_edu || { rc=1; break; }
			touch /tmp/soak.win
			( k=0
			  while [ -e /tmp/soak.win ]; do
				echo selftest > /sys/kernel/debug/vcm_edu/run ||
					{ echo "window selftest $k failed"; echo $k > /tmp/soak.wn; exit 1; }
				k=$((k + 1))
			  done
			  echo $k > /tmp/soak.wn ) &
			wp=$!
		else
			bind_edu || { rc=1; break; }
		fi
		set -- $(netdevs_of e1000e)
		ip link set "$1" up && ip link set "$2" up || { rc=1; break; }
		traffic_start "$1" "$2" 4096,65536,1048576 "$skip"
		n=0
		while [ $n -lt 1 ] || traffic_running; do
			for c in $cpus; do
				echo 0 > "$c/online" || { echo "$(basename "$c") did not go offline"; rc=1; }
				echo 1 > "$c/online" || { echo "$(basename "$c") did not come back"; rc=1; }
				cycles=$((cycles + 1))
			done
			leave_once "$b" "$class" || rc=1
			leaves=$((leaves + 1))
			n=$((n + 1))
			[ $rc = 0 ] || break
		done
		traffic_wait > /tmp/soak.t || { cat /tmp/soak.t; rc=1; }
		if [ $win = 1 ]; then
			rm -f /tmp/soak.win
			wait $wp || rc=1
			wins=$((wins + 1))
			winruns=$((winruns + $(cat /tmp/soak.wn)))
		fi
		works "$class" > /tmp/soak.w 2>&1 ||
			{ cat /tmp/soak.w; echo "$class ($b) does not work after leaving"; rc=1; }
		echo "round $round: $class left $n times; window: $win; rc $rc"
		[ $rc = 0 ] || break
	done
	bind_edu || rc=1
	set -- $(netdevs_of e1000e)
	ip link set "$1" down && ip link set "$2" down || rc=1
	sleep 1
	ranges_by_dev > /tmp/soak.r1 || { echo "cannot drain the caches"; return 1; }
	if ! cmp -s /tmp/soak.r0 /tmp/soak.r1; then
		echo "ranges per device before and after differ:"
		paste /tmp/soak.r0 /tmp/soak.r1
		rc=1
	fi
	echo "soak: $secs s, $round rounds of traffic on every device (data verified), $cycles CPU offline/online cycles, $leaves device removals and rescans, $winruns window selftests in $wins rounds, $(wc -l < /tmp/soak.r1) devices' ranges as at the start"
	check_kmemleak || rc=1
	return $rc
}

# The value of kernel parameter $1 on the command line, or $2.
cmdline_arg() {
	v=$2
	for arg in $(cat /proc/cmdline); do
		case $arg in
		"$1"=*) v=${arg#"$1"=} ;;
		esac
	done
	echo "$v"
}

nvme=$(blkdevs_of nvme | head -n 1)

case $mode in
check)
	# Devices leaving ends with every group in DMA-FQ: last in strict
	# mode, before the leak scan.
	echo "vcmtest: plan $((21 + strict))" > /dev/kmsg
	t iommu-groups check_groups
	t vcm-graph check_graph
	t blk-nvme blkcheck_all nvme 4096,16384,65536,1048576,4194304,8388608 2
	t blk-virtio blkcheck_all virtio_blk 4096,16384,65536,1048576,4194304,8388608 2
	t dac-policy check_dac
	t net-e1000e check_net
	t dmabench-edu check_dmabench
	t stress-all check_stress
	t cpu-hotplug check_cpuhp
	t dma-bad-input check_bad_input
	t kselftest check_kselftest
	t window-coexist check_coexist
	t window-identity check_identity
	t hotplug-graph check_hotplug
	t type-race check_typerace
	t video-pipeline check_video
	t iova-bench-module check_iova_bench
	t migrate-bench-module check_migrate_bench
	t trace-events check_trace
	t graph-dot check_dot
	[ $strict = 1 ] && t devices-leave check_devleave
	t kmemleak check_kmemleak
	;;
bench)
	# vcm.bench=ARG,ARG,...: the arguments of bench.sh (params, workloads).
	args=
	for arg in $(cat /proc/cmdline); do
		case $arg in
		vcm.bench=*) args=$(echo "${arg#vcm.bench=}" | tr , ' ') ;;
		esac
	done
	# shellcheck disable=SC2086 # one word per argument
	/vcm/bench.sh $args
	;;
soak)
	t soak soak "$(cmdline_arg vcm.soak 1800)"
	;;
dmabench)
	/vcm/dmabench.sh "$(cmdline_arg vcm.ms 1000)"
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
	if bind_vcm_edu > /dev/null; then
		log "edu, driven by samples/vcm/vcm_edu.c, keeps its DMA in one IOVA window;"
		log "its domain's context (shared with the device behind the same bridge):"
		f=$(vcm_ctx "$edu") && grep -v '^range' "$f"
		t window-edu check_kselftest -f window
	fi
	log "the VCM RFC's video pipeline on this IOMMU (samples/vcm/vcm_video.c):"
	log "a decoder and a display domain and the CPU share a frame buffer and"
	log "two input buffers; every page's translation and bytes are checked"
	t video-pipeline check_video
	log "the whole graph, with the pipeline up, in DOT (/sys/kernel/debug/vcm/graph.dot);"
	log "the host renders it to build/graph.svg and build/graph.png"
	t graph-dot check_dot
	;;
esac
