#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Gentoo-shaped root (tests/gentoo/lib.sh's gentoo_root): the stock
# /etc/default/grub (grub.default-4), genkernel's /etc/genkernel.conf,
# installkernel's /usr/lib/kernel/install.conf, and /usr/src/linux linked
# to a tree installed by a dist-kernel package (Debian's 6.12 sources with
# Debian's configuration and kernel-build.eclass's dist-kernel marker).
# init names the dist-kernel, plan and apply leave the package's .config
# alone and write /etc/kernel/config.d/vfiokit.config, the next steps are
# the package's (emerge, never make), gentoo-kernel-bin is said to ignore
# config.d, and undo brings every file back.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/gentoo/lib.sh"

gentoo_need root || exit 0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gentoo_debian_kernel root/kernel || exit 0

# root DIR PACKAGE-MARKER: a fresh Gentoo-shaped root.
root() {
	rm -rf "$1"
	gentoo_root "$1" "$TREE" "$MODROOT/boot/config-$KVER" "$KVER" "$MODROOT" "$2" || {
		fail root/fixture "could not build the root in $1"
		exit 0
	}
}
run() {
	OUT=$("$VFIOKIT" --root "$R" "$@" 2>&1)
	RC=$?
}
# state: a checksum of every file the flow may write, and the package's tree.
state() {
	(cd "$R" && find etc var "usr/src/linux-$KVER/.config" "usr/src/linux-$KVER/dist-kernel" \
		-type f 2>/dev/null | sort | xargs -r sha256sum) | sha256sum
}
R=$TMP/root
root "$R" "sys-kernel/gentoo-kernel-6.12.118:6.12.118"

# init: the tree is the package's, not a source tree.
run init --dry-run
if [ "$RC" = 0 ] && grep -qx 'kernel = "dist";' <<<"$OUT" &&
	grep -q '^# /usr/src/linux belongs to sys-kernel/gentoo-kernel (its dist-kernel marker)' <<<"$OUT" &&
	! grep -q '^kernel = "/usr/src/linux"' <<<"$OUT"; then
	pass root/init-dist
else
	fail root/init-dist "exit $RC; want kernel = \"dist\" and the package named"
	grep -n 'kernel' <<<"$OUT" | sed 's/^/    /'
fi

# A configuration that still names the tree as a source tree.
conf() {
	cat >"$R/etc/vfiokit.conf" <<'CONF'
boot = "auto";
kernel = "/usr/src/linux";
profiles = [ "auto", "cpu-zen" ];
devices = {
	nic = { id = "8086:100e"; };
};
CONF
}
conf
before=$(state)
run plan --profiles-dir "$TOP/profiles"
if [ "$RC" = 0 ] && grep -q '^+++ .*/etc/kernel/config.d/vfiokit.config' <<<"$OUT" &&
	! grep -q '^+++ .*/\.config' <<<"$OUT" && ! grep -q 'make -C' <<<"$OUT" &&
	grep -q '^  emerge --oneshot sys-kernel/gentoo-kernel   (its build merges /etc/kernel/config.d' <<<"$OUT" &&
	grep -q 'installed by sys-kernel/gentoo-kernel (its dist-kernel marker)' <<<"$OUT"; then
	pass root/plan-dist
else
	fail root/plan-dist "exit $RC; want config.d, the package's emerge, no make and no .config"
	printf '%s\n' "$OUT" | grep -v '^[-+@ ]' | sed 's/^/    /' | head -n 30
fi
# The tree's Kconfig was read: Debian's tree has no Zen members.
expect_match root/plan-cpu-zen-checked \
	'cpu-zen: .*/usr/src/linux/arch/x86/Kconfig.cpu has no AMD Zen members .*gentoo-sources built with USE=experimental' "$OUT"
expect_eq root/plan-writes-nothing "$before" "$(state)"

run apply --profiles-dir "$TOP/profiles"
frag=$R/etc/kernel/config.d/vfiokit.config
if [ "$RC" = 0 ] && grep -qx 'CONFIG_VFIO_PCI=m' "$frag" && grep -qx 'CONFIG_AMD_IOMMU=y' "$frag" &&
	cmp -s "$MODROOT/boot/config-$KVER" "$R/usr/src/linux-$KVER/.config" &&
	[ ! -e "$R/usr/src/linux-$KVER/.config.vfiokit-bak" ]; then
	pass root/apply-config-d
else
	fail root/apply-config-d "exit $RC; want config.d written and the package's .config untouched"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 30
fi
after=$(state)
run apply --profiles-dir "$TOP/profiles"
expect_eq root/apply-again-same "$after" "$(state)"

run undo
if [ "$RC" = 0 ] && [ ! -e "$frag" ] &&
	cmp -s "$GENTOO/gentoo/sys-boot/grub/files/grub.default-4" "$R/etc/default/grub" &&
	cmp -s "$GENTOO/genkernel/genkernel.conf" "$R/etc/genkernel.conf" &&
	[ ! -e "$R/etc/modprobe.d/vfiokit.conf" ]; then
	pass root/undo
else
	fail root/undo "exit $RC; want grub.default-4, genkernel.conf back and vfiokit's files gone"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi

# kconfig merge --dist-kernel reads the tree: a request it lacks is said.
printf 'CONFIG_MZEN=y\nCONFIG_VFIO=m\n' >"$TMP/zen.config"
run kconfig merge --dist-kernel --profiles-dir "$TOP/profiles" --profile vfio "$TMP/zen.config"
expect_match root/dist-kernel-checks-mzen \
	"zen.config:1: CONFIG_MZEN is not in the dist-kernel tree .*: its build will drop it" "$OUT"

# gentoo-kernel-bin is built already: config.d does nothing for it.
R=$TMP/bin
root "$R" "sys-kernel/gentoo-kernel-bin-6.12.96:6.12.96"
conf
run plan --profiles-dir "$TOP/profiles"
expect_match root/bin-ignores-config-d \
	'^  emerge --oneshot sys-kernel/gentoo-kernel   \(sys-kernel/gentoo-kernel-bin is built already and ignores /etc/kernel/config.d: switch to sys-kernel/gentoo-kernel' "$OUT"
expect_match root/bin-warns 'gentoo-kernel-bin is built already and ignores /etc/kernel/config.d' \
	"$(grep -v '^  emerge' <<<"$OUT")"

# vanilla-kernel by its own name; without config.d changes the reinstall
# step is emerge --config.
R=$TMP/vanilla
root "$R" "sys-kernel/vanilla-kernel-6.12.40-r1:6.12.40"
conf
run plan --profiles-dir "$TOP/profiles"
expect_match root/vanilla-named '^  emerge --oneshot sys-kernel/vanilla-kernel   \(its build merges' "$OUT"
sed -i 's/^profiles = .*/profiles = [ ];/; s|^kernel = .*|kernel = "none";|' "$R/etc/vfiokit.conf"
run plan --profiles-dir "$TOP/profiles"
if grep -q '^  emerge --config sys-kernel/vanilla-kernel   (reinstalls the kernel and rebuilds its initramfs)' <<<"$OUT" &&
	! grep -q 'dracut --force\|genkernel initramfs' <<<"$OUT"; then
	pass root/vanilla-reinstall
else
	fail root/vanilla-reinstall "want emerge --config sys-kernel/vanilla-kernel as the initramfs step"
	printf '%s\n' "$OUT" | grep -v '^[-+@ ]' | sed 's/^/    /' | head -n 20
fi

# No dist-kernel and no initramfs image yet: the rebuild step is what
# installkernel's initrd_generator= will run, as installkernel-70 writes it
# for USE=ugrd (the line taken from its ebuild).
R=$TMP/ugrd
root "$R" "sys-kernel/gentoo-kernel-6.12.118:6.12.118"
rm -f "$R/usr/src/linux-$KVER/dist-kernel"
conf
sed -i 's/^profiles = .*/profiles = [ ];/; s|^kernel = .*|kernel = "none";|' "$R/etc/vfiokit.conf"
line=$(sed -n 's/.*echo "\(initrd_generator=ugrd\)".*/\1/p' \
	"$GENTOO/gentoo/sys-kernel/installkernel/installkernel-70.ebuild")
printf '# This file is managed by sys-kernel/installkernel\nlayout=grub\n%s\n' "$line" \
	>"$R/usr/lib/kernel/install.conf"
run plan --profiles-dir "$TOP/profiles"
if [ "$line" = initrd_generator=ugrd ] && grep -q '^  ugrd, as it made the initramfs' <<<"$OUT" &&
	! grep -q 'dracut --force\|genkernel initramfs' <<<"$OUT"; then
	pass root/ugrd-from-install-conf
else
	fail root/ugrd-from-install-conf "want ugrd's step from install.conf's $line"
	printf '%s\n' "$OUT" | grep -v '^[-+@ ]' | sed 's/^/    /' | head -n 20
fi
