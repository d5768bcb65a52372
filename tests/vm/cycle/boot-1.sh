# Boot 1: the system as installed. Keep its grub.cfg, command line and the
# sha256 of its files, then apply /etc/vfiokit.conf and run the real
# grub-mkconfig.
. /vk/lib.sh
mkdir -p $STATE
cp /boot/grub/grub.cfg $STATE/grub.cfg.before
cat /proc/cmdline >$STATE/cmdline.before
manifest / >$STATE/before.sha256
echo "vk-step 1 files $(wc -l <$STATE/before.sha256)"
cmdline 1
drivers 1
run plan vfiokit plan
run apply vfiokit apply
manifest / >$STATE/applied.sha256
run apply-again vfiokit apply
run mkconfig grub-mkconfig -o /boot/grub/grub.cfg
# The rescue boot.  At the GRUB menu a user presses e on the entry, types
# the rescue at the end of its linux line and boots that with Ctrl-x, once:
# GRUB runs the entry's commands with that one line longer.  Here the
# default entry's linux line in grub.cfg gets the same words at its end for
# boot 2, which puts back the grub.cfg of apply: GRUB forgets an edit.
cp /boot/grub/grub.cfg $STATE/grub.cfg.applied
awk -v rescue="$RESCUE" '!done && $1 == "linux" { $0 = $0 " " rescue; done = 1 } { print }' \
	$STATE/grub.cfg.applied >/boot/grub/grub.cfg
echo "the default entry's linux line for boot 2:"
grep -m1 "^[[:space:]]*linux[[:space:]]" /boot/grub/grub.cfg
