#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: old claims that catch a device the host needs (the boot VGA
# device, the NIC of the default route), on the intel fixture with
# Debian's real module tree. The user's (in /etc/default/grub,
# /etc/kernel/cmdline, a modprobe.d file) make plan and apply refuse with
# file:line, exit 3, nothing written, unless --force; the ones vfiokit
# wrote (the journal says so) plan takes out; vfiokit verify fails on
# each.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

vk_kernel_image old-claims/kernel 6.1 || exit 0

GRUB_CLEAN='GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'
OVERRIDE='boot = "grub";
kernel = "none";
devices = {
	nic = { address = "0000:00:03.0"; claim = "override"; };
};'
BY_ID='boot = "grub";
kernel = "none";
devices = {
	nic = { id = "8086:10d3"; };
};'

# make_root NAME GRUB CONF: the fixture (boot VGA 0000:00:01.0 [1234:1111],
# two 8086:10d3 NICs), modules, GRUB, a configuration, root on tmpfs.
make_root() {
	local r=$TMP/$1
	vk_live_root "$r" intel "$KVER" "$MODROOT"
	printf '%s\n' "$2" >"$r/etc/default/grub"
	printf '%s\n' "$3" >"$r/etc/vfiokit.conf"
	printf '%s\n' "$r"
}

state() {
	(cd "$1" && find etc var -type f 2>/dev/null | sort | xargs -r sha256sum) | sha256sum
}

run() {
	OUT=$("$VFIOKIT" "$@" 2>&1)
	RC=$?
}

# 1. The user's vfio-pci.ids in /etc/default/grub takes the boot GPU.
R=$(make_root user-grub 'GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX="vfio-pci.ids=10de:1c03,1234:1111"' "$OVERRIDE")
before=$(state "$R")
run --root "$R" plan
expect_eq old-claims/grub-plan-rc 3 "$RC"
expect_match old-claims/grub-plan-where "^vfiokit: $R/etc/default/grub:3: vfio-pci.ids=1234:1111 catches 0000:00:01.0, which is the boot VGA device.*or give --force$" "$OUT"
run --root "$R" apply
expect_eq old-claims/grub-apply-rc 3 "$RC"
expect_match old-claims/grub-apply-nothing 'nothing written: 1 old claim catches a device the host needs' "$OUT"
expect_eq old-claims/grub-apply-writes-nothing "$before" "$(state "$R")"
run --root "$R" --json plan
expect_eq old-claims/grub-json-rc 3 "$RC"
run --root "$R" verify --checks devices
expect_eq old-claims/grub-verify-rc 3 "$RC"
expect_match old-claims/grub-verify "^Checking 0000:00:01.0 is claimed by no vfio-pci id +: FAIL \($R/etc/default/grub:3: vfio-pci.ids=1234:1111 catches it" "$OUT"
run --root "$R" apply --force
expect_eq old-claims/grub-force-rc 0 "$RC"
expect_match old-claims/grub-force-warns 'warning: .*grub:3: vfio-pci.ids=1234:1111 catches 0000:00:01.0.*--force: going on' "$OUT"
expect_match old-claims/grub-force-keeps-users '^GRUB_CMDLINE_LINUX="vfio-pci.ids=10de:1c03,1234:1111"$' "$(cat "$R/etc/default/grub")"
# What the user wrote stays the user's after an apply changed the file.
run --root "$R" plan
expect_eq old-claims/grub-still-users-rc 3 "$RC"

# 2. The same in a modprobe.d file of the user's, module named vfio_pci.
R=$(make_root user-modprobe "$GRUB_CLEAN" "$OVERRIDE")
mkdir -p "$R/etc/modprobe.d"
printf '# mine\nblacklist nouveau\noptions vfio_pci disable_vga=1 ids=1234:1111\n' >"$R/etc/modprobe.d/gpu.conf"
before=$(state "$R")
run --root "$R" apply
expect_eq old-claims/modprobe-apply-rc 3 "$RC"
expect_match old-claims/modprobe-where "^vfiokit: $R/etc/modprobe.d/gpu.conf:3: options vfio-pci ids=1234:1111 catches 0000:00:01.0" "$OUT"
expect_eq old-claims/modprobe-writes-nothing "$before" "$(state "$R")"
run --root "$R" verify --checks devices
expect_match old-claims/modprobe-verify "FAIL \($R/etc/modprobe.d/gpu.conf:3: options vfio-pci ids=1234:1111" "$OUT"

# 3. pci-stub.ids in /etc/kernel/cmdline, on a host that boots from it;
# on one that boots with GRUB the file is not read at boot, and plan goes on.
R=$(make_root user-kernel-cmdline "$GRUB_CLEAN" "${OVERRIDE/\"grub\"/\"kernel-cmdline\"}")
mkdir -p "$R/etc/kernel"
echo 'root=/dev/sda1 ro pci-stub.ids=1234:1111' >"$R/etc/kernel/cmdline"
run --root "$R" plan
expect_eq old-claims/kernel-cmdline-rc 3 "$RC"
expect_match old-claims/kernel-cmdline-where "$R/etc/kernel/cmdline:1: pci-stub.ids=1234:1111 catches 0000:00:01.0" "$OUT"
printf '%s\n' "$OVERRIDE" >"$R/etc/vfiokit.conf"
run --root "$R" plan
expect_eq old-claims/kernel-cmdline-unused-rc 0 "$RC"
if grep -q 'catches' <<<"$OUT"; then
	fail old-claims/kernel-cmdline-unused "a file GRUB does not read is held against the plan: $OUT"
else
	pass old-claims/kernel-cmdline-unused
fi

# 4. vfiokit's own claim by id, then the default route moves to one of the
# two cards: plan takes the id out of both files it wrote, apply does it,
# and the next plan finds nothing.
R=$(make_root ours "$GRUB_CLEAN" "$BY_ID")
run --root "$R" apply
expect_eq old-claims/ours-first-apply "0 GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on vfio-pci.ids=8086:10d3\"" \
	"$RC $(grep LINUX_DEFAULT= "$R/etc/default/grub")"
vk_route_via "$R" 0000:00:02.0
printf '%s\n' "$OVERRIDE" >"$R/etc/vfiokit.conf"
run --root "$R" plan
expect_eq old-claims/ours-plan-rc 0 "$RC"
expect_match old-claims/ours-plan-grub "^$R/etc/default/grub:2: vfio-pci.ids=8086:10d3 catches 0000:00:02.0, which is the NIC of the default route; vfiokit wrote it, and this plan takes it out$" "$OUT"
expect_match old-claims/ours-plan-modprobe "^$R/etc/modprobe.d/vfiokit.conf:3: options vfio-pci ids=8086:10d3 catches 0000:00:02.0" "$OUT"
expect_match old-claims/ours-plan-diff '^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$OUT"
run --root "$R" apply
expect_eq old-claims/ours-apply-rc 0 "$RC"
if grep -q 8086:10d3 "$R/etc/default/grub" "$R/etc/modprobe.d/vfiokit.conf"; then
	fail old-claims/ours-apply-removed "8086:10d3 is still claimed: $(grep 8086:10d3 "$R/etc/default/grub" "$R/etc/modprobe.d/vfiokit.conf")"
else
	pass old-claims/ours-apply-removed
fi
run --root "$R" plan
expect_match old-claims/ours-second-plan '^Nothing to change' "$OUT"
# The running command line still has it until the reboot: verify says so.
printf 'BOOT_IMAGE=/vmlinuz root=/dev/sda1 vfio-pci.ids=8086:10d3\n' >"$R/proc/cmdline"
run --root "$R" verify --checks devices
expect_match old-claims/ours-verify-running "FAIL \($R/proc/cmdline:1: vfio-pci.ids=8086:10d3 catches it, and it is the NIC of the default route" "$OUT"

# 5. A claim vfiokit wrote, in a file the user changed since: not known
# to be vfiokit's any more, so refused.
R=$(make_root changed "$GRUB_CLEAN" "$BY_ID")
run --root "$R" apply
echo '# edited' >>"$R/etc/default/grub"
vk_route_via "$R" 0000:00:02.0
printf '%s\n' "$OVERRIDE" >"$R/etc/vfiokit.conf"
run --root "$R" plan
expect_eq old-claims/changed-since-rc 3 "$RC"
expect_match old-claims/changed-since "grub:2: vfio-pci.ids=8086:10d3 catches 0000:00:02.0.*take that id out of that line" "$OUT"
