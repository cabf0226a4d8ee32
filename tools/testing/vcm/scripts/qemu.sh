#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot a guest under TCG with its emulated IOMMU and the test devices.
#
#   qemu.sh <arch> <strict|lazy> <check|run|bench> <kernel> <initramfs> <log>
#
# Devices: nvme, virtio-blk-pci (iommu_platform=on), two e1000e joined by a
# QEMU hub (no user or tap networking), and a PCI bridge with QEMU's edu
# device and a second e1000e behind it, so that those two share one IOMMU
# group. The serial console goes to <log> (and to the terminal for "run").
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
cmdline="$cmdline loglevel=6"
case $arch in
x86_64)
	qemu=qemu-system-x86_64
	machine=(-machine q35,kernel-irqchip=split -cpu max
		 -device intel-iommu,intremap=on)
	cmdline="console=ttyS0 intel_iommu=on $cmdline"
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
	-device pci-bridge,id=br0,chassis_nr=1
	-device edu,bus=br0,addr=1
	-netdev hubport,id=hp1,hubid=0
	-device e1000e,netdev=hp1,mac=52:54:00:12:34:02,bus=br0,addr=2
)

args=(-accel tcg -nodefaults -no-reboot -display none -m 2G -smp "$smp"
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
