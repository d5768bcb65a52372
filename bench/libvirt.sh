#!/bin/bash
# Benchmark `vfiokit libvirt xml` on the four-socket, 64-CPU capture
# (x86_64-64cpu in the checkout's sibling shared/topology) joined to the
# intel fixture's PCI devices: the topology read, the pinning and the
# domain printed.
#
#   bench/libvirt.sh [RUNS]          (default 21 runs)
#
# Prints the median wall time, the median CPU time (user + system: what a
# loaded machine does not inflate), the peak RSS and whether the target is
# met. Exits 0
# whatever the numbers; 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
# shellcheck source=tests/libvirt/lib.sh
. "$TOP/tests/libvirt/lib.sh"

CAPTURE="$TOPOLOGY_DIR/x86_64-64cpu.tar.gz"
TARGET_MS=50

# cpu_ms RUNS CMD...: the median user + system time of CMD, in ms.
cpu_ms() {
	local runs=$1 i
	shift
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1
	done | awk '{ print ($1 + $2) * 1000 }' | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] }'
}

main() {
	local runs=${1:-21} ms cpu kib
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -f "$CAPTURE" ] || die "no $CAPTURE: the checkout's sibling directory shared/topology must hold it"
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	make_root "$CAPTURE" "$WORK" || die "cannot unpack $CAPTURE"
	"$VFIOKIT" --root "$WORK" libvirt xml >/dev/null 2>&1 || die "vfiokit libvirt xml failed"
	printf 'capture %s: %s CPUs; %s runs\n' "${CAPTURE##*/}" \
		"$(find "$WORK/sys/devices/system/cpu" -maxdepth 1 -name 'cpu[0-9]*' | wc -l)" "$runs"
	ms=$(median_ms "$runs" "$VFIOKIT" --root "$WORK" libvirt xml)
	cpu=$(cpu_ms "$runs" "$VFIOKIT" --root "$WORK" libvirt xml)
	kib=$(peak_kib "$VFIOKIT" --root "$WORK" libvirt xml)
	[ -n "$ms" ] && [ -n "$cpu" ] && [ -n "$kib" ] || die "a measurement failed"
	printf '%-40s %9s ms\n' "vfiokit --root DIR libvirt xml, median" "$ms"
	printf '%-40s %9s ms\n' "user + system time, median" "$cpu"
	printf '%-40s %9s KiB\n' "vfiokit peak RSS" "$kib"
	printf 'target median < %s ms: %s\n' "$TARGET_MS" "$(below "$ms" "$TARGET_MS")"
}

main "$@"
