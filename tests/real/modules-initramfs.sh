#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: vfiokit modules check reads an initramfs built by Debian's real
# dracut for Debian's 6.12 kernel (with vfiokit's modprobe.d file and
# force_drivers), compressed with zstd, gzip, xz and lz4, with an
# uncompressed early-microcode archive in front; and refuses a file that is
# not a cpio archive and a truncated one with a clear message.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for tool in dracut jq cpio zstd gzip xz lz4; do
	if ! command -v "$tool" >/dev/null; then
		skip modules-initramfs "$tool is not installed (tests/install-deps.sh test)"
		exit 0
	fi
done
out=$("$TOP/tests/kernel-image.sh" 6.12 2>"$TMP/err") || {
	fail modules-initramfs/kernel "tests/kernel-image.sh 6.12 failed: $(tail -n 3 "$TMP/err")"
	exit 0
}
KVER=$(sed -n 's/^KVER=//p' <<<"$out")
MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")

# The uncompressed image dracut makes, cached per kernel and dracut version.
CONF=$TMP/vfiokit.conf
printf 'options vfio-pci ids=8086:10d3\nsoftdep e1000e pre: vfio-pci\n' >"$CONF"
key=$( (dpkg-query -W -f '${Version}' dracut-core 2>/dev/null || dracut --version) |
	cat - "$CONF" | sha256sum | cut -c1-12)
CPIO="$(vk_cache)/initramfs/dracut-$KVER-$key.cpio"
if [ ! -s "$CPIO" ]; then
	mkdir -p "${CPIO%/*}"
	if ! dracut --quiet --no-hostonly --kver "$KVER" --kmoddir "$MODROOT/lib/modules/$KVER" \
		-m base --force-drivers "vfio_pci vfio vfio_iommu_type1" \
		--include "$CONF" /etc/modprobe.d/vfiokit.conf \
		--no-compress --force "$CPIO.tmp" >"$TMP/dracut.log" 2>&1; then
		fail modules-initramfs/dracut "dracut failed: $(tail -n 5 "$TMP/dracut.log")"
		exit 0
	fi
	mv "$CPIO.tmp" "$CPIO"
fi

# An early-microcode archive as dracut and the kernel lay it out.
mkdir -p "$TMP/early/kernel/x86/microcode"
head -c 4096 /dev/urandom >"$TMP/early/kernel/x86/microcode/GenuineIntel.bin"
(cd "$TMP/early" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$TMP/early.cpio"

R=$TMP/root
mkdir -p "$R/lib/modules" "$R/boot" "$R/etc/modprobe.d"
tar -xzf "$TOP/tests/fixtures/intel-noarg.tar.gz" -C "$R"
ln -s "$MODROOT/lib/modules/$KVER" "$R/lib/modules/$KVER"
cp "$CONF" "$R/etc/modprobe.d/vfiokit.conf"

for comp in zstd gzip xz lz4; do
	case $comp in
	lz4) c=(lz4 -l -q -c) ;; # the legacy frame, as the kernel reads it
	xz) c=(xz --check=crc32 -c) ;;
	*) c=("$comp" -c) ;;
	esac
	img=$TMP/initrd-$comp.img
	{ cat "$TMP/early.cpio"; "${c[@]}" <"$CPIO"; } >"$img"
	OUT=$("$VFIOKIT" --json --root "$R" modules check --device 8086:10d3 --initramfs "$img" 2>&1)
	expect_eq "modules-initramfs/$comp/read" \
		"true $comp 1 dracut" \
		"$(jq -r '.initramfs | "\(.read) \(.compression) \(.uncompressed_parts) \(.generator)"' <<<"$OUT" 2>&1)"
	expect_eq "modules-initramfs/$comp/files" \
		"etc/cmdline.d/20-force_drivers.conf dracut command line
etc/modprobe.d/vfiokit.conf modprobe.d" \
		"$(jq -r '.initramfs.files[] | select(.kind != "module") | "\(.path) \(.kind)"' <<<"$OUT")"
	expect_eq "modules-initramfs/$comp/modules" "irqbypass vfio vfio_iommu_type1 vfio_pci vfio_pci_core" \
		"$(jq -r '[.initramfs.files[] | select(.kind == "module") | .module] | sort | join(" ")' <<<"$OUT")"
done

# Found in /boot by its name, and the verdict uses what it holds.
cp "$TMP/initrd-zstd.img" "$R/boot/initramfs-$KVER.img"
OUT=$("$VFIOKIT" --root "$R" modules check --device 8086:10d3 2>&1)
expect_match modules-initramfs/found-in-boot "^Initramfs: $R/boot/initramfs-" "$OUT"
expect_match modules-initramfs/verdict-early \
	'OK, vfio-pci claims it first: the initramfs loads vfio-pci before udev \(etc/cmdline.d/20-force_drivers.conf in the initramfs\)' "$OUT"

# Bad input: a clear message, exit 1, no crash (the sanitizers would say).
check_bad() { # NAME FILE ERE
	local rc
	OUT=$("$VFIOKIT" --root "$R" modules check --initramfs "$2" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq -- "$3" <<<"$OUT"; then pass "modules-initramfs/$1"; else
		fail "modules-initramfs/$1" "exit $rc, or no /$3/"
		printf '%s\n' "$OUT" | tail -n 5 | sed 's/^/    /'
	fi
}
head -c 100000 /dev/urandom >"$TMP/random.img"
check_bad not-cpio "$TMP/random.img" 'random.img: not a cpio archive'
size=$(stat -c %s "$TMP/initrd-zstd.img")
head -c $((size / 2)) "$TMP/initrd-zstd.img" >"$TMP/half.img"
check_bad truncated-zstd "$TMP/half.img" 'half.img: truncated or damaged'
head -c 300 "$TMP/early.cpio" >"$TMP/early-cut.img"
check_bad truncated-early "$TMP/early-cut.img" 'early-cut.img: truncated'
: >"$TMP/empty.img"
check_bad empty "$TMP/empty.img" 'empty.img: the file is empty'
check_bad missing "$TMP/nonexistent.img" 'nonexistent.img: No such file'
