#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: vfiokit plan, apply and undo on a captured system (the intel
# fixture) with Debian's real module tree (tests/kernel-image.sh 6.1) and a
# Debian /etc/default/grub: the diffs, the journal, a second run that
# changes nothing, undo refusing a file changed since, the refusal of the
# host's own devices, bad configurations (file:line, nothing written), and
# apply killed with SIGKILL at every write, rename, link, unlink and fsync
# (strace's fault injection): each file old or new, never a mix, and undo
# still restoring the start.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

out=$("$TOP/tests/kernel-image.sh" 6.1 2>"$TMP/kernel.err") || {
	fail flow/kernel "tests/kernel-image.sh 6.1 failed: $(tail -n 3 "$TMP/kernel.err")"
	exit 0
}
KVER=$(sed -n 's/^KVER=//p' <<<"$out")
MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")

GRUB='# If you change this file, run '"'"'update-grub'"'"' afterwards to update
# /boot/grub/grub.cfg.
GRUB_DEFAULT=0
GRUB_TIMEOUT=5
GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'
CONF='boot = "grub";
kernel = "none";
arguments = [ "iommu=pt" ];
devices = {
	nic = { address = "0000:00:03.0"; claim = "override"; };
};'

# make_root NAME [CONF]: the fixture with modules, GRUB and a configuration.
make_root() {
	local r=$TMP/$1
	mkdir -p "$r/lib/modules" "$r/etc/default" "$r/usr/share/misc" "$r/proc/sys/kernel"
	tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$r"
	cp "$TOP/tests/fixtures/pci.ids" "$r/usr/share/misc/"
	ln -s "$MODROOT/lib/modules/$KVER" "$r/lib/modules/$KVER"
	echo "$KVER" >"$r/proc/sys/kernel/osrelease"
	printf '%s\n' "$GRUB" >"$r/etc/default/grub"
	printf '%s\n' "${2:-$CONF}" >"$r/etc/vfiokit.conf"
	printf '%s\n' "$r"
}

# state ROOT: a checksum of every file under etc/ and var/.
state() {
	(cd "$1" && find etc var -type f 2>/dev/null | sort | xargs -r sha256sum) | sha256sum
}

run() {
	OUT=$("$VFIOKIT" "$@" 2>&1)
	RC=$?
}

R=$(make_root main)
before=$(state "$R")

run --root "$R" plan
expect_eq flow/plan-rc 0 "$RC"
expect_match flow/plan-grub-diff '^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"$' "$OUT"
expect_match flow/plan-override '^\+install vfio-pci for d in 0000:00:03.0; do echo vfio-pci > /sys/bus/pci/devices/\$d/driver_override' "$OUT"
expect_match flow/plan-next '^  grub-mkconfig -o /boot/grub/grub.cfg$' "$OUT"
expect_eq flow/plan-writes-nothing "$before" "$(state "$R")"

run --root "$R" --json plan
expect_eq flow/plan-json "0000:00:03.0 override /etc/modprobe.d/vfiokit.conf /etc/default/grub" \
	"$(jq -r '[.devices[0].address, .devices[0].claim, .changes[].path] | join(" ")' <<<"$OUT")"

run --root "$R" apply
expect_eq flow/apply-rc 0 "$RC"
expect_match flow/apply-journal "^Recorded in $R/var/lib/vfiokit/journal" "$OUT"
expect_eq flow/apply-grub 'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on iommu=pt"' \
	"$(grep '^GRUB_CMDLINE_LINUX_DEFAULT' "$R/etc/default/grub")"
expect_eq flow/apply-backup "$GRUB" "$(cat "$R/var/lib/vfiokit/backup/1/etc/default/grub")"
expect_eq flow/journal-checksum "$(sha256sum <"$R/etc/default/grub" | cut -d' ' -f1)" \
	"$(sed -n '/path = "\/etc\/default\/grub"/,/after/s/.*after = "\(.*\)";.*/\1/p' "$R/var/lib/vfiokit/journal")"
after=$(state "$R")
run --root "$R" apply
expect_eq flow/apply-twice-rc 0 "$RC"
expect_match flow/apply-twice-says "^Nothing to change" "$OUT"
expect_eq flow/apply-twice-writes-nothing "$after" "$(state "$R")"

# A file changed since apply: undo refuses, restores nothing.
echo 'GRUB_GFXMODE=1024x768' >>"$R/etc/default/grub"
changed=$(state "$R")
run --root "$R" undo
expect_eq flow/undo-refuses-rc 1 "$RC"
expect_match flow/undo-refuses-says "etc/default/grub changed since vfiokit apply \(edited\)" "$OUT"
expect_eq flow/undo-refuses-restores-nothing "$changed" "$(state "$R")"
run --root "$R" undo --force
expect_eq flow/undo-force-rc 0 "$RC"
expect_eq flow/undo-grub "$GRUB" "$(cat "$R/etc/default/grub")"
expect_eq flow/undo-removes-created "no" "$([ -e "$R/etc/modprobe.d/vfiokit.conf" ] && echo yes || echo no)"
expect_eq flow/undo-keeps-edit "GRUB_GFXMODE=1024x768" "$(tail -n 1 "$R/etc/default/grub.vfiokit-bak")"
run --root "$R" undo
expect_match flow/undo-twice "^Nothing to undo" "$OUT"

# The host's own devices: the boot VGA, the root disk's controller.
R=$(make_root host 'devices = { vga = { id = "1234:1111"; }; };')
s=$(state "$R")
run --root "$R" apply
expect_eq flow/refuse-boot-vga-rc 1 "$RC"
expect_match flow/refuse-boot-vga-says "0000:00:01.0 is the boot VGA device.*--allow-host-device" "$OUT"
expect_eq flow/refuse-writes-nothing "$s" "$(state "$R")"
run --root "$R" plan --allow-host-device
expect_eq flow/allow-host-device-rc 0 "$RC"
expect_match flow/allow-host-device-warns "WARNING: 0000:00:01.0 is the boot VGA device" "$OUT"
R=$(make_root rootdisk 'devices = { smbus = { id = "8086:2930"; }; };')
mkdir -p "$R/proc/self" "$R/sys/dev/block" "$R/sys/devices/pci0000:00/0000:00:1f.2/ata1/block/sda/sda1"
echo '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw' >"$R/proc/self/mountinfo"
ln -s ../../devices/pci0000:00/0000:00:1f.2/ata1/block/sda/sda1 "$R/sys/dev/block/8:1"
run --root "$R" plan
expect_eq flow/refuse-group-of-root-disk-rc 1 "$RC"
expect_match flow/refuse-group-of-root-disk-says "0000:00:1f.3 shares IOMMU group 4 with 0000:00:1f.2, which drives the disk of the root file system" "$OUT"

# Bad configurations: file:line, exit 1, nothing written.
bad() { # bad NAME CONF EXPECTED-ERE
	local r
	r=$(make_root "bad-$1" "$2")
	s=$(state "$r")
	run --root "$r" apply
	expect_eq "flow/bad-$1-rc" 1 "$RC"
	expect_match "flow/bad-$1-says" "$3" "$OUT"
	expect_eq "flow/bad-$1-writes-nothing" "$s" "$(state "$r")"
}
bad unknown-key 'boot = "grub";
bootloader = "grub";' "etc/vfiokit.conf:2: unknown setting 'bootloader' \(known: devices, boot,"
bad wrong-type 'ignore_msrs = "yes";' "etc/vfiokit.conf:1: 'ignore_msrs' must be true or false"
bad no-such-device 'devices = {
	gpu = { id = "10de:1c03"; };
};' "etc/vfiokit.conf:2: no PCI device 10de:1c03 on this system"
bad two-modes 'devices = {
	a = { id = "8086:10d3"; };
	b = { id = "8086:10d3"; claim = "pci-stub"; };
};' "etc/vfiokit.conf:3: 0000:00:02.0 \(8086:10d3\) is already asked for at line 2 to be claimed by vfio-pci"
bad override-and-id 'devices = {
	a = { id = "8086:10d3"; };
	b = { address = "0000:00:03.0"; claim = "override"; };
};' "etc/vfiokit.conf:3: 0000:00:03.0 \(8086:10d3\) is already asked for at line 2"

# pci-stub by id: the command line only, no modprobe.d.
R=$(make_root stub 'devices = { nic = { id = "8086:10d3"; claim = "pci-stub"; }; };')
run --root "$R" plan
expect_match flow/pci-stub-cmdline '^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on pci-stub.ids=8086:10d3"$' "$OUT"
expect_eq flow/pci-stub-no-modprobe "" "$(grep -F 'modprobe.d' <<<"$OUT")"

# Gentoo's dist-kernel: the profiles as a fragment in /etc/kernel/config.d.
R=$(make_root dist 'kernel = "dist";
profiles = [ "vfio" ];
devices = { nic = { address = "0000:00:03.0"; claim = "override"; }; };')
run --root "$R" apply --profiles-dir "$TOP/profiles"
expect_eq flow/dist-kernel-rc 0 "$RC"
expect_match flow/dist-kernel-next "emerge --oneshot sys-kernel/gentoo-kernel" "$OUT"
expect_match flow/dist-kernel-fragment "^CONFIG_VFIO_PCI=[ym]$" "$(cat "$R/etc/kernel/config.d/vfiokit.config" 2>&1)"
run --root "$R" undo
expect_eq flow/dist-kernel-undone "no" "$([ -e "$R/etc/kernel/config.d/vfiokit.config" ] && echo yes || echo no)"

# A kernel tree (Debian's linux-source-6.1 as a tree of symbolic links, so
# that its .config is this test's): kconfig merge inside the flow.
if TREE=$("$TOP/tests/kernel-source.sh" 6.1 2>"$TMP/src.err"); then
	R=$(make_root tree 'kernel = "/usr/src/linux";
profiles = [ "vfio" ];
devices = { nic = { address = "0000:00:03.0"; claim = "override"; }; };')
	mkdir -p "$R/usr/src"
	cp -rs "$TREE" "$R/usr/src/linux"
	cp "$TREE/arch/x86/configs/x86_64_defconfig" "$TMP/defconfig"
	cp "$TMP/defconfig" "$R/usr/src/linux/.config"
	run --root "$R" apply --profiles-dir "$TOP/profiles"
	expect_eq flow/tree-rc 0 "$RC"
	expect_match flow/tree-next "^  make -C /usr/src/linux" "$OUT"
	expect_match flow/tree-config "^CONFIG_VFIO_PCI=[ym]$" "$(cat "$R/usr/src/linux/.config")"
	expect_match flow/tree-journal 'path = "/usr/src/linux/.config"' "$(cat "$R/var/lib/vfiokit/journal")"
	run --root "$R" undo
	expect_eq flow/tree-undone "$(cat "$TMP/defconfig")" "$(cat "$R/usr/src/linux/.config")"
	rm -rf "$R"
else
	fail flow/tree "tests/kernel-source.sh 6.1 failed: $(tail -n 3 "$TMP/src.err")"
fi

# Crash safety: kill apply at each write, rename, link, unlink and fsync.
if ! command -v strace >/dev/null; then
	skip flow/crash "strace is not installed (tests/install-deps.sh test)"
	exit 0
fi
R=$(make_root done)
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
new_grub=$(cat "$R/etc/default/grub")
new_modprobe=$(cat "$R/etc/modprobe.d/vfiokit.conf")
points=0 mixed=0 undo_failed=0 journal_bad=0
for sc in write fsync rename renameat renameat2 link linkat unlink unlinkat mkdir mkdirat; do
	R=$(make_root count)
	n=$(strace -f -qq -e trace="$sc" -o "$TMP/trace" "$VFIOKIT" --root "$R" apply >/dev/null 2>&1; grep -c "$sc(" "$TMP/trace")
	rm -rf "$R"
	for ((i = 1; i <= n; i++)); do
		R=$(make_root "crash")
		(strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$i" \
			"$VFIOKIT" --root "$R" apply >/dev/null 2>&1; :) 2>/dev/null
		points=$((points + 1))
		g=$(cat "$R/etc/default/grub")
		[ "$g" = "$GRUB" ] || [ "$g" = "$new_grub" ] || mixed=$((mixed + 1))
		if [ -e "$R/etc/modprobe.d/vfiokit.conf" ]; then
			[ "$(cat "$R/etc/modprobe.d/vfiokit.conf")" = "$new_modprobe" ] || mixed=$((mixed + 1))
		fi
		if [ -e "$R/var/lib/vfiokit/journal" ] &&
			! "$VFIOKIT" --root "$R" undo --dry-run >/dev/null 2>&1; then
			journal_bad=$((journal_bad + 1))
		fi
		if ! "$VFIOKIT" --root "$R" undo >/dev/null 2>&1 ||
			[ "$(cat "$R/etc/default/grub")" != "$GRUB" ] ||
			[ -e "$R/etc/modprobe.d/vfiokit.conf" ]; then
			undo_failed=$((undo_failed + 1))
		fi
		rm -rf "$R"
	done
done
if [ "$points" -ge 20 ]; then pass flow/crash-points; else
	fail flow/crash-points "only $points kill points: strace found too few calls"
fi
expect_eq flow/crash-never-mixed 0 "$mixed"
expect_eq flow/crash-journal-consistent 0 "$journal_bad"
expect_eq flow/crash-undo-restores 0 "$undo_failed"
echo "flow: apply killed at $points points" >&2
