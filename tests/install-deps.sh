#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install what vfiokit needs to build, test or run its demo, through the
# distribution's package manager, and say what is installed.
#
#   tests/install-deps.sh build|test|demo
#
# Debian and Ubuntu use apt-get, Gentoo uses emerge. Nothing happens when
# everything is already there.
set -eu

what=${1:-test}

# Debian package names, one list per purpose; each includes the one before.
deb_build="gcc make pkg-config libkmod-dev libpci-dev libblkid-dev libconfig-dev zlib1g-dev libarchive-dev libxml2-dev libvirt-dev"
deb_test="$deb_build git python3 seabios dracut-core lz4 xz-utils pci.ids pciutils groff-base clang-format libcmocka-dev qemu-system-x86 busybox-static kmod cpio gzip zstd jq time flex bison bc clang libclang-rt-dev dash strace ovmf grub-efi-amd64-bin grub-common grub2-common mtools dosfstools fdisk e2fsprogs bash-completion zsh bsdutils systemd-boot-efi binutils libvirt-clients libvirt-daemon libvirt-daemon-driver-qemu"
deb_demo="$deb_test"

gentoo_build="sys-apps/kmod sys-apps/pciutils sys-apps/util-linux dev-libs/libconfig dev-libs/libxml2 sys-libs/zlib virtual/pkgconfig app-arch/libarchive app-emulation/libvirt"
gentoo_test="$gentoo_build dev-vcs/git sys-apps/hwdata sys-apps/groff sys-kernel/dracut app-arch/lz4 dev-util/cmocka app-emulation/qemu sys-apps/busybox app-alternatives/cpio app-arch/zstd app-misc/jq sys-process/time sys-devel/flex sys-devel/bison sys-devel/bc llvm-core/clang app-shells/dash dev-debug/strace sys-firmware/edk2-bin sys-boot/grub sys-fs/mtools sys-fs/dosfstools sys-fs/e2fsprogs app-shells/bash-completion app-shells/zsh sys-apps/util-linux sys-apps/systemd-utils sys-devel/binutils app-emulation/libvirt"
gentoo_demo="$gentoo_test"

case $what in
build | test | demo) ;;
*)
	echo "usage: $0 build|test|demo" >&2
	exit 2
	;;
esac

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: $*" >&2
		echo "install-deps: run 'sudo $0 $what' (or install them) and try again" >&2
		exit 1
	fi
}

install_debian() {
	local list missing=() p
	eval "list=\$deb_$what"
	for p in $list; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "${missing[@]}"
	echo "install-deps: installing with apt-get: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "install-deps: installed ${missing[*]}"
}

install_gentoo() {
	local list missing=() p
	eval "list=\$gentoo_$what"
	for p in $list; do
		[ -n "$(portageq match / "$p" 2>/dev/null)" ] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "${missing[@]}"
	echo "install-deps: installing with emerge: ${missing[*]}"
	emerge --noreplace --quiet "${missing[@]}"
}

if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
	install_debian
elif command -v emerge >/dev/null; then
	install_gentoo
else
	echo "install-deps: no apt-get or emerge here; install by hand: $deb_test" >&2
	exit 1
fi
