#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The posted series, one patch at a time: series.py builds it from
# series/manifest as the branch "series" of build/linux (and checks that
# its last tree is the tree under test); then each patch, in order, is
# checked out in a work tree of its own and
#
#  - passes checkpatch --strict;
#  - builds for x86_64 with the test configuration (less the debug
#    options, plus CONFIG_VCM=y so that the graph builds before its
#    users), restricted to the project's options that exist at that step:
#    the directories the series touches, incrementally;
#  - links: every symbol the objects of those directories use is defined
#    by them or by the rest of the kernel (the System.map of the x86_64
#    test kernel, less what those directories define there).
#
# The last step is the tree under test, which make check builds whole for
# both arches; arm64 is not built at the other steps. A series that passed
# is not checked again until it, the scripts or the configuration change.
#
#   series-bisect.sh <built x86_64 test kernel dir>
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
s=$top/tools/testing/vcm/scripts
ksrc=$top/build/linux
main=$1
wt=$top/build/bisect/src
out=$top/build/bisect/x86_64
dirs="drivers/iommu/ kernel/dma/ samples/"
# Archives of what the series builds in $dirs, for the link check.
archives="drivers/iommu/built-in.a kernel/dma/built-in.a samples/built-in.a"
g() { git -C "$ksrc" "$@"; }

mkdir -p "$top/build/bisect"
python3 "$s/series.py"
# The commits are made with fixed dates, so the same series has the same
# head: one that passed with the same scripts and configuration is not
# checked again.
cfg=$top/tools/testing/vcm/configs
stamp=$( (g rev-parse series; cat "$0" "$s/kernel.sh" "$cfg/common.config" \
	"$cfg/x86_64.config" "$cfg/bisect.config") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$top/build/bisect/passed" 2>/dev/null)" = "$stamp" ]; then
	echo "  series $(g rev-parse --short series) passed before: not checked again"
	exit 0
fi
rm -f "$top/build/bisect/passed"
# A work tree of build/linux; made again if build/linux was.
if ! git -C "$wt" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$wt"
	g worktree prune
	g worktree add -q -f --detach "$wt" pristine
fi

# Symbols of the kernel outside $dirs.
defined() { nm -g --defined-only "$@" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u; }
base=$top/build/bisect/base-symbols
(cd "$main" && comm -23 <(awk '{ print $3 }' System.map | sort -u) <(defined $archives)) > "$base"

commits=$(g rev-list --reverse pristine..series)
# checkpatch --strict on each patch, in the background while the steps
# build: perl on one core, the builds mostly waiting on headers.
# FILE_PATH_CHANGES asks whether MAINTAINERS needs updating for each new
# file: its entry is the last patch, and maintainers-check.sh checks that
# it covers every posted file.
(
	n=0
	rc=0
	for c in $commits; do
		n=$((n + 1))
		g format-patch -q --stdout -1 "$c" > "$top/build/bisect/$n.patch"
		if ! (cd "$ksrc" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl \
			--strict --terse --no-summary --ignore FILE_PATH_CHANGES \
			"$top/build/bisect/$n.patch"); then
			echo "      checkpatch --strict: patch $n ($(g log -1 --format=%s "$c")) is not clean"
			rc=1
		fi
	done
	exit $rc
) > "$top/build/bisect/checkpatch.out" 2>&1 &
cpid=$!
n=0
fail=0
for c in $commits; do
	n=$((n + 1))
	t0=$SECONDS
	subj=$(g log -1 --format=%s "$c")
	git -C "$wt" checkout -q --detach "$c"
	# Each step's overlay Kconfig files decide which options exist.
	if ! KSRC=$wt VCM_PRISTINE=1 NO_IMAGE=1 \
		FRAGMENTS="$top/tools/testing/vcm/configs/bisect.config" \
		"$s/kernel.sh" x86_64 "$out" $dirs > "$top/build/bisect/$n.log" 2>&1; then
		sed 's/^/      /' "$top/build/bisect/$n.log" | tail -n 30
		echo "  [$n] $subj: does not build"
		fail=1
		continue
	fi
	undef=$(cd "$out" && comm -23 \
		<(nm -u $archives 2>/dev/null | awk '{ print $2 }' | sort -u) \
		<(sort -u "$base" <(defined $archives)))
	echo "  [$n] $subj ($((SECONDS - t0)) s)"
	if [ -n "$undef" ]; then
		echo "      undefined at link:" $undef
		fail=1
	fi
done
wait $cpid || fail=1
cat "$top/build/bisect/checkpatch.out"
echo "  $n patches built, and checked by checkpatch --strict, in $SECONDS s"
[ $fail = 0 ] && echo "$stamp" > "$top/build/bisect/passed"
exit $fail
