#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The kselftest a guest ran (tools/testing/selftests/vcm/, guest test
# "kselftest"): take its TAP out of the boot log and parse it with
# KUnit's parser, as kunit.sh does. It must have run every test of its
# plan, skipped none and failed none. The fault points each fault
# injection sweep reached are printed.
#
#   kselftest.sh LOG TAP
set -uo pipefail
s=$(dirname "$0")
log=$1
tap=$2
tr -d '\r' < "$log" | sed -n 's/^\[[ 0-9.]*\]     kselftest: //p' > "$tap"
[ -s "$tap" ] || { echo "kselftest.sh: no kselftest output in $log"; exit 1; }
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n 1)
ran=$(grep -cE '^(not )?ok [0-9]+ ' "$tap")
if [ -z "$plan" ] || [ "$plan" != "$ran" ]; then
	echo "kselftest.sh: planned ${plan:-?} tests, ran $ran"
	exit 1
fi
grep 'fault points' "$tap" | sed 's/^# [^:]*:[0-9]*:/  /'
"$s/kunit.sh" "$tap"
