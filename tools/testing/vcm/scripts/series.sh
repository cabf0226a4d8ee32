#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make series: the project as a git format-patch series against the base,
# in build/series/: the commits of patches/series, then the new files.
# The work tree of build/linux is not touched (a temporary index is used).
set -euo pipefail
top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=$top/build/linux
out=$top/build/series
g() { git -C "$ksrc" -c user.name=vcm -c user.email=vcm@localhost "$@"; }
export GIT_INDEX_FILE=$top/build/.series-index
rm -f "$GIT_INDEX_FILE"
g read-tree patched
# tree.sh copied the overlay in; its list is build/.overlay-files.
xargs -a "$top/build/.overlay-files" git -C "$ksrc" add -f --
tree=$(g write-tree)
head=$(g commit-tree "$tree" -p patched -m "vcm: add the VCM IOVA layer, its tests and harness")
rm -rf "$out" "$GIT_INDEX_FILE"
g format-patch -q -o "$out" "pristine..$head"
ls "$out"
