#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every test of the project, counted. The last line is
# "N passed, N failed"; the exit status is non-zero if anything failed.
#
# Environment:
#   ARCHES="x86_64 arm64"   guests to build and boot; arm64-64k is the
#                           arm64 guest with a 64 KiB-page kernel
#   MODES="strict lazy"     IOMMU modes to boot each guest in
#   ONLY=static|user|guest  run only one group of tests
set -uo pipefail

top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"
s=tools/testing/vcm/scripts
b=build
ARCHES=${ARCHES:-x86_64 arm64}
MODES=${MODES:-strict lazy}
ONLY=${ONLY:-}
res=$b/results.txt
mkdir -p $b/logs
: > $res

# Each result line says how long make check had run by then.
start=$SECONDS
at() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }
pass() { echo "PASS: $* ($(at))"; echo "PASS $*" >> $res; }
fail() { echo "FAIL: $* ($(at))"; echo "FAIL $*" >> $res; }
# result NAME CMD...: run CMD, log its output, count it.
result() {
	local name=$1 out=$b/logs/$1.out
	shift
	if "$@" > "$out" 2>&1; then
		pass "$name"
	else
		sed 's/^/    /' "$out" | tail -n 40
		fail "$name"
		return 1
	fi
}
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# bg NAME CMD...: start CMD at idle priority; bg_result NAME waits for it
# and counts it. The x86_64 boots leave about half of the CPU time idle,
# which the arm64 kernel and the series' builds take; the boots keep
# priority.
declare -A bg_pid=()
bg() {
	local name=$1
	shift
	(exec chrt -i 0 "$@" > "$b/logs/$name.bg" 2>&1) &
	bg_pid[$name]=$!
}
bg_wait() {
	local st=0
	wait "${bg_pid[$1]}" || st=$?
	cat "$b/logs/$1.bg"
	return $st
}
bg_result() {
	result "$1" bg_wait "$1"
	local st=$?
	unset "bg_pid[$1]"
	return $st
}

summary() {
	local p f
	p=$(grep -c '^PASS' $res)
	f=$(grep -c '^FAIL' $res)
	echo
	grep '^FAIL' $res | sed 's/^FAIL /failed: /'
	echo "make check took $(at)"
	echo "$p passed, $f failed"
	[ "$f" = 0 ] && [ "$p" -gt 0 ]
}

if ! $s/deps.sh; then
	fail deps
	summary
	exit 1
fi
result tree-overlay-is-new $s/tree.sh
result maintainers-entry $s/maintainers-check.sh

if want static; then
	result logcheck-selftest $s/logcheck-selftest.sh
	result checkpatch $s/static.sh checkpatch
	result kernel-doc $s/static.sh kernel-doc
	result htmldocs $s/static.sh htmldocs "$top/$b/docs"
fi

if want user && [ -f tools/testing/vcm/Makefile ]; then
	result userspace-differential make -s -C tools/testing/vcm KSRC="$top/$b/linux" test
	result userspace-fuzz make -s -C tools/testing/vcm KSRC="$top/$b/linux" fuzz
fi

for guest in $ARCHES; do
	{ want guest || want static; } || continue
	# A guest is an arch, or an arch and a variant of its kernel.
	arch=${guest%-64k}
	frags=
	[ "$arch" = x86_64 ] && frags=tools/testing/vcm/configs/debug.config
	[ "$guest" = arm64-64k ] && frags=tools/testing/vcm/configs/arm64-64k.config
	if [ -n "${bg_pid[kernel-$guest]:-}" ]; then
		bg_result "kernel-$guest" || continue
	elif ! FRAGMENTS=$frags result "kernel-$guest" $s/kernel.sh "$arch" "$top/$b/$guest"; then
		continue
	fi
	if [ "$arch" = x86_64 ]; then
		want static && result sparse-w1 $s/static.sh sparse "$top/$b/$arch"
		# The posted series (series/manifest), patch by patch.
		want static && bg series-bisect $s/series-bisect.sh "$top/$b/$arch"
		[[ " $ARCHES " = *" x86_64 "*" arm64 "* ]] &&
			bg kernel-arm64 env FRAGMENTS= $s/kernel.sh arm64 "$top/$b/arm64"
	fi
	want guest || continue
	result "initramfs-$arch" $s/initramfs.sh "$arch" "$b/initramfs-$arch.cpio.gz" || continue
	initrd=$b/initrd-$guest.cpio.gz
	result "modules-$guest" $s/modules.sh "$arch" "$top/$b/linux" "$top/$b/$guest" \
		"$b/initramfs-$arch.cpio.gz" "$initrd" tools/testing/vcm/dmatest \
		tools/testing/vcm/iovabench tools/testing/vcm/migbench || continue
	image=$b/$guest/arch/x86/boot/bzImage
	[ "$arch" = arm64 ] && image=$b/$guest/arch/arm64/boot/Image
	for mode in $MODES; do
		log=$b/logs/$guest-$mode-check.log
		tag=$guest-$mode
		$s/qemu.sh "$arch" "$mode" check "$image" "$initrd" "$log"
		echo "  qemu exit status $?"
		# Guest tests, against the plan the guest announced.
		plan=$(sed -n 's/.*vcmtest: plan \([0-9]*\).*/\1/p' "$log" | head -n1)
		ran=0
		while read -r st name; do
			ran=$((ran + 1))
			if [ "$st" = ok ]; then
				pass "$tag:$name"
			else
				# What the test printed, for a log that is not kept.
				grep -F "    $name: " "$log" | tail -n 40 | grep . ||
					echo "    ($name printed nothing in $log)"
				fail "$tag:$name"
			fi
		done < <(sed -n 's/.*vcmtest: \(ok\|not ok\) \([^ ]*\).*/\1 \2/p' "$log" | sed 's/^not ok/not_ok/')
		if [ -n "$plan" ] && [ "$ran" = "$plan" ]; then
			pass "$tag:plan-complete"
		else
			echo "    planned ${plan:-?} guest tests, ran $ran"
			fail "$tag:plan-complete"
		fi
		# KUnit runs in the strict boot only: its tests make their own
		# domains and do not depend on the boot's IOMMU mode.
		[ "$mode" = strict ] &&
			KUNIT_SUITES="vcm_iova vcm vcm_dma vcm_dma_iommu" result "$tag:kunit" $s/kunit.sh "$log"
		result "$tag:kselftest-tap" $s/kselftest.sh "$log" "$b/logs/$tag-kselftest.tap"
		result "$tag:graph-dot-renders" $s/graph-dot.sh "$log" "$b/logs/$tag-graph"
		result "$tag:log-clean" $s/logcheck.sh "$log"
	done
done

[ -n "${bg_pid[series-bisect]:-}" ] && bg_result series-bisect
summary
