#!/bin/bash
# Benchmark a full `vfiokit verify` (every group of checks) on captured
# trees: tests/fixtures/intel.tar.gz and tests/fixtures/many.tar.gz (200+
# devices), each with a kernel configuration of 8000 lines added as
# /boot/config-RELEASE so that the kconfig checks run too.
#
#   bench/verify.sh [RUNS]          (default 21 runs of each)
#
# Prints the medians, the peak RSS and whether each target is met.  Exits 0 whatever the numbers;
# 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

TARGET_MS=100
TARGET_KIB=$((10 * 1024))

# prepare FIXTURE DIR: unpack it and add a kernel release and its config.
prepare() {
	mkdir -p "$2/proc/sys/kernel" "$2/boot" || return 1
	tar xzf "$TOP/tests/fixtures/$1.tar.gz" -C "$2" || return 1
	echo 6.1.0-bench >"$2/proc/sys/kernel/osrelease"
	{
		echo '# Linux/x86 6.1.0 Kernel Configuration'
		cat "$TOP"/profiles/*.config | grep -E '^CONFIG_[A-Z0-9_]+=' | sort -u
		seq 1 8000 | sed 's/.*/CONFIG_BENCH_&=y/'
	} >"$2/boot/config-6.1.0-bench"
}

main() {
	local runs=${1:-21} fx dir ms kib device ok=ok line
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	printf '%s runs each, %s\n' "$runs" "$VFIOKIT"
	for fx in intel many; do
		[ -f "$TOP/tests/fixtures/$fx.tar.gz" ] || die "no tests/fixtures/$fx.tar.gz"
		dir=$WORK/$fx
		prepare "$fx" "$dir" || die "cannot unpack $fx"
		# The first device of the last group: its group is checked in full.
		device=$(basename "$(find "$dir/sys/kernel/iommu_groups" -mindepth 3 -maxdepth 3 |
			sort -V | tail -n 1)")
		set -- "$VFIOKIT" --root "$dir" verify --device "$device"
		"$@" >"$WORK/out" 2>&1
		line=$(grep -c '^Checking' "$WORK/out")
		grep -q 'kernel config has profile vfio' "$WORK/out" || die "$fx: the kconfig checks did not run"
		ms=$(median_ms "$runs" "$@")
		kib=$(peak_kib "$@")
		if [ -z "$ms" ] || [ -z "$kib" ]; then
			die "a measurement failed"
		fi
		printf '%-8s %4s devices, %2s checks: median %6s ms, peak RSS %6s KiB\n' "$fx" \
			"$(find "$dir/sys/bus/pci/devices" -mindepth 1 | wc -l)" "$line" "$ms" "$kib"
		[ "$(below "$ms" "$TARGET_MS")" = ok ] && [ "$(below "$kib" "$TARGET_KIB")" = ok ] || ok=MISSED
	done
	printf 'target median < %s ms and peak RSS < %s MiB on every tree: %s\n' "$TARGET_MS" \
		$((TARGET_KIB / 1024)) "$ok"
}

main "$@"
