#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The subsystem names groups prints, against lspci's own "Subsystem:" line
# (lspci -vnn through the same libpci, on the same captured tree and the
# same pci.ids, udev's hwdb turned off as vfiokit never reads it): every
# device of every captured fixture, with the cut pci.ids the cases use and
# with the system's whole pci.ids. A device lspci shows no subsystem for
# reads as its bare ids.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LSPCI=$(command -v lspci || echo /usr/bin/lspci)
if [ ! -x "$LSPCI" ]; then
	fail subsystem/lspci "lspci is not installed (pciutils, tests/install-deps.sh)"
	exit 0
fi

# vk_names ROOT, lspci_names ROOT PCI-IDS: "ADDR SUBSYSTEM" per device.
vk_names() {
	"$VFIOKIT" --root "$1" groups 2>/dev/null | awk '
		/^  [0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7]  / { addr = $1; next }
		addr && /^ +subsystem / {
			s = $0; sub(/^ +subsystem /, "", s)
			sub(/, (no driver|driver ).*$/, "", s)
			print addr " " s; addr = ""
		}' | sort
}
lspci_names() {
	"$LSPCI" -D -vnn -A linux-sysfs -O "sysfs.path=$1/sys/bus/pci" -O hwdb.disable=1 \
		-i "$2" 2>/dev/null | awk '
		/^[0-9a-f]+:/ { if (addr) print addr " " (sub_ ? sub_ : "-"); addr = $1; sub_ = "" }
		/^\tSubsystem: / { s = $0; sub(/^\tSubsystem: /, "", s); sub_ = s }
		END { if (addr) print addr " " (sub_ ? sub_ : "-") }'
}

n=0
for f in "$TOP"/tests/fixtures/*.tar.gz; do
	fx=$(basename "$f" .tar.gz)
	R=$TMP/$fx
	mkdir -p "$R/usr/share/misc" && tar -xzf "$f" -C "$R" || {
		fail "subsystem/$fx" "cannot unpack $f"
		continue
	}
	for pciids in system cut; do
		if [ $pciids = cut ]; then
			cp "$TOP/tests/fixtures/pci.ids" "$R/usr/share/misc/pci.ids"
		else
			cp /usr/share/misc/pci.ids "$R/usr/share/misc/pci.ids"
		fi
		ours=$(vk_names "$R")
		[ -n "$ours" ] || continue # no IOMMU groups in this capture
		# lspci's view of the devices groups lists; a device with no
		# Subsystem: line reads as "-", which ours must show as bare ids.
		theirs=$(lspci_names "$R" "$R/usr/share/misc/pci.ids" | sort)
		want=$(join <(printf '%s\n' "$ours" | cut -d' ' -f1) <(printf '%s\n' "$theirs"))
		got=$(printf '%s\n' "$ours" | sed -E 's/^([^ ]+) [0-9a-f]{4}:[0-9a-f]{4}$/\1 -/')
		expect_eq "subsystem/$pciids/$fx" "$want" "$got"
		n=$((n + $(printf '%s\n' "$ours" | wc -l)))
	done
done
# The fixtures name subsystems both ways: pci.ids knows the device's
# subsystem entry, and knows only the subsystem's vendor.
all=$(for R in "$TMP"/*/; do vk_names "$R"; done)
expect_match subsystem/named 'Red Hat, Inc\. QEMU Virtual Machine \[1af4:1100\]$' "$all"
expect_match subsystem/vendor-only 'Intel Corporation Device \[8086:0000\]$' "$all"
[ "$n" -ge 40 ] || fail subsystem/count "only $n devices compared"
