#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: vfiokit plan, apply and undo on a captured system (the intel
# fixture) with Debian's real module tree (tests/kernel-image.sh 6.1) and a
# Debian /etc/default/grub: the diffs, the journal, a second run that
# changes nothing, undo refusing a file changed since, the refusal of the
# host's own devices, bad configurations (file:line, nothing written), a
# write that fails half-way (everything put back), a relative --root, and
# apply killed with SIGKILL at every write, rename, link, unlink and fsync
# (strace's fault injection): each file old or new, never a mix, and undo
# still restoring the start.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

vk_kernel_image flow/kernel 6.1 || exit 0

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
	vk_live_root "$r" intel "$KVER" "$MODROOT"
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
expect_match flow/plan-override '^\+install vfio-pci .*\|\| for d in 0000:00:03.0; do echo vfio-pci > /sys/bus/pci/devices/\$d/driver_override' "$OUT"
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

R=$(make_root unknown)
rm "$R/proc/self/mountinfo"
run --root "$R" plan
expect_eq flow/refuse-unknown-root-rc 1 "$RC"
expect_match flow/refuse-unknown-root-says "0000:00:03.0 cannot be checked against the root file system's disk: .*mountinfo: No such file or directory: give --allow-host-device" "$OUT"

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
bad option-argument 'arguments = [ "iommu=pt", "--mkconfig" ];' \
	"etc/vfiokit.conf:1: 'arguments' holds \"--mkconfig\": kernel arguments, not options"
bad override-and-id 'devices = {
	a = { id = "8086:10d3"; };
	b = { address = "0000:00:03.0"; claim = "override"; };
};' "etc/vfiokit.conf:3: 0000:00:03.0 \(8086:10d3\) is already asked for at line 2"

# A write that fails half-way (modprobe.d written, then /etc/default
# read-only, or its FILE.vfiokit-bak a directory): apply puts back every
# file it wrote, leaves no journal, says so and exits 1.
rollback() { # rollback NAME ROOT COMMAND... (the apply, run by COMMAND)
	local name=$1 r=$2
	shift 2
	s=$(state "$r")
	OUT=$("$@" 2>&1)
	RC=$?
	expect_eq "flow/rollback-$name-rc" 1 "$RC"
	expect_match "flow/rollback-$name-says" "every file this apply wrote is put back as it was" "$OUT"
	expect_eq "flow/rollback-$name-state" "$s" "$(state "$r")"
	expect_eq "flow/rollback-$name-no-modprobe" "no" \
		"$([ -e "$r/etc/modprobe.d" ] && echo yes || echo no)"
	expect_eq "flow/rollback-$name-no-journal" "no" \
		"$([ -e "$r/var/lib/vfiokit/journal" ] && echo yes || echo no)"
}
R=$(make_root ro)
if unshare -m true 2>/dev/null; then
	rollback read-only "$R" unshare -m sh -c 'mount --bind "$1/etc/default" "$1/etc/default" &&
		mount -o remount,bind,ro "$1/etc/default" && exec "$2" --root "$1" apply' sh "$R" "$VFIOKIT"
	expect_match flow/rollback-read-only-cause "etc/default/grub: Read-only file system" "$OUT"
else
	skip flow/rollback-read-only "unshare -m is not permitted here (not root?)"
fi
R=$(make_root bakdir)
mkdir "$R/etc/default/grub.vfiokit-bak"
rollback bak-directory "$R" "$VFIOKIT" --root "$R" apply
expect_match flow/rollback-bak-directory-cause "etc/default/grub: Is a directory; stopped here" "$OUT"

# pci-stub by id: the command line only, no modprobe.d.
R=$(make_root stub 'devices = { nic = { id = "8086:10d3"; claim = "pci-stub"; }; };')
run --root "$R" plan
expect_match flow/pci-stub-cmdline '^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on pci-stub.ids=8086:10d3"$' "$OUT"
expect_eq flow/pci-stub-no-modprobe "" "$(grep -F 'modprobe.d' <<<"$OUT")"

# Two cards of one model (the fixture's two 8086:10d3): a card named by its
# address is claimed alone, by driver_override; its id, which would take the
# twin the host may use, is never written, by any command or configuration.
R=$(make_root twins 'boot = "grub";
kernel = "none";
devices = { nic = { address = "0000:00:03.0"; }; };')
run --root "$R" plan
expect_eq flow/twins-plan-rc 0 "$RC"
expect_eq flow/twins-plan-claim "override" "$(sed -n 's/^  0000:00:03.0 .*vfio-pci by \(driver_\)\?\(override\).*/\2/p' <<<"$OUT")"
expect_eq flow/twins-plan-no-id "" "$(grep -E '8086:10d3' <<<"$OUT" | grep -E 'ids=' )"
run --root "$R" apply
expect_eq flow/twins-apply-rc 0 "$RC"
expect_eq flow/twins-apply-no-id "" "$(grep -rE 'ids=[^ ]*8086:10d3' "$R/etc" 2>/dev/null)"
expect_match flow/twins-apply-override 'for d in 0000:00:03.0; do' "$(cat "$R/etc/modprobe.d/vfiokit.conf")"
run --root "$R" undo
R=$(make_root twins-cli)
before=$(state "$R")
run --root "$R" cmdline set --device 0000:00:03.0
expect_eq flow/twins-cmdline-rc 2 "$RC"
expect_match flow/twins-cmdline-says "is a PCI address.*modules write --device 0000:00:03.0" "$OUT"
expect_eq flow/twins-cmdline-unchanged "$before" "$(state "$R")"
run --root "$R" modules write --device 0000:00:03.0
expect_eq flow/twins-modules-rc 0 "$RC"
expect_eq flow/twins-modules-no-id "" "$(grep -E 'ids=' "$R/etc/modprobe.d/vfiokit.conf")"
expect_match flow/twins-modules-override 'for d in 0000:00:03.0; do' "$(cat "$R/etc/modprobe.d/vfiokit.conf")"
run --root "$R" modules check --device 0000:00:02.0 --no-initramfs
expect_eq flow/twins-check-no-id-hint "" "$(grep -E -- '--device 8086:10d3|cmdline set vfio-pci.ids' <<<"$OUT")"

# Gentoo's dist-kernel: the profiles as a fragment in /etc/kernel/config.d.
R=$(make_root dist 'kernel = "dist";
profiles = [ "vfio" ];
devices = { nic = { address = "0000:00:03.0"; claim = "override"; }; };')
run --root "$R" apply
expect_eq flow/dist-kernel-rc 0 "$RC"
expect_match flow/dist-kernel-next "emerge --oneshot sys-kernel/gentoo-kernel" "$OUT"
expect_match flow/dist-kernel-fragment "^CONFIG_VFIO_PCI=[ym]$" "$(cat "$R/etc/kernel/config.d/vfiokit.config" 2>&1)"
run --root "$R" undo
expect_eq flow/dist-kernel-undone "no" "$([ -e "$R/etc/kernel/config.d/vfiokit.config" ] && echo yes || echo no)"

# A kernel tree (Debian's linux-source-6.1 as a tree of symbolic links, so
# that its .config is this test's), reached through /usr/src/linux:
# kconfig merge inside the flow.
if TREE=$("$TOP/tests/kernel-source.sh" 6.1 2>"$TMP/src.err"); then
	R=$(make_root tree 'kernel = "/usr/src/linux";
profiles = [ "vfio" ];
devices = { nic = { address = "0000:00:03.0"; claim = "override"; }; };')
	mkdir -p "$R/usr/src"
	cp -rs "$TREE" "$R/usr/src/linux-6.1"
	ln -s linux-6.1 "$R/usr/src/linux" # as eselect kernel makes it
	cp "$TREE/arch/x86/configs/x86_64_defconfig" "$TMP/defconfig"
	cp "$TMP/defconfig" "$R/usr/src/linux/.config"
	run --root "$R" apply
	expect_eq flow/tree-rc 0 "$RC"
	expect_match flow/tree-next "^  make -C /usr/src/linux-6.1 " "$OUT"
	expect_match flow/tree-config "^CONFIG_VFIO_PCI=[ym]$" "$(cat "$R/usr/src/linux/.config")"
	# The journal names the tree itself, not the link that may move.
	expect_match flow/tree-journal 'path = "/usr/src/linux-6.1/.config"' "$(cat "$R/var/lib/vfiokit/journal")"
	run --root "$R" undo
	expect_eq flow/tree-undone "$(cat "$TMP/defconfig")" "$(cat "$R/usr/src/linux/.config")"
	# A relative --root, made absolute once: make olddefconfig runs in
	# the tree, and the journal holds paths inside the root only, so
	# that an undo with the root named another way (from a rescue
	# system: the absolute path) restores it, and the other way round.
	s=$(state "$R")
	OUT=$(cd "$TMP" && "$VFIOKIT" --root tree apply 2>&1)
	expect_eq flow/relative-root-apply-rc 0 "$?"
	expect_match flow/relative-root-apply-config "^CONFIG_VFIO_PCI=[ym]$" "$(cat "$R/usr/src/linux/.config")"
	expect_eq flow/relative-root-journal-paths "" \
		"$(grep -o 'path = "[^"]*"' "$R/var/lib/vfiokit/journal" | grep -F "$TMP")"
	expect_match flow/relative-root-journal-tree 'path = "/usr/src/linux-6.1/.config"' \
		"$(cat "$R/var/lib/vfiokit/journal")"
	run --root "$R/" undo
	expect_eq flow/relative-root-absolute-undo-rc 0 "$RC"
	expect_eq flow/relative-root-absolute-undo-state "$s" "$(state "$R")"
	expect_eq flow/relative-root-absolute-undo-config "$(cat "$TMP/defconfig")" \
		"$(cat "$R/usr/src/linux/.config")"
	run --root "$R" apply
	expect_eq flow/absolute-root-apply-rc 0 "$RC"
	OUT=$(cd "$TMP/tree/usr" && "$VFIOKIT" --root .. undo 2>&1)
	expect_eq flow/relative-root-undo-rc 0 "$?"
	expect_eq flow/relative-root-undo-state "$s" "$(state "$R")"
	expect_eq flow/relative-root-undo-config "$(cat "$TMP/defconfig")" \
		"$(cat "$R/usr/src/linux/.config")"
	rm -rf "$R"
else
	fail flow/tree "tests/kernel-source.sh 6.1 failed: $(tail -n 3 "$TMP/src.err")"
fi

# A second apply with more in the configuration: the journal keeps the
# first content before, so undo goes back to the start.
CONF2='boot = "grub";
kernel = "none";
ignore_msrs = true;
arguments = [ "iommu=pt", "pcie_aspm=off" ];
devices = {
	nic = { address = "0000:00:03.0"; claim = "override"; };
};'
R=$(make_root again)
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
printf '%s\n' "$CONF2" >"$R/etc/vfiokit.conf"
run --root "$R" apply
expect_eq flow/second-apply-rc 0 "$RC"
expect_match flow/second-apply-grub "pcie_aspm=off" "$(cat "$R/etc/default/grub")"
run --root "$R" undo
expect_eq flow/second-apply-undo "$GRUB" "$(cat "$R/etc/default/grub")"
# ... also when the file was edited between the two: a warning, and the
# edit is kept as .vfiokit-bak by undo.
R=$(make_root edited)
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
echo 'GRUB_GFXMODE=1024x768' >>"$R/etc/default/grub"
printf '%s\n' "$CONF2" >"$R/etc/vfiokit.conf"
run --root "$R" apply
expect_match flow/edited-apply-warns "etc/default/grub changed since the last apply" "$OUT"
run --root "$R" undo
expect_eq flow/edited-undo "$GRUB" "$(cat "$R/etc/default/grub")"
expect_match flow/edited-kept "GRUB_GFXMODE=1024x768" "$(cat "$R/etc/default/grub.vfiokit-bak")"
# A file apply created and the user then edited: undo --force keeps it as
# .vfiokit-bak.
R=$(make_root created)
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
echo '# mine' >>"$R/etc/modprobe.d/vfiokit.conf"
run --root "$R" undo --force
expect_eq flow/created-edited-kept "# mine" "$(tail -n 1 "$R/etc/modprobe.d/vfiokit.conf.vfiokit-bak")"
expect_eq flow/created-removed "no" "$([ -e "$R/etc/modprobe.d/vfiokit.conf" ] && echo yes || echo no)"

# Crash safety: kill apply at each write, rename, link, unlink and fsync.
if ! command -v strace >/dev/null; then
	skip flow/crash "strace is not installed (tests/install-deps.sh test)"
	exit 0
fi

# crash_root NAME KIND: a root for the crash test. first: before any apply;
# second: after the first apply, with CONF2 to apply.
crash_root() {
	local r
	r=$(make_root "$1")
	if [ "$2" = second ]; then
		"$VFIOKIT" --root "$r" apply >/dev/null 2>&1
		printf '%s\n' "$CONF2" >"$r/etc/vfiokit.conf"
	fi
	printf '%s\n' "$r"
}

# crash KIND: kill that apply at every point; each file must be one of the
# versions the applies write (never a mix), and undo must give the start.
crash() {
	local kind=$1 sc n i r g ok_grub=() ok_mp=() points=0 mixed=0 undo_failed=0 journal_bad=0
	r=$(make_root "ref-$kind")
	ok_grub=("$GRUB")
	"$VFIOKIT" --root "$r" apply >/dev/null 2>&1
	ok_grub+=("$(cat "$r/etc/default/grub")")
	ok_mp=("$(cat "$r/etc/modprobe.d/vfiokit.conf")")
	if [ "$kind" = second ]; then
		printf '%s\n' "$CONF2" >"$r/etc/vfiokit.conf"
		"$VFIOKIT" --root "$r" apply >/dev/null 2>&1
		ok_grub+=("$(cat "$r/etc/default/grub")")
		ok_mp+=("$(cat "$r/etc/modprobe.d/vfiokit.conf")")
	fi
	rm -rf "$r"
	for sc in write fsync rename renameat renameat2 link linkat unlink unlinkat mkdir mkdirat; do
		r=$(crash_root count "$kind")
		n=$(strace -f -qq -e trace="$sc" -o "$TMP/trace" "$VFIOKIT" --root "$r" apply >/dev/null 2>&1
			grep -c "$sc(" "$TMP/trace")
		rm -rf "$r"
		for ((i = 1; i <= n; i++)); do
			r=$(crash_root crash "$kind")
			(strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc:signal=KILL:when=$i" \
				"$VFIOKIT" --root "$r" apply >/dev/null 2>&1; :) 2>/dev/null
			points=$((points + 1))
			g=$(cat "$r/etc/default/grub")
			[ "$g" = "${ok_grub[0]}" ] || [ "$g" = "${ok_grub[1]}" ] ||
				[ "$g" = "${ok_grub[2]:-}" ] || mixed=$((mixed + 1))
			if [ -e "$r/etc/modprobe.d/vfiokit.conf" ]; then
				g=$(cat "$r/etc/modprobe.d/vfiokit.conf")
				[ "$g" = "${ok_mp[0]}" ] || [ "$g" = "${ok_mp[1]:-}" ] || mixed=$((mixed + 1))
			fi
			if [ -e "$r/var/lib/vfiokit/journal" ] &&
				! "$VFIOKIT" --root "$r" undo --dry-run >/dev/null 2>&1; then
				journal_bad=$((journal_bad + 1))
			fi
			if ! "$VFIOKIT" --root "$r" undo >/dev/null 2>&1 ||
				[ "$(cat "$r/etc/default/grub")" != "$GRUB" ] ||
				[ -e "$r/etc/modprobe.d/vfiokit.conf" ]; then
				undo_failed=$((undo_failed + 1))
			fi
			rm -rf "$r"
		done
	done
	if [ "$points" -ge 20 ]; then pass "flow/crash-$kind-points"; else
		fail "flow/crash-$kind-points" "only $points kill points: strace found too few calls"
	fi
	expect_eq "flow/crash-$kind-never-mixed" 0 "$mixed"
	expect_eq "flow/crash-$kind-journal-consistent" 0 "$journal_bad"
	expect_eq "flow/crash-$kind-undo-restores" 0 "$undo_failed"
	echo "flow: the $kind apply killed at $points points" >&2
}

crash first
crash second
