#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: two identical cards (the two-cards fixture, captured from a real
# boot: two 8086:10d3 e1000e functions, 0000:00:02.0 on its host driver
# e1000e, 0000:00:03.0 claimed by address), with Debian's real module tree.
# Every command that takes --device ADDR or an address in /etc/vfiokit.conf
# claims 0000:00:03.0 alone: after each one no file of the root names the
# model's id or the host's card, and the host's card is never claimed.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

vk_kernel_image two-cards/kernel 6.1 || exit 0
HOST=0000:00:02.0 GUEST=0000:00:03.0 ID=8086:10d3

GRUB='GRUB_DEFAULT=0
GRUB_CMDLINE_LINUX_DEFAULT="quiet"
GRUB_CMDLINE_LINUX=""'

# make_root NAME CONF: the fixture with the real modules, GRUB, a
# configuration, the root on tmpfs.
make_root() {
	local r=$TMP/$1
	vk_live_root "$r" two-cards "$KVER" "$MODROOT"
	printf '%s\n' "$GRUB" >"$r/etc/default/grub"
	[ -z "$2" ] || printf '%s\n' "$2" >"$r/etc/vfiokit.conf"
	printf '%s\n' "$r"
}

state() {
	(cd "$1" && find etc var -type f 2>/dev/null | sort | xargs -r sha256sum) | sha256sum
}

run() {
	OUT=$("$VFIOKIT" "$@" 2>&1)
	RC=$?
}

# unclaimed NAME ROOT: no file of the root's etc/ (but the configuration
# the test wrote) claims the model by id or names the host's card; and,
# when WANT_GUEST is set, the guest's card is claimed by address.
unclaimed() {
	local hits
	hits=$(grep -rnE "$ID|${HOST}|10d3" "$2/etc" 2>/dev/null | grep -v "^$2/etc/vfiokit.conf:")
	if [ -n "$hits" ]; then
		fail "two-cards/$1-host-unclaimed" "the host's card is claimed: $hits"
	else
		pass "two-cards/$1-host-unclaimed"
	fi
	if [ -n "${WANT_GUEST:-}" ]; then
		expect_match "two-cards/$1-guest-claimed" "for d in $GUEST; do echo vfio-pci" \
			"$(cat "$2/etc/modprobe.d/vfiokit.conf" 2>/dev/null)"
	fi
}

# The fixture is what it says.
R=$(make_root fixture '')
run --root "$R" groups --device $ID
expect_match two-cards/fixture-host "^  $HOST .*\[$ID\]" "$OUT"
expect_match two-cards/fixture-host-driver 'driver e1000e$' "$OUT"
expect_match two-cards/fixture-guest "^  $GUEST .*\[$ID\]" "$OUT"

# modules write --device ADDR: the override, never the id.
R=$(make_root modules-write '')
run --root "$R" modules write --device $GUEST
expect_eq two-cards/modules-write-rc 0 "$RC"
WANT_GUEST=1 unclaimed modules-write "$R"
# modules check --device ADDR suggests the address, not the id.
run --root "$R" modules check --device $GUEST
if grep -q -- "--device $ID" <<<"$OUT"; then
	fail two-cards/modules-check-suggests "suggests the model's id: $(grep -- "--device $ID" <<<"$OUT")"
else
	pass two-cards/modules-check-suggests
fi
unclaimed modules-check "$R"

# cmdline set --device ADDR: the command line names ids only; refused,
# with what to use instead, and nothing written.
R=$(make_root cmdline-set '')
before=$(state "$R")
run --root "$R" cmdline set --device $GUEST
expect_eq two-cards/cmdline-set-rc 2 "$RC"
expect_match two-cards/cmdline-set-says "'$GUEST' is a PCI address.*modules write --device $GUEST" "$OUT"
expect_eq two-cards/cmdline-set-writes-nothing "$before" "$(state "$R")"
unclaimed cmdline-set "$R"

# An address entry in /etc/vfiokit.conf, with and without claim =
# "override": plan shows the override, apply writes it, the second plan
# finds nothing to change, undo takes it back.
for conf in address override; do
	extra=
	[ $conf = override ] && extra=' claim = "override";'
	R=$(make_root conf-$conf "boot = \"grub\";
kernel = \"none\";
devices = {
	nic = { address = \"$GUEST\";$extra };
};")
	before=$(state "$R")
	run --root "$R" plan
	expect_eq two-cards/$conf-plan-rc 0 "$RC"
	expect_match two-cards/$conf-plan-override "^  $GUEST +nic +\[$ID\]  vfio-pci by driver_override$" "$OUT"
	expect_eq two-cards/$conf-plan-writes-nothing "$before" "$(state "$R")"
	run --root "$R" apply
	expect_eq two-cards/$conf-apply-rc 0 "$RC"
	WANT_GUEST=1 unclaimed $conf-apply "$R"
	run --root "$R" plan
	expect_match two-cards/$conf-second-plan '^Nothing to change' "$OUT"
	run --root "$R" undo
	expect_eq two-cards/$conf-undo-rc 0 "$RC"
	unclaimed $conf-undo "$R"
done

# The same machine as a user claims it by id: plan refuses to take both
# cards when one is the host's NIC.
R=$(make_root by-id "boot = \"grub\";
kernel = \"none\";
devices = {
	nic = { id = \"$ID\"; };
};")
vk_route_via "$R" $HOST
before=$(state "$R")
run --root "$R" apply
expect_eq two-cards/by-id-refused-rc 1 "$RC"
expect_match two-cards/by-id-refused "$HOST is the NIC of the default route" "$OUT"
expect_eq two-cards/by-id-writes-nothing "$before" "$(state "$R")"
unclaimed by-id "$R"
