#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile Kconfig trees and configurations, made here: each is refused
# with a message naming file:line, or accepted; never a crash, never
# memory or time that grows beyond reason. Every run is limited to about
# 1 GiB and a generous timeout.
source "$(dirname "$0")/../lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LIMIT_KIB=1048576
TIMEOUT=120

# The limit: ulimit -v, or for a sanitizer build (its shadow memory maps
# terabytes of address space) the sanitizer's own limit on its RSS.
if { (ulimit -v $LIMIT_KIB && exec "$VFIOKIT" --help); } >/dev/null 2>&1; then
	limited() { (ulimit -v $LIMIT_KIB && exec timeout $TIMEOUT "$@"); }
else
	limited() {
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:hard_rss_limit_mb=$((LIMIT_KIB / 1024))" \
			timeout $TIMEOUT "$@"
	}
fi

# vk ARGS...: run vfiokit limited; OUT, ERR, RC and MS (wall time).
vk() {
	local t0=$EPOCHREALTIME
	OUT=$(limited "$VFIOKIT" "$@" 2>"$TMP/err")
	RC=$?
	MS=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	ERR=$(cat "$TMP/err")
}

# refused NAME ERE: the last run exited 1 with a message matching ERE.
refused() {
	if [ "$RC" -ne 1 ]; then
		fail "$1" "exit status $RC, not 1 (124: timeout, 99 or >128: a crash)"
		printf '%s\n' "$ERR" | tail -n 5 | sed 's/^/    /'
	else
		expect_match "$1" "$2" "$ERR"
	fi
}

# accepted NAME: the last run read everything (exit 0 or 3: requests
# not met) and gave its summary.
accepted() {
	if [ "$RC" -ne 0 ] && [ "$RC" -ne 3 ]; then
		fail "$1" "exit status $RC (124: timeout, 99 or >128: a crash)"
		printf '%s\n' "$ERR" | tail -n 5 | sed 's/^/    /'
	else
		expect_match "$1" '^[0-9]+ requested, ' "$OUT"
	fi
}

mkdir -p "$TMP/root"
printf '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_64BIT=y\n' >"$TMP/base.config"

# check_tree NAME: kconfig check of base.config against the tree in
# $TMP/NAME (its Kconfig written by the caller).
check_tree() {
	vk --root "$TMP/root" kconfig check --config "$TMP/base.config" --kernel-dir "$TMP/$1" \
		--profile vfio
}

# tree NAME: a directory for a Kconfig tree; the Kconfig text on stdin.
tree() {
	mkdir -p "$TMP/$1" && cat >"$TMP/$1/Kconfig"
}

# A simple assignment that names itself: empty on the right, as in the kernel.
printf 'f:=$(f)\nconfig VFIO\n\ttristate "vfio"\n\tdepends on PCI$(f)\n' | tree self-ref
check_tree self-ref
accepted hardening-kconfig/self-assignment
vk --root "$TMP/root" kconfig explain --config "$TMP/base.config" --kernel-dir "$TMP/self-ref" \
	VFIO
expect_match hardening-kconfig/self-assignment-explain '^  depends on: +PCI$' "$OUT"

# nested N OPEN CLOSE: OPEN N times, B, CLOSE N times (awk: no 100,000-deep
# shell strings).
nested() {
	awk -v n="$1" -v o="$2" -v c="$3" 'BEGIN {
		printf "config A\n\tbool\nconfig B\n\tbool\nconfig VFIO\n\ttristate \"vfio\"\n\tdepends on "
		for (i = 0; i < n; i++) printf "%s", o
		printf "B"
		for (i = 0; i < n; i++) printf "%s", c
		printf "\n"
	}'
}
nested 1000 '(A && ' ')' | tree parens-1000
check_tree parens-1000
accepted hardening-kconfig/parentheses-1000
nested 100000 '(' ')' | tree parens-100000
check_tree parens-100000
refused hardening-kconfig/parentheses-100000 'Kconfig:7: expression nested deeper than [0-9]+ levels'

# ifs N: VFIO inside N nested if blocks.
ifs() {
	awk -v n="$1" 'BEGIN {
		printf "config A\n\tbool\n"
		for (i = 0; i < n; i++) printf "if A\n"
		printf "config VFIO\n\ttristate \"vfio\"\n"
		for (i = 0; i < n; i++) printf "endif\n"
	}'
}
ifs 1000 | tree ifs-1000
check_tree ifs-1000
accepted hardening-kconfig/if-blocks-1000
ifs 100000 | tree ifs-100000
check_tree ifs-100000
refused hardening-kconfig/if-blocks-100000 'Kconfig:[0-9]+: conditions nested deeper than [0-9]+ levels'

# A chain of 100,000 terms is long, not deep: accepted.
awk 'BEGIN {
	printf "config VFIO\n\ttristate \"vfio\"\n\tdepends on B"
	for (i = 0; i < 100000; i++) printf " && S%d", i
	printf "\n"
}' | tree chain
check_tree chain
accepted hardening-kconfig/and-chain-100000
vk --root "$TMP/root" kconfig explain --config "$TMP/base.config" --kernel-dir "$TMP/chain" \
	VFIO
expect_match hardening-kconfig/and-chain-explain '^  depends on: +B && S0 && S1 && S2 ' "$OUT"

# A macro that doubles per line: refused at the cap, with its line.
{
	echo 'x := ab'
	for i in $(seq 26); do echo 'x := $(x)$(x)'; done
	printf 'config VFIO\n\ttristate "$(x)"\n'
} | tree doubling
check_tree doubling
refused hardening-kconfig/doubling-macro 'Kconfig:[0-9]+: macro expansion larger than [0-9]+ KiB'

# 100,000 lines: a fragment merged (strict: duplicates looked up), and a
# .config checked. Linear: seconds, where a scan per line took minutes.
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "CONFIG_S%d=y\n", i }' >"$TMP/big.config"
vk --root "$TMP/root" kconfig merge --dry-run --config "$TMP/base.config" \
	"$TMP/big.config"
if [ "$RC" -ne 0 ] && [ "$RC" -ne 3 ]; then
	fail hardening-kconfig/fragment-100000 "exit status $RC"
	printf '%s\n' "$ERR" | tail -n 5 | sed 's/^/    /'
elif [ "$MS" -gt 30000 ]; then
	fail hardening-kconfig/fragment-100000 "took $MS ms"
else
	expect_match hardening-kconfig/fragment-100000 '^100000 requested' "$OUT"
fi
printf 'CONFIG_S5=m\n' >>"$TMP/big.config"
vk --root "$TMP/root" kconfig merge --dry-run --config "$TMP/base.config" \
	"$TMP/big.config"
refused hardening-kconfig/fragment-twice 'big.config:100001: CONFIG_S5 is given twice \(first on line 6\)'
vk --root "$TMP/root" kconfig check --config "$TMP/big.config" \
	--profile vfio
if [ "$MS" -gt 30000 ]; then
	fail hardening-kconfig/config-100000 "took $MS ms"
else
	accepted hardening-kconfig/config-100000
fi

# /proc/config.gz of 200 kB that inflates to 200 MB: refused at the cap,
# without reading it all.
mkdir -p "$TMP/gz/proc"
yes '# CONFIG_PADDING is not set' | head -c 200000000 | gzip -1 >"$TMP/gz/proc/config.gz"
vk --root "$TMP/gz" kconfig check --running --profile vfio
refused hardening-kconfig/config-gz-bomb 'config.gz: larger than 16 MiB once inflated'
if [ -x /usr/bin/time ]; then
	/usr/bin/time -o "$TMP/time" -f %M "$VFIOKIT" --root "$TMP/gz" kconfig check --running \
		--profile vfio >/dev/null 2>&1
	peak=$(tail -n 1 "$TMP/time")
	if [ "$peak" -lt 150000 ]; then
		pass hardening-kconfig/config-gz-bomb-memory
	else
		fail hardening-kconfig/config-gz-bomb-memory "peak RSS $peak KiB, not under 150000"
	fi
else
	skip hardening-kconfig/config-gz-bomb-memory "no /usr/bin/time to measure the peak RSS"
fi
