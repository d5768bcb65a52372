#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: the whole job on a real machine, emulated. A QEMU guest with an
# Intel IOMMU and two e1000e cards of one model boots Debian through OVMF and
# GRUB; vfiokit apply hands the second card to vfio-pci by its address, the
# real grub-mkconfig writes the new command line; one boot with the rescue
# of vfiokit(8) on GRUB's linux line keeps both cards on e1000e, the next
# reboots through GRUB and vfiokit verify checks it; a rescue system that
# mounts the disk takes it all back with vfiokit --root /mnt undo and a
# fourth boot shows the card on its own driver again (tests/vm/cycle.sh).
# Before that, README.md's "Your first claim" on a captured machine, command
# by command, with what vfiokit prints as a user sees it: the configuration
# with its device line, plan's diffs, apply's summary, verify's table.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export VFIOKIT=${VFIOKIT:-$TOP/vfiokit}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
colour=--color=always
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && [ "${TERM:-}" != dumb ] || {
	say() { printf '\n== %s\n' "$*"; }
	colour=--color=never
}

source "$TOP/tests/lib.sh"
first=$(mktemp -d)
trap 'rm -rf "$first"' EXIT
say "Your first claim, on a captured machine (README.md)"
while IFS= read -r line; do
	[[ $line == '$ '* ]] || continue
	cmd=${line#\$ }
	printf '\n$ %s\n' "$cmd"
	cmd=${cmd//\/tmp\/first-claim/$first/root}
	(cd "$TOP" && eval "${cmd/#.\/vfiokit /\"\$VFIOKIT\" $colour }") 2>&1 | sed "s|$first/root|/tmp/first-claim|g" || true
done < <(vk_readme_session)

say "Fetching Debian's kernel (cached after the first run)"
"$TOP/tests/vm/kernel.sh" | sed -n 's/^KVER=/kernel /p'
say "The guest's /etc/vfiokit.conf"
cat "$TOP/tests/vm/cycle/vfiokit.conf"
start=$(date +%s)
out=$("$TOP/tests/vm/cycle.sh" --narrate)
printf '%s\n' "$out" | grep -v '^\(PASS\|FAIL\|SKIP\) '
say "Checks ($(($(date +%s) - start)) s)"
printf '%s\n' "$out" | grep '^\(PASS\|FAIL\|SKIP\) '
if printf '%s\n' "$out" | grep -q '^FAIL '; then
	say "The cycle failed: see above."
	exit 1
fi
say "Applied, rescued for one boot, rebooted through GRUB, verified on vfio-pci, undone from a rescue system, and back on e1000e."
