/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IOMMU groups and whether each can be handed to a guest as a whole, plus
 * the state of the IOMMU itself when there are no groups at all.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"
#include "device.h"
#include "host.h"

/* Where a device stands for passthrough of its group. */
enum vk_dev_state {
	VK_DEV_CLAIMED, /* bound to vfio-pci or pci-stub */
	VK_DEV_FREE,	/* no driver: free for vfio-pci */
	VK_DEV_BRIDGE,	/* a bridge or root port: may stay on its driver */
	VK_DEV_HOST,	/* an endpoint bound to a host driver: blocks the group */
	VK_DEV_UNKNOWN, /* could not be read: blocks the group */
};

struct vk_group {
	unsigned long id;
	struct vk_pci_dev *devs; /* in address order */
	size_t n_devs;
	/* Ready: no device is VK_DEV_HOST or VK_DEV_UNKNOWN (who holds the
	 * group now). passable is the same, the name of an older release. */
	bool ready, passable;
	/* Isolated: no member is one a guest cannot take (vk_dev_host_only()):
	 * the group can go to a guest as a whole once it is claimed. */
	bool isolated;
};

struct vk_groups {
	struct vk_group *groups; /* in numeric order */
	size_t n_groups;
	char **errors; /* entries that could not be read: "path: why" */
	size_t n_errors;
};

/* Read every IOMMU group with its devices. Returns 0 or a negative errno
 * for failures that leave no report (-ENOMEM); unreadable entries are
 * collected in out->errors and the rest is read. */
int vk_groups_load(const struct vk_ctx *ctx, struct vk_pci *pci, struct vk_groups *out);
void vk_groups_clear(struct vk_groups *g);

/* The group holding the device at addr ("0000:01:00.0"), or NULL. */
const struct vk_group *vk_groups_find(const struct vk_groups *gs, const char *addr);

enum vk_dev_state vk_dev_state(const struct vk_pci_dev *dev);

/* Why a guest cannot take dev, or NULL: a function of the chipset (host
 * bridge, ISA/LPC bridge, SMBus), or the root file system's disk
 * controller or the default route's NIC (root and nic as
 * vk_root_disk_addrs() and vk_route_nic_addrs() find them). */
const char *vk_dev_host_only(const struct vk_pci_dev *dev, const struct vk_addrs *root,
			     const struct vk_addrs *nic);
const char *vk_dev_state_name(enum vk_dev_state s);

/* Can a guest be given a device? What init offers and claim lists. */
enum vk_offer {
	VK_OFFER_YES,
	VK_OFFER_BRIDGE, /* a bridge (PCI class 06xx): it stays with the host */
	VK_OFFER_HOST,	 /* vk_dev_host_only() names it */
	VK_OFFER_GROUP,	 /* its group is not isolated */
};

/* Can a guest be given dev, a member of g (NULL before there are IOMMU
 * groups)? *by is the device the answer is about: dev, or for
 * VK_OFFER_GROUP the member that keeps g from being isolated. */
enum vk_offer vk_dev_offer(const struct vk_group *g, const struct vk_pci_dev *dev,
			   const struct vk_addrs *root, const struct vk_addrs *nic,
			   const struct vk_pci_dev **by);
