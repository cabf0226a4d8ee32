#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The MAINTAINERS entry of this repository and the one patches/ add to the
# kernel's MAINTAINERS must be the same, must be in the patched tree, and
# must list exactly the files the posted series adds to the kernel: all
# that this repository adds but its test harness, tools/testing/vcm/.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
added=$(grep -h '^+' "$top"/patches/*MAINTAINERS*.patch | grep -v '^+++' | sed 's/^+//')
[ "$added" = "$(cat "$top/MAINTAINERS")" ] || { echo "MAINTAINERS and its patch differ"; exit 1; }
head -n1 "$top/MAINTAINERS" | grep -qxF -f - "$top/build/linux/MAINTAINERS" ||
	{ echo "entry missing from build/linux/MAINTAINERS"; exit 1; }
# Every F: names something this repository adds, and everything it adds
# at a kernel path is under an F:.
cd "$top"
files=$(sed -n 's/^F:\t//p' MAINTAINERS)
bad=0
for f in $files; do
	[ -e "$f" ] || { echo "MAINTAINERS names $f, which does not exist"; bad=1; }
done
for f in $(git ls-files -co --exclude-standard -- Documentation drivers include kernel lib mm samples tools/testing ':!tools/testing/vcm'); do
	covered=0
	for m in $files; do
		case $f in
		"$m"|"${m%/}"/*) covered=1; break ;;
		esac
	done
	[ $covered = 1 ] || { echo "$f is in no F: entry of MAINTAINERS"; bad=1; }
done
[ $bad = 0 ] || exit 1
echo "MAINTAINERS entry present and identical; its $(echo "$files" | wc -w) F: entries cover every added file"
