#!/bin/bash
# Fetch and unpack the current Debian kernel image for the real-boot tests.
#
#   tests/vm/kernel.sh [META-PACKAGE]     (default: linux-image-amd64, i.e. 6.1)
#
# The meta package names the current image package (linux-image-6.1.0-NN-amd64);
# exactly that one .deb is downloaded into the cache and unpacked once.
# Its modules are indexed with depmod -b.  Re-runs only ask apt-cache which
# package is current.  Prints, one per line:
#   KVER=6.1.0-NN-amd64
#   VMLINUZ=<cache>/kernel/<pkg>_<version>/boot/vmlinuz-<kver>
#   MODROOT=<cache>/kernel/<pkg>_<version>        (has lib/modules/<kver>)
# Progress and errors go to stderr.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

die() { printf 'kernel.sh: %s\n' "$*" >&2; exit 1; }
say() { printf 'kernel.sh: %s\n' "$*" >&2; }

# image_package META: the linux-image-* package META depends on right now.
image_package() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1
}

# package_version PKG: the candidate version apt would download.
package_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1
}

# download PKG DIR: apt-get download exactly PKG into DIR (writable by _apt
# or not: as root the sandbox user is switched off).
download() {
	local opts=()
	[ "$(id -u)" = 0 ] && opts=(-o APT::Sandbox::User=root)
	say "downloading $1"
	(cd "$2" && apt-get -q "${opts[@]}" download "$1" >&2) ||
		die "apt-get download $1 failed (run apt-get update?)"
}

# index_modules ROOT: the package ships no modules.dep; build the indexes.
index_modules() {
	local kver
	kver=$(first "$1"/lib/modules/*) || return 1
	depmod -b "$1" "${kver##*/}"
}

# unpack DEB DEST: extract the package's files into DEST atomically.
unpack() {
	local tmp="$2.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp" || die "cannot create $tmp"
	say "unpacking $(basename "$1")"
	dpkg-deb -x "$1" "$tmp" || { rm -rf "$tmp"; die "dpkg-deb -x $1 failed"; }
	index_modules "$tmp" || { rm -rf "$tmp"; die "depmod -b $tmp failed"; }
	mv "$tmp" "$2" || die "cannot move $tmp to $2"
}

# first PATH...: print PATH if it exists (pass a glob: its first match).
first() {
	[ -e "$1" ] && printf '%s\n' "$1"
}

# newest_cached DIR: the most recently unpacked kernel (offline fallback).
newest_cached() {
	local d
	d=$(find "$1" -mindepth 1 -maxdepth 1 -type d -name 'linux-image-*_*' \
		-printf '%T@ %f\n' | sort -rn | head -n 1)
	[ -n "$d" ] && printf '%s\n' "${d#* }"
}

# fetch META CACHE: print the directory name (pkg_version) of the unpacked image.
fetch() {
	local pkg ver name deb
	pkg=$(image_package "$1")
	ver=${pkg:+$(package_version "$pkg")}
	if [ -z "$pkg" ] || [ -z "$ver" ]; then
		name=$(newest_cached "$2") ||
			die "apt-cache does not know $1 (run apt-get update) and nothing is cached"
		say "apt-cache does not know $1; using cached $name"
		printf '%s\n' "$name"
		return
	fi
	name="${pkg}_${ver}"
	if [ ! -d "$2/$name" ]; then
		mkdir -p "$2/dl.$name" || die "cannot create $2/dl.$name"
		deb=$(first "$2/dl.$name/${pkg}"_*.deb) ||
			download "$pkg" "$2/dl.$name"
		deb=$(first "$2/dl.$name/${pkg}"_*.deb) ||
			die "apt-get download left no .deb for $pkg"
		unpack "$deb" "$2/$name"
		rm -rf "$2/dl.$name"
	fi
	printf '%s\n' "$name"
}

main() {
	local meta="${1:-linux-image-amd64}" cache name root kver
	cache="$(vk_cache)/kernel"
	mkdir -p "$cache" || die "no cache directory"
	name=$(fetch "$meta" "$cache") || exit 1
	root="$cache/$name"
	kver=$(first "$root"/lib/modules/*) ||
		die "$root holds no lib/modules; remove it and retry"
	kver=${kver##*/}
	[ -f "$root/boot/vmlinuz-$kver" ] ||
		die "$root holds no vmlinuz-$kver; remove it and retry"
	printf 'KVER=%s\nVMLINUZ=%s\nMODROOT=%s\n' "$kver" "$root/boot/vmlinuz-$kver" "$root"
}

main "$@"
