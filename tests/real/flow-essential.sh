#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: plan and apply when an essential kernel option cannot be built.
# The intel fixture with Debian's module tree (tests/kernel-image.sh 6.1),
# kernel = "/usr/src/linux" on Debian's real 6.1 source tree
# (tests/kernel-source.sh) and Debian's own configuration with CONFIG_PCI
# switched off, which the kernel's make olddefconfig resolves to a kernel
# without vfio-pci, the Intel IOMMU driver or interrupt remapping: plan
# says so (text and JSON), apply writes nothing and exits 3, apply --force
# writes.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

vk_kernel_image flow-essential/kernel 6.1 || exit 0
DEBCONF=$MODROOT/boot/config-$KVER
TREE=$("$TOP/tests/kernel-source.sh" 6.1 2>"$TMP/src.err")
case $? in
0) ;;
77) skip flow-essential "$(tail -n 1 "$TMP/src.err")"; exit 0 ;;
*) fail flow-essential "no kernel tree: $(tail -n 3 "$TMP/src.err")"; exit 0 ;;
esac
[ -f "$DEBCONF" ] || { fail flow-essential "no $DEBCONF"; exit 0; }

R=$TMP/root
mkdir -p "$R/lib/modules" "$R/etc/default" "$R/usr/share/misc" "$R/proc/sys/kernel" \
	"$R/proc/self" "$R/proc/net" "$R/usr/src/linux"
tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$R"
cp "$TOP/tests/fixtures/pci.ids" "$R/usr/share/misc/"
rm -rf "$R/lib/modules/$KVER" # the fixture's own index, cut to its devices
ln -s "$MODROOT/lib/modules/$KVER" "$R/lib/modules/$KVER"
echo "$KVER" >"$R/proc/sys/kernel/osrelease"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' \
	>"$R/etc/default/grub"
echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$R/proc/self/mountinfo"
printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
	>"$R/proc/net/route"
cat >"$R/etc/vfiokit.conf" <<'CONF'
boot = "grub";
kernel = "/usr/src/linux";
profiles = [ "iommu-intel", "vfio" ];
devices = {
	nic = { address = "0000:00:03.0"; claim = "override"; };
};
CONF
# The shared tree stays read-only: the root's /usr/src/linux links to each of
# its entries and has a .config of its own.
for e in "$TREE"/*; do ln -s "$e" "$R/usr/src/linux/"; done
sed 's/^CONFIG_PCI=y$/# CONFIG_PCI is not set/' "$DEBCONF" >"$R/usr/src/linux/.config"

# state: a checksum of every file the flow may write.
state() {
	(cd "$R" && find etc var usr/src/linux/.config -type f 2>/dev/null | sort | xargs -r sha256sum) |
		sha256sum
}
run() {
	OUT=$("$VFIOKIT" --root "$R" "$@" --profiles-dir "$TOP/profiles" 2>&1)
	RC=$?
}
before=$(state)

run plan
expect_eq flow-essential/plan-rc 3 "$RC"
expect_match flow-essential/plan-summary '^3 essential kernel options will not be built' "$OUT"
expect_match flow-essential/plan-vfio-pci '^  CONFIG_VFIO_PCI=m, is not set: vfio-pci' "$OUT"
expect_match flow-essential/plan-apply-refuses "but 'vfiokit --root [^ ]+ apply' writes nothing unless --force" "$OUT"

# The JSON document alone: what runs and how long goes to standard error.
OUT=$("$VFIOKIT" --root "$R" --json plan --profiles-dir "$TOP/profiles" 2>/dev/null)
expect_eq flow-essential/plan-json "INTEL_IOMMU IRQ_REMAP VFIO_PCI" \
	"$(jq -r '[.essential_lost[].symbol] | sort | join(" ")' <<<"$OUT" 2>&1)"

run apply
expect_eq flow-essential/apply-rc 3 "$RC"
expect_match flow-essential/apply-says 'nothing written: the kernel built from this configuration cannot' "$OUT"
expect_eq flow-essential/apply-writes-nothing "$before" "$(state)"
[ -e "$R/var/lib/vfiokit/journal" ] && fail flow-essential/apply-no-journal "a journal was written" ||
	pass flow-essential/apply-no-journal

run apply --force
expect_eq flow-essential/force-rc 3 "$RC"
expect_match flow-essential/force-warns '--force: writing all the same' "$OUT"
expect_match flow-essential/force-journal "^Recorded in $R/var/lib/vfiokit/journal" "$OUT"
if [ "$before" != "$(state)" ] && grep -q '^# CONFIG_VFIO_PCI is not set\|^# CONFIG_PCI is not set' \
	"$R/usr/src/linux/.config" && grep -q 'intel_iommu=on' "$R/etc/default/grub"; then
	pass flow-essential/force-writes
else
	fail flow-essential/force-writes "the files did not change"
fi

# plan takes --force too (for old claims): it still writes nothing, and
# still reports the lost options.
after=$(state)
run plan --force
expect_eq flow-essential/plan-force-rc 3 "$RC"
expect_eq flow-essential/plan-force-writes-nothing "$after" "$(state)"
