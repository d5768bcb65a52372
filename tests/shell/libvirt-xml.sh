#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit libvirt xml judged by libvirt itself: every domain it prints
# passes virt-xml-validate (new, --nvidia-legacy, merged into a domain), a
# merge into its own output changes nothing, a card's functions share one
# guest slot, and a real libvirt (qemu:///embed, no system daemon) defines
# a type='qemu' copy and reads it back with the hostdevs and the pinning
# intact. Without /dev/kvm libvirt does not define type='kvm', and the
# firmware choice and host-passthrough would only be tried by a start: they
# are checked by the schema only.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/libvirt/lib.sh"

for tool in virt-xml-validate virsh setpriv; do
	command -v "$tool" >/dev/null || {
		fail "libvirt-xml/$tool" "$tool is not installed: run tests/install-deps.sh test"
		exit 0
	}
done
if ! ls "$TOPOLOGY_DIR"/*.tar.gz >/dev/null 2>&1; then
	vk_shared_missing libvirt-xml/captures "the CPU topology captures in $TOPOLOGY_DIR"
	exit 0
fi

work=$(mktemp -d)
emb=""
trap 'rm -rf "$work" ${emb:+"$emb"}' EXIT

# validate NAME FILE: one PASS or FAIL line from libvirt's schema.
validate() {
	local out
	if out=$(virt-xml-validate "$2" domain 2>&1); then
		pass "$1"
	else
		fail "$1" "virt-xml-validate: $out"
	fi
}

for archive in $(topology_archives); do
	name=$(basename "$archive" .tar.gz)
	root=$work/$name
	mkdir -p "$root"
	make_root "$archive" "$root" || { fail "libvirt-xml/$name" "cannot unpack $archive"; continue; }
	"$VFIOKIT" --root "$root" libvirt xml >"$work/$name.xml" 2>"$work/err"
	expect_eq "libvirt-xml/$name/exit" 0 "$?"
	validate "libvirt-xml/$name/new-validates" "$work/$name.xml"
	"$VFIOKIT" --root "$root" libvirt xml --nvidia-legacy >"$work/$name-nv.xml" 2>/dev/null
	validate "libvirt-xml/$name/nvidia-legacy-validates" "$work/$name-nv.xml"
	"$VFIOKIT" --root "$root" libvirt xml --domain "$TOP/tests/libvirt/base-domain.xml" \
		>"$work/$name-merged.xml" 2>/dev/null
	validate "libvirt-xml/$name/merged-validates" "$work/$name-merged.xml"
done

# The details, on the four-socket capture.
root=$work/x86_64-64cpu
new=$(cat "$work/x86_64-64cpu.xml")
expect_match libvirt-xml/kvm-hidden-left-out 'kvm><hidden> and vendor_id left out' "$new"
grep -q '<hidden state' <<<"$new" && fail libvirt-xml/no-hidden-by-default "<hidden> without --nvidia-legacy" ||
	pass libvirt-xml/no-hidden-by-default
expect_match libvirt-xml/says-left-out-on-stderr 'left out: only NVIDIA drivers before 465' "$(cat "$work/err")"
nv=$(cat "$work/x86_64-64cpu-nv.xml")
expect_match libvirt-xml/nvidia-legacy-hidden '<hidden state="on"/>' "$nv"
expect_match libvirt-xml/nvidia-legacy-vendor '<vendor_id state="on" value=' "$nv"
expect_match libvirt-xml/efi '<os firmware="efi">' "$new"
expect_match libvirt-xml/q35-root-port '<controller type="pci" index="1" model="pcie-root-port">' "$new"

merged=$(cat "$work/x86_64-64cpu-merged.xml")
expect_match libvirt-xml/merge-keeps-disk "win10.img" "$merged"
expect_match libvirt-xml/merge-keeps-vmport '<vmport state="off"/>' "$merged"
expect_eq libvirt-xml/merge-one-hostdev-per-function 2 "$(grep -c '<hostdev ' <<<"$merged")"
expect_eq libvirt-xml/merge-replaces-vcpu 1 "$(grep -c '<vcpu ' <<<"$merged")"
# the domain's own root port at slot 0x10 stays (the disk is behind it), the
# one only the replaced hostdev used goes; ours take the free slots after 0x10
expect_eq libvirt-xml/merge-free-slots "0x10 0x11 0x12" \
	"$(grep -A1 'pcie-root-port' <<<"$merged" | grep -o 'slot="0x[0-9a-f]*"' | grep -o '0x[0-9a-f]*' | sort | xargs)"
"$VFIOKIT" --root "$root" libvirt xml --domain "$work/x86_64-64cpu-merged.xml" >"$work/again.xml" 2>/dev/null
expect_eq libvirt-xml/merge-twice-same "$merged" "$(cat "$work/again.xml")"

# A card's functions: the ICH9 group (LPC, SATA, SMBus on slot 1f) on one slot.
printf 'devices = {\n\tsata = { address = "0000:00:1f.2"; claim = "override"; };\n};\n' >"$work/mf.conf"
mf=$("$VFIOKIT" --root "$root" libvirt xml --config "$work/mf.conf" 2>/dev/null)
expect_eq libvirt-xml/multifunction-one-slot \
	'bus="0x01" slot="0x00" function="0x0" multifunction="on"
bus="0x01" slot="0x00" function="0x2"
bus="0x01" slot="0x00" function="0x3"' \
	"$(hostdevs "$mf" | grep 'bus="0x01"' | sed 's/.*\(bus=\)/\1/')"

# Bad input: not XML, not a domain.
printf '<domain>\n  <name>x</name>\n' >"$work/broken.xml"
out=$("$VFIOKIT" --root "$root" libvirt xml --domain "$work/broken.xml" 2>&1 >/dev/null)
rc=$?
expect_eq libvirt-xml/broken-domain-exit 1 "$rc"
expect_match libvirt-xml/broken-domain-names-file-line "broken.xml:[0-9]+: " "$out"
printf '<network>\n</network>\n' >"$work/net.xml"
out=$("$VFIOKIT" --root "$root" libvirt xml --domain "$work/net.xml" 2>&1 >/dev/null)
expect_match libvirt-xml/not-a-domain "net.xml:1: not a libvirt domain \(its root is <network>\)" "$out"

# A real libvirt reads the domain back.
emb=$(embed_dir)
sed 's/<domain type="kvm">/<domain type="qemu">/' "$work/x86_64-64cpu.xml" >"$emb/d.xml"
if out=$(virsh_embed "$emb" define "$emb/d.xml" 2>&1); then
	pass libvirt-xml/embed-define
	back=$(virsh_embed "$emb" dumpxml vfiokit 2>&1)
	expect_eq libvirt-xml/embed-pinning-intact "$(pins "$new")" "$(pins "$back")"
	expect_eq libvirt-xml/embed-hostdevs-intact "$(hostdevs "$new")" "$(hostdevs "$back")"
	expect_match libvirt-xml/embed-topology "<topology sockets='1' dies='1' cores='8' threads='2'/>" "$back"
else
	fail libvirt-xml/embed-define "$out"
fi
sed 's/<domain type="kvm">/<domain type="qemu">/' "$work/x86_64-64cpu-merged.xml" >"$emb/m.xml"
if out=$(virsh_embed "$emb" define "$emb/m.xml" 2>&1); then
	back=$(virsh_embed "$emb" dumpxml win10 2>&1)
	expect_eq libvirt-xml/embed-merged-hostdevs-intact "$(hostdevs "$merged")" "$(hostdevs "$back")"
else
	fail libvirt-xml/embed-define-merged "$out"
fi

# Hugepages reserved in /proc/meminfo: backing, and a warning when short.
mkdir -p "$root/proc"
printf 'MemTotal:       65536000 kB\nHugePages_Total:    4096\nHugepagesize:       2048 kB\n' >"$root/proc/meminfo"
out=$("$VFIOKIT" --root "$root" libvirt xml 2>"$work/err")
expect_match libvirt-xml/hugepages-backing '<memoryBacking>' "$out"
grep -q 'hugepages reserved' "$work/err" && fail libvirt-xml/hugepages-enough "warned with 8 GiB reserved" ||
	pass libvirt-xml/hugepages-enough
"$VFIOKIT" --root "$root" libvirt xml --memory 16384 >/dev/null 2>"$work/err"
expect_match libvirt-xml/hugepages-short 'the guest.s 16384 MiB do not fit in the 8192 MiB of hugepages reserved' \
	"$(cat "$work/err")"
rm "$root/proc/meminfo"
grep -q '<memoryBacking>' <<<"$("$VFIOKIT" --root "$root" libvirt xml 2>/dev/null)" &&
	fail libvirt-xml/no-hugepages-no-backing "<memoryBacking> without reserved hugepages" ||
	pass libvirt-xml/no-hugepages-no-backing

# The firmware descriptors: a warning without, none with Debian's own.
expect_match libvirt-xml/no-firmware-warns 'no QEMU firmware descriptor' "$(cat "$work/err")"
if ls /usr/share/qemu/firmware/*.json >/dev/null 2>&1; then
	mkdir -p "$root/usr/share/qemu/firmware"
	cp /usr/share/qemu/firmware/*.json "$root/usr/share/qemu/firmware/"
	"$VFIOKIT" --root "$root" libvirt xml >"$work/fw.xml" 2>"$work/err"
	grep -q 'firmware descriptor' "$work/err" "$work/fw.xml" &&
		fail libvirt-xml/firmware-found "warned with descriptors installed" ||
		pass libvirt-xml/firmware-found
else
	fail libvirt-xml/firmware-found "no /usr/share/qemu/firmware/*.json: install ovmf (tests/install-deps.sh test)"
fi
