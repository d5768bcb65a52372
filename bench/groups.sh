#!/bin/bash
# Benchmark `vfiokit groups` against the seed guide's shell loop over lspci,
# both reading the captured tree tests/fixtures/many.tar.gz (200+ devices).
#
#   bench/groups.sh [RUNS]          (default 21 runs of each)
#
# Prints both medians, their ratio, vfiokit's peak RSS and whether each
# target is met.  Exits 0 whatever the numbers; 1 only when the benchmark
# could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

FIXTURE="$TOP/tests/fixtures/many.tar.gz"
SELF="$TOP/bench/groups.sh"
TARGET_RATIO=50
TARGET_MS=20
TARGET_KIB=$((10 * 1024))

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

report() {
	local vk=$1 seed=$2 kib=$3 ratio
	ratio=$(awk -v a="$seed" -v b="$vk" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
	printf '%-36s %9s ms\n' "vfiokit --root DIR groups, median" "$vk"
	printf '%-36s %9s ms\n' "seed loop (lspci per device), median" "$seed"
	printf '%-36s %9s x\n' "ratio" "$ratio"
	printf '%-36s %9s KiB\n' "vfiokit peak RSS" "$kib"
	printf 'target ratio >= %s: %s\n' "$TARGET_RATIO" "$(below "$TARGET_RATIO" "$ratio")"
	printf 'target vfiokit median < %s ms: %s\n' "$TARGET_MS" "$(below "$vk" "$TARGET_MS")"
	printf 'target peak RSS < %s MiB: %s\n' $((TARGET_KIB / 1024)) "$(below "$kib" "$TARGET_KIB")"
}

main() {
	local runs=${1:-21} vk seed kib
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	[ -f "$FIXTURE" ] || die "no $FIXTURE (tests/vm/capture-fixtures.sh many)"
	[ -x "$VFIOKIT" ] || die "$VFIOKIT is not built"
	command -v lspci >/dev/null || die "lspci is not installed"
	[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	local dir=$WORK
	tar xzf "$FIXTURE" -C "$dir" || die "cannot unpack $FIXTURE"
	printf 'fixture %s: %s PCI devices, %s IOMMU groups; %s runs each\n' \
		"${FIXTURE#"$TOP"/}" "$(find "$dir/sys/bus/pci/devices" -mindepth 1 | wc -l)" \
		"$(find "$dir/sys/kernel/iommu_groups" -mindepth 1 -maxdepth 1 | wc -l)" "$runs"
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
