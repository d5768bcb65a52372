#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit claim and release on the captured intel tree: the numbered
# listing, claims by number, address and id, the lines init wrote
# uncommented in place and commented back by release (byte for byte), a
# hand-written file whose comments and layout stay, a second identical
# claim or release that changes nothing, and the refusals (the boot GPU,
# a bridge, the chipset's SMBus controller, a device of a group that is not
# isolated, a number out of range, an id entry released by one address, a
# file that does not read), each leaving the file untouched.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
vk_live_root "$R"
CONF=$R/etc/vfiokit.conf
vk() { "$VFIOKIT" --root "$R" "$@"; }
sum() { sha256sum <"$CONF"; }

# Before init: the file is missing, and the hint keeps --root.
out=$(vk claim 2 2>&1)
rc=$?
expect_eq claim/no-file "1 vfiokit: $CONF: no such file: 'vfiokit --root $R init' writes a starter file" \
	"$rc $out"

vk init >/dev/null
cp "$CONF" "$TMP/init.conf"

# The listing: what init offers (no bridges, no chipset functions, nothing
# of group 4, which the ISA bridge and the SMBus controller keep from being
# isolated), numbered, with their subsystems, none claimed.
out=$(vk claim)
expect_eq claim/list "Devices a guest can be given (* claimed in $CONF):
  [1]     0000:00:01.0  VGA compatible controller [0300]: Device [1234:1111] (rev 02), group 1
                        subsystem Red Hat, Inc. Device [1af4:1100]
  [2]     0000:00:02.0  Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3], group 2
                        subsystem Intel Corporation Device [8086:0000]
  [3]     0000:00:03.0  Ethernet controller [0200]: Intel Corporation 82574L Gigabit Network Connection [8086:10d3], group 3
                        subsystem Intel Corporation Device [8086:0000]" \
	"$out"
# The same devices init offers as settings to uncomment (by id, or by
# address for a model seen twice).
offered=$(grep -E '^	# [a-z_0-9]+ = \{ (id|address) = ' "$TMP/init.conf" | grep -Eo '"[0-9a-f:.]+"' |
	tr -d '"' | sort)
listed=$(vk claim | sed -nE 's/^  \[[0-9]+\] +([0-9a-f:.]+)  .*\[([0-9a-f]{4}:[0-9a-f]{4})\]( \(rev [0-9a-f]+\))?, group .*$/\1 \2/p' |
	while read -r addr id; do
		if grep -qx "$addr" <<<"$offered"; then echo "$addr"; else echo "$id"; fi
	done | sort)
expect_eq claim/list-is-init-offers "$offered" "$listed"

# Claim by number: init's line is uncommented, nothing else changes.
out=$(vk claim 3 2>&1)
expect_eq claim/number-says "3: claimed as net_2
$CONF: changed; the previous version is in $CONF.vfiokit-bak
Next: 'vfiokit --root $R plan' shows what this changes on the host." "$out"
expect_eq claim/number-uncomments '50c50
< 	# net_2 = { address = "0000:00:03.0"; claim = "override"; };
---
> 	net_2 = { address = "0000:00:03.0"; claim = "override"; };' \
	"$(diff "$TMP/init.conf" "$CONF")"
expect_eq claim/backup "$(sha256sum <"$TMP/init.conf")" "$(sha256sum <"$CONF.vfiokit-bak")"
expect_match claim/list-marks '^  \[3\]   \* 0000:00:03\.0 .*group 3, as net_2$' "$(vk claim)"

# The same claim again, by address this time: nothing changes.
before=$(sum)
out=$(vk claim 0000:00:03.0 2>&1)
rc=$?
expect_eq claim/again "0 0000:00:03.0 is already claimed as net_2 ($CONF:50)" "$rc $out"
expect_eq claim/again-unchanged "$before" "$(sum)"

# A device of a group that is not isolated (by short address) and the
# SMBus controller are refused with the reason, and nothing is written.
before=$(sum)
out=$(vk claim 00:1f.2 2>&1)
rc=$?
expect_eq claim/not-isolated-refused "1 vfiokit: 0000:00:1f.2 shares IOMMU group 4 with 0000:00:1f.0, which is the chipset's ISA/LPC bridge: it stays with the host, and a guest gets a whole group: the host needs it; choose another device, or give --allow-host-device if the host really does without it
vfiokit: nothing written" "$rc $out"
out=$(vk claim 8086:2930 2>&1)
rc=$?
expect_eq claim/smbus-refused "1 vfiokit: 0000:00:1f.3 is the chipset's SMBus controller: it stays with the host: the host needs it; choose another device, or give --allow-host-device if the host really does without it
vfiokit: nothing written" "$rc $out"
expect_eq claim/not-offered-unchanged "$before" "$(sum)"

# With --allow-host-device the storage controller is claimed with a
# warning, and the rest of its group is named.
out=$(vk claim --allow-host-device 00:1f.2 2>&1)
expect_match claim/not-isolated-allowed "^vfiokit: warning: WARNING: 0000:00:1f.2 shares IOMMU group 4 with 0000:00:1f.0, .*--allow-host-device: going on anyway" "$out"
expect_match claim/group-warning "^vfiokit: warning: 0000:00:1f.3 shares IOMMU group 4 with 0000:00:1f.2: .*'vfiokit --root $R claim 0000:00:1f.3'" "$out"
expect_match claim/storage-line '^	storage = \{ id = "8086:2922"; \};$' "$(cat "$CONF")"
expect_eq claim/list-also-claimed "Also claimed (--allow-host-device), though not offered to a guest:
        * 0000:00:1f.2  SATA controller [0106]: Intel Corporation 82801IR/IO/IH (ICH9R/DO/DH) 6 port SATA Controller [AHCI mode] [8086:2922] (rev 02), group 4, as storage
                        subsystem Red Hat, Inc. QEMU Virtual Machine [1af4:1100]" \
	"$(vk claim | sed -n '/^Also claimed/,$p')"

# Release puts back what init wrote, byte for byte; storage, which init
# did not offer (its group is not isolated), stays as a comment.
out=$(vk release net_2 0000:00:1f.2 2>&1)
expect_eq release/says "net_2: released net_2
0000:00:1f.2: released storage
$CONF: changed; the previous version is in $CONF.vfiokit-bak
Next: 'vfiokit --root $R plan' shows what this changes on the host." "$out"
expect_eq release/back-to-init '60a61
> 	# storage = { id = "8086:2922"; };' "$(diff "$TMP/init.conf" "$CONF")"
cp "$CONF" "$TMP/base.conf"
out=$(vk release 0000:00:03.0 2>&1)
rc=$?
expect_eq release/again "0 0000:00:03.0 is not claimed in $CONF" "$rc $out"
expect_eq release/again-unchanged "$(sha256sum <"$TMP/base.conf")" "$(sum)"

# Refusals leave the file as it was.
before=$(sum)
out=$(vk claim 1 2>&1)
rc=$?
expect_match claim/boot-gpu-refused "^vfiokit: 0000:00:01\.0 is the boot VGA device, .*--allow-host-device" "$out"
expect_eq claim/boot-gpu-rc "1 $before" "$rc $(sum)"
out=$(vk claim 0000:00:00.0 2>&1)
rc=$?
expect_eq claim/bridge "1 vfiokit: 0000:00:00.0 is a bridge: it stays with the host ('vfiokit claim' lists the devices a guest can be given)" "$rc $out"
out=$(vk claim 9 2>&1)
rc=$?
expect_eq claim/out-of-range "1 vfiokit: there is no device number 9: 'vfiokit claim' lists 3" "$rc $out"
out=$(vk claim gpu 2>&1)
rc=$?
expect_eq claim/not-a-device "1 vfiokit: gpu is neither a number from 'vfiokit claim', a PCI address (0000:01:00.0) nor a vendor:device id (10de:1c03)" "$rc $out"
out=$(vk claim --frob 2>&1)
rc=$?
expect_eq claim/usage "2 vfiokit: claim: unknown option '--frob'
Try 'vfiokit claim --help' for more information." "$rc $out"
expect_eq claim/refusals-unchanged "$before" "$(sum)"

# --allow-host-device: the boot GPU is claimed, with a warning.
out=$(vk claim --allow-host-device 1 2>&1)
rc=$?
expect_match claim/allow-host "^vfiokit: warning: .*0000:00:01\.0" "$out"
expect_match claim/allow-host-line '^	gpu = \{ id = "1234:1111"; \};$' "$(cat "$CONF")"
vk release gpu >/dev/null

# An id claims every device of the model, in one new entry; releasing one
# of them by address is refused, by the id it goes.
vk claim 8086:10d3 >/dev/null
expect_eq claim/id-entry '61a62
> 	net = { id = "8086:10d3"; };' "$(diff "$TMP/base.conf" "$CONF")"
before=$(sum)
out=$(vk release 0000:00:02.0 2>&1)
rc=$?
expect_eq release/id-by-address "1 vfiokit: net ($CONF:62) claims every device with id 8086:10d3, 0000:00:03.0 too: release it by its id, then claim the one for the guest by its address" "$rc $out"
expect_eq release/id-by-address-unchanged "$before" "$(sum)"
vk release 8086:10d3 >/dev/null
expect_eq release/id '61a62
> 	# net = { id = "8086:10d3"; };' "$(diff "$TMP/base.conf" "$CONF")"

# A hand-written file: its comments, blank lines and layout stay; the new
# entry goes last in the devices group; libconfig reads it back.
cat >"$CONF" <<'EOF'
// my passthrough box
boot = "grub"; /* GRUB 2 */
devices = {   # the guest's
	usbc : { id = "1234:1111"; claim = "pci-stub"; } // kept as written
};
# end
EOF
cp "$CONF" "$TMP/hand.conf"
vk claim --allow-host-device 2 >/dev/null 2>&1
expect_eq claim/hand-written '// my passthrough box
boot = "grub"; /* GRUB 2 */
devices = {   # the guest'"'"'s
	usbc : { id = "1234:1111"; claim = "pci-stub"; } // kept as written
	net = { address = "0000:00:02.0"; claim = "override"; };
};
# end' "$(cat "$CONF")"
vk release usbc >/dev/null
expect_eq release/hand-written '// my passthrough box
boot = "grub"; /* GRUB 2 */
devices = {   # the guest'"'"'s
	# usbc : { id = "1234:1111"; claim = "pci-stub"; } // kept as written
	net = { address = "0000:00:02.0"; claim = "override"; };
};
# end' "$(cat "$CONF")"

# No devices group at all: one is added at the end.
printf 'boot = "auto";' >"$CONF"
vk claim 3 >/dev/null 2>&1
expect_eq claim/no-group 'boot = "auto";
devices = {
	net = { address = "0000:00:03.0"; claim = "override"; };
};' "$(cat "$CONF")"
# Two entries on one line: the released one's bytes go, the other stays.
printf 'devices = { a = { address = "0000:00:02.0"; claim = "override"; }; b = { address = "0000:00:03.0"; claim = "override"; }; };\n' >"$CONF"
vk release a >/dev/null
expect_eq release/one-line 'devices = { b = { address = "0000:00:03.0"; claim = "override"; }; };' \
	"$(cat "$CONF")"

# A file that does not read: its line, nothing changed.
printf 'devices = {\n\tnet = { id = "8086:10d3" };\n' >"$CONF"
before=$(sum)
out=$(vk claim 3 2>&1)
rc=$?
expect_match claim/bad-file "^vfiokit: $CONF:3: .*libconfig syntax" "$out"
expect_eq claim/bad-file-unchanged "1 $before" "$rc $(sum)"

# --dry-run shows the diff and writes nothing.
cp "$TMP/init.conf" "$CONF"
out=$(vk claim --dry-run 2 2>/dev/null)
expect_match claim/dry-run-diff '^\+	net = \{ address = "0000:00:02\.0"; claim = "override"; \};$' "$out"
expect_eq claim/dry-run-unchanged "$(sha256sum <"$TMP/init.conf")" "$(sum)"

# The AMD IOMMU's own PCI function (class 0806, in no IOMMU group) stays
# with the host: not listed, and refused when named.
R=$TMP/amd
vk_live_root "$R" amd-bridge
vk init >/dev/null
out=$(vk claim)
if grep -q '0000:00:01\.0' <<<"$out"; then
	fail claim/iommu-not-listed "the IOMMU's own function is offered"
	printf '%s\n' "$out" | sed 's/^/    /'
else
	pass claim/iommu-not-listed
fi
before=$(sha256sum <"$R/etc/vfiokit.conf")
out=$(vk claim 0000:00:01.0 2>&1)
rc=$?
expect_match claim/iommu-refused "^vfiokit: 0000:00:01\.0 is the IOMMU itself: it stays with the host" "$out"
expect_eq claim/iommu-refused-rc 1 "$rc"
expect_eq claim/iommu-refused-unchanged "$before" "$(sha256sum <"$R/etc/vfiokit.conf")"
