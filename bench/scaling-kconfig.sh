#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How the .config and Kconfig readers scale: each input at n, 2n, 4n and
# 8n lines, the median wall time of each, and the growth from n to 8n.
# Linear is 8x; a scan per line (quadratic) would be 64x.
#   - fragment: a strict fragment of n symbols merged (kconfig merge
#     --dry-run, no tree): duplicates looked up, requests collected;
#   - config: a .config of n lines checked (kconfig check --config);
#   - kconfig: a Kconfig tree of n entries in files of 10,000, each with a
#     dependency, a select and a macro variable of its own (kconfig check
#     --kernel-dir);
#   - chain: one "depends on" of n terms joined by &&.
#
#   bench/scaling-kconfig.sh [N [RUNS]]     (default N 25000, RUNS 5)
#
# Prints a line per input, "MISSED" where 8n took more than 12 times n.
# Exits 0 whatever the numbers; 1 only when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
N=${1:-25000}
RUNS=${2:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$TOP/vfiokit" ] || die "build vfiokit first (make)"
VK=$TOP/vfiokit
mkdir -p "$TMP/root"
printf '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_64BIT=y\n' >"$TMP/base.config"

# make KIND SIZE: the input of that kind and size; prints the command to time.
make_input() {
	local kind=$1 n=$2 d=$TMP/$1-$2
	mkdir -p "$d"
	case $kind in
	fragment)
		awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "CONFIG_S%d=y\n", i }' >"$d/frag.config"
		echo "$VK --root $TMP/root kconfig merge --dry-run --config $TMP/base.config" \
			"$d/frag.config"
		;;
	config)
		awk -v n="$n" 'BEGIN { print "# Linux/x86 6.1.0 Kernel Configuration"
			for (i = 0; i < n; i++) printf "CONFIG_S%d=y\n", i }' >"$d/.config"
		echo "$VK --root $TMP/root kconfig check --config $d/.config" \
			"--profile vfio"
		;;
	kconfig)
		# In files of 10,000 entries (a file is read up to 16 MiB).
		awk -v n="$n" -v d="$d" 'BEGIN {
			for (i = 0; i < n; i++) {
				f = d "/Kconfig." int(i / 10000)
				if (i % 10000 == 0)
					printf "source \"Kconfig.%d\"\n", int(i / 10000) >d "/Kconfig"
				printf "v%d := S%d\n", i, (i ? i - 1 : 0) >f
				printf "config S%d\n\tbool \"s%d\"\n\tdepends on $(v%d) || A\n\tselect T%d\n", i, i, i, i >f
			}
		}'
		echo "$VK --root $TMP/root kconfig check --config $TMP/base.config --kernel-dir $d" \
			"--profile vfio"
		;;
	chain)
		awk -v n="$n" 'BEGIN { printf "config VFIO\n\ttristate \"vfio\"\n\tdepends on B"
			for (i = 0; i < n; i++) printf " && S%d", i
			printf "\n" }' >"$d/Kconfig"
		echo "$VK --root $TMP/root kconfig check --config $TMP/base.config --kernel-dir $d" \
			"--profile vfio"
		;;
	esac
}

printf '%-9s %10s %10s %10s %10s %8s\n' input "n=$N" "2n" "4n" "8n" growth
# read_it STATUS: 0 (all kept) and 3 (a request not met) both read the input.
read_it() { [ "$1" -eq 0 ] || [ "$1" -eq 3 ]; }

missed=0
for kind in fragment config kconfig chain; do
	scaling_row "$kind" read_it
done
[ $missed -eq 0 ] && echo "every input grows linearly (about 8x for 8n)" ||
	echo "some input grows faster than linear, or failed: see above"
exit 0
