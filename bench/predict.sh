#!/bin/bash
# Benchmark `vfiokit groups --predict` on the captured tree
# tests/fixtures/many.tar.gz (210 PCI devices: six root ports, each with a
# PCIe-to-PCI bridge full of devices, and more on the root bus).
#
#   bench/predict.sh [RUNS]          (default 21 runs)
#
# Prints the median wall time of the whole command (reading every config
# space through libpci, the model, the text report), its peak RSS and
# whether the target is met.  Exits 0 whatever the numbers; 1 only when the
# benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

FIXTURE="$TOP/tests/fixtures/many.tar.gz"
TARGET_MS=30

# cpu_ms RUNS CMD...: the mean user+system CPU time of CMD over RUNS runs,
# in ms (bash's times for the children): about the wall time on an idle
# machine, shown beside it because a shared machine's load stretches that.
cpu_ms() {
	local runs=$1 i
	shift
	(
		for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1; done
		times
	) | awk -v n="$runs" 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.1f\n", ((u[1] + s[1]) * 60 + u[2] + s[2]) * 1000 / n }'
}

main() {
	local runs=${1:-21} ms cpu kib n
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -f "$FIXTURE" ] || die "no $FIXTURE (tests/vm/capture-fixtures.sh many)"
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	tar xzf "$FIXTURE" -C "$WORK" || die "cannot unpack $FIXTURE"
	n=$(find "$WORK/sys/bus/pci/devices" -mindepth 1 | wc -l)
	# The benchmark is only worth its number when the prediction is right.
	"$VFIOKIT" --root "$WORK" groups --predict --compare >"$WORK/out" 2>&1 ||
		die "groups --predict --compare failed on the fixture: $(tail -n 3 "$WORK/out")"
	printf 'fixture %s: %s PCI devices, %s predicted groups; %s runs\n' \
		"${FIXTURE#"$TOP"/}" "$n" "$(grep -c '^Predicted IOMMU group' "$WORK/out")" "$runs"
	ms=$(median_ms "$runs" "$VFIOKIT" --root "$WORK" groups --predict)
	cpu=$(cpu_ms "$runs" "$VFIOKIT" --root "$WORK" groups --predict)
	kib=$(peak_kib "$VFIOKIT" --root "$WORK" groups --predict)
	[ -n "$ms" ] && [ -n "$cpu" ] && [ -n "$kib" ] || die "a measurement failed"
	printf '%-40s %9s ms\n' "vfiokit --root DIR groups --predict" "$ms"
	printf '%-40s %9s ms\n' "the same, mean user+system CPU time" "$cpu"
	printf '%-40s %9s\n' "load average (1 min)" "$(cut -d' ' -f1 /proc/loadavg)"
	printf '%-40s %9s KiB\n' "peak RSS" "$kib"
	printf 'target median < %s ms: %s\n' "$TARGET_MS" "$(below "$ms" "$TARGET_MS")"
}

main "$@"
