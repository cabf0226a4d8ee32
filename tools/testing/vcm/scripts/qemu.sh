#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a guest under TCG with its emulated IOMMU and the test devices.
#
#   qemu.sh <arch> <strict|lazy> <check|run|bench> <kernel> <initramfs> <log>
#
# Devices: nvme, virtio-blk-pci (iommu_platform=on), two e1000e joined by a
# QEMU hub (no user or tap networking), and QEMU's edu device sharing one
# IOMMU group with a second DMA device: with the second e1000e behind a PCI
# bridge on x86_64, with a second virtio-blk as two functions of one slot on
# arm64 (see below). The serial console goes to <log> (and to the terminal for "run").
# Every boot has a hard timeout (TIMEOUT, seconds).
set -euo pipefail

arch=$1
mode=$2
purpose=$3
kernel=$4
initrd=$5
log=$6
top=$(cd "$(dirname "$0")/../../../.." && pwd)
disks=$top/build/disks
timeout=${TIMEOUT:-900}
smp=${SMP:-2}

case $mode in
strict) strict=1 ;;
lazy) strict=0 ;;
*) echo "qemu.sh: mode is strict or lazy" >&2; exit 2 ;;
esac

mkdir -p "$disks" "$(dirname "$log")"
for d in nvme vblk; do
	img=$disks/$arch-$d.img
	[ -f "$img" ] || truncate -s 128M "$img"
done

cmdline="panic=-1 oops=panic iommu.strict=$strict vcm.mode=$purpose"
cmdline="$cmdline loglevel=7 printk.time=1"
# TCG on a loaded 2-core host is slow: keep the lockup and stall detectors,
# with thresholds that only real hangs reach.
cmdline="$cmdline watchdog_thresh=30 rcupdate.rcu_cpu_stall_timeout=60"
# EXTRA_CMDLINE: parameters of the guest scripts (make bench: vcm.ms=).
cmdline="$cmdline ${EXTRA_CMDLINE:-}"
# KUnit's suites make their own domains: make check runs them once per
# arch, in the strict boot.
[ "$purpose" = check ] && [ $strict = 0 ] && cmdline="$cmdline kunit.enable=0"
case $arch in
x86_64)
	qemu=qemu-system-x86_64
	machine=(-machine q35,kernel-irqchip=split -cpu max
		 -device intel-iommu,intremap=on)
	# no_timer_check: the IO-APIC timer check waits a TSC-timed delay for
	# timer ticks; a TCG vCPU that the loaded host holds back gets too few
	# and the boot panics ("timer doesn't work through Interrupt-remapped
	# IO-APIC"). KVM and Hyper-V guests turn the check off likewise.
	cmdline="console=ttyS0 intel_iommu=on no_timer_check $cmdline"
	# The lazy check boot also runs dma-iommu's other address policy:
	# 64-bit IOVA from the first try for PCI devices that can take it.
	# It has KUnit off, so its kselftest may also fail every allocation
	# (failslab, fail_page_alloc) its chains make, not only atomic ones.
	[ "$purpose" = check ] && [ $strict = 0 ] &&
		cmdline="$cmdline iommu.forcedac=1 vcm.fail_alloc=all"
	;;
arm64)
	qemu=qemu-system-aarch64
	machine=(-machine virt,iommu=smmuv3,gic-version=3 -cpu max,pauth-impdef=on)
	cmdline="console=ttyAMA0 $cmdline"
	;;
*)
	echo "qemu.sh: unknown arch $arch" >&2
	exit 2
	;;
esac

devices=(
	-drive "file=$disks/$arch-nvme.img,if=none,id=nvm,format=raw"
	-device nvme,serial=vcm0001,drive=nvm
	-drive "file=$disks/$arch-vblk.img,if=none,id=vb,format=raw"
	-device virtio-blk-pci,drive=vb,iommu_platform=on,disable-legacy=on
	-netdev hubport,id=hp0,hubid=0
	-device e1000e,netdev=hp0,mac=52:54:00:12:34:01
	-netdev hubport,id=hp1,hubid=0
)
# edu shares one IOMMU group with a second DMA-capable device.
case $arch in
x86_64)
	# Behind a conventional PCI bridge: both DMA with the bridge's
	# requester ID, so VT-d puts them (and the bridge) in one group.
	devices+=(
		-device pci-bridge,id=br0,chassis_nr=1
		-device edu,bus=br0,addr=1
		-device e1000e,netdev=hp1,mac=52:54:00:12:34:02,bus=br0,addr=2
	)
	;;
arm64)
	# arm-smmu-v3 in 6.12 refuses two masters with one StreamID ("stream
	# N already in tree"), which is what a PCI bridge's alias gives. Two
	# functions of one multi-function slot without ACS share a group
	# with distinct StreamIDs instead. Not an Intel NIC there: Linux
	# treats Intel RCiEPs as isolated (pci_quirk_rciep_acs).
	[ -f "$disks/$arch-vblk2.img" ] || truncate -s 128M "$disks/$arch-vblk2.img"
	devices+=(
		-device e1000e,netdev=hp1,mac=52:54:00:12:34:02
		-device edu,bus=pcie.0,addr=5.0,multifunction=on
		-drive "file=$disks/$arch-vblk2.img,if=none,id=vb2,format=raw"
		-device virtio-blk-pci,drive=vb2,iommu_platform=on,disable-legacy=on,bus=pcie.0,addr=5.1,multifunction=on
	)
	;;
esac

# ICOUNT=1: the guest's clock counts its instructions (1 ns each), so that
# a benchmark's "ns" are instructions executed, free of the host's noise.
# QEMU then runs all vCPUs in one thread.
icount=()
[ -n "${ICOUNT:-}" ] && icount=(-icount shift=0,sleep=off)

args=(-accel tcg "${icount[@]}" -nodefaults -no-reboot -display none -m 2G -smp "$smp"
      "${machine[@]}" "${devices[@]}"
      -kernel "$kernel" -initrd "$initrd" -append "$cmdline"
      -serial stdio)

echo "  QEMU    $arch $mode $purpose -> $log"
rc=0
if [ "$purpose" = run ]; then
	timeout -k 10 "$timeout" "$qemu" "${args[@]}" < /dev/null 2>&1 | tee "$log" || rc=$?
else
	timeout -k 10 "$timeout" "$qemu" "${args[@]}" < /dev/null > "$log" 2>&1 || rc=$?
fi
if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "qemu.sh: $arch $mode $purpose: timed out after ${timeout}s" | tee -a "$log" >&2
fi
exit $rc
