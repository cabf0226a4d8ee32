#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare build/linux, the kernel tree everything is built from:
#
#  - the tag "pristine" is Debian's linux-source-6.12 exactly as shipped;
#  - the branch "patched" is pristine plus one commit per entry of
#    patches/series, applied with git am (re-created from pristine
#    whenever a patch or the series changes);
#  - the overlay (every file of this repository at a kernel path) is copied
#    over it, but only files whose content changed, so that an edited file
#    rebuilds incrementally.
#
# An overlay file that already exists in the base tree is an error: changes
# to existing kernel files belong in patches/.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../../.." && pwd)
ksrc=$top/build/linux
tarball=/usr/src/linux-source-6.12.tar.xz
# Top-level directories of this repository that mirror the kernel tree.
overlay_dirs="Documentation drivers include kernel lib mm samples tools/testing/selftests tools/testing/vcm"
g() { git -C "$ksrc" -c user.name=vcm -c user.email=vcm@localhost "$@"; }

if ! g rev-parse -q --verify pristine >/dev/null 2>&1; then
	echo "  EXTRACT $tarball"
	rm -rf "$ksrc" "$ksrc.tmp"
	mkdir -p "$ksrc.tmp"
	tar -xf "$tarball" -C "$ksrc.tmp"
	mv "$ksrc.tmp"/linux-source-6.12 "$ksrc"
	rmdir "$ksrc.tmp"
	g init -q
	# Debian's .gitignore ignores the whole top level: force.
	g add -f -A .
	g commit -q -m "Debian linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12)"
	g tag pristine
	g branch -q patched
fi

# Overlay files must be new to the kernel.
cd "$top"
overlay=$(git ls-files -co --exclude-standard -- $overlay_dirs | sort)
bad=0
for f in $overlay; do
	if g cat-file -e "pristine:$f" 2>/dev/null; then
		echo "tree.sh: $f exists in the base tree: change it with a patch in patches/" >&2
		bad=1
	fi
done
[ $bad = 0 ] || exit 1

# Patches: rebuild the patched branch from pristine when any of them changed.
series=$(grep -v '^\s*\(#\|$\)' patches/series 2>/dev/null || true)
phash=$( (echo "$series"; for p in $series; do cat "patches/$p"; done) | sha256sum | cut -d' ' -f1)
if [ "$(cat "$top/build/.patches-hash" 2>/dev/null)" != "$phash" ]; then
	echo "  PATCH   $(echo $series | wc -w) patches onto pristine"
	rm -f "$top/build/.patches-hash"
	g checkout -q -f -B patched pristine
	for p in $series; do
		# git format-patch files: each becomes a commit with its message.
		if ! g am -q --keep-non-patch "$top/patches/$p"; then
			g am --abort || true
			echo "tree.sh: patches/$p does not apply" >&2
			exit 1
		fi
	done
	echo "$phash" > "$top/build/.patches-hash"
fi

# Overlay: copy changed files, remove files that left the overlay.
old=$top/build/.overlay-files
touch "$old"
comm -23 "$old" <(echo "$overlay") | while read -r f; do
	[ -n "$f" ] && rm -f "$ksrc/$f"
done
for f in $overlay; do
	if ! cmp -s "$f" "$ksrc/$f"; then
		mkdir -p "$(dirname "$ksrc/$f")"
		cp "$f" "$ksrc/$f"
	fi
done
echo "$overlay" > "$old"
