#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit cmdline set/remove/show: --dry-run, backups, the boot method,
# /etc/kernel/cmdline, and bad input (binary data, a 1 MiB line, a
# symbolic link, a read-only file system, overrides in grub.d, refused
# tokens). The editor itself is checked against the corpus in
# grub-corpus.sh.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run ARGS...: stdout in $out, stderr in $err, status in $rc.
run() {
	out=$("$VFIOKIT" "$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
}

value() { env -i dash -c '. "$1" >/dev/null 2>&1; eval "printf %s \"\${$2}\""' sh "$2" "$3"; }

# mkroot DIR VENDOR: a tree with GRUB (Debian's stock file from the corpus).
mkroot() {
	rm -rf "$1"
	mkdir -p "$1/etc/default" "$1/boot/grub" "$1/proc/self"
	cp "$TOP/tests/grub-corpus/01-debian-bookworm.grub" "$1/etc/default/grub"
	: >"$1/boot/grub/grub.cfg"
	printf 'processor\t: 0\nvendor_id\t: %s\n' "$2" >"$1/proc/cpuinfo"
	echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0 root=/dev/sda2 ro initrd=/boot/initrd.img quiet" >"$1/proc/cmdline"
	echo "21 1 8:2 / / rw,relatime - ext4 /dev/sda2 rw" >"$1/proc/self/mountinfo"
}

R=$TMP/root
mkroot "$R" GenuineIntel
orig=$(cat "$R/etc/default/grub")

# --dry-run: a diff, nothing written.
run --root "$R" cmdline set --dry-run iommu=pt vfio-pci.ids=10de:1c03
if [ $rc -eq 0 ] && grep -q '^-GRUB_CMDLINE_LINUX_DEFAULT="quiet"$' <<<"$out" &&
	grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet iommu=pt vfio-pci.ids=10de:1c03"$' <<<"$out" &&
	grep -q "^boot method: grub (/boot/grub/grub.cfg is there" <<<"$out" &&
	[ "$(cat "$R/etc/default/grub")" = "$orig" ] && [ ! -e "$R/etc/default/grub.vfiokit-bak" ]; then
	pass cmdline-edit/dry-run
else
	fail cmdline-edit/dry-run "exit $rc: $out $err"
fi

# --device: vfio-pci.ids from the ids, intel_iommu=on on an Intel host.
run --root "$R" cmdline set --device 10de:1c03 --device 10DE:10F1
expect_eq cmdline-edit/device-ids "0 intel_iommu=on vfio-pci.ids=10de:1c03,10de:10f1" \
	"$rc $(value dash "$R/etc/default/grub" GRUB_CMDLINE_LINUX_DEFAULT | sed 's/^quiet //')"
expect_eq cmdline-edit/backup "$orig" "$(cat "$R/etc/default/grub.vfiokit-bak")"
expect_match cmdline-edit/says-next "next: run 'grub-mkconfig -o /boot/grub/grub.cfg'" "$out"
run --root "$R" cmdline remove --device 10de:1c03
expect_eq cmdline-edit/remove-device "0 quiet intel_iommu=on vfio-pci.ids=10de:10f1" \
	"$rc $(value dash "$R/etc/default/grub" GRUB_CMDLINE_LINUX_DEFAULT)"

# show, text and JSON.
run --root "$R" cmdline show
expect_match cmdline-edit/show "^grub: +root=<root device> ro quiet intel_iommu=on vfio-pci.ids=10de:10f1  \[normal entries\]" "$out"
expect_match cmdline-edit/show-kernel-install "kernel-cmdline: +root=/dev/sda2 ro quiet" "$out"
run --root "$R" --json cmdline show
if [ $rc -eq 0 ] && grep -q '"boot_method": "grub"' <<<"$out" &&
	grep -q '"cmdline": "root=<root device> ro quiet intel_iommu=on vfio-pci.ids=10de:10f1"' <<<"$out" &&
	grep -q '"recovery": "root=<root device> ro single"' <<<"$out"; then
	pass cmdline-edit/show-json
else
	fail cmdline-edit/show-json "exit $rc: $out"
fi

# Refused arguments: exit 2, nothing changed.
cp "$R/etc/default/grub" "$TMP/before"
for arg in 'foo=$(reboot)' 'a;b' 'x="y z"' '`id`' 'c#d' 'e*'; do
	run --root "$R" cmdline set "$arg"
	if [ $rc -ne 2 ] || ! cmp -s "$TMP/before" "$R/etc/default/grub"; then
		fail "cmdline-edit/refuse-token" "'$arg': exit $rc, $err"
		continue 2
	fi
done
pass cmdline-edit/refuse-tokens
run --root "$R" cmdline set
expect_match cmdline-edit/nothing-to-set "nothing to set: give arguments" "$rc $err"

# A symbolic link: the target is edited, the link stays.
mkroot "$R" AuthenticAMD
mv "$R/etc/default/grub" "$R/etc/default/grub.real"
ln -s /etc/default/grub.real "$R/etc/default/grub"
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 0 ] && [ -L "$R/etc/default/grub" ] &&
	[ "$(readlink "$R/etc/default/grub")" = /etc/default/grub.real ] &&
	[ "$(value dash "$R/etc/default/grub.real" GRUB_CMDLINE_LINUX_DEFAULT)" = "quiet iommu=pt" ] &&
	[ -f "$R/etc/default/grub.real.vfiokit-bak" ]; then
	pass cmdline-edit/symlink
else
	fail cmdline-edit/symlink "exit $rc: $out $err"
fi

# Binary data: refused with its line (the NUL on it), nothing changed.
mkroot "$R" AuthenticAMD
printf 'GRUB_TIMEOUT=5\n\177ELF\001\002\000\000garbage\n' >>"$R/etc/default/grub"
cp "$R/etc/default/grub" "$TMP/before"
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 1 ] && grep -q "grub:41: a NUL byte, which vfiokit cannot keep.*nothing changed" <<<"$err" &&
	cmp -s "$TMP/before" "$R/etc/default/grub"; then
	pass cmdline-edit/binary
else
	fail cmdline-edit/binary "exit $rc: $err"
fi
head -c 4096 /dev/urandom >"$R/etc/default/grub"
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 1 ] && grep -q "nothing changed" <<<"$err" && [ ! -e "$R/etc/default/grub.vfiokit-bak" ]; then
	pass cmdline-edit/random-bytes
else
	fail cmdline-edit/random-bytes "exit $rc: $err"
fi

# A 1 MiB line (a comment) stays as it is; a 1 MiB value is edited.
mkroot "$R" AuthenticAMD
{
	printf '# '
	head -c 1048576 /dev/zero | tr '\0' x
	printf '\n'
} >"$TMP/long"
cat "$TMP/long" "$TOP/tests/grub-corpus/01-debian-bookworm.grub" >"$R/etc/default/grub"
start=$(date +%s)
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 0 ] && cmp -s "$TMP/long" <(head -n 1 "$R/etc/default/grub") &&
	[ "$(value dash "$R/etc/default/grub" GRUB_CMDLINE_LINUX_DEFAULT)" = "quiet iommu=pt" ] &&
	[ $(($(date +%s) - start)) -lt 30 ]; then
	pass cmdline-edit/long-line
else
	fail cmdline-edit/long-line "exit $rc: $err"
fi
{
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet '
	head -c 1048576 /dev/zero | tr '\0' y
	printf '"\n'
} >"$R/etc/default/grub"
run --root "$R" cmdline set iommu=pt
got=$(value dash "$R/etc/default/grub" GRUB_CMDLINE_LINUX_DEFAULT)
if [ $rc -eq 0 ] && [ "${#got}" -eq $((6 + 1048576 + 9)) ] && [ "${got: -9}" = " iommu=pt" ]; then
	pass cmdline-edit/long-value
else
	fail cmdline-edit/long-value "exit $rc, ${#got} bytes: $err"
fi

# A file in /etc/default/grub.d/ that sets the variable again (Debian
# reads them after /etc/default/grub): refused.
mkroot "$R" AuthenticAMD
mkdir -p "$R/etc/default/grub.d"
printf '# cloud image\nGRUB_CMDLINE_LINUX_DEFAULT="console=ttyS0"\n' >"$R/etc/default/grub.d/50-cloudimg.cfg"
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 1 ] && grep -q "grub.d/50-cloudimg.cfg:2: sets GRUB_CMDLINE_LINUX_DEFAULT, and grub-mkconfig reads this file after" <<<"$err" &&
	[ ! -e "$R/etc/default/grub.vfiokit-bak" ]; then
	pass cmdline-edit/grub-d-override
else
	fail cmdline-edit/grub-d-override "exit $rc: $err"
fi

# /boot in fstab but not mounted: a warning after the edit; with
# --mkconfig a refusal before it.
mkroot "$R" AuthenticAMD
echo "UUID=0000-1111 /boot vfat defaults 0 2" >"$R/etc/fstab"
run --root "$R" cmdline set --mkconfig iommu=pt
if [ $rc -eq 1 ] && grep -q "/boot (UUID=0000-1111) is in /etc/fstab but not mounted: mount it first" <<<"$err" &&
	[ ! -e "$R/etc/default/grub.vfiokit-bak" ]; then
	pass cmdline-edit/boot-unmounted-mkconfig
else
	fail cmdline-edit/boot-unmounted-mkconfig "exit $rc: $err"
fi
run --root "$R" cmdline set iommu=pt
if [ $rc -eq 0 ] && grep -q "warning: .*/boot (UUID=0000-1111) is in /etc/fstab but not mounted" <<<"$err"; then
	pass cmdline-edit/boot-unmounted-warning
else
	fail cmdline-edit/boot-unmounted-warning "exit $rc: $err"
fi
echo "22 21 8:1 / /boot rw - vfat /dev/sda1 rw" >>"$R/proc/self/mountinfo"
run --root "$R" cmdline remove iommu
expect_eq cmdline-edit/boot-mounted "0 " "$rc $err"

# A read-only file system: a clear message, nothing changed. A mount
# namespace gives a read-only bind mount without touching the host.
mkroot "$R" AuthenticAMD
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	out=$(unshare -m sh -c 'mount --bind "$1/etc/default" "$1/etc/default" &&
		mount -o remount,bind,ro "$1/etc/default" &&
		"$2" --root "$1" cmdline set iommu=pt' sh "$R" "$VFIOKIT" 2>&1)
	rc=$?
	if [ $rc -eq 1 ] && grep -q "grub: on a read-only file system; nothing changed" <<<"$out" &&
		cmp -s "$R/etc/default/grub" "$TOP/tests/grub-corpus/01-debian-bookworm.grub"; then
		pass cmdline-edit/read-only
	else
		fail cmdline-edit/read-only "exit $rc: $out"
	fi
else
	skip cmdline-edit/read-only "needs root and unshare -m for a read-only bind mount"
fi

# /etc/kernel/cmdline: started from /proc/cmdline (without BOOT_IMAGE=
# and initrd=, as kernel-install does) when absent, then edited in place.
K=$TMP/kroot
rm -rf "$K"
mkdir -p "$K/proc" "$K/boot/loader/entries" "$K/etc/kernel"
echo "BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro initrd=/initrd quiet" >"$K/proc/cmdline"
: >"$K/boot/loader/entries/gentoo-6.1.conf"
run --root "$K" cmdline set --dry-run iommu=pt
if [ $rc -eq 0 ] && grep -q "boot method: kernel-cmdline (boot loader entries in /boot/loader/entries" <<<"$out" &&
	grep -q '^+root=/dev/sda2 ro quiet iommu=pt$' <<<"$out" && [ ! -e "$K/etc/kernel/cmdline" ]; then
	pass cmdline-edit/kernel-cmdline-dry-run
else
	fail cmdline-edit/kernel-cmdline-dry-run "exit $rc: $out $err"
fi
run --root "$K" cmdline set iommu=pt
if [ $rc -eq 0 ] && [ "$(cat "$K/etc/kernel/cmdline")" = "root=/dev/sda2 ro quiet iommu=pt" ] &&
	grep -q "kernel-install add" <<<"$out" && grep -q "keep their old 'options'" <<<"$out"; then
	pass cmdline-edit/kernel-cmdline-new
else
	fail cmdline-edit/kernel-cmdline-new "exit $rc: $out $err"
fi
printf 'root=/dev/sda2  ro\tquiet iommu=pt\n' >"$K/etc/kernel/cmdline"
run --root "$K" cmdline set vfio-pci.ids=10de:1c03 iommu=force
expect_eq cmdline-edit/kernel-cmdline-edit "0 root=/dev/sda2  ro	quiet iommu=force vfio-pci.ids=10de:1c03" \
	"$rc $(cat "$K/etc/kernel/cmdline")"
run --root "$K" cmdline set vfio-pci.ids=10de:1c03 iommu=force
expect_match cmdline-edit/kernel-cmdline-again "already says so; nothing to change" "$rc $out"
run --root "$K" cmdline remove iommu vfio-pci.ids
expect_eq cmdline-edit/kernel-cmdline-remove "0 root=/dev/sda2  ro	quiet" "$rc $(cat "$K/etc/kernel/cmdline")"
# What the lint calls an error is not written: the 2018 guide's iommu=1,
# and vfio-pci.ids= beside a pci-stub.ids= of the same ids.
before=$(cat "$K/etc/kernel/cmdline")
run --root "$K" cmdline set iommu=1
expect_match cmdline-edit/refuses-lint-error "^1 .*after this change the kernel would get a command line with an error \(iommu-value\)" "$rc $err"
expect_eq cmdline-edit/refused-untouched "$before" "$(cat "$K/etc/kernel/cmdline")"
printf 'root=/dev/sda2 ro pci-stub.ids=10de:1c03\n' >"$K/etc/kernel/cmdline"
run --root "$K" cmdline set vfio-pci.ids=10de:1c03
expect_match cmdline-edit/refuses-ids-both "^1 .*\(ids-both\).*cmdline remove pci-stub.ids=10de:1c03" "$rc $err"

# Both GRUB and loader entries: vfiokit asks rather than guesses.
mkdir -p "$K/boot/grub"
: >"$K/boot/grub/grub.cfg"
run --root "$K" cmdline set iommu=pt
expect_match cmdline-edit/ambiguous "cannot tell which boot method .*both GRUB .* choose one with --bootloader" "$rc $err"
[ $rc -eq 1 ] || fail cmdline-edit/ambiguous-status "exit $rc"
run --root "$K" cmdline set --bootloader builtin iommu=pt
expect_match cmdline-edit/builtin-no-config "usr/src/linux/.config: no kernel configuration there" "$rc $err"

# The built-in command line: CONFIG_CMDLINE_BOOL and CONFIG_CMDLINE in the
# kernel's .config, through a relative link as eselect kernel makes it.
B=$TMP/broot
mkdir -p "$B/usr/src/linux-6.1.31-gentoo"
ln -s linux-6.1.31-gentoo "$B/usr/src/linux"
printf '#\n# Linux/x86 6.1.31 Kernel Configuration\n#\nCONFIG_X86_64=y\n# CONFIG_CMDLINE_BOOL is not set\nCONFIG_KVM=m\n' \
	>"$B/usr/src/linux/.config"
cp "$B/usr/src/linux/.config" "$TMP/before"
run --root "$B" cmdline set --bootloader builtin --dry-run iommu=pt
if [ $rc -eq 0 ] && grep -q '^+CONFIG_CMDLINE_BOOL=y$' <<<"$out" &&
	grep -q '^+CONFIG_CMDLINE="iommu=pt"$' <<<"$out" && cmp -s "$TMP/before" "$B/usr/src/linux/.config"; then
	pass cmdline-edit/builtin-dry-run
else
	fail cmdline-edit/builtin-dry-run "exit $rc: $out $err"
fi
run --root "$B" cmdline set --bootloader builtin iommu=pt vfio-pci.ids=10de:1c03
if [ $rc -eq 0 ] && grep -q '^CONFIG_CMDLINE="iommu=pt vfio-pci.ids=10de:1c03"$' "$B/usr/src/linux/.config" &&
	grep -q '^CONFIG_KVM=m$' "$B/usr/src/linux/.config" && [ -L "$B/usr/src/linux" ] &&
	cmp -s "$TMP/before" "$B/usr/src/linux/.config.vfiokit-bak" && grep -q "make olddefconfig" <<<"$out"; then
	pass cmdline-edit/builtin-set
else
	fail cmdline-edit/builtin-set "exit $rc: $out $err"
fi
run --root "$B" cmdline set --bootloader builtin vfio-pci.ids=10de:1c03
expect_match cmdline-edit/builtin-again "already says so; nothing to change" "$rc $out"
run --root "$B" cmdline show
expect_match cmdline-edit/builtin-show "^builtin: +iommu=pt vfio-pci.ids=10de:1c03$" "$out"
run --root "$K" cmdline set --bootloader lilo iommu=pt
expect_eq cmdline-edit/unknown-method 2 "$rc"
