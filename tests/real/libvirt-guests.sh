#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# plan and apply set libvirt-guests to shut guests down, in the file and
# key the host's init system reads, and verify agrees:
#  - Gentoo's OpenRC service: its own conf.d file and init script (from the
#    checkout's sibling shared/gentoo), LIBVIRT_SHUTDOWN; the init script's
#    own case statement, run on the written file, picks "shutdown";
#  - libvirt's systemd unit: /etc/default/libvirt-guests created with
#    ON_SHUTDOWN, which the shell reads as shutdown.
# A second apply changes nothing; a host without libvirt gets no file.
# The intel fixture with Debian's 6.1 modules (tests/kernel-image.sh).
source "$(dirname "$0")/../lib.sh"

GENTOO_FILES="$TOP/../shared/gentoo/gentoo/app-emulation/libvirt/files"
[ -f "$GENTOO_FILES/libvirt-guests.confd" ] && [ -f "$GENTOO_FILES/libvirt-guests.init-r4" ] || {
	fail libvirt-guests/gentoo "no libvirt-guests.confd and .init-r4 in $GENTOO_FILES: the checkout's sibling directory shared/gentoo must hold Gentoo's tree"
	exit 0
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
vk_kernel_image libvirt-guests/kernel 6.1 || exit 0

# make_root DIR: the intel fixture, Debian's modules, GRUB, no libvirt yet.
make_root() {
	local R=$1
	mkdir -p "$R/lib/modules" "$R/etc/default" "$R/usr/share/misc" "$R/proc/sys/kernel" \
		"$R/proc/self" "$R/proc/net"
	tar -xzf "$TOP/tests/fixtures/intel.tar.gz" -C "$R"
	cp "$TOP/tests/fixtures/pci.ids" "$R/usr/share/misc/"
	ln -s "$MODROOT/lib/modules/$KVER" "$R/lib/modules/$KVER"
	echo "$KVER" >"$R/proc/sys/kernel/osrelease"
	printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=""\n' >"$R/etc/default/grub"
	echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$R/proc/self/mountinfo"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
		>"$R/proc/net/route"
	printf 'boot = "grub";\ndevices = {\n\tnic = { address = "0000:00:03.0"; claim = "override"; };\n};\n' \
		>"$R/etc/vfiokit.conf"
}

# verify_guests DIR: verify's libvirt-guests line.
verify_guests() {
	"$VFIOKIT" --root "$1" verify --checks libvirt 2>&1 | grep 'libvirt-guests'
}

# OpenRC, Gentoo's files.
R=$TMP/openrc
make_root "$R"
mkdir -p "$R/etc/libvirt" "$R/etc/conf.d" "$R/etc/init.d"
cp "$GENTOO_FILES/libvirt-guests.confd" "$R/etc/conf.d/libvirt-guests"
cp "$GENTOO_FILES/libvirt-guests.init-r4" "$R/etc/init.d/libvirt-guests"
expect_match libvirt-guests/openrc-verify-before 'WARN.*LIBVIRT_SHUTDOWN is managedsave' "$(verify_guests "$R")"
plan=$("$VFIOKIT" --root "$R" plan 2>&1)
expect_match libvirt-guests/openrc-plan-diff '^\+LIBVIRT_SHUTDOWN="shutdown"$' "$plan"
expect_match libvirt-guests/openrc-plan-names-file 'etc/conf.d/libvirt-guests' "$plan"
"$VFIOKIT" --root "$R" apply >"$TMP/out" 2>&1
expect_eq libvirt-guests/openrc-apply-rc 0 "$?"
# What Gentoo's own init script makes of the file: its case statement.
picked=$(bash -c '. "$1"; eval "$(sed -n "/^case \"\${LIBVIRT_SHUTDOWN}\" in/,/^esac/p" "$2")"; echo "$LIBVIRT_SHUTDOWN"' \
	_ "$R/etc/conf.d/libvirt-guests" "$R/etc/init.d/libvirt-guests")
expect_eq libvirt-guests/openrc-init-script-picks shutdown "$picked"
expect_eq libvirt-guests/openrc-rest-kept \
	"$(grep -v 'LIBVIRT_SHUTDOWN="shutdown"\|^# vfiokit:' "$R/etc/conf.d/libvirt-guests")" \
	"$(cat "$GENTOO_FILES/libvirt-guests.confd")"
expect_match libvirt-guests/openrc-verify-after 'PASS.*LIBVIRT_SHUTDOWN=shutdown' "$(verify_guests "$R")"
sum=$(sha256sum <"$R/etc/conf.d/libvirt-guests")
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
expect_eq libvirt-guests/openrc-second-apply-same "$sum" "$(sha256sum <"$R/etc/conf.d/libvirt-guests")"

# systemd: no file yet.
R=$TMP/systemd
make_root "$R"
mkdir -p "$R/etc/libvirt"
"$VFIOKIT" --root "$R" apply >"$TMP/out" 2>&1
expect_eq libvirt-guests/systemd-apply-rc 0 "$?"
expect_eq libvirt-guests/systemd-shell-reads shutdown \
	"$(bash -c '. "$1"; echo "$ON_SHUTDOWN"' _ "$R/etc/default/libvirt-guests" 2>&1)"
expect_match libvirt-guests/systemd-verify-after 'PASS.*ON_SHUTDOWN=shutdown' "$(verify_guests "$R")"
# an existing file with ON_SHUTDOWN=suspend: that line changes, its comment stays
printf '# keep me\nON_SHUTDOWN=suspend\nSHUTDOWN_TIMEOUT=300\n' >"$R/etc/default/libvirt-guests"
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
expect_eq libvirt-guests/systemd-line-edited "# keep me
ON_SHUTDOWN=\"shutdown\"
SHUTDOWN_TIMEOUT=300" "$(cat "$R/etc/default/libvirt-guests")"

# No libvirt: nothing.
R=$TMP/none
make_root "$R"
"$VFIOKIT" --root "$R" apply >/dev/null 2>&1
[ -e "$R/etc/default/libvirt-guests" ] || [ -e "$R/etc/conf.d/libvirt-guests" ] &&
	fail libvirt-guests/no-libvirt-no-file "a libvirt-guests file was written" ||
	pass libvirt-guests/no-libvirt-no-file
