#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 4: a real boot (tests/vm/run-vm: Debian's 6.1 kernel under QEMU with
# an emulated VT-d and an e1000e, 8086:10d3) whose command line has no
# vfio-pci.ids.  Inside: the e1000e is on its host driver; vfio-pci (loaded
# by the harness's init without ids) and e1000e are unloaded as after a
# fresh boot that has not reached the NIC yet; `vfiokit modules write`
# writes modprobe.d, `vfiokit modules check --load` inserts vfio-pci through
# libkmod with those ids and the device ends up on vfio-pci; loading
# e1000e afterwards (its softdep runs first) leaves it there.
source "$(dirname "$0")/../lib.sh"

if ! command -v "${QEMU:-qemu-system-x86_64}" >/dev/null; then
	skip modules-vm "qemu-system-x86_64 is not installed"
	exit 0
fi

# The guest's script; each step ends with a line "@@NAME=STATUS".
GUEST='
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x10d3 ] && dev=${d##*/}
done
drv() { l=$(readlink /sys/bus/pci/devices/$dev/driver) && basename "$l" || echo none; }
echo "@@boot-driver=$(drv)"
echo "@@cmdline-ids=$(grep -c vfio-pci.ids /proc/cmdline)"
/sbin/rmmod vfio_pci; /sbin/rmmod e1000e
echo "@@unbound=$(drv)"
vfiokit modules write --device 8086:10d3; echo "@@write=$?"
cat /etc/modprobe.d/vfiokit.conf
vfiokit modules check --no-initramfs --load --dry-run --device 8086:10d3; echo "@@dry=$?"
echo "@@dry-driver=$(drv)"
vfiokit modules check --no-initramfs --load --device 8086:10d3; echo "@@load=$?"
echo "@@load-driver=$(drv)"
/sbin/modprobe e1000e
echo "@@after-e1000e=$(drv)"
'

out=$("$TOP/tests/vm/run-vm" --iommu intel --append " intel_iommu=on" --device e1000e \
	--timeout 240 -- sh -c "$GUEST" 2>"${TMPDIR:-/tmp}/modules-vm.err")
rc=$?
if [ "$rc" != 0 ]; then
	fail modules-vm/boot "run-vm exited with $rc"
	tail -n 20 "${TMPDIR:-/tmp}/modules-vm.err" | sed 's/^/    /'
	printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
	rm -f "${TMPDIR:-/tmp}/modules-vm.err"
	exit 0
fi
rm -f "${TMPDIR:-/tmp}/modules-vm.err"
pass modules-vm/boot

val() { sed -n "s/^@@$1=//p" <<<"$out" | tail -n 1; }
show() { printf '%s\n' "$out" | sed 's/^/    /' | head -n 60; }
step() { # NAME WANT
	local got
	got=$(val "$1")
	if [ "$got" = "$2" ]; then pass "modules-vm/$1"; else
		fail "modules-vm/$1" "got '$got', expected '$2'"
		show
	fi
}

step boot-driver e1000e
step cmdline-ids 0
step unbound none
step write 0
expect_match modules-vm/written '^options vfio-pci ids=8086:10d3$' "$out"
expect_match modules-vm/written-softdep '^softdep e1000e pre: vfio-pci$' "$out"
step dry 0
expect_match modules-vm/dry-chain 'would insmod .*/vfio-pci\.ko ids=8086:10d3' "$out"
step dry-driver none
step load 0
expect_match modules-vm/load-verdict 'OK, vfio-pci claims it first' "$out"
expect_match modules-vm/load-inserted 'inserted .*/vfio-pci\.ko ids=8086:10d3' "$out"
step load-driver vfio-pci
step after-e1000e vfio-pci
