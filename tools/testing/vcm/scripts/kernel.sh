#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Configure and build one guest kernel out of tree (O=).
#
#   kernel.sh <arch> <outdir> [extra make args...]
#
# The configuration is allnoconfig plus the fragments listed below. It is
# regenerated only when a fragment changes, so that an edited overlay file
# rebuilds incrementally. Every option a fragment asks for is checked in the
# final .config: a request Kconfig silently dropped is an error.
#
# KSRC=<tree> builds another source tree (make bench builds the pristine
# base, make check each step of the posted series); VCM_PRISTINE=1 then
# drops the project's options (CONFIG_VCM*, DMA_WINDOW, SAMPLE_VCM*) that
# the tree's Kconfig files do not define. Make arguments replace the
# default target; NO_IMAGE=1 says they do not build the boot image.
set -euo pipefail

arch=$1
out=$2
shift 2

top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=${KSRC:-$top/build/linux}
cfgdir=$top/tools/testing/vcm/configs
jobs=${JOBS:-$(nproc)}

case $arch in
x86_64)
	karch=x86_64
	cross=
	image=arch/x86/boot/bzImage
	frags="$cfgdir/common.config $cfgdir/x86_64.config"
	;;
arm64)
	karch=arm64
	cross=aarch64-linux-gnu-
	image=arch/arm64/boot/Image
	frags="$cfgdir/common.config $cfgdir/arm64.config"
	;;
*)
	echo "kernel.sh: unknown arch $arch" >&2
	exit 2
	;;
esac
# Extra fragments (the debug options of the test kernel, VCM options).
frags="$frags ${FRAGMENTS:-}"

mkdir -p "$out"
kmake() {
	make -s -C "$ksrc" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" "$@"
}

fragtext() {
	if [ "${VCM_PRISTINE:-0}" = 1 ]; then
		local known
		known=$(cat "$ksrc"/drivers/iommu/vcm/Kconfig "$ksrc"/kernel/dma/Kconfig \
			"$ksrc"/samples/vcm/Kconfig 2>/dev/null |
			sed -n 's/^config \(VCM.*\|DMA_WINDOW\|SAMPLE_VCM.*\)$/CONFIG_\1/p' || true)
		cat $frags | while IFS= read -r line; do
			opt=${line%%=*}
			case $opt in
			CONFIG_VCM*|CONFIG_DMA_WINDOW|CONFIG_SAMPLE_VCM*)
				grep -qx "$opt" <<< "$known" || continue ;;
			esac
			echo "$line"
		done
	else
		cat $frags
	fi
}

hash=$( (fragtext; echo "$ksrc") | sha256sum | cut -d' ' -f1)
if [ ! -f "$out/.config" ] || [ "$(cat "$out/.vcm-config-hash" 2>/dev/null)" != "$hash" ]; then
	echo "  CONFIG  $out"
	fragtext > "$out/.vcm-fragments"
	kmake KCONFIG_ALLCONFIG="$out/.vcm-fragments" allnoconfig 2>&1 >/dev/null |
		grep -v "warning: override: reassigning to symbol" >&2 || true
	# Later fragments override earlier ones: check the last word on each.
	bad=0
	while read -r opt val; do
		case $val in
		n) grep -qx "# $opt is not set" "$out/.config" ||
			! grep -q "^$opt=" "$out/.config" || { echo "kernel.sh: $opt=n not honoured" >&2; bad=1; } ;;
		*) grep -qx "$opt=$val" "$out/.config" ||
			{ echo "kernel.sh: $opt=$val requested, .config has: $(grep "^$opt=\|# $opt is" "$out/.config" || echo nothing)" >&2; bad=1; } ;;
		esac
	done < <(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=\(.*\)$/\1 \2/p' "$out/.vcm-fragments" | tac | awk '!seen[$1]++')
	[ $bad = 0 ] || { mv "$out/.config" "$out/.config.rejected"; exit 1; }
	echo "$hash" > "$out/.vcm-config-hash"
fi

echo "  BUILD   $out ($arch)"
kmake -j"$jobs" "$@"
[ "${NO_IMAGE:-0}" = 1 ] || ls -l "$out/$image" >/dev/null
