// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The devices a user names (--device, vfiokit.conf): a vendor:device id,
 * a PCI address or a modalias, found in sysfs under the root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "device.h"
#include "resolve.h"

void vk_devices_free(struct vk_device *devs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(devs[i].spec);
		free(devs[i].modalias);
	}
	free(devs);
}

static int read_hex(const struct vk_ctx *ctx, const char *dev, const char *attr, unsigned int *v)
{
	char path[512], buf[64];
	unsigned long x;

	snprintf(path, sizeof(path), "%s/%s/%s", VK_PATH_PCI_DEVICES, dev, attr);
	if (vk_read_file(ctx->rootfd, vk_rel(path), buf, sizeof(buf)) < 0)
		return -ENOENT;
	if (vk_parse_ulong(buf, 16, &x) < 0)
		return -EINVAL;
	*v = x;
	return 0;
}

static int add_dev(struct vk_device **devs, size_t *n, const char *spec, const char *addr,
		   unsigned int vendor, unsigned int device, const char *modalias)
{
	struct vk_device *nv = realloc(*devs, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	*devs = nv;
	memset(&nv[*n], 0, sizeof(nv[*n]));
	snprintf(nv[*n].addr, sizeof(nv[*n].addr), "%s", addr);
	nv[*n].vendor = vendor;
	nv[*n].device = device;
	nv[*n].spec = strdup(spec);
	nv[*n].modalias = strdup(modalias);
	(*n)++;
	if (!nv[*n - 1].spec || !nv[*n - 1].modalias)
		return -ENOMEM;
	return 0;
}

static int from_sysfs(const struct vk_ctx *ctx, const char *spec, const char *dev,
		      struct vk_device **devs, size_t *n)
{
	char path[512], alias[512];
	unsigned int v, d;

	if (read_hex(ctx, dev, "vendor", &v) < 0 || read_hex(ctx, dev, "device", &d) < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s/modalias", VK_PATH_PCI_DEVICES, dev);
	if (vk_read_file(ctx->rootfd, vk_rel(path), alias, sizeof(alias)) <= 0)
		return -ENOENT;
	return add_dev(devs, n, spec, dev, v, d, alias);
}

int vk_device_resolve(const struct vk_ctx *ctx, const char *spec, struct vk_device **devs,
		      size_t *n)
{
	_cleanup_free_ char **names = NULL;
	struct vk_pci_addr a;
	unsigned int v, d;
	size_t count = 0, found = 0;
	int r;

	if (!strncmp(spec, "pci:v", 5)) {
		if (sscanf(spec, "pci:v%8Xd%8X", &v, &d) != 2)
			return -EINVAL;
		return add_dev(devs, n, spec, "", v, d, spec);
	}
	if (vk_pci_addr_parse(spec, &a) == 0) {
		char addr[32];

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", a.domain, a.bus, a.dev, a.func);
		return from_sysfs(ctx, spec, addr, devs, n);
	}
	if (vk_pci_id_parse(spec, &v, &d) < 0)
		return -EINVAL;
	r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &names, &count);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	for (size_t i = 0; i < count; i++) {
		unsigned int dv, dd;

		if (read_hex(ctx, names[i], "vendor", &dv) < 0 ||
		    read_hex(ctx, names[i], "device", &dd) < 0 || dv != v || dd != d)
			continue;
		r = from_sysfs(ctx, spec, names[i], devs, n);
		if (r == -ENOMEM)
			return r;
		found += r == 0;
	}
	return found ? 0 : -ENOENT;
}
