#!/bin/bash
# Benchmark the flow of /etc/vfiokit.conf on a captured tree
# (tests/fixtures/intel.tar.gz) with Debian's real 6.1 module tree
# (tests/kernel-image.sh) and a Debian /etc/default/grub: `vfiokit plan`,
# and `vfiokit apply` followed by `vfiokit undo` (journal, backups, atomic
# replaces and restores of two files).
#
#   bench/apply.sh [RUNS]          (default 21 runs of each)
#
# Prints the medians, the peak RSS and whether each target is met.  Exits 0
# whatever the numbers; 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

TARGET_PLAN_MS=100
TARGET_CYCLE_MS=200
TARGET_KIB=$((10 * 1024))

# apply_undo ROOT: one apply and the undo of it.
apply_undo() {
	"$VFIOKIT" --root "$1" apply && "$VFIOKIT" --root "$1" undo
}

main() {
	local runs=${1:-21} out kver modroot r plan cycle kib
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	out=$("$TOP/tests/kernel-image.sh" 6.1 2>/dev/null) || die "tests/kernel-image.sh 6.1 failed"
	kver=$(sed -n 's/^KVER=//p' <<<"$out")
	modroot=$(sed -n 's/^MODROOT=//p' <<<"$out")
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	r=$WORK/root
	mkdir -p "$r/lib/modules" "$r/etc/default" "$r/usr/share/misc" "$r/proc/sys/kernel"
	tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$r" || die "cannot unpack the fixture"
	cp "$TOP/tests/fixtures/pci.ids" "$r/usr/share/misc/"
	ln -s "$modroot/lib/modules/$kver" "$r/lib/modules/$kver"
	echo "$kver" >"$r/proc/sys/kernel/osrelease"
	mkdir -p "$r/proc/self" "$r/proc/net"
	echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$r/proc/self/mountinfo"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
		>"$r/proc/net/route"
	printf '%s\n' 'GRUB_DEFAULT=0' 'GRUB_TIMEOUT=5' 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' \
		'GRUB_CMDLINE_LINUX=""' >"$r/etc/default/grub"
	printf '%s\n' 'boot = "grub";' 'arguments = [ "iommu=pt" ];' 'devices = {' \
		'  nic = { address = "0000:00:03.0"; claim = "override"; };' '};' >"$r/etc/vfiokit.conf"
	apply_undo "$r" >/dev/null 2>&1 || die "apply and undo fail on the benchmark tree"
	printf '%s runs each, %s, modules of %s\n' "$runs" "$VFIOKIT" "$kver"
	plan=$(median_ms "$runs" "$VFIOKIT" --root "$r" plan)
	cycle=$(median_ms "$runs" apply_undo "$r")
	kib=$(peak_kib "$VFIOKIT" --root "$r" plan)
	printf 'plan           %8s ms  (target < %s ms: %s)\n' "$plan" "$TARGET_PLAN_MS" \
		"$(below "$plan" "$TARGET_PLAN_MS")"
	printf 'apply + undo   %8s ms  (target < %s ms: %s)\n' "$cycle" "$TARGET_CYCLE_MS" \
		"$(below "$cycle" "$TARGET_CYCLE_MS")"
	printf 'plan peak RSS  %8s KiB (target < %s KiB: %s)\n' "$kib" "$TARGET_KIB" \
		"$(below "$kib" "$TARGET_KIB")"
}

main "$@"
