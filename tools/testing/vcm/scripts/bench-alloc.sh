#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Print the "bench: alloc ..." lines of a guest console log: those that
# guest/bench.sh echoed at the start of a line or, if there are none, those
# the kernel logged ("[ time] vcm_iova_bench: bench: alloc ..."). The kernel
# logs each line too, so taking both would count every figure twice.
#
#   bench-alloc.sh LOG
# Exits 1 when the log has no such line.
log=${1:?usage: bench-alloc.sh LOG}
[ -r "$log" ] || { echo "bench-alloc.sh: cannot read $log" >&2; exit 1; }

lines=$(tr -d '\r' < "$log" | grep '^bench: alloc ')
if [ -z "$lines" ]; then
	lines=$(tr -d '\r' < "$log" |
		sed -n 's/^.*vcm_iova_bench: \(bench: alloc .*\)$/\1/p')
fi
if [ -z "$lines" ]; then
	echo "bench-alloc.sh: no bench: alloc lines in $log" >&2
	exit 1
fi
printf '%s\n' "$lines"
