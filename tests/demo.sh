#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: the whole job on a real machine, emulated. A QEMU guest with an
# Intel IOMMU and two e1000e cards of one model boots Debian through OVMF and
# GRUB; vfiokit apply hands the second card to vfio-pci by its address, the
# real grub-mkconfig writes the new command line, the guest reboots through
# GRUB and vfiokit verify checks it; vfiokit undo takes it all back and a
# third boot shows the card on its own driver again (tests/vm/cycle.sh).
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export VFIOKIT=${VFIOKIT:-$TOP/vfiokit}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || say() { printf '\n== %s\n' "$*"; }

say "Fetching Debian's kernel (cached after the first run)"
"$TOP/tests/vm/kernel.sh" | sed -n 's/^KVER=/kernel /p'
say "The guest's /etc/vfiokit.conf"
grep -v '^#' "$TOP/tests/vm/cycle/vfiokit.conf"
start=$(date +%s)
out=$("$TOP/tests/vm/cycle.sh" --narrate)
printf '%s\n' "$out" | grep -v '^\(PASS\|FAIL\|SKIP\) '
say "Checks ($(($(date +%s) - start)) s)"
printf '%s\n' "$out" | grep '^\(PASS\|FAIL\|SKIP\) '
if printf '%s\n' "$out" | grep -q '^FAIL '; then
	say "The cycle failed: see above."
	exit 1
fi
say "Applied, rebooted through GRUB, verified on vfio-pci, undone, and back on e1000e."
