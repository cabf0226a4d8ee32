#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Parse the KUnit TAP output in a boot log with the kernel's own parser and
# fail unless it parsed, ran at least one test, skipped none, and every
# suite passed.
# Suites named in KUNIT_SUITES must all be present.
#
#   kunit.sh LOG
set -uo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
log=$(realpath "$1")
out=$(python3 "$top/build/linux/tools/testing/kunit/kunit.py" parse "$log" 2>&1)
rc=$?
echo "$out" | grep -v '^\[..:..:..\] *$' | tail -n 30
[ $rc = 0 ] || exit 1
# Here-strings, not pipes: with pipefail, "grep -q" closing a pipe early
# would fail the writer with SIGPIPE and the check with it.
grep -Eq 'Ran [1-9][0-9]* tests' <<< "$out" || { echo "kunit.sh: no KUnit test ran"; exit 1; }
# The configs are ours: a skipped test is a test that did not run.
grep -Eq 'Ran .*skipped: [1-9]' <<< "$out" && { echo "kunit.sh: tests were skipped"; exit 1; }
clean=$(tr -d '\r' < "$log")
for suite in ${KUNIT_SUITES:-}; do
	grep -q "# Subtest: $suite\$" <<< "$clean" ||
		{ echo "kunit.sh: suite $suite missing"; exit 1; }
done
