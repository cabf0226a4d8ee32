#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Static checks on the project's own files (the overlay and patches/):
#
#   static.sh checkpatch        checkpatch.pl --strict on every C file and patch
#   static.sh kernel-doc        scripts/kernel-doc -none -Wall on kernel C files
#   static.sh sparse O=DIR      sparse (C=2) and W=1 on every project object
#                               and out-of-tree module
#   static.sh htmldocs O=DIR    make htmldocs of Documentation/driver-api/vcm
#                               alone, as the kernel builds it; no warning
set -uo pipefail

top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=$top/build/linux
cd "$top"
# Project C sources; tools/testing/vcm/include holds stubs that mirror
# kernel headers for the userspace harness.
csrc=$(git ls-files -co --exclude-standard -- '*.c' '*.h' |
	grep -v '^tools/testing/vcm/include/' || true)
ksrcs=$(echo "$csrc" | grep -E '^(drivers|include|kernel|lib|mm|samples)/' || true)

case $1 in
checkpatch)
	[ -n "$csrc" ] || { echo "no C files"; exit 1; }
	rc=0
	# Run inside the tree so that checkpatch knows it is a kernel tree.
	kfiles=$(echo "$csrc" | grep -v '^tools/' || true)
	ufiles=$(echo "$csrc" | grep '^tools/' || true)
	chk() { (cd "$ksrc" && perl scripts/checkpatch.pl --strict --terse --show-types "$@"); }
	[ -z "$kfiles" ] || chk -f $kfiles || rc=1
	# Userspace test programs: libFuzzer's entry point is CamelCase.
	[ -z "$ufiles" ] || chk --ignore CAMELCASE -f $ufiles || rc=1
	for p in patches/*.patch; do
		chk "$top/$p" || rc=1
	done
	echo "checkpatch --strict: $(echo "$csrc" | wc -w) files, $(ls patches/*.patch | wc -l) patches"
	exit $rc
	;;
kernel-doc)
	[ -n "$ksrcs" ] || { echo "no kernel C files yet"; exit 0; }
	out=$(cd "$ksrc" && perl scripts/kernel-doc -none -Wall $ksrcs 2>&1)
	[ -z "$out" ] || { echo "$out"; exit 1; }
	echo "kernel-doc -none -Wall: $(echo "$ksrcs" | wc -w) files clean"
	;;
sparse)
	out=$2
	objs=$(echo "$ksrcs" | grep '\.c$' | sed 's/\.c$/.o/' || true)
	[ -n "$objs" ] || { echo "no kernel objects yet"; exit 0; }
	log=$(make -s -C "$ksrc" O="$out" ARCH=x86_64 C=2 W=1 $objs 2>&1)
	rc=$?
	# The out-of-tree test and benchmark modules, the same way.
	mods=$(ls -d tools/testing/vcm/*/Kbuild | xargs -n1 dirname)
	mlog=$(MODFLAGS="C=2 W=1" "$top/tools/testing/vcm/scripts/modules.sh" \
		x86_64 "$ksrc" "$out" - - $mods 2>&1) || rc=1
	log=$(printf '%s\n%s' "$log" "$mlog")
	echo "$log"
	[ $rc = 0 ] || exit 1
	echo "$log" | grep -E 'warning:|error:' && exit 1
	echo "sparse + W=1: $(echo "$objs" | wc -w) objects and $(echo "$mods" | wc -w) modules clean"
	;;
htmldocs)
	out=$2
	log=$(make -s -C "$ksrc" O="$out" SPHINXDIRS=driver-api/vcm htmldocs 2>&1)
	rc=$?
	echo "$log" | grep -v '^$' | tail -n 40
	[ $rc = 0 ] || exit 1
	echo "$log" | grep -qE 'WARNING|ERROR|[Ww]arning:' && exit 1
	echo "htmldocs: Documentation/driver-api/vcm without a warning: $out/Documentation/output/driver-api/vcm/index.html"
	;;
esac
