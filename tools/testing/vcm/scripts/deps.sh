#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what the build and the tests need on Debian 12, only what is
# missing. Needs root (or sudo) for apt-get the first time.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../../.." && pwd)
deps=$top/build/deps

# The base kernel: pinned so that builds repeat.
KBASE_PKG=linux-source-6.12
KBASE_VER=6.12.117-1~deb12u1

pkgs="$KBASE_PKG build-essential bc bison flex cpio kmod libelf-dev libssl-dev
      python3 python3-ply python3-git perl rsync sparse qemu-system-x86 qemu-system-arm
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross busybox-static
      clang valgrind git xz-utils graphviz python3-sphinx"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done

updated=0
apt_update() {
	[ $updated = 1 ] && return
	$SUDO apt-get update -q >/dev/null
	updated=1
}

if [ -n "$missing" ]; then
	echo "  DEPS    installing:$missing"
	apt_update
	kpin=
	case " $missing " in
	*" $KBASE_PKG "*)
		if apt-cache show "$KBASE_PKG=$KBASE_VER" >/dev/null 2>&1; then
			kpin="$KBASE_PKG=$KBASE_VER"
		else
			echo "*** WARNING: $KBASE_PKG $KBASE_VER is gone from the archive;" >&2
			echo "*** WARNING: installing the newest, patches may not apply." >&2
		fi
		;;
	esac
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
		$missing $kpin >/dev/null
fi

have=$(dpkg-query -W -f='${Version}' "$KBASE_PKG")
if [ "$have" != "$KBASE_VER" ]; then
	echo "*** WARNING: $KBASE_PKG is $have, the project is pinned to $KBASE_VER" >&2
fi

# busybox-static for arm64 guests: unpacked, not installed.
if [ ! -x "$deps/busybox-arm64/bin/busybox" ]; then
	echo "  DEPS    busybox-static:arm64"
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		updated=0
	fi
	apt_update
	mkdir -p "$deps"
	rm -f "$deps"/busybox-static_*_arm64.deb
	(cd "$deps" && apt-get download -q busybox-static:arm64 >/dev/null)
	dpkg -x "$deps"/busybox-static_*_arm64.deb "$deps/busybox-arm64"
fi
exit 0
