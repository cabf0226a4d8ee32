#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fail when a guest serial log shows a kernel problem: WARN, BUG, Oops,
# KASAN/UBSAN/kmemleak reports, lockdep splats, DMA-API debug errors, DMAR
# faults or arm-smmu-v3 events, stalls, or a boot that never finished.
#
#   logcheck.sh LOG...
#
# A test that provokes a fault on purpose brackets it with
#   vcmtest: expect-begin REGEX
#   vcmtest: expect-end
# (the kselftest, tools/testing/selftests/vcm/, writes "vcm_edu_test:"
# instead of "vcmtest:") and the lines in between that match REGEX are
# allowed (every other pattern still counts there); the test itself
# checks that the fault came.
set -uo pipefail

patterns=(
	'WARNING:'
	'BUG:'
	'kernel BUG at'
	'Oops'
	'Kernel panic'
	'general protection fault'
	'Call Trace:'
	'KASAN'
	'UBSAN'
	'unreferenced object'
	'possible recursive locking'
	'inconsistent lock state'
	'circular locking dependency'
	'suspicious RCU usage'
	'DEBUG_LOCKS_WARN_ON'
	'lock held when returning'
	'INFO: lockdep is turned off'
	'DMA-API:'
	'DMAR: DRHD: handling fault'
	'DMAR: \[DMA (Read|Write)'
	'DMAR: .*[Ff]ault'
	'arm-smmu-v3.*event'
	'soft lockup'
	'hung_task|blocked for more than'
	'detected stalls? on CPU|self-detected stall'
	'timed out after'
)
# Informational lines that match a pattern above.
benign=(
	'DMA-API: preallocated [0-9]+ debug entries'
	'DMA-API: debugging enabled by kernel config'
)
re=$(IFS='|'; echo "${patterns[*]}")
ok=$(IFS='|'; echo "${benign[*]}")

fail=0
for log in "$@"; do
	if [ ! -s "$log" ]; then
		echo "logcheck: $log: missing or empty"
		fail=1
		continue
	fi
	bad=$(awk -v re="$re" -v ok="$ok" '
		/(vcmtest|vcm_edu_test): expect-begin / {
			allow = $0
			sub(/.*(vcmtest|vcm_edu_test): expect-begin /, "", allow)
			next
		}
		/(vcmtest|vcm_edu_test): expect-end/ { allow = ""; next }
		$0 ~ re && $0 !~ ok {
			if (allow != "" && $0 ~ allow)
				next
			print FILENAME ":" FNR ": " $0
		}' "$log" | head -n 20)
	if [ -n "$bad" ]; then
		echo "logcheck: $log: kernel problem reported:"
		echo "$bad"
		fail=1
	fi
	if ! grep -q 'vcmtest: done' "$log"; then
		echo "logcheck: $log: the guest never finished (crash, hang or timeout)"
		fail=1
	fi
done
exit $fail
