#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark `vfiokit kconfig merge` on Debian's 6.12 tree and its own
# 11,000-line configuration, in one run:
#   - the whole merge with explanations (every profile for an Intel host,
#     --dry-run so each run starts from the same file), and vfiokit's own
#     part of it: its wall time less the `make olddefconfig` it ran (which
#     `vfiokit -v` times);
#   - merging a 400-line fragment without a tree against
#     `merge_config.sh -m` on the same files;
#   - vfiokit's peak RSS during the whole merge.
#
#   bench/kconfig-merge.sh [RUNS]          (default 11)
#
# Exits 0 whatever the numbers; 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
RUNS=${1:-11}
PROFILES=iommu-intel,vfio,kvm-intel,bridge
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$TOP/vfiokit" ] || die "build vfiokit first (make)"
TREE=$("$TOP/tests/kernel-source.sh" 6.12) || die "no 6.12 tree"
while IFS= read -r line; do
	case $line in MODROOT=*) root=${line#MODROOT=} ;; KVER=*) kver=${line#KVER=} ;; esac
done < <("$TOP/tests/kernel-image.sh" 6.12 2>/dev/null)
CONFIG="$root/boot/config-$kver"
[ -f "$CONFIG" ] || die "no Debian 6.12 configuration"
cp "$CONFIG" "$TMP/base.config"

make -s -C "$TREE" KCONFIG_CONFIG="$TMP/warm.config" defconfig >/dev/null 2>&1 # builds conf once

# vfiokit's own part: its wall time less the make olddefconfig it ran,
# which -v reports.
own_ms() {
	local i t0 t1 make_ms
	for ((i = 0; i < RUNS; i++)); do
		t0=$EPOCHREALTIME
		"$TOP/vfiokit" -v kconfig merge --dry-run --config "$TMP/base.config" \
			--kernel-dir "$TREE" --profile "$PROFILES" \
			2>"$TMP/v.err" >/dev/null
		t1=$EPOCHREALTIME
		make_ms=$(sed -n 's/.*make olddefconfig took \([0-9.]*\) ms/\1/p' "$TMP/v.err")
		awk -v a="$((${t1/./} - ${t0/./}))" -v m="$make_ms" 'BEGIN { printf "%.1f\n", a / 1000 - m }'
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
whole=$(median_ms "$RUNS" "$TOP/vfiokit" kconfig merge --dry-run --config "$TMP/base.config" \
	--kernel-dir "$TREE" --profile "$PROFILES")
own=$(own_ms)
peak=$(/usr/bin/time -f %M "$TOP/vfiokit" kconfig merge --dry-run --config "$TMP/base.config" \
	--kernel-dir "$TREE" --profile "$PROFILES" 2>&1 >/dev/null | tail -n 1)

# A 400-line fragment: 400 settings taken from Debian's configuration, flipped.
grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$CONFIG" | head -n 400 |
	sed 's/=y$/=M/; s/=m$/=y/; s/=M$/=m/' >"$TMP/big.config"
mkdir -p "$TMP/noroot"
ours=$(median_ms "$RUNS" "$TOP/vfiokit" --root "$TMP/noroot" kconfig merge --dry-run \
	--config "$TMP/base.config" "$TMP/big.config")
mkdir -p "$TMP/mc"
theirs=$(median_ms "$RUNS" sh -c "cd '$TMP' && '$TREE/scripts/kconfig/merge_config.sh' -m -O '$TMP/mc' \
	base.config big.config")
ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')

printf 'tree: Debian linux-source 6.12 (%s), configuration: %s lines, %s runs each\n' \
	"$(basename "$TREE")" "$(wc -l <"$CONFIG")" "$RUNS"
printf '%-52s %8s ms\n' "vfiokit kconfig merge (all profiles), median" "$whole" \
	"vfiokit's own part (all but its make olddefconfig)" "$own" \
	"vfiokit merge of a 400-line fragment, no tree" "$ours" \
	"merge_config.sh -m, same files" "$theirs"
printf '%-52s %8s x\n' "merge_config.sh -m / vfiokit" "$ratio"
printf '%-52s %8s KiB\n' "vfiokit peak RSS (whole merge)" "$peak"
echo "target own part < 200 ms: $(below "$own" 200)"
echo "target 400-line merge >= 20x faster: $(below 20 "$ratio")"
echo "target peak RSS < 64 MiB: $(below "$peak" 65536)"
