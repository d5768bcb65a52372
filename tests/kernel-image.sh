#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's current kernel image of one series, unpacked once into the cache
# with depmod -b indexes (tests/vm/kernel.sh does the work).
#
#   tests/kernel-image.sh SERIES        SERIES: 6.1, 6.12, ...
#
# The meta package is resolved at run time: linux-image-amd64 when it
# depends on that series (6.1 on Debian 12), else linux-image-SERIES-amd64
# (6.12 on Debian 12 comes from its security archive).  Prints KVER=,
# VMLINUZ= and MODROOT= as tests/vm/kernel.sh does; exit 1 when the series
# cannot be had.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
series=${1:?usage: tests/kernel-image.sh SERIES}

say() { printf 'kernel-image.sh: %s\n' "$*" >&2; }

# meta_for SERIES: the meta package whose image is of that series.
meta_for() {
	local dep
	dep=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ <>]*\)$/\1/p' | head -n 1)
	case $dep in
	"linux-image-$1."* | "linux-image-$1-"*)
		printf 'linux-image-amd64\n'
		return
		;;
	esac
	if apt-cache show --no-all-versions "linux-image-$1-amd64" >/dev/null 2>&1; then
		printf 'linux-image-%s-amd64\n' "$1"
		return
	fi
	say "apt-cache knows no meta package for $1 (run apt-get update?)"
	printf 'linux-image-%s-amd64\n' "$1"
}

out=$("$TOP/tests/vm/kernel.sh" "$(meta_for "$series")") || exit 1
kver=$(sed -n 's/^KVER=//p' <<<"$out")
case $kver in
"$series."* | "$series-"*) printf '%s\n' "$out" ;;
*)
	say "got kernel $kver, not a $series one"
	exit 1
	;;
esac
