#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of the IOVA allocator benchmark (tools/testing/vcm/iovabench): run
# the workloads through debugfs and print the results, one
# "bench: alloc <workload> <param> ours=... theirs=... unit=... ratio=..."
# line per figure, plus "# note: ..." lines.
#
#   bench.sh [param=value ...] [W1 ... W6] [M1]
#
# M1 loads tools/testing/vcm/migbench, which prints the cost of
# vcm_phys_migrate() as "bench: migrate ..." lines. No workload named:
# all of them and M1.
#
# A param=value argument first sets the op count or time bound
# /sys/module/vcm_iova_bench/parameters/param. The workloads default to all.
d=/sys/kernel/debug/vcm_iova_bench
p=/sys/module/vcm_iova_bench/parameters

[ -e "$d/run" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -e "$d/run" ] || insmod /vcm/vcm_iova_bench.ko
if [ ! -e "$d/run" ]; then
	echo "vcm_iova_bench: cannot load /vcm/vcm_iova_bench.ko"
	exit 1
fi

sel=
mig=
for a in "$@"; do
	case $a in
	M1)
		mig=1
		;;
	*=*)
		k=${a%%=*}
		if [ ! -w "$p/$k" ]; then
			echo "vcm_iova_bench: no parameter $k"
			exit 1
		fi
		echo "${a#*=}" > "$p/$k" || exit 1
		;;
	*)
		sel="$sel $a"
		;;
	esac
done
sel=${sel# }
[ -n "$sel$mig" ] || { sel=all; mig=1; }

rc=0
start=$(date +%s)
if [ -n "$sel" ]; then
	echo "vcm_iova_bench: running $sel, $(cat "$p/reps") runs per allocator"
	if ! echo "$sel" > "$d/run"; then
		echo "vcm_iova_bench: run failed"
		rc=1
	fi
	cat "$d/results"
	echo "vcm_iova_bench: took $(($(date +%s) - start)) s"
fi
# M1: the cost of vcm_phys_migrate(); loading the module runs it.
if [ -n "$mig" ]; then
	insmod /vcm/vcm_migrate_bench.ko || { echo "vcm_migrate_bench: failed"; rc=1; }
	dmesg | sed -n 's/^.*vcm_migrate_bench: \(bench: migrate .*\)$/\1/p'
fi
exit $rc
