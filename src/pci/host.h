/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI functions the host itself runs on: the ones under the root file
 * system's disk (through libblkid and sysfs) and the ones behind the
 * default route's network interfaces. vfiokit verify warns about them and
 * vfiokit apply refuses to hand them over.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"
#include "device.h"

#define VK_MAX_ADDRS 16

/* PCI addresses a host function hangs on, found in sysfs paths. */
struct vk_addrs {
	char a[VK_MAX_ADDRS][VK_PCI_ADDR_LEN];
	size_t n;
	int err;       /* 0: known; else why it could not be told (-errno) */
	char why[256]; /* err's message, or a note (the root is on tmpfs) */
};

/* The functions under the root file system: its device number from
 * mountinfo (or its source, resolved by libblkid), then /sys/dev/block. */
void vk_root_disk_addrs(const struct vk_ctx *ctx, struct vk_addrs *s);
/* The functions behind the interfaces of the IPv4 default route. */
void vk_route_nic_addrs(const struct vk_ctx *ctx, struct vk_addrs *s);
bool vk_addrs_has(const struct vk_addrs *s, const char *addr);
/* Why the host needs d ("is the boot VGA device, ..."), or NULL. */
const char *vk_host_role(const struct vk_pci_dev *d, const struct vk_addrs *root,
			 const struct vk_addrs *nic);
