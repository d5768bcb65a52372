#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fetch and unpack a Debian kernel source tree for the tests that read real
# Kconfig trees.
#
#   tests/kernel-source.sh 6.1|6.12|SERIES
#
# Downloads the package linux-source-SERIES (the version apt-cache offers
# now, never a fixed one) with `apt-get download` into the cache directory
# (tests/lib.sh's vk_cache), unpacks its linux-source-SERIES.tar.xz once
# and prints the path of the unpacked tree (the directory holding Kconfig,
# Makefile, arch/, ...).  Re-runs only ask apt-cache which version is
# current; when apt-cache does not know the package, the newest tree
# already unpacked is used.  Progress and errors go to stderr.
#
# The tree is shared by every test that asks for it: treat it as read-only
# and build out of it (make O=DIR ...), or `make` in it will refuse O= later
# ("The source tree is not clean").
#
# Exit status: 0 with the path on stdout; 1 when it failed; 2 on misuse;
# 77 when it cannot be done here at all (no apt-get and nothing cached):
# callers print SKIP with the message for that one.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

die() {
	printf 'kernel-source.sh: %s\n' "$*" >&2
	exit 1
}
cannot() {
	printf 'kernel-source.sh: %s\n' "$*" >&2
	exit 77
}
say() { printf 'kernel-source.sh: %s\n' "$*" >&2; }

# package_version PKG: the candidate version apt would download.
package_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# newest_cached CACHE PKG: the most recently unpacked tree of PKG.
newest_cached() {
	local d
	d=$(find "$1" -mindepth 1 -maxdepth 1 -type d -name "$2_*" ! -name '*.tmp.*' \
		-printf '%T@ %f\n' 2>/dev/null | sort -rn | head -n 1)
	[ -n "$d" ] && printf '%s\n' "${d#* }"
}

# unpack DEB DEST: the source tarball inside DEB, unpacked into DEST
# atomically (DEST/<top directory of the tarball>).
unpack() {
	local tmp="$2.tmp.$$" tarball
	rm -rf "$tmp"
	mkdir -p "$tmp/deb" "$tmp/tree" || die "cannot create $tmp"
	say "unpacking $(basename "$1")"
	dpkg-deb -x "$1" "$tmp/deb" || {
		rm -rf "$tmp"
		die "dpkg-deb -x $1 failed"
	}
	tarball=$(find "$tmp/deb/usr/src" -maxdepth 1 -name 'linux-source-*.tar.xz' | head -n 1)
	[ -n "$tarball" ] || {
		rm -rf "$tmp"
		die "$(basename "$1") holds no usr/src/linux-source-*.tar.xz"
	}
	tar -xJf "$tarball" -C "$tmp/tree" || {
		rm -rf "$tmp"
		die "tar -xJf $(basename "$tarball") failed"
	}
	rm -rf "$tmp/deb"
	mv "$tmp/tree" "$2" || die "cannot move $tmp/tree to $2"
	rm -rf "$tmp"
}

# tree DIR: the kernel tree inside an unpacked package directory.
tree() {
	local t
	for t in "$1"/*/; do
		t=${t%/}
		if [ -f "$t/Kconfig" ] && [ -d "$t/arch" ]; then
			printf '%s\n' "$t"
			return 0
		fi
	done
	return 1
}

main() {
	local series=${1:-} pkg cache ver name deb opts=()
	case $series in
	[0-9]*.[0-9]*) ;;
	*)
		echo "usage: $0 6.1|6.12|SERIES" >&2
		exit 2
		;;
	esac
	pkg=linux-source-$series
	cache="$(vk_cache)/kernel-source"
	mkdir -p "$cache" || die "no cache directory"
	# One fetch at a time per cache: tests may run side by side.
	if command -v flock >/dev/null; then
		exec 9>"$cache/.lock" || die "cannot open $cache/.lock"
		flock 9 || die "cannot lock $cache/.lock"
	fi
	ver=
	command -v apt-cache >/dev/null && ver=$(package_version "$pkg")
	if [ -z "$ver" ]; then
		name=$(newest_cached "$cache" "$pkg") || {
			command -v apt-get >/dev/null ||
				cannot "no apt-get here to download $pkg, and no tree of it is cached"
			die "apt-cache does not know $pkg (run apt-get update) and nothing is cached"
		}
		say "apt-cache does not know $pkg; using cached $name"
	else
		name="${pkg}_${ver}"
		if [ ! -d "$cache/$name" ]; then
			if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
				cannot "no apt-get/dpkg-deb here to download $pkg"
			fi
			mkdir -p "$cache/dl.$name" || die "cannot create $cache/dl.$name"
			deb=$(find "$cache/dl.$name" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
			if [ -z "$deb" ]; then
				[ "$(id -u)" = 0 ] && opts=(-o APT::Sandbox::User=root)
				say "downloading $pkg $ver"
				(cd "$cache/dl.$name" && apt-get -q "${opts[@]}" download "$pkg=$ver" >&2) ||
					die "apt-get download $pkg=$ver failed (offline? run apt-get update?)"
				deb=$(find "$cache/dl.$name" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
				[ -n "$deb" ] || die "apt-get download left no .deb for $pkg"
			fi
			unpack "$deb" "$cache/$name"
			rm -rf "$cache/dl.$name"
		fi
	fi
	tree "$cache/$name" || die "$cache/$name holds no kernel tree"
}

main "$@"
