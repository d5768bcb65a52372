# The rescue system of tests/vm/cycle.sh (tests/vm/run-vm --disk: its own
# kernel, initramfs and vfiokit, the cycle's disk as /dev/vda), as
# vfiokit(8) THE WAY BACK has it: mount the host's root at /mnt, vfiokit
# --root /mnt undo, then grub-mkconfig inside a chroot.
/sbin/modprobe -a virtio_blk ext4
i=0
while [ ! -b /dev/vda2 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /mnt
mount -t ext4 /dev/vda2 /mnt || { echo "vk-step rescue mount failed"; exit 1; }
. /mnt/vk/lib.sh
run rescue-undo vfiokit --root /mnt undo
sed -n 's|^/mnt/\(.*\): restored$|\1|p' /tmp/out | sort >/tmp/restored
run rescue-undo-again vfiokit --root /mnt undo
manifest /mnt >/tmp/after.sha256
echo "vk-step rescue files $(wc -l </tmp/after.sha256)"
if cmp -s /mnt$STATE/before.sha256 /tmp/after.sha256; then
	echo "vk-step rescue files as before apply"
else
	diff /mnt$STATE/before.sha256 /tmp/after.sha256
fi
# Each file undo restored keeps the version it replaced, apply's, as
# FILE.vfiokit-bak (vfiokit(8) undo); no other FILE.vfiokit-bak is there.
echo "vk-step rescue restored $(wc -l </tmp/restored)"
(cd /mnt && find etc boot -name '*.vfiokit-bak' | sort) >/tmp/backups
kept=0
while read -r f; do
	want=$(grep "  $f\$" /mnt$STATE/applied.sha256 | cut -d' ' -f1)
	have=$(cd /mnt && sha256sum "$f.vfiokit-bak" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$want" = "$have" ] && kept=$((kept + 1))
done </tmp/restored
sed 's/$/.vfiokit-bak/' /tmp/restored | cmp -s - /tmp/backups &&
	[ "$kept" = "$(wc -l </tmp/restored)" ] &&
	echo "vk-step rescue backups are apply's version of the restored files"
for fs in dev proc sys; do
	mount --bind /$fs /mnt/$fs
done
# The link udev would make, which grub-mkconfig's root=UUID= needs.
uuid=$(chroot /mnt /sbin/blkid -s UUID -o value /dev/vda2)
mkdir -p /dev/disk/by-uuid && ln -sf ../../vda2 /dev/disk/by-uuid/$uuid
run rescue-mkconfig chroot /mnt grub-mkconfig -o /boot/grub/grub.cfg
cmp -s /mnt/boot/grub/grub.cfg /mnt$STATE/grub.cfg.before && echo "vk-step rescue grub.cfg as before"
mv /mnt/vk/after-rescue/boot-4.sh /mnt/vk/boot-4.sh
umount /mnt/sys /mnt/proc /mnt/dev
umount /mnt && echo "vk-step rescue unmounted"
