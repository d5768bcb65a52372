#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What plan, apply and undo say, on the captured intel tree: a kernel =
# path or a profile of /etc/vfiokit.conf that is wrong is named with the
# file and line; no boot method found points to boot = in the file, not to
# an option plan does not have; the hints keep --root; undo refusing a
# changed file shows what apply wrote, what changed since and the diff from
# it to what undo would restore; a clean
# undo leaves no copy of a file apply created, no empty backup folder, and
# asks for an initramfs that no longer carries the file.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
vk_live_root "$R"
CONF=$R/etc/vfiokit.conf
conf() { # conf KERNEL PROFILES: a configuration with the card at 00:03.0
	printf '%s\n' 'boot = "auto";' "kernel = \"$1\";" "profiles = [ $2 ];" \
		'devices = {' '	net = { address = "0000:00:03.0"; claim = "override"; };' '};' >"$CONF"
}
vk() { OUT=$("$VFIOKIT" --root "$R" "$@" 2>&1); RC=$?; }

conf /usr/src/nope '"auto"'
vk plan
expect_eq words/kernel-path "1 vfiokit: $CONF:2: kernel = \"/usr/src/nope\": $R/usr/src/nope is not a kernel source tree (no Kconfig there): give the top of the sources (/usr/src/linux), \"dist\" for a dist-kernel, or \"none\"" \
	"$RC $OUT"
mkdir -p "$R/usr/src/linux"
: >"$R/usr/src/linux/Kconfig"
echo CONFIG_PCI=y >"$R/usr/src/linux/.config"
conf /usr/src/linux '"auto", "nosuch"'
vk plan
expect_match words/profile-line "^vfiokit: $CONF:3: kconfig: no profile 'nosuch' in " "$OUT"
expect_eq words/profile-rc 1 "$RC"
rm -rf "$R/usr/src"

conf none '"auto"'
mv "$R/etc/default/grub" "$TMP/grub"
vk plan
expect_match words/boot-method "choose one with boot = \"grub\" or \"kernel-cmdline\" in $CONF:1$" "$OUT"
if grep -q -- --bootloader <<<"$OUT"; then fail words/no-bootloader-option "plan names --bootloader"; else pass words/no-bootloader-option; fi
mv "$TMP/grub" "$R/etc/default/grub"

vk plan
expect_match words/plan-hint-root "would change \('vfiokit --root $R apply' makes the change\)" "$OUT"
expect_match words/plan-initramfs "so that it carries /etc/modprobe.d/vfiokit.conf$" "$OUT"
expect_match words/plan-verify-root "reboot, then: vfiokit --root $R verify$" "$OUT"
vk apply
expect_match words/apply-hint-root "\('vfiokit --root $R undo' restores it all\)" "$OUT"

# A changed file: undo refuses and shows what it would make of it.
cp "$R/etc/default/grub" "$TMP/grub.applied"
echo 'GRUB_TIMEOUT=3' >>"$R/etc/default/grub"
vk undo
expect_eq words/undo-conflict-rc 1 "$RC"
expect_match words/undo-conflict-hint "run 'vfiokit --root $R undo --force'$" "$OUT"
# As etc-update shows it: what apply wrote, what changed since, and what
# undo --force would make of it, in that order.
expect_eq words/undo-conflict-diffs "$R/etc/default/grub: what apply wrote:
-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"
+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"
$R/etc/default/grub: what changed since:
+GRUB_TIMEOUT=3
$R/etc/default/grub: what undo --force would make of it:
-GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on\"
+GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"
-GRUB_TIMEOUT=3" "$(grep -E '^[-+]GRUB|: what ' <<<"$OUT")"
cp "$TMP/grub.applied" "$R/etc/default/grub"

# A clean undo: no copies of what apply created, no empty backup folder.
vk undo
expect_eq words/undo-rc 0 "$RC"
expect_match words/undo-initramfs "so that it no longer carries /etc/modprobe.d/vfiokit.conf$" "$OUT"
expect_eq words/undo-no-leftovers "" "$(cd "$R" && find etc/modprobe.d var/lib/vfiokit -name '*vfiokit-bak' -o -name backup -o -name '*vfiokit-applied' 2>/dev/null)"
expect_eq words/undo-grub-back 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""' "$(cat "$R/etc/default/grub")"
