# Boot 1: the system as installed. Keep its grub.cfg and command line, then
# apply /etc/vfiokit.conf and run the real grub-mkconfig.
. /vk/lib.sh
mkdir -p $STATE
cp /boot/grub/grub.cfg $STATE/grub.cfg.before
cat /proc/cmdline >$STATE/cmdline.before
cmdline 1
drivers 1
run plan vfiokit plan
run apply vfiokit apply
run apply-again vfiokit apply
run mkconfig grub-mkconfig -o /boot/grub/grub.cfg
