#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: benchmarks that print figures, one line each:
#   bench: <suite> <workload> <param> ours=<v> theirs=<v> unit=<u> ratio=<ours/theirs>
set -uo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
cd "$top"
"$top/tools/testing/vcm/scripts/tree.sh" || exit 1
ran=0
if [ -f tools/testing/vcm/Makefile ]; then
	make -s -C tools/testing/vcm KSRC="$top/build/linux" callgrind || exit 1
	ran=1
fi
[ $ran = 1 ] || { echo "bench: nothing to measure yet"; exit 1; }
