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

# scaling_row KIND ACCEPT: time KIND's input at N, 2N, 4N and 8N (RUNS
# runs each; make_input KIND SIZE, the caller's, prints the command) and
# print one row: the medians, the growth from N to 8N and whether it stays
# below 12x. ACCEPT STATUS says whether the command's exit status (its
# stderr in $TMP/err) means it read its input. Sets missed=1 on a miss or
# a failure.
scaling_row() {
	local kind=$1 accept=$2 mult rc growth verdict times=() cmd
	for mult in 1 2 4 8; do
		read -r -a cmd <<<"$(make_input "$kind" $((N * mult)))"
		"${cmd[@]}" >/dev/null 2>"$TMP/err"
		rc=$?
		if ! "$accept" "$rc"; then
			printf '%s at %d: exit status %d: %s\n' "$kind" $((N * mult)) $rc \
				"$(tail -n 1 "$TMP/err")"
			missed=1
			return
		fi
		times+=("$(median_ms "$RUNS" "${cmd[@]}")")
	done
	growth=$(awk -v a="${times[0]}" -v b="${times[3]}" 'BEGIN { printf "%.1f", b / (a > 0 ? a : 0.1) }')
	verdict=$(below "$growth" 12)
	[ "$verdict" = ok ] || missed=1
	printf '%-9s %8s ms %7s ms %7s ms %7s ms %7sx %s\n' "$kind" "${times[@]}" "$growth" "$verdict"
}
