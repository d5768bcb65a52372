// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkmod.h>

#include "../pci/groups.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "alias.h"
#include "kernel.h"

int vk_dev_drivers(const struct vk_ctx *ctx, struct vk_kmod *km, const char *addr,
		   struct vk_dev_drivers *out)
{
	struct kmod_list *list = NULL, *l;
	char path[128];
	int r;

	*out = (struct vk_dev_drivers){};
	snprintf(path, sizeof(path), "%s/%s/modalias", VK_PATH_PCI_DEVICES, addr);
	if (vk_read_file(ctx->rootfd, vk_rel(path), out->modalias, sizeof(out->modalias)) <= 0) {
		out->modalias[0] = '\0';
		return -ENOENT;
	}
	r = kmod_module_new_from_lookup(vk_kmod_ctx(km), out->modalias, &list);
	if (r < 0)
		return r == -ENOMEM ? r : 0; /* no index: nothing known */
	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(m);
		struct vk_dev_driver *v;
		bool seen = false;

		/* A module with several matching aliases comes once each. */
		for (size_t i = 0; i < out->n && !seen; i++)
			seen = streq(out->v[i].name, name);
		if (seen) {
			kmod_module_unref(m);
			continue;
		}
		v = reallocarray(out->v, out->n + 1, sizeof(*v));
		if (v) {
			out->v = v;
			v += out->n;
			*v = (struct vk_dev_driver){
				.name = strdup(name),
				.builtin = vk_kmod_is_builtin(km, name),
				.blacklisted = vk_kmod_conf_blacklisted(km, name),
				.vfio = vk_pci_driver_is_vfio(name) ||
					vk_modname_eq(name, "vfio-pci") ||
					vk_modname_eq(name, "pci-stub"),
			};
			if (v->name)
				out->n++;
		}
		kmod_module_unref(m);
		if (!v || !v->name) {
			r = -ENOMEM;
			break;
		}
	}
	kmod_module_unref_list(list);
	if (r < 0) {
		vk_dev_drivers_clear(out);
		return r;
	}
	return 0;
}

void vk_dev_drivers_clear(struct vk_dev_drivers *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].name);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

const struct vk_dev_driver *vk_dev_drivers_host(const struct vk_dev_drivers *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (!d->v[i].vfio && !d->v[i].blacklisted)
			return &d->v[i];
	return NULL;
}

bool vk_dev_future_driver(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			  char *buf, size_t size)
{
	struct vk_dev_drivers dd;
	const struct vk_dev_driver *h;
	bool found = false;

	if (!km || vk_dev_state(d) != VK_DEV_FREE || vk_dev_drivers(ctx, km, d->addr, &dd) < 0)
		return false;
	h = vk_dev_drivers_host(&dd);
	if (h) {
		snprintf(buf, size, "%s", h->name);
		found = true;
	}
	vk_dev_drivers_clear(&dd);
	return found;
}

void vk_dev_drivers_text(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			 char *buf, size_t size)
{
	struct vk_dev_drivers dd;
	size_t used = 0;

	*buf = '\0';
	if (!km || vk_dev_drivers(ctx, km, d->addr, &dd) < 0)
		return;
	for (size_t i = 0; i < dd.n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
					 dd.v[i].name);
	vk_dev_drivers_clear(&dd);
}

bool vk_dev_future_warning(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			   char *buf, size_t size)
{
	char drv[64];

	if (!vk_dev_future_driver(ctx, km, d, drv, sizeof(drv)))
		return false;
	snprintf(buf, size,
		 "%s has no driver yet, but udev loads %s for it at the next boot or hotplug "
		 "(its modalias in the kernel's modules.alias), and then %s holds the group: "
		 "claim it for vfio-pci with the rest of the group",
		 d->addr, drv, drv);
	return true;
}

int vk_kmod_open_target(const struct vk_ctx *ctx, struct vk_kmod **out, char *why, size_t why_size)
{
	char kver[VK_KVER_MAX];
	int r;

	*out = NULL;
	r = vk_kver_choose(ctx, NULL, kver, sizeof(kver), why, why_size);
	if (r < 0)
		return r;
	r = vk_kmod_open(ctx, kver, out);
	if (r == -ENOENT || r == -ENODATA)
		snprintf(why, why_size, "%s/%s has no module index (modules.dep)",
			 VK_PATH_LIB_MODULES, kver);
	return r;
}
