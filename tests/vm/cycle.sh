#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The real cycle: a QEMU guest booted by OVMF and GRUB from a disk
# (tests/vm/grub-disk.sh) with two e1000e cards of one model.
#   boot 1  the sha256 of every file under /etc and /boot; vfiokit plan;
#           vfiokit apply with the guest's /etc/vfiokit.conf
#           (tests/vm/cycle/vfiokit.conf: the card at 00:06.0 by
#           driver_override); the real grub-mkconfig; the rescue of
#           vfiokit(8) at the end of the default entry's linux line, for
#           one boot (as a user types it in GRUB's editor); reboot
#   boot 2  the rescue: both cards on e1000e, vfio_pci not loaded, verify
#           says the claims are suspended; grub.cfg as apply wrote it; reboot
#   boot 3  apply's command line; 00:06.0 on vfio-pci, 00:05.0 still on
#           e1000e; vfiokit verify passes; power off
#   rescue  a second system (tests/vm/run-vm --disk) mounts the disk at /mnt:
#           vfiokit --root /mnt undo gives back every file of /etc and /boot
#           byte for byte (sha256 against boot 1; the FILE.vfiokit-bak undo
#           leaves of each file it restored holds apply's version, and there
#           is no other); grub-mkconfig in a chroot gives back the grub.cfg
#           of before
#   boot 4  through GRUB again: 00:06.0 on e1000e, the command line as before
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
# show FILE: the boots' sections in FILE, for people.
show() {
	sed -n '/^VK-BOOT .* BEGIN/{s/^VK-BOOT \([0-9]*\) BEGIN/== boot \1/;p;d};/^VK-BOOT/d;/^vk-step/d;p' "$1"
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir=$TOP/tests/vm/cycle
files=()
for f in lib.sh boot-1.sh boot-2.sh boot-3.sh; do
	files+=(--file "$dir/$f:/vk/$f")
done
# The rescue system puts boot 4 in place, after its undo.
files+=(--file "$dir/boot-4.sh:/vk/after-rescue/boot-4.sh")
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
$narrate && show "$work/out"
if [ $rc -eq 125 ]; then
	fail vm/cycle/boot "the guest did not finish its first three boots: $(tail -n 8 "$work/err")"
	exit 0
fi
$narrate && echo "== the rescue system: the disk at /mnt, vfiokit --root /mnt undo"
"$TOP/tests/vm/run-vm" --iommu none --disk "$work/disk.img" --timeout 180 \
	-- sh -c "$(cat "$dir/rescue.sh")" >"$work/rescue" 2>"$work/err"
rc=$?
$narrate && grep -v '^vk-step' "$work/rescue"
if [ $rc -eq 125 ]; then
	fail vm/cycle/rescue "the rescue system did not finish: $(tail -n 8 "$work/err")"
	exit 0
fi
$narrate && echo "Booting the disk again through GRUB"
"$TOP/tests/vm/run-grub-vm" --disk "$work/disk.img" --timeout 240 \
	--device e1000e,addr=0x05 --device e1000e,addr=0x06 >>"$work/out" 2>"$work/err"
rc=$?
$narrate && sed -n '/^VK-BOOT 4 BEGIN/,$p' "$work/out" | show /dev/stdin
if [ $rc -eq 125 ]; then
	fail vm/cycle/boot4 "the guest did not finish boot 4: $(tail -n 8 "$work/err")"
	exit 0
fi
out=$(cat "$work/out" "$work/rescue")

# step_is NAME EXPECTED-LINE: a vk-step line the guest printed.
step_is() {
	if grep -qxF -- "vk-step $2" <<<"$out"; then pass "vm/cycle/$1"; else
		fail "vm/cycle/$1" "the guest did not print 'vk-step $2'"
		grep '^vk-step' <<<"$out" | sed 's/^/    /'
	fi
}
rescue=$(. "$dir/lib.sh" && echo "$RESCUE")
cmdline1=$(sed -n 's/^vk-step 1 cmdline //p' <<<"$out")
cmdline2=$(sed -n 's/^vk-step 2 cmdline //p' <<<"$out")
cmdline3=$(sed -n 's/^vk-step 3 cmdline //p' <<<"$out")
nfiles=$(sed -n 's/^vk-step 1 files //p' <<<"$out")
step_is boot1-drivers "1 drivers e1000e e1000e"
step_is boot1-plan "plan rc 0"
step_is boot1-apply "apply rc 0"
step_is boot1-apply-again "apply-again rc 0"
expect_match vm/cycle/apply-again-changes-nothing "Nothing to change" "$out"
step_is boot1-mkconfig "mkconfig rc 0"
# Debian's kernel turns the Intel IOMMU on by itself
# (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y), so plan adds no intel_iommu=on;
# boot3-drivers and boot3-verify show that the IOMMU is on all the same.
expect_eq vm/cycle/boot2-rescue-cmdline "$cmdline1 iommu=pt $rescue" "$cmdline2"
step_is boot2-rescue-drivers "2 drivers e1000e e1000e"
step_is boot2-rescue-no-vfio-pci "2 vfio_pci not loaded"
expect_match vm/cycle/boot2-rescue-verify \
	"^ *Checking vfiokit's claims in force +: WARN \(suspended for this boot: module_blacklist=vfio_pci,pci_stub" \
	"$out"
expect_eq vm/cycle/boot3-cmdline "$cmdline1 iommu=pt" "$cmdline3"
step_is boot3-drivers "3 drivers vfio-pci e1000e"
step_is boot3-verify "verify rc 0"
step_is rescue-undo "rescue-undo rc 0"
step_is rescue-undo-again "rescue-undo-again rc 0"
expect_match vm/cycle/rescue-manifest-size '^[1-9][0-9]+$' "$nfiles"
step_is rescue-files-count "rescue files $nfiles"
step_is rescue-files-restored "rescue files as before apply"
expect_match vm/cycle/rescue-restored-some '^[1-9][0-9]*$' \
	"$(sed -n 's/^vk-step rescue restored //p' <<<"$out")"
step_is rescue-backups "rescue backups are apply's version of the restored files"
step_is rescue-mkconfig "rescue-mkconfig rc 0"
step_is rescue-grub-cfg-restored "rescue grub.cfg as before"
step_is rescue-unmounted "rescue unmounted"
step_is boot4-drivers "4 drivers e1000e e1000e"
step_is boot4-cmdline "4 cmdline as before"
