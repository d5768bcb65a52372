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

say "Booting it under QEMU: Intel IOMMU, two e1000e (8086:10d3), cmdline '$args'"
say "Inside the guest: vfiokit groups --class net"
rc=0
"$TOP/tests/vm/run-vm" --iommu intel --device e1000e --device e1000e --append "$args" \
	-- sh -c 'vfiokit groups --class net; echo; echo "$ vfiokit groups --device 8086:10d3; echo \$?"; vfiokit groups --device 8086:10d3 >/dev/null; echo $?' || rc=$?
if [ $rc -ne 0 ]; then
	echo "demo: the guest run failed (exit $rc)" >&2
	exit 1
fi
say "Both cards sit alone in their IOMMU groups and are bound to vfio-pci: ready for a guest."
