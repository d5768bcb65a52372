#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How the /etc/default/grub reader and editor and the command-line lint
# grow with their input: each is run on inputs of n, 2n, 4n and 8n and
# the growth of the median time and of the peak RSS from n to 8n is
# reported. Linear work grows about 8 times; the target is at most
# MAX_GROWTH (quadratic work grows 64 times).
#
#   bench/scaling-grub.sh [RUNS] [N]     (default 5 runs, N 4000)
#
#   grub-parse   'cmdline show' on N lines of A="$A b" and N chained
#                variables v2="$v1 y" (both at once)
#   grub-edit    'cmdline set --all-entries k=x' where N lines of
#                GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX k=I" each hold a k
#                (the file is written: the time includes copying it back
#                first; --dry-run would time the diff of src/shared/diff.c)
#   cmdline-lint 'cmdline lint --file' on N*2 tokens, each key once
#
# Runs ./vfiokit (build it with make). Prints one line per size and one
# verdict per benchmark; exits 0 whatever the numbers, 1 only when the
# benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

RUNS=${1:-5}
N=${2:-4000}
MAX_GROWTH=12
BIN=$TOP/vfiokit

[ -x "$BIN" ] || die "$BIN is not built (run make)"
command -v /usr/bin/time >/dev/null || die "/usr/bin/time is needed (Debian: time)"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# root DIR: a tree with GRUB.
root() {
	mkdir -p "$1/etc/default" "$1/boot/grub"
	: >"$1/boot/grub/grub.cfg"
}

gen_parse() {
	local i
	echo 'A=quiet'
	for ((i = 0; i < $1; i++)); do echo 'A="$A b"'; done
	echo 'v0=w'
	for ((i = 1; i < $1; i++)); do echo "v$i=\"\$v$((i - 1)) y\""; done
	echo "GRUB_CMDLINE_LINUX=\"\$A \$v$(($1 - 1))\""
}

gen_edit() {
	local i
	echo 'GRUB_CMDLINE_LINUX="quiet"'
	for ((i = 0; i < $1; i++)); do echo "GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX k=$i\""; done
}

gen_lint() {
	local i
	for ((i = 0; i < $1 * 2; i++)); do printf 'a%d=1 ' "$i"; done
}

failed=()

# bench NAME GENERATOR ARGS...: ARGS run with the input of each size
# ("@R" is the root, "@F" the file).
bench() {
	local name=$1 gen=$2 k n ms kib first_ms first_kib growth mgrowth r f
	shift 2
	for k in 1 2 4 8; do
		n=$((N * k))
		r=$TMP/$name-$k
		root "$r"
		f=$r/input
		if [ "$gen" = gen_lint ]; then
			$gen "$n" >"$f"
		else
			$gen "$n" >"$r/etc/default/grub"
		fi
		local argv=("${@//@R/$r}")
		argv=("${argv[@]//@F/$f}")
		# vfiokit ARGS, or the edit script when ARGS start with it.
		[ "${argv[0]}" = "$TMP/edit" ] || argv=("$BIN" "${argv[@]}")
		[ "$gen" = gen_edit ] && cp "$r/etc/default/grub" "$r/etc/default/grub.in"
		"${argv[@]}" >/dev/null 2>"$TMP/err"
		case $? in
		0 | 3) ;;
		*) die "$name at n=$n: $(head -c 300 "$TMP/err")" ;;
		esac
		ms=$(median_ms "$RUNS" "${argv[@]}")
		kib=$(peak_kib "${argv[@]}")
		printf '%-13s n=%-6s %6s KiB input %9s ms %9s KiB peak\n' "$name" "$n" \
			"$(($(stat -c %s "$([ "$gen" = gen_lint ] && echo "$f" || echo "$r/etc/default/grub")") / 1024))" \
			"$ms" "$kib"
		if [ $k = 1 ]; then
			first_ms=$ms
			first_kib=$kib
		fi
	done
	growth=$(awk -v a="$first_ms" -v b="$ms" 'BEGIN { printf "%.1f", b / (a > 0 ? a : 0.1) }')
	mgrowth=$(awk -v a="$first_kib" -v b="$kib" 'BEGIN { printf "%.1f", b / (a > 0 ? a : 1) }')
	printf '%-13s 8n/n: time %sx, peak RSS %sx (target about 8x, at most %sx): %s\n' \
		"$name" "$growth" "$mgrowth" "$MAX_GROWTH" "$(below "$growth" "$MAX_GROWTH")"
	[ "$(below "$growth" "$MAX_GROWTH")" = ok ] || failed+=("$name: time grew ${growth}x")
	[ "$(below "$mgrowth" "$MAX_GROWTH")" = ok ] || failed+=("$name: memory grew ${mgrowth}x")
}

bench grub-parse gen_parse --root @R cmdline show
# The edit on a fresh copy of the generated file: edit ROOT.
printf '#!/bin/sh\ncp "$1/etc/default/grub.in" "$1/etc/default/grub" &&\n' >"$TMP/edit"
printf 'exec "%s" --root "$1" cmdline set --all-entries k=x\n' "$BIN" >>"$TMP/edit"
chmod +x "$TMP/edit"
bench grub-edit gen_edit "$TMP/edit" @R
bench cmdline-lint gen_lint cmdline lint --file @F

if [ ${#failed[@]} -eq 0 ]; then
	echo "every benchmark grows at most ${MAX_GROWTH}x from n to 8n"
else
	echo "missed the target:"
	printf '  %s\n' "${failed[@]}"
fi
