#!/bin/bash
# Benchmark `vfiokit modules check`:
#   1. the whole module list plus two devices, on Debian's real 6.12 module
#      tree (tests/kernel-image.sh), target under 50 ms;
#   2. reading a 60 MiB zstd initramfs (real module files of that tree in a
#      newc cpio, an early-microcode archive in front), target under 1 s.
#
#   bench/modules.sh [RUNS]          (default 21 runs of each)
#
# Uses the optimised build ./vfiokit (make).  Prints the median of each and
# whether the target is met.  Exits 0 whatever the numbers; 1 only when the
# benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

RUNS=${1:-21}
BIN=$TOP/vfiokit
TARGET_CHECK_MS=50
TARGET_INITRAMFS_MS=1000
SIZE_MIB=60

# report NAME MS TARGET: one line with the verdict.
report() {
	printf '%-44s %8s ms  (target < %d ms: %s)\n' "$1" "$2" "$3" "$(below "$2" "$3")"
}

[ -x "$BIN" ] || die "$BIN is not built (make)"
command -v zstd >/dev/null && command -v cpio >/dev/null || die "zstd and cpio are needed"
out=$("$TOP/tests/kernel-image.sh" 6.12) || die "tests/kernel-image.sh 6.12 failed"
KVER=$(sed -n 's/^KVER=//p' <<<"$out")
MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
R=$WORK/root
mkdir -p "$R/lib/modules" "$R/etc/modprobe.d"
tar -xzf "$TOP/tests/fixtures/intel-noarg.tar.gz" -C "$R" || die "cannot unpack the fixture"
ln -s "$MODROOT/lib/modules/$KVER" "$R/lib/modules/$KVER"
printf 'options vfio-pci ids=8086:10d3\nsoftdep e1000e pre: vfio-pci\n' >"$R/etc/modprobe.d/vfiokit.conf"

# The initramfs: module files of the real tree until the archive holds
# SIZE_MIB of them (they are xz-compressed already, so zstd keeps the size).
IMG="$(vk_cache)/bench/initramfs-$KVER-${SIZE_MIB}M.img"
if [ ! -s "$IMG" ]; then
	mkdir -p "${IMG%/*}" "$WORK/early/kernel/x86/microcode" "$WORK/tree/lib/modules"
	head -c 65536 /dev/urandom >"$WORK/early/kernel/x86/microcode/GenuineIntel.bin"
	(cd "$WORK/early" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet) >"$WORK/early.cpio"
	(cd "$MODROOT" && find "lib/modules/$KVER" -name '*.ko*' -printf '%s %p\n' | sort -k2 |
		awk -v max=$((SIZE_MIB * 1024 * 1024)) '{ t += $1; print $2; if (t > max) exit }' |
		cpio -o -H newc -R 0:0 --quiet) | zstd -q -3 -T0 >"$WORK/main.zst" ||
		die "building the initramfs failed"
	cat "$WORK/early.cpio" "$WORK/main.zst" >"$IMG.tmp" && mv "$IMG.tmp" "$IMG"
fi

echo "kernel $KVER, $RUNS runs each, median wall time"
ms=$(median_ms "$RUNS" "$BIN" --root "$R" modules check --no-initramfs --device 8086:10d3 \
	--device pci:v000010DEd00001C03sv00001458sd00003771bc03sc00i00)
report "modules check (14 modules, 2 devices)" "$ms" "$TARGET_CHECK_MS"
size=$(($(stat -c %s "$IMG") / 1024 / 1024))
ms=$(median_ms "$RUNS" "$BIN" --root "$R" modules check --initramfs "$IMG")
report "modules check --initramfs (${size} MiB zstd)" "$ms" "$TARGET_INITRAMFS_MS"
"$BIN" --json --root "$R" modules check --initramfs "$IMG" |
	jq -r '.initramfs | "  read: \(.read), \(.compression), \(.uncompressed_parts) early part, \(.entries) entries"' 2>/dev/null
