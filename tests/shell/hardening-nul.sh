#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A NUL byte in each file vfiokit edits, generated here: /etc/default/grub,
# /etc/kernel/cmdline (and /proc/cmdline, its default), the .config of
# CONFIG_CMDLINE and of kconfig merge, /etc/kernel/config.d. Each is
# refused before anything is written, with the file and the line of the
# NUL, exit 1, the file untouched. (genkernel.conf and the modprobe.d and
# dracut files: tests/unit/test-modules.c.) UTF-8, tabs and CR are kept.
# The plain build runs under ulimit -v, the sanitizer build under ASan's
# hard_rss_limit_mb.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PLAIN=$TOP/vfiokit

# run BINARY ARGS...: stderr in $err, status in $rc.
run() {
	local bin=$1
	shift
	(
		if [ "$bin" = "$PLAIN" ]; then ulimit -v $((512 * 1024)); fi
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=512 \
			timeout 60 "$bin" "$@"
	) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	err=$(cat "$TMP/err")
}

# refused NAME FILE LINE BINARY ARGS...: exit 1, FILE:LINE named, FILE as before.
refused() {
	local name=$1 file=$2 line=$3
	shift 3
	cp "$file" "$TMP/before"
	run "$@"
	if [ $rc -eq 1 ] && grep -q "${file#"$TMP"/}:$line: a NUL byte, .* remove it" <<<"$err" &&
		cmp -s "$TMP/before" "$file" && [ ! -e "$file.vfiokit-bak" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc: $err"
	fi
}

bins=()
[ -x "$PLAIN" ] && bins+=("$PLAIN")
[ "$VFIOKIT" != "$PLAIN" ] && bins+=("$VFIOKIT")
cd "$TMP" || exit 1
for bin in "${bins[@]}"; do
	kind=plain
	[ "$bin" = "$PLAIN" ] || kind=asan
	rm -rf g k b
	mkdir -p g/etc/default g/boot/grub g/proc/self
	: >g/boot/grub/grub.cfg
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\n' >g/proc/cpuinfo
	echo "root=/dev/sda2 ro quiet" >g/proc/cmdline
	echo "21 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw" >g/proc/self/mountinfo
	printf '# gr\xc3\xbc\xc3\x9f\r\nGRUB_TIMEOUT=5\nX="\0"\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' \
		>g/etc/default/grub
	refused "hardening-nul/$kind/grub" "$TMP/g/etc/default/grub" 3 "$bin" --root g cmdline set iommu=pt
	printf '# gr\xc3\xbc\xc3\x9f\r\nGRUB_TIMEOUT=5\t# tab\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' \
		>g/etc/default/grub
	run "$bin" --root g cmdline set iommu=pt
	expect_eq "hardening-nul/$kind/grub-utf8-tab-cr" \
		"$(printf '0 # gr\xc3\xbc\xc3\x9f\r\nGRUB_TIMEOUT=5\t# tab\nGRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt"')" \
		"$rc $(cat g/etc/default/grub)"

	mkdir -p k/proc k/boot/loader/entries k/etc/kernel
	printf 'root=/dev/sda2 ro\0 quiet\n' >k/proc/cmdline
	: >k/boot/loader/entries/gentoo.conf
	run "$bin" --root k cmdline set iommu=pt
	if [ $rc -eq 1 ] && grep -q "proc/cmdline:1: a NUL byte: not a command line to start" <<<"$err" && [ ! -e k/etc/kernel/cmdline ]; then
		pass "hardening-nul/$kind/kernel-cmdline-default"
	else
		fail "hardening-nul/$kind/kernel-cmdline-default" "exit $rc: $err"
	fi
	printf 'root=/dev/sda2\tro\r\n\0 quiet\n' >k/etc/kernel/cmdline
	refused "hardening-nul/$kind/kernel-cmdline" "$TMP/k/etc/kernel/cmdline" 2 "$bin" --root k cmdline set iommu=pt

	mkdir -p b/usr/src/linux
	printf '#\nCONFIG_X86_64=y\n# \xc3\xbc\0\n# CONFIG_CMDLINE_BOOL is not set\n' >b/usr/src/linux/.config
	refused "hardening-nul/$kind/builtin" "$TMP/b/usr/src/linux/.config" 3 \
		"$bin" --root b cmdline set --bootloader builtin iommu=pt
	refused "hardening-nul/$kind/kconfig-merge" "$TMP/b/usr/src/linux/.config" 3 \
		"$bin" --root b kconfig merge --config "$TMP/b/usr/src/linux/.config" \
		--profiles-dir "$TOP/profiles" --profile vfio
	mkdir -p b/etc/kernel/config.d
	printf '# mine\n\0\n' >b/etc/kernel/config.d/vfiokit.config
	refused "hardening-nul/$kind/dist-kernel" "$TMP/b/etc/kernel/config.d/vfiokit.config" 2 \
		"$bin" --root b kconfig merge --dist-kernel --profiles-dir "$TOP/profiles" --profile vfio
done
[ ${#bins[@]} -gt 0 ] || skip hardening-nul "neither ./vfiokit nor the sanitizer build is built"
