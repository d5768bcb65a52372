// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "groups.h"

enum vk_dev_state vk_dev_state(const struct vk_pci_dev *dev)
{
	if (dev->error)
		return VK_DEV_UNKNOWN;
	if (vk_pci_dev_is_bridge(dev))
		return VK_DEV_BRIDGE;
	if (!dev->driver)
		return VK_DEV_FREE;
	return vk_pci_driver_is_vfio(dev->driver) ? VK_DEV_CLAIMED : VK_DEV_HOST;
}

const char *vk_dev_state_name(enum vk_dev_state s)
{
	static const char *const names[] = {
		[VK_DEV_CLAIMED] = "claimed", [VK_DEV_FREE] = "free",
		[VK_DEV_BRIDGE] = "bridge",   [VK_DEV_HOST] = "host",
		[VK_DEV_UNKNOWN] = "unknown",
	};
	return names[s];
}

const char *vk_dev_host_only(const struct vk_pci_dev *dev, const struct vk_addrs *root,
			     const struct vk_addrs *nic)
{
	switch (dev->class_id) {
	case 0x0600:
		return "is the chipset's host bridge: it stays with the host";
	case 0x0601:
		return "is the chipset's ISA/LPC bridge: it stays with the host";
	case 0x0806:
		return "is the IOMMU itself: it stays with the host";
	case 0x0c05:
		return "is the chipset's SMBus controller: it stays with the host";
	}
	/* The boot VGA device may go to a guest on a host with another GPU. */
	return dev->boot_vga ? NULL : vk_host_role(dev, root, nic);
}

enum vk_offer vk_dev_offer(const struct vk_group *g, const struct vk_pci_dev *dev,
			   const struct vk_addrs *root, const struct vk_addrs *nic,
			   const struct vk_pci_dev **by)
{
	*by = dev;
	if (vk_pci_dev_is_bridge(dev))
		return VK_OFFER_BRIDGE;
	if (vk_dev_host_only(dev, root, nic))
		return VK_OFFER_HOST;
	if ((dev->class_id >> 8) == 0x06)
		return VK_OFFER_BRIDGE;
	for (size_t i = 0; g && !g->isolated && i < g->n_devs; i++)
		if (vk_dev_host_only(&g->devs[i], root, nic)) {
			*by = &g->devs[i];
			return VK_OFFER_GROUP;
		}
	return VK_OFFER_YES;
}

static int add_error(struct vk_groups *g, const char *path, const char *why)
{
	char **v = realloc(g->errors, (g->n_errors + 1) * sizeof(char *));

	if (!v)
		return -ENOMEM;
	g->errors = v;
	if (asprintf(&v[g->n_errors], "%s: %s", path, why) < 0)
		return -ENOMEM;
	g->n_errors++;
	return 0;
}

static int read_group(const struct vk_ctx *ctx, struct vk_pci *pci, struct vk_groups *g,
		      struct vk_group *grp, const char *name, const struct vk_addrs *root,
		      const struct vk_addrs *nic)
{
	_cleanup_free_ char **addrs = NULL;
	char path[256];
	size_t n = 0;
	int r;

	snprintf(path, sizeof(path), "%s/%s/devices", vk_rel(VK_PATH_IOMMU_GROUPS), name);
	r = vk_list_dir(ctx->rootfd, path, &addrs, &n);
	if (r < 0)
		return add_error(g, path, strerror(-r));
	grp->devs = calloc(n ? n : 1, sizeof(*grp->devs));
	if (!grp->devs)
		return -ENOMEM;
	grp->ready = grp->isolated = true;
	for (size_t i = 0; i < n; i++) {
		struct vk_pci_dev *d = &grp->devs[grp->n_devs];
		enum vk_dev_state s;

		r = vk_pci_dev_read(pci, addrs[i], d);
		if (r == -EINVAL) {
			char entry[512];

			snprintf(entry, sizeof(entry), "%s/%s", path, addrs[i]);
			r = add_error(g, entry, "not a PCI address; skipped");
			if (r < 0)
				return r;
			continue;
		}
		if (r < 0)
			return r;
		grp->n_devs++;
		if (d->error &&
		    (r = add_error(g, d->error, "its group counts as not passable")) < 0)
			return r;
		s = vk_dev_state(d);
		if (s == VK_DEV_HOST || s == VK_DEV_UNKNOWN)
			grp->ready = false;
		if (vk_dev_host_only(d, root, nic))
			grp->isolated = false;
	}
	grp->passable = grp->ready;
	return 0;
}

static int cmp_group(const void *a, const void *b)
{
	const struct vk_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

int vk_groups_load(const struct vk_ctx *ctx, struct vk_pci *pci, struct vk_groups *out)
{
	_cleanup_free_ char **names = NULL;
	struct vk_addrs root = {}, nic = {};
	size_t n = 0;
	int r;

	memset(out, 0, sizeof(*out));
	r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_IOMMU_GROUPS), &names, &n);
	if (r == -ENOENT)
		return 0; /* no IOMMU groups at all: see vk_iommu_status() */
	if (r < 0)
		return add_error(out, vk_rel(VK_PATH_IOMMU_GROUPS), strerror(-r));
	out->groups = calloc(n ? n : 1, sizeof(*out->groups));
	if (!out->groups)
		return -ENOMEM;
	vk_root_disk_addrs(ctx, &root);
	vk_route_nic_addrs(ctx, &nic);
	for (size_t i = 0; i < n; i++) {
		struct vk_group *grp = &out->groups[out->n_groups];
		char path[256];

		if (vk_parse_ulong(names[i], 10, &grp->id) < 0) {
			snprintf(path, sizeof(path), "%s/%s", vk_rel(VK_PATH_IOMMU_GROUPS),
				 names[i]);
			r = add_error(out, path, "not a group number; skipped");
		} else {
			out->n_groups++;
			r = read_group(ctx, pci, out, grp, names[i], &root, &nic);
		}
		if (r < 0)
			return r;
	}
	qsort(out->groups, out->n_groups, sizeof(*out->groups), cmp_group);
	return 0;
}

void vk_groups_clear(struct vk_groups *g)
{
	for (size_t i = 0; i < g->n_groups; i++) {
		for (size_t j = 0; j < g->groups[i].n_devs; j++)
			vk_pci_dev_clear(&g->groups[i].devs[j]);
		free(g->groups[i].devs);
	}
	for (size_t i = 0; i < g->n_errors; i++)
		free(g->errors[i]);
	free(g->groups);
	free(g->errors);
	memset(g, 0, sizeof(*g));
}

const struct vk_group *vk_groups_find(const struct vk_groups *gs, const char *addr)
{
	for (size_t i = 0; i < gs->n_groups; i++)
		for (size_t k = 0; k < gs->groups[i].n_devs; k++)
			if (streq(gs->groups[i].devs[k].addr, addr))
				return &gs->groups[i];
	return NULL;
}
