/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every absolute path vfiokit knows, in one place. They are always taken
 * relative to the context's root (see ctx.h): never open one of these
 * directly.
 */
#pragma once

#define VK_PATH_SYS_BUS_PCI  "/sys/bus/pci"
#define VK_PATH_PCI_DEVICES  "/sys/bus/pci/devices"
#define VK_PATH_IOMMU_GROUPS "/sys/kernel/iommu_groups"
#define VK_PATH_CLASS_IOMMU  "/sys/class/iommu"
#define VK_PATH_ACPI_TABLES  "/sys/firmware/acpi/tables"
#define VK_PATH_PROC_CMDLINE "/proc/cmdline"
#define VK_PATH_PCI_IDS	     "/usr/share/misc/pci.ids"
