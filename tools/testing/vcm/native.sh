#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Wall time per call on this machine, natively, of W3's churn and of a
# lookup alone in the same tree (F3), ours against drivers/iommu/iova.c:
# the median of three runs, each on a tree built afresh. A figure, not a
# test: it shows how the cost of a call grows with the live count once the
# tree outgrows the caches, and how much of that any lookup pays.
# Usage: native.sh <dir with bench-ours and bench-theirs>
set -e
dir=$1

# Median ns per call of "$1 $2 $3" over three runs. iova.c's churn walks
# its tree: at 100K live and more it runs a tenth of the iterations.
ns() {
	churn=20000
	[ "$1$2" = bench-theirsW3 ] && [ "$3" -ge 100000 ] && churn=2000
	for i in 1 2 3; do
		BENCH_NS=1 BENCH_CHURN=$churn "$dir/$1" "$2" "$3" 2>&1 >/dev/null
	done | sort -n | sed -n 2p
}

growth=
for level in 1000:1K 10000:10K 100000:100K 1000000:1M; do
	n=${level%:*}
	p=${level#*:}
	for w in W3 F3; do
		ours=$(ns bench-ours $w "$n")
		theirs=$(ns bench-theirs $w "$n")
		name=W3-native
		[ $w = F3 ] && name=W3-find-native
		echo "$ours $theirs" | awk -v w=$name -v p="$p" '{
			printf "bench: alloc %s %s ours=%s theirs=%s unit=ns/op ratio=%.3f\n",
				w, p, $1, $2, $1 / $2 }'
		growth="$growth $ours $theirs"
	done
done
# Fields: W3 and F3, ours and theirs, for 1K, 10K, 100K and 1M.
echo "$growth" | awk '{
	printf "# note: native cost per call from 1K to 1M live: churn x%.2f (ours) x%.2f (iova.c), lookup alone x%.2f (ours) x%.2f (iova.c)\n",
		$13 / $1, $14 / $2, $15 / $3, $16 / $4 }'
