/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every absolute path vfiokit knows, in one place. They are always taken
 * relative to the context's root (see ctx.h): never open one of these
 * directly.
 */
#pragma once

#define VK_PATH_SYS_BUS_PCI  "/sys/bus/pci"
#define VK_PATH_PCI_DEVICES  "/sys/bus/pci/devices"
#define VK_PATH_PCI_SLOTS    "/sys/bus/pci/slots"
#define VK_PATH_IOMMU_GROUPS "/sys/kernel/iommu_groups"
#define VK_PATH_CLASS_IOMMU  "/sys/class/iommu"
#define VK_PATH_ACPI_TABLES  "/sys/firmware/acpi/tables"
#define VK_PATH_PROC_CMDLINE "/proc/cmdline"
#define VK_PATH_PCI_IDS	     "/usr/share/misc/pci.ids"

/* The kernel command line and the boot configuration (src/boot/). */
#define VK_PATH_PROC_CPUINFO		"/proc/cpuinfo"
#define VK_PATH_PROC_OSRELEASE		"/proc/sys/kernel/osrelease"
#define VK_PATH_PROC_MOUNTINFO		"/proc/self/mountinfo"
#define VK_PATH_LIB_MODULES		"/lib/modules"
#define VK_PATH_BOOT			"/boot"
#define VK_PATH_ETC_FSTAB		"/etc/fstab"
#define VK_PATH_DEFAULT_GRUB		"/etc/default/grub"
#define VK_PATH_DEFAULT_GRUB_D		"/etc/default/grub.d"
#define VK_PATH_GRUB_CFG		"/boot/grub/grub.cfg"
#define VK_PATH_GRUB2_CFG		"/boot/grub2/grub.cfg"
#define VK_PATH_KERNEL_CMDLINE		"/etc/kernel/cmdline"
#define VK_PATH_KERNEL_CMDLINE_USR	"/usr/lib/kernel/cmdline"
#define VK_PATH_KERNEL_INSTALL_CONF	"/etc/kernel/install.conf"
#define VK_PATH_KERNEL_INSTALL_CONF_USR "/usr/lib/kernel/install.conf"
#define VK_PATH_LOADER_ENTRIES_BOOT	"/boot/loader/entries"
#define VK_PATH_LOADER_ENTRIES_EFI	"/efi/loader/entries"
#define VK_PATH_LOADER_ENTRIES_BOOT_EFI "/boot/efi/loader/entries"
#define VK_PATH_UKI_BOOT		"/boot/EFI/Linux"
#define VK_PATH_UKI_EFI			"/efi/EFI/Linux"
#define VK_PATH_UKI_BOOT_EFI		"/boot/efi/EFI/Linux"
#define VK_PATH_KERNEL_ENTRY_TOKEN	"/etc/kernel/entry-token"
#define VK_PATH_MACHINE_ID		"/etc/machine-id"

/* The kernel configuration (src/kconfig/). */
#define VK_PATH_KERNEL_SRC	   "/usr/src/linux"
#define VK_PATH_DIST_KERNEL_CONFIG "/etc/kernel/config.d/vfiokit.config"
#define VK_PATH_PROC_CONFIG_GZ	   "/proc/config.gz"
#define VK_PATH_BOOT_CONFIG	   "/boot/config"

/* Kernel modules, modprobe.d and the initramfs (src/modules/). */
#define VK_PATH_USR_SRC_LINUX_RELEASE	 "/usr/src/linux/include/config/kernel.release"
#define VK_PATH_USR_SRC_LINUX		 "/usr/src/linux"
#define VK_PATH_ETC_MODPROBE_D		 "/etc/modprobe.d"
#define VK_PATH_RUN_MODPROBE_D		 "/run/modprobe.d"
#define VK_PATH_USR_LOCAL_LIB_MODPROBE_D "/usr/local/lib/modprobe.d"
#define VK_PATH_LIB_MODPROBE_D		 "/lib/modprobe.d"
#define VK_PATH_USR_LIB_MODPROBE_D	 "/usr/lib/modprobe.d"
#define VK_PATH_MODPROBE_VFIOKIT	 "/etc/modprobe.d/vfiokit.conf"
#define VK_PATH_ETC_MODULES_LOAD_D	 "/etc/modules-load.d"
#define VK_PATH_RUN_MODULES_LOAD_D	 "/run/modules-load.d"
#define VK_PATH_USR_LIB_MODULES_LOAD_D	 "/usr/lib/modules-load.d"
#define VK_PATH_LIB_MODULES_LOAD_D	 "/lib/modules-load.d"
#define VK_PATH_CONFD_MODULES		 "/etc/conf.d/modules"
#define VK_PATH_DRACUT_CONF		 "/etc/dracut.conf"
#define VK_PATH_DRACUT_CONF_D		 "/etc/dracut.conf.d"
#define VK_PATH_DRACUT_LIB		 "/usr/lib/dracut"
#define VK_PATH_DRACUT_VFIOKIT		 "/etc/dracut.conf.d/vfiokit.conf"
#define VK_PATH_GENKERNEL_CONF		 "/etc/genkernel.conf"
#define VK_PATH_GENKERNEL_KERNELS	 "/etc/kernels"
/* libkmod reads the command line of the machine it runs on, whatever the
 * root: this is that file, never taken under the root. */
#define VK_PATH_HOST_PROC_CMDLINE "/proc/cmdline"

/* After the reboot: vfiokit verify (src/verify/). */
#define VK_PATH_DEV_KVM			 "/dev/kvm"
#define VK_PATH_DEV_VFIO		 "/dev/vfio"
#define VK_PATH_DEV_VFIO_CONTAINER	 "/dev/vfio/vfio"
#define VK_PATH_DEV_VFIO_DEVICES	 "/dev/vfio/devices"
#define VK_PATH_DEV_IOMMU		 "/dev/iommu"
#define VK_PATH_DEV_KMSG		 "/dev/kmsg"
#define VK_PATH_DMESG_CAPTURE		 "/var/log/dmesg-capture"
#define VK_PATH_SYS_MODULE		 "/sys/module"
#define VK_PATH_SYS_DEV_BLOCK		 "/sys/dev/block"
#define VK_PATH_SYS_CLASS_NET		 "/sys/class/net"
#define VK_PATH_PROC_INTERRUPTS		 "/proc/interrupts"
#define VK_PATH_PROC_NET_ROUTE		 "/proc/net/route"
#define VK_PATH_PROC_MEMINFO		 "/proc/meminfo"
#define VK_PATH_PROC_MODULES		 "/proc/modules"
#define VK_PATH_ETC_LIBVIRT		 "/etc/libvirt"
#define VK_PATH_LIBVIRT_GUESTS_CONFD	 "/etc/conf.d/libvirt-guests"
#define VK_PATH_LIBVIRT_GUESTS_DEFAULT	 "/etc/default/libvirt-guests"
#define VK_PATH_LIBVIRT_GUESTS_SYSCONFIG "/etc/sysconfig/libvirt-guests"
#define VK_PATH_LIBVIRT_QEMU_CONF	 "/etc/libvirt/qemu.conf"
#define VK_PATH_LIBVIRT_GUESTS_INIT	 "/etc/init.d/libvirt-guests"
#define VK_PATH_ETC_SYSCONFIG		 "/etc/sysconfig"
#define VK_PATH_OVMF_GENTOO		 "/usr/share/edk2-ovmf/OVMF_CODE.fd"
#define VK_PATH_OVMF_GENTOO_NEW		 "/usr/share/edk2/OvmfX64/OVMF_CODE.fd"
#define VK_PATH_OVMF_DEBIAN		 "/usr/share/OVMF/OVMF_CODE.fd"
#define VK_PATH_OVMF_DEBIAN_4M		 "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define VK_PATH_OVMF_FEDORA		 "/usr/share/edk2/ovmf/OVMF_CODE.fd"
#define VK_PATH_OVMF_QEMU		 "/usr/share/qemu/edk2-x86_64-code.fd"

/* The host's CPU topology (src/host/). */
#define VK_PATH_SYS_CPU		  "/sys/devices/system/cpu"
#define VK_PATH_SYS_NODE	  "/sys/devices/system/node"
#define VK_PATH_QEMU_FIRMWARE	  "/usr/share/qemu/firmware"
#define VK_PATH_ETC_QEMU_FIRMWARE "/etc/qemu/firmware"

/* Of this process itself, not of the root: which binary runs
 * (src/shared/datadir.h). */
#define VK_PATH_PROC_SELF_EXE "/proc/self/exe"
