# Boot 2: through GRUB with the new command line. verify, then undo.
. /vk/lib.sh
cmdline 2
drivers 2
run verify vfiokit verify --checks iommu,cmdline,modules,devices
run undo vfiokit undo
run undo-again vfiokit undo
run mkconfig grub-mkconfig -o /boot/grub/grub.cfg
cmp -s /boot/grub/grub.cfg $STATE/grub.cfg.before && echo "vk-step 2 grub.cfg as before"
