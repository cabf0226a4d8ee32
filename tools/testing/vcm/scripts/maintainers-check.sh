#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The MAINTAINERS entry of this repository and the one patches/ add to the
# kernel's MAINTAINERS must be the same, and must be in the patched tree.
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
added=$(grep -h '^+' "$top"/patches/*MAINTAINERS*.patch | grep -v '^+++' | sed 's/^+//')
[ "$added" = "$(cat "$top/MAINTAINERS")" ] || { echo "MAINTAINERS and its patch differ"; exit 1; }
head -n1 "$top/MAINTAINERS" | grep -qxF -f - "$top/build/linux/MAINTAINERS" ||
	{ echo "entry missing from build/linux/MAINTAINERS"; exit 1; }
echo "MAINTAINERS entry present and identical"
