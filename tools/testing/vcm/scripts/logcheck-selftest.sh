#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prove that logcheck.sh can fail: a clean boot log passes; the same log
# with any one kernel report from testdata/logcheck-bad-lines.txt fails; a
# log without the guest's "vcmtest: done" fails; a fault inside an
# expect-begin/expect-end bracket that names it passes, and one that the
# bracket does not name still fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lc=$here/logcheck.sh
good=$data/logcheck-good.log
rc=0

$lc "$good" > /dev/null || { echo "clean log flagged:"; $lc "$good"; rc=1; }
n=0
while IFS= read -r line; do
	case $line in "#"*|"") continue ;; esac
	n=$((n + 1))
	{ head -n 20 "$good"; echo "$line"; tail -n +21 "$good"; } > "$tmp/bad.log"
	if $lc "$tmp/bad.log" > /dev/null; then
		echo "not flagged: $line"
		rc=1
	fi
done < "$data/logcheck-bad-lines.txt"

grep -v '^vcmtest: done' "$good" > "$tmp/unfinished.log"
$lc "$tmp/unfinished.log" > /dev/null && { echo "unfinished boot not flagged"; rc=1; }

dmar='[    7.300012] DMAR: DRHD: handling fault status reg 2'
{ cat "$good"; echo "vcmtest: expect-begin DMAR: DRHD"; echo "$dmar"; echo "vcmtest: expect-end"; } > "$tmp/expected.log"
$lc "$tmp/expected.log" > /dev/null || { echo "expected fault flagged"; rc=1; }
{ cat "$good"; echo "vcmtest: expect-begin arm-smmu-v3"; echo "$dmar"; echo "vcmtest: expect-end"; } > "$tmp/unexpected.log"
$lc "$tmp/unexpected.log" > /dev/null && { echo "fault outside its bracket not flagged"; rc=1; }
# The kselftest's brackets work the same way.
{ cat "$good"; echo "vcm_edu_test: expect-begin DMAR: DRHD"; echo "$dmar"; echo "vcm_edu_test: expect-end"; } > "$tmp/kst.log"
$lc "$tmp/kst.log" > /dev/null || { echo "fault the kselftest expects flagged"; rc=1; }
{ cat "$good"; echo "vcm_edu_test: expect-begin DMAR: DRHD"; echo "vcm_edu_test: expect-end"; echo "$dmar"; } > "$tmp/kst-after.log"
$lc "$tmp/kst-after.log" > /dev/null && { echo "fault after the kselftest's bracket not flagged"; rc=1; }

echo "logcheck self-test: $n bad lines, unfinished and bracketed cases checked"
exit $rc
