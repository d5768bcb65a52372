#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How every parser vfiokit has a fuzz target for scales: the GRUB file and
# command line (bench/scaling-grub.sh), the .config, fragments and
# Kconfig (bench/scaling-kconfig.sh), and here the journal and
# vfiokit.conf, each at n, 2n, 4n and 8n entries with the median wall time
# and the growth from n to 8n (linear is 8x; "MISSED" above 12x):
#   - journal: a journal of n files read by 'vfiokit undo --dry-run';
#   - conf: a vfiokit.conf with n extra arguments read by 'vfiokit plan'
#     (which stops at the device the captured-less root does not have).
#
#   bench/scaling.sh [N [RUNS]]     (default N 4000, RUNS 5; 8n stays under
#   the journal's 4 MiB and vfiokit.conf's limit)
#
# Exits 0 whatever the numbers; 1 only when a benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"
N=${1:-4000}
RUNS=${2:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$TOP/vfiokit" ] || die "build vfiokit first (make)"
VK=$TOP/vfiokit
bash "$TOP/bench/scaling-grub.sh" || exit 1
bash "$TOP/bench/scaling-kconfig.sh" || exit 1

# make_input KIND SIZE: the root for that input; prints the command to time.
make_input() {
	local kind=$1 n=$2 d=$TMP/$1-$2 sum
	case $kind in
	journal)
		mkdir -p "$d/var/lib/vfiokit"
		sum=$(printf a | sha256sum | cut -c1-64)
		awk -v n="$n" -v s="$sum" 'BEGIN {
			print "generation = 3L;\nconfig = \"/etc/vfiokit.conf\";\ntime = \"T\";"
			print "complete = true;\nfiles = ("
			for (i = 0; i < n; i++)
				printf "%s  { path = \"/etc/f%d\"; existed = false; after = \"%s\"; }\n",
					(i ? "," : ""), i, s
			print ");" }' >"$d/var/lib/vfiokit/journal"
		echo "$VK --root $d undo --dry-run"
		;;
	conf)
		mkdir -p "$d/etc"
		awk -v n="$n" 'BEGIN { printf "devices = { gpu = { id = \"10de:1c03\"; }; };\narguments = ["
			for (i = 0; i < n; i++) printf "%s\"a%d=1\"", (i ? ", " : ""), i
			print " ];" }' >"$d/etc/vfiokit.conf"
		echo "$VK --root $d plan"
		;;
	esac
}

printf '%-9s %10s %10s %10s %10s %8s\n' input "n=$N" "2n" "4n" "8n" growth
# read_it STATUS: undo exits 0; plan stops at the device (1), after reading it all.
read_it() { [ "$1" -eq 0 ] || grep -q "no PCI device 10de:1c03" "$TMP/err"; }

missed=0
for kind in journal conf; do
	scaling_row "$kind" read_it
done
[ $missed -eq 0 ] && echo "the journal and vfiokit.conf grow linearly (about 8x for 8n)" ||
	echo "the journal or vfiokit.conf grows faster than linear: see above"
exit 0
