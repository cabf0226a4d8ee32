#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Instructions per operation of our allocator and of drivers/iommu/iova.c,
# counted by callgrind inside bench_measure() only.
# Usage: callgrind.sh <dir with bench-ours and bench-theirs>
set -e
dir=$1

count() {
	out=$(mktemp)
	ops=$(valgrind --tool=callgrind --collect-atstart=no \
		--toggle-collect=bench_measure --callgrind-out-file="$out" \
		"$dir/$1" "$2" "$3" 2>/dev/null)
	ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$out")
	rm -f "$out"
	echo "$ir $ops" | awk '{ printf "%.1f", $1 / $2 }'
}

run() {
	ours=$(count bench-ours "$1" "$2")
	theirs=$(count bench-theirs "$1" "$2")
	echo "$ours $theirs" | awk -v w="$1" -v p="$3" '{
		printf "bench: alloc %s %s ours=%s theirs=%s unit=instr/op ratio=%.2f\n",
			w, p, $1, $2, $1 / $2 }'
}

run W1 4096 4K
run W1 65536 64K
run W1 1048576 1M
run W1 4194304 4M
run L1 65536 64K
run L1 1048576 1M
run L1 4194304 4M
run W3 1000 1K
run W3 10000 10K
run W3 100000 100K
run W3 1000000 1M
