#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit groups --predict: on the trees captured from QEMU guests booted
# with an IOMMU (tests/fixtures/*.tar.gz) the prediction from config space
# must be the kernel's own partition; it must never read the kernel's
# groups; on this machine's real sysfs, root predicts and another user
# gets UNKNOWN with the reason.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FIX=$TOP/tests/fixtures

# The captures whose kernel had an IOMMU on: each must agree.
for name in amd-bridge intel intel-noarg many verify-pci-stub verify-amd-seed predict-intel predict-amd; do
	dir=$TMP/$name
	mkdir -p "$dir" && tar xzf "$FIX/$name.tar.gz" -C "$dir" || {
		fail "predict/$name" "cannot unpack $FIX/$name.tar.gz"
		continue
	}
	out=$("$VFIOKIT" --root "$dir" groups --predict --compare 2>"$TMP/err")
	rc=$?
	if [ "$rc" != 0 ]; then
		fail "predict/$name-matches-kernel" "exit $rc: $(grep '^differs:' <<<"$out" | head -n 5) $(cat "$TMP/err")"
	elif ! grep -q "^The kernel's IOMMU groups are the predicted ones\.$" <<<"$out"; then
		fail "predict/$name-matches-kernel" "no agreement line: $(tail -n 3 <<<"$out")"
	else
		pass "predict/$name-matches-kernel"
	fi
done

# The PCIe-to-PCI bridge and what is behind it: one group, said why.
out=$("$VFIOKIT" --root "$TMP/amd-bridge" groups --predict --device 02:01.0)
expect_match predict/bridge-group-members "0000:01:00.0  PCI bridge" "$out"
expect_match predict/bridge-group-rtl "0000:02:02.0  Ethernet controller" "$out"
expect_match predict/bridge-reason "shared: everything below the PCIe-to-PCI bridge 0000:01:00.0" "$out"
expect_match predict/bridge-not-ready "^Predicted IOMMU group [0-9]+  isolated, not ready" "$out"

# The machine of tests/vm/predict.sh (predict_topology), captured with the
# Intel IOMMU on: each topology's group, named.
t=$TMP/predict-intel
members() { "$VFIOKIT" --root "$t" --json groups --predict --device "$1" |
	jq -r --arg a "$1" '.groups[] | select(any(.devices[]; .address | endswith($a))) |
		[.devices[].address | sub("^0000:"; "")] | join(" ")'; }
expect_eq predict/topology-acs-port-alone "00:10.0" "$(members 00:10.0)"
expect_eq predict/topology-no-acs-port-joins 2 "$(members 00:11.0 | wc -w)"
expect_eq predict/topology-mf-ports-with-acs "00:12.0" "$(members 00:12.0)"
expect_eq predict/topology-mf-ports-without-acs 4 "$(members 00:13.0 | wc -w)"
expect_match predict/topology-mf-ports-reason "00:13.0, 0000:00:13.1 are functions of one multifunction device without ACS" \
	"$("$VFIOKIT" --root "$t" groups --predict --device 00:13.0)"
below() { basename "$(find "$t/sys/devices/pci0000:00/0000:$1" -mindepth 1 -maxdepth 1 -name '0000:*' | sort | head -n 1)"; }
ep=$(below 00:16.0)
ep=${ep#0000:}
expect_eq predict/topology-mf-endpoint "$ep ${ep%.0}.1" "$(members "$ep")"
# Another slot helps only the groups made by a port without ACS or a
# bridge to conventional PCI (00:11.0, 00:13.x, the switch's two ports,
# the PCIe-to-PCI bridge), not the multifunction endpoint's.
expect_eq predict/topology-slot-changes 5 \
	"$("$VFIOKIT" --root "$t" groups --predict | grep -c '^  change: a card in a slot')"

# A kernel that split the bridge's group (the 8139 moved to a group of its
# own in a copy of the tree): --compare must say where they differ.
cp -a "$TMP/amd-bridge" "$TMP/moved"
moved=$(find "$TMP/moved/sys/kernel/iommu_groups" -path "*/devices/0000:02:02.0" | head -n 1)
if [ -n "$moved" ]; then
	mkdir -p "$TMP/moved/sys/kernel/iommu_groups/99/devices"
	mv "$moved" "$TMP/moved/sys/kernel/iommu_groups/99/devices/"
	out=$("$VFIOKIT" --root "$TMP/moved" groups --predict --compare 2>&1)
	rc=$?
	expect_eq predict/compare-differs-rc 3 "$rc"
	expect_match predict/compare-differs-line "^differs: 0000:01:00.0 and 0000:02:02.0: predicted together" "$out"
else
	fail predict/compare-differs "no iommu_groups entry for 0000:02:02.0 in amd-bridge"
fi

# JSON: the same partition, its keys.
json=$("$VFIOKIT" --root "$TMP/intel" --json groups --predict --compare)
expect_eq predict/json-valid 0 "$(jq -e . <<<"$json" >/dev/null; echo $?)"
expect_eq predict/json-predicted true "$(jq -r .predicted <<<"$json")"
expect_eq predict/json-differences 0 "$(jq '.differences | length' <<<"$json")"
expect_eq predict/json-group-keys '["changes","depends","devices","group","isolated","passable","ready","reasons","shared","unknown"]' \
	"$(jq -c '.groups[0] | keys' <<<"$json")"
expect_eq predict/json-ich9-shared 3 \
	"$(jq '[.groups[] | select(.shared | any(test("multifunction"))) | .devices[]] | length' <<<"$json")"

# The prediction never reads the kernel's groups or IOMMU units.
if command -v strace >/dev/null; then
	strace -f -qq -e trace=%file -o "$TMP/trace" "$VFIOKIT" --root "$TMP/intel" groups --predict >/dev/null 2>&1
	if grep -E 'iommu_groups|class/iommu' "$TMP/trace" >"$TMP/hits"; then
		fail predict/never-reads-groups "$(head -n 3 "$TMP/hits")"
	elif ! grep -q 'devices/0000:00:1f.2/config' "$TMP/trace"; then
		fail predict/never-reads-groups "the trace shows no config read: $(head -n 3 "$TMP/trace")"
	else
		pass predict/never-reads-groups
	fi
else
	fail predict/never-reads-groups "strace is not installed (tests/install-deps.sh)"
fi

# Usage.
"$VFIOKIT" groups --compare >/dev/null 2>"$TMP/err"
expect_eq predict/compare-needs-predict 2 "$?"
expect_match predict/compare-needs-predict-msg "--compare needs --predict" "$(cat "$TMP/err")"

# This machine's own sysfs: as root the extended config space is read;
# as another user only 64 bytes, and every group is unknown.
if [ ! -d /sys/bus/pci/devices ] || [ -z "$(ls /sys/bus/pci/devices)" ]; then
	skip predict/host "no PCI devices in /sys/bus/pci/devices here"
elif [ "$(id -u)" != 0 ]; then
	skip predict/host "not root: the root half of the comparison cannot run"
else
	out=$("$VFIOKIT" groups --predict 2>&1)
	rc=$?
	expect_eq predict/host-root-rc 0 "$rc"
	if grep -q 'unknown' <<<"$out"; then
		fail predict/host-root-known "$(grep unknown <<<"$out" | head -n 2)"
	else
		pass predict/host-root-known
	fi
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VFIOKIT" groups --predict 2>&1)
	rc=$?
	expect_eq predict/host-user-rc 3 "$rc"
	expect_match predict/host-user-unknown "^Predicted IOMMU group 1  unknown" "$out"
	expect_match predict/host-user-reason "only 64 of the [0-9]+ bytes of 0000:" "$out"
fi
