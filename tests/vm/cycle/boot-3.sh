# Boot 3: through GRUB with apply's command line: 00:06.0 on vfio-pci and
# verify passes. No undo here: the rescue system does it (rescue.sh).
. /vk/lib.sh
cmdline 3
drivers 3
run verify vfiokit verify --checks iommu,cmdline,modules,devices
exit 0
