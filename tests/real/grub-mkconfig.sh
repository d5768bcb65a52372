#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The GRUB scripts themselves judge the edit: for each file of the corpus
# that vfiokit can edit, 'vfiokit cmdline set' changes it, then Debian's
# grub-mkconfig (grub-common and grub2-common, fetched with apt-get
# download into the cache) runs on it, and every normal entry's 'linux'
# line must carry the arguments; recovery entries only with --all-entries.
#
# It runs in a private mount namespace: /etc and /usr get an overlay with
# the GRUB package on top (the host's files are never changed) and /boot
# is a tmpfs with a kernel and an initrd. grub-probe, the one GRUB program
# that inspects block devices, has nothing to inspect there (tmpfs, an
# overlay): a stand-in in the overlay names a disk; the scripts
# (grub-mkconfig, grub-mkconfig_lib, /etc/grub.d/*) are Debian's own.
source "$(dirname "$0")/../lib.sh"

name=real/grub-mkconfig
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	skip $name "needs root and unshare -m for a private mount namespace"
	exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
	skip $name "needs apt-get and dpkg-deb to fetch Debian's grub-common and grub2-common"
	exit 0
fi

cache=$(vk_cache)/grub
mkdir -p "$cache"
# The versions the archive has now; fetched once per version.
ver=$(apt-cache policy grub-common 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	skip $name "apt-cache knows no grub-common (run apt-get update)"
	exit 0
fi
root=$cache/grub-$ver
if [ ! -x "$root/usr/sbin/grub-mkconfig" ]; then
	rm -rf "$root" "$cache/debs"
	mkdir -p "$cache/debs" "$root"
	if ! (cd "$cache/debs" && apt-get download -q grub-common grub2-common) >"$cache/log" 2>&1; then
		skip $name "apt-get download grub-common grub2-common failed: $(tail -n 1 "$cache/log")"
		exit 0
	fi
	for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
	rm -rf "$cache/debs"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/overlay/usr/sbin" "$TMP/overlay/etc"
cat >"$TMP/overlay/usr/sbin/grub-probe" <<'EOF'
#!/bin/sh
# Stand-in for grub-probe in the test's mount namespace: one disk.
target=
for a; do case $a in --target=*) target=${a#--target=} ;; esac; done
case $target in
device) echo /dev/vda1 ;;
disk) echo /dev/vda ;;
fs) echo ext2 ;;
fs_uuid) echo 0f0e0d0c-0b0a-4908-8706-050403020100 ;;
partuuid) echo 0a0b0c0d-01 ;;
partmap) echo msdos ;;
drive) echo '(hd0,msdos1)' ;;
compatibility_hint) echo hd0,msdos1 ;;
hints_string) echo '--hint-bios=hd0,msdos1' ;;
esac
EOF
chmod 755 "$TMP/overlay/usr/sbin/grub-probe"
# Fedora's file reads the distribution's name from here.
echo "Fedora release 39 (Thirty Nine)" >"$TMP/overlay/etc/system-release"

# mkconfig FILE OUT: grub-mkconfig on FILE as /etc/default/grub; the
# generated grub.cfg in OUT.
mkconfig() {
	local w=$TMP/ns
	rm -rf "$w"
	mkdir -p "$w/eu" "$w/ew" "$w/uu" "$w/uw"
	cp -a "$TMP/overlay/etc/." "$w/eu/"
	cp -a "$TMP/overlay/usr/." "$w/uu/"
	cp "$1" "$w/eu/default-grub"
	unshare -m sh -euc '
		root=$1 w=$2 out=$3
		mount -t overlay overlay -o "lowerdir=$root/etc:/etc,upperdir=$w/eu,workdir=$w/ew" /etc
		mount -t overlay overlay -o "lowerdir=$root/usr:/usr,upperdir=$w/uu,workdir=$w/uw" /usr
		mount -t tmpfs tmpfs /boot
		mkdir -p /boot/grub /etc/default
		echo kernel >/boot/vmlinuz-6.1.0-99-amd64
		echo initrd >/boot/initrd.img-6.1.0-99-amd64
		cp /etc/default-grub /etc/default/grub
		rm -rf /etc/default/grub.d
		grub-mkconfig -o /boot/grub/grub.cfg
		cp /boot/grub/grub.cfg "$out"
	' sh "$root" "$w" "$2"
}

field() {
	local line
	line=$(grep -m1 -- "^$2:" "$1") || return 1
	line=${line#"$2":}
	printf '%s' "${line# }"
}

# words TEXT: TEXT with blanks squeezed, as a line to compare.
words() {
	local -a w
	local IFS=$' \t\n'
	set -f
	# shellcheck disable=SC2206
	w=($1)
	set +f
	printf '%s' "${w[*]}"
}

checked=0
for src in "$TOP"/tests/grub-corpus/*.grub; do
	case_name=$(basename "$src" .grub)
	exp=$TOP/tests/grub-corpus/$case_name.expect
	field "$exp" "set refused" >/dev/null && continue
	args=$(field "$exp" set)
	opts=$(field "$exp" options || true)
	r=$TMP/root-$case_name
	mkdir -p "$r/etc/default" "$r/boot/grub"
	cp "$src" "$r/etc/default/grub"
	# shellcheck disable=SC2086
	if ! "$VFIOKIT" --root "$r" cmdline set --bootloader grub $opts $args >"$TMP/out" 2>&1; then
		fail "$name/$case_name" "vfiokit cmdline set failed: $(cat "$TMP/out")"
		continue
	fi
	if ! mkconfig "$r/etc/default/grub" "$TMP/grub.cfg" >"$TMP/log" 2>&1; then
		fail "$name/$case_name" "grub-mkconfig failed on the edited file"
		tail -n 5 "$TMP/log" | sed 's/^/    /'
		continue
	fi
	# 10_linux: "root=... ro $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" on
	# normal entries, "root=... ro single $GRUB_CMDLINE_LINUX" on recovery;
	# the values are the corpus's, written by hand with the arguments in
	# them (in GRUB_CMDLINE_LINUX, for recovery too, only with --all-entries).
	lin=$(field "$exp" "set GRUB_CMDLINE_LINUX")
	def=$(field "$exp" "set GRUB_CMDLINE_LINUX_DEFAULT")
	want_normal=$(words "root=/dev/vda1 ro $lin $def")
	want_recovery=$(words "root=/dev/vda1 ro single $lin")
	ok=true normal=0 recovery=0
	while IFS= read -r line; do
		got=$(words "${line#*[[:space:]]}")
		if [[ " $got " == *" single "* ]]; then
			recovery=$((recovery + 1))
			want=$want_recovery
		else
			normal=$((normal + 1))
			want=$want_normal
		fi
		if [ "$got" != "$want" ]; then
			ok=false
			fail "$name/$case_name" "grub.cfg: linux ... '$got', expected '$want'"
		fi
	done < <(sed -n 's/^[[:space:]]*linux[[:space:]]*//p' "$TMP/grub.cfg")
	if [ $normal -eq 0 ]; then
		fail "$name/$case_name" "grub.cfg has no linux line"
		continue
	fi
	$ok && pass "$name/$case_name ($normal normal, $recovery recovery entries)"
	checked=$((checked + 1))
done
[ $checked -ge 30 ] || fail "$name/count" "only $checked files went through grub-mkconfig"

# vfiokit's own --mkconfig, as on a real host: in the namespace it edits
# /etc/default/grub (the overlay) and runs grub-mkconfig itself.
w=$TMP/ns-mkconfig
mkdir -p "$w/eu/default" "$w/ew" "$w/uu" "$w/uw"
cp -a "$TMP/overlay/usr/." "$w/uu/"
cp "$TOP/tests/grub-corpus/01-debian-bookworm.grub" "$w/eu/default/grub"
out=$(unshare -m sh -euc '
	root=$1 w=$2 vfiokit=$3
	mount -t overlay overlay -o "lowerdir=$root/etc:/etc,upperdir=$w/eu,workdir=$w/ew" /etc
	mount -t overlay overlay -o "lowerdir=$root/usr:/usr,upperdir=$w/uu,workdir=$w/uw" /usr
	mount -t tmpfs tmpfs /boot
	mkdir -p /boot/grub
	echo kernel >/boot/vmlinuz-6.1.0-99-amd64
	rm -rf /etc/default/grub.d
	PATH=/usr/sbin:/usr/bin:/sbin:/bin "$vfiokit" cmdline set --bootloader grub --mkconfig \
		iommu=pt vfio-pci.ids=10de:1c03
	grep "^[[:space:]]*linux" /boot/grub/grub.cfg
' sh "$root" "$w" "$VFIOKIT" 2>&1)
if grep -q "grub-mkconfig -o /boot/grub/grub.cfg: done" <<<"$out" &&
	grep -q "linux.* ro  quiet iommu=pt vfio-pci.ids=10de:1c03$" <<<"$out" &&
	grep -q "linux.* ro single $" <<<"$out"; then
	pass "$name/vfiokit-mkconfig"
else
	fail "$name/vfiokit-mkconfig" "$out"
fi
