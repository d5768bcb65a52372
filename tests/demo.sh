#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make demo`: boot a real Debian kernel under QEMU with an emulated Intel
# IOMMU and two e1000e network cards, claimed at boot by vfio-pci through
# vfio-pci.ids=, and run vfiokit inside it.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export VFIOKIT=${VFIOKIT:-$TOP/vfiokit}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] || say() { printf '\n== %s\n' "$*"; }

args="intel_iommu=on vfio-pci.ids=8086:10d3"
say "Fetching Debian's kernel (cached after the first run)"
"$TOP/tests/vm/kernel.sh" | sed -n 's/^KVER=/kernel /p'

say "Booting it under QEMU: Intel IOMMU, a VGA card, two e1000e (8086:10d3), cmdline '$args'"
say "Inside the guest: vfiokit groups --class net"
out=$("$TOP/tests/vm/run-vm" --iommu intel --device VGA --device e1000e --device e1000e \
	--append "$args" -- sh -c 'vfiokit groups --class net; vfiokit groups --device 8086:10d3 >/dev/null; echo "device-check $?"') || {
	echo "demo: the guest run failed (exit $?)" >&2
	exit 1
}
printf '%s\n' "$out" | grep -v '^device-check '
if [ "$(printf '%s\n' "$out" | sed -n 's/^device-check //p')" = 0 ]; then
	say "'vfiokit groups --device 8086:10d3' exits 0: both cards are alone in their IOMMU groups and bound to vfio-pci, ready for a guest."
else
	say "'vfiokit groups --device 8086:10d3' found a problem: see the reasons above."
	exit 1
fi
