#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real cycle: a QEMU guest booted by OVMF and GRUB from a disk
# (tests/vm/grub-disk.sh) with two e1000e cards of one model.
#   boot 1  vfiokit plan; vfiokit apply with the guest's /etc/vfiokit.conf
#           (tests/vm/cycle/vfiokit.conf: the card at 00:06.0 by
#           driver_override); the real grub-mkconfig; reboot through GRUB
#   boot 2  the new command line; 00:06.0 on vfio-pci, 00:05.0 still on
#           e1000e; vfiokit verify passes; vfiokit undo; grub-mkconfig gives
#           back the grub.cfg of before; reboot
#   boot 3  00:06.0 on e1000e again, the command line as before
#
#   tests/vm/cycle.sh [--narrate]   --narrate (make demo) prints what the
#                                   guest did, then the checks
set -u
source "$(dirname "$0")/../lib.sh"
narrate=false
[ "${1:-}" = --narrate ] && narrate=true

if ! command -v qemu-system-x86_64 >/dev/null; then
	skip vm/cycle "qemu-system-x86_64 is not installed (tests/install-deps.sh test)"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$TOP/tests/vm/cycle
files=()
for f in lib.sh boot-1.sh boot-2.sh boot-3.sh; do
	files+=(--file "$dir/$f:/vk/$f")
done
files+=(--file "$dir/vfiokit.conf:/etc/vfiokit.conf")

$narrate && echo "Building the guest's disk: GPT, an EFI system partition with GRUB, an ext4 root (cached)"
if ! "$TOP/tests/vm/grub-disk.sh" "$work/disk.img" "${files[@]}" >"$work/disk.log" 2>&1; then
	fail vm/cycle/disk "tests/vm/grub-disk.sh failed: $(tail -n 5 "$work/disk.log")"
	exit 0
fi
$narrate && echo "Booting it three times under QEMU (OVMF, GRUB, Debian's kernel; about a minute)"
"$TOP/tests/vm/run-grub-vm" --disk "$work/disk.img" --timeout 420 \
	--device e1000e,addr=0x05 --device e1000e,addr=0x06 >"$work/out" 2>"$work/err"
rc=$?
out=$(cat "$work/out")
$narrate && sed -n '/^VK-BOOT .* BEGIN/{s/^VK-BOOT \([0-9]*\) BEGIN/== boot \1/;p;d};/^VK-BOOT/d;/^vk-step/d;p' "$work/out"
if [ $rc -eq 125 ]; then
	fail vm/cycle/boot "the guest did not finish its three boots: $(tail -n 8 "$work/err")"
	exit 0
fi

# step_is NAME EXPECTED-LINE: a vk-step line the guest printed.
step_is() {
	if grep -qxF -- "vk-step $2" <<<"$out"; then pass "vm/cycle/$1"; else
		fail "vm/cycle/$1" "the guest did not print 'vk-step $2'"
		grep '^vk-step' <<<"$out" | sed 's/^/    /'
	fi
}
cmdline1=$(sed -n 's/^vk-step 1 cmdline //p' <<<"$out")
cmdline2=$(sed -n 's/^vk-step 2 cmdline //p' <<<"$out")
step_is boot1-drivers "1 drivers e1000e e1000e"
step_is boot1-plan "plan rc 0"
step_is boot1-apply "apply rc 0"
step_is boot1-apply-again "apply-again rc 0"
expect_match vm/cycle/apply-again-changes-nothing "Nothing to change" "$out"
step_is boot1-mkconfig "mkconfig rc 0"
# Debian's kernel turns the Intel IOMMU on by itself
# (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y), so plan adds no intel_iommu=on;
# boot2-drivers and boot2-verify show that the IOMMU is on all the same.
expect_eq vm/cycle/boot2-cmdline "$cmdline1 iommu=pt" "$cmdline2"
step_is boot2-drivers "2 drivers vfio-pci e1000e"
step_is boot2-verify "verify rc 0"
step_is boot2-undo "undo rc 0"
step_is boot2-undo-again "undo-again rc 0"
step_is boot2-grub-cfg-restored "2 grub.cfg as before"
step_is boot3-drivers "3 drivers e1000e e1000e"
step_is boot3-cmdline "3 cmdline as before"
