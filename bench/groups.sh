#!/bin/bash
# Benchmark `vfiokit groups` against the seed guide's shell loop over lspci,
# both reading the captured tree tests/fixtures/many.tar.gz (200+ devices).
#
#   bench/groups.sh [RUNS]          (default 21 runs of each)
#
# Uses hyperfine when it is installed, else a bash loop.  Prints both medians,
# their ratio, vfiokit's peak RSS and whether each target is met.  Exits 0
# whatever the numbers; 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

FIXTURE="$TOP/tests/fixtures/many.tar.gz"
SELF="$TOP/bench/groups.sh"
TARGET_RATIO=50
TARGET_MS=20
TARGET_KIB=$((10 * 1024))

die() {
	printf 'bench/groups.sh: %s\n' "$*" >&2
	exit 1
}

# seed_loop DIR: the guide's loop, with lspci reading the tree under DIR.
seed_loop() {
	local d n
	for d in "$1"/sys/kernel/iommu_groups/*/devices/*; do
		n=${d#*/iommu_groups/*}
		n=${n%%/*}
		printf 'IOMMU Group %s ' "$n"
		lspci -A linux-sysfs -O "sysfs.path=$1/sys/bus/pci" -nns "${d##*/}"
	done
}

# median_ms_loop RUNS CMD...: median wall time of CMD in ms (bash loop).
median_ms_loop() {
	local runs=$1 i t0 t1
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		printf '%s\n' "$((${t1/./} - ${t0/./}))"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

# median_ms_hyperfine RUNS CMD...: the same, measured by hyperfine.
median_ms_hyperfine() {
	local runs=$1 json cmd
	shift
	json=$(mktemp)
	printf -v cmd '%q ' "$@"
	hyperfine -N -i -w 2 -r "$runs" --export-json "$json" "$cmd" >/dev/null 2>&1 &&
		jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$json"
	rm -f "$json"
}

# median_ms RUNS CMD...: median wall time of CMD in milliseconds.
median_ms() {
	if [ "$TIMER" = hyperfine ]; then
		median_ms_hyperfine "$@"
	else
		median_ms_loop "$@"
	fi
}

# peak_kib CMD...: the largest maximum RSS (KiB) of three runs of CMD.
peak_kib() {
	local i
	for i in 1 2 3; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	done | sort -n | tail -n 1
}

# verdict OK: "ok" when OK is 1, else "MISSED".
verdict() {
	if [ "$1" = 1 ]; then echo ok; else echo MISSED; fi
}

report() {
	local vk=$1 seed=$2 kib=$3 ratio
	ratio=$(awk -v a="$seed" -v b="$vk" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
	printf '%-36s %9s ms\n' "vfiokit --root DIR groups, median" "$vk"
	printf '%-36s %9s ms\n' "seed loop (lspci per device), median" "$seed"
	printf '%-36s %9s x\n' "ratio" "$ratio"
	printf '%-36s %9s KiB\n' "vfiokit peak RSS" "$kib"
	printf 'target ratio >= %s: %s\n' "$TARGET_RATIO" \
		"$(verdict "$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) }')")"
	printf 'target vfiokit median < %s ms: %s\n' "$TARGET_MS" \
		"$(verdict "$(awk -v m="$vk" -v t="$TARGET_MS" 'BEGIN { print (m < t) }')")"
	printf 'target peak RSS < %s MiB: %s\n' $((TARGET_KIB / 1024)) \
		"$(verdict "$([ "$kib" -lt "$TARGET_KIB" ] && echo 1)")"
}

main() {
	local runs=${1:-21} vk seed kib
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -f "$FIXTURE" ] || die "no $FIXTURE (tests/vm/capture-fixtures.sh many)"
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	command -v lspci >/dev/null || die "lspci is not installed"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	TIMER=loop
	command -v hyperfine >/dev/null && command -v jq >/dev/null && TIMER=hyperfine
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	local dir=$WORK
	tar xzf "$FIXTURE" -C "$dir" || die "cannot unpack $FIXTURE"
	printf 'fixture %s: %s PCI devices, %s IOMMU groups; %s runs each (%s)\n' \
		"${FIXTURE#"$TOP"/}" "$(find "$dir/sys/bus/pci/devices" -mindepth 1 | wc -l)" \
		"$(find "$dir/sys/kernel/iommu_groups" -mindepth 1 -maxdepth 1 | wc -l)" "$runs" "$TIMER"
	vk=$(median_ms "$runs" "$VFIOKIT" --root "$dir" groups)
	seed=$(median_ms "$runs" bash "$SELF" --seed-loop "$dir")
	kib=$(peak_kib "$VFIOKIT" --root "$dir" groups)
	if [ -z "$vk" ] || [ -z "$seed" ] || [ -z "$kib" ]; then
		die "a measurement failed"
	fi
	report "$vk" "$seed" "$kib"
}

if [ "${1:-}" = --seed-loop ]; then
	seed_loop "$2"
else
	main "$@"
fi
