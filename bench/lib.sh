# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers of the benchmark scripts in bench/. Source it; do not run it.
# shellcheck shell=bash

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# die MSG: the benchmark could not run.
die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# median_ms RUNS CMD...: the median wall time of RUNS runs of CMD, in ms
# with one decimal (output discarded).
median_ms() {
	local runs=$1 i t0 t1
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" >/dev/null 2>&1
		t1=$EPOCHREALTIME
		printf '%s\n' "$((${t1/./} - ${t0/./}))"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] / 1000 }'
}

# peak_kib CMD...: the largest maximum RSS (KiB) of three runs of CMD.
peak_kib() {
	local i
	for i in 1 2 3; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	done | sort -n | tail -n 1
}

# below VALUE LIMIT: "ok" when VALUE < LIMIT (numbers, decimals allowed),
# else "MISSED".
below() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 < b + 0) ? "ok" : "MISSED" }'
}
