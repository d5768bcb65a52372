# Boot 2: the rescue, after apply. Both cards on e1000e, vfio_pci not loaded,
# verify says the claims are suspended; then grub.cfg as apply left it.
. /vk/lib.sh
cmdline 2
drivers 2
grep -q "^vfio_pci " /proc/modules && echo "vk-step 2 vfio_pci loaded" ||
	echo "vk-step 2 vfio_pci not loaded"
run verify-rescue vfiokit verify --checks cmdline
cp $STATE/grub.cfg.applied /boot/grub/grub.cfg
