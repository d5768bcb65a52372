#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit libvirt apply on a real libvirt (qemu:///embed, no system
# daemon): a defined type='qemu' domain gets the hostdevs (and with
# --cputune the pinning), a dry run and a second apply change nothing,
# undo defines the domain as it was (dumpxml --inactive the same as
# before apply), and refuses when the domain changed since, unless
# --force. A build without libvirt's C library (VFIOKIT_LIBVIRT=0, as
# make check passes it) says so with exit 2 and restores no domain.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/libvirt/lib.sh"

: "${VFIOKIT_LIBVIRT:=$(pkg-config --exists libvirt 2>/dev/null && echo 1 || echo 0)}"

work=$(mktemp -d)
emb=""
trap 'rm -rf "$work" ${emb:+"$emb"}' EXIT
chmod 755 "$work"
root=$work/root
mkdir -p "$root/var/lib"
archive=$(topology_archives | head -n 1)
if [ -z "$archive" ] || ! make_root "$archive" "$root"; then
	fail libvirt-apply/root "no CPU topology capture to build a root from: the checkout's sibling directory shared/topology must hold them"
	exit 0
fi
journal=$root/var/lib/vfiokit/journal

if [ "$VFIOKIT_LIBVIRT" = 0 ]; then
	out=$("$VFIOKIT" --root "$root" libvirt apply win10 2>&1)
	expect_eq libvirt-apply/without-libvirt-exit 2 "$?"
	expect_match libvirt-apply/without-libvirt-says 'built without libvirt.s C library \(make LIBVIRT=1; Gentoo: USE=libvirt\)' "$out"
	[ -e "$journal" ] && fail libvirt-apply/without-libvirt-no-journal "$journal written" ||
		pass libvirt-apply/without-libvirt-no-journal
	# A journal from a build with libvirt: undo says why it cannot, and
	# touches nothing.
	mkdir -p "$root/var/lib/vfiokit/backup/1/libvirt-domain"
	printf '<domain/>\n' >"$root/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml"
	sum=$(sha256sum <"$root/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml" | cut -d' ' -f1)
	printf 'generation = 1L;\nconfig = "/etc/vfiokit.conf";\ntime = "2026-01-01T00:00:00Z";\ncomplete = true;\nfiles = (\n  { path = "win10";\n    uri = "qemu:///system";\n    existed = true;\n    before = "%s";\n    backup = "/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml";\n    after = "%s"; }\n);\n' \
		"$sum" "$(printf x | sha256sum | cut -d' ' -f1)" >"$journal"
	cp "$journal" "$work/journal"
	out=$("$VFIOKIT" --root "$root" undo 2>&1)
	expect_eq libvirt-apply/without-libvirt-undo-exit 1 "$?"
	expect_match libvirt-apply/without-libvirt-undo-says 'libvirt domain win10: this vfiokit was built without libvirt' "$out"
	cmp -s "$journal" "$work/journal" && pass libvirt-apply/without-libvirt-undo-keeps-journal ||
		fail libvirt-apply/without-libvirt-undo-keeps-journal "the journal changed"
	exit 0
fi

for tool in virsh setpriv; do
	command -v "$tool" >/dev/null || {
		fail "libvirt-apply/$tool" "$tool is not installed: run tests/install-deps.sh test"
		exit 0
	}
done

emb=$(embed_dir)
uri="qemu:///embed?root=$emb"
# The program as the embedded libvirt's user, its root's state writable.
[ "$(id -u)" != 0 ] || chown -R nobody "$root/var/lib"
vk() { as_virsh_user env HOME="$emb" "$VFIOKIT" --root "$root" "$@"; }
dump() { virsh_embed "$emb" dumpxml --inactive win10; }

sed "s/<domain type='kvm'>/<domain type='qemu'>/" "$TOP/tests/libvirt/base-domain.xml" >"$emb/d.xml"
if ! out=$(virsh_embed "$emb" define "$emb/d.xml" 2>&1); then
	fail libvirt-apply/define "$out"
	exit 0
fi
before=$(dump)

# No such domain: a clear error, nothing written.
out=$(vk libvirt apply --connect "$uri" nosuch 2>&1)
expect_eq libvirt-apply/no-such-domain-exit 1 "$?"
expect_match libvirt-apply/no-such-domain-says 'nosuch.*virsh list --all' "$out"

# A dry run shows the diff and defines nothing.
out=$(vk libvirt apply --connect "$uri" --dry-run win10 2>&1)
expect_eq libvirt-apply/dry-run-exit 0 "$?"
expect_match libvirt-apply/dry-run-diff '\+        <address domain="0x0000" bus="0x00" slot="0x02" function="0x0"/>' "$out"
expect_match libvirt-apply/dry-run-says 'dry run: libvirt domain win10 .* not defined' "$out"
expect_eq libvirt-apply/dry-run-unchanged "$before" "$(dump)"
[ -e "$journal" ] && fail libvirt-apply/dry-run-no-journal "$journal written" ||
	pass libvirt-apply/dry-run-no-journal

# apply: the hostdev of every claimed function, the rest of the domain kept.
out=$(vk libvirt apply --connect "$uri" win10 2>&1)
expect_eq libvirt-apply/apply-exit 0 "$?"
expect_match libvirt-apply/apply-says 'win10 .*: defined\. Recorded in .*/var/lib/vfiokit/journal' "$out"
after=$(dump)
expect_eq libvirt-apply/apply-hostdevs \
	"$(printf '%s\n' 'domain="0x0000" bus="0x00" slot="0x02" function="0x0"' 'domain="0x0000" bus="0x00" slot="0x03" function="0x0"')" \
	"$(sed -n '/<source>/,/<\/source>/p' <<<"$after" | grep -o 'domain=[^/]*' | tr "'" '"' | sed 's/ *$//' | sort)"
expect_match libvirt-apply/apply-keeps-disk 'win10.img' "$after"
# The root port of the hostdev replaced goes, one comes for each of the two
# slots, and its index is reused: libvirt adds no port of its own in a gap.
expect_eq libvirt-apply/apply-root-ports "$(($(grep -c "model='pcie-root-port'>" <<<"$before") + 1))" \
	"$(grep -c "model='pcie-root-port'>" <<<"$after")"
grep -q '<cputune>' <<<"$after" && fail libvirt-apply/apply-no-cputune "cputune without --cputune" ||
	pass libvirt-apply/apply-no-cputune
expect_match libvirt-apply/journal-entry 'uri = "qemu:///embed' "$(cat "$journal")"
expect_eq libvirt-apply/backup-is-before "$before" "$(cat "$root/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml")"

# A second apply changes nothing.
out=$(vk libvirt apply --connect "$uri" win10 2>&1)
expect_eq libvirt-apply/twice-exit 0 "$?"
expect_match libvirt-apply/twice-nothing 'nothing to change' "$out"
expect_eq libvirt-apply/twice-unchanged "$after" "$(dump)"

# --cputune: the pinning too, checked by the rules; again nothing.
out=$(vk libvirt apply --connect "$uri" --cputune win10 2>&1)
expect_eq libvirt-apply/cputune-exit 0 "$?"
tuned=$(dump)
load_topology "$root"
check_pinning libvirt-apply/cputune-pinning "$(tr "'" '"' <<<"$tuned")"
grep -q 'changed since' <<<"$out" && fail libvirt-apply/cputune-no-warning "$out" ||
	pass libvirt-apply/cputune-no-warning
out=$(vk libvirt apply --connect "$uri" --cputune win10 2>&1)
expect_match libvirt-apply/cputune-twice-nothing 'nothing to change' "$out"

# undo: the domain as it was before the first apply.
out=$(vk --json undo --dry-run 2>/dev/null)
expect_eq libvirt-apply/undo-json-domain "win10 qemu:///embed?root=$emb would restore" \
	"$(jq -r '.files[] | "\(.path) \(.uri) \(.action)"' <<<"$out")"
out=$(vk undo 2>&1)
expect_eq libvirt-apply/undo-exit 0 "$?"
expect_match libvirt-apply/undo-says 'libvirt domain win10 .*: restored' "$out"
expect_eq libvirt-apply/undo-as-before "$before" "$(dump)"
[ -e "$journal" ] && fail libvirt-apply/undo-removes-journal "$journal still there" ||
	pass libvirt-apply/undo-removes-journal

# A domain changed since apply: undo refuses, then --force.
vk libvirt apply --connect "$uri" win10 >/dev/null 2>&1
dump | sed 's/<currentMemory unit=.KiB.>8388608/<currentMemory unit="KiB">4194304/' >"$emb/changed.xml"
virsh_embed "$emb" define "$emb/changed.xml" >/dev/null
changed=$(dump)
out=$(vk undo 2>&1)
expect_eq libvirt-apply/changed-undo-exit 1 "$?"
expect_match libvirt-apply/changed-undo-says 'libvirt domain win10 .* changed since vfiokit apply' "$out"
expect_match libvirt-apply/changed-undo-diff '\+  <currentMemory unit=.KiB.>8388608' "$out"
expect_eq libvirt-apply/changed-undo-untouched "$changed" "$(dump)"
out=$(vk undo --force 2>&1)
expect_eq libvirt-apply/force-undo-exit 0 "$?"
expect_eq libvirt-apply/force-undo-as-before "$before" "$(dump)"
