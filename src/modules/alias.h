/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The drivers that could claim a PCI device, found as udev finds the one
 * it loads: the device's modalias (its sysfs "modalias" file) looked up
 * through libkmod in the kernel's modules.alias index (modules.alias.bin,
 * modules.builtin.alias.bin) and modprobe.d's aliases, which is what
 * "modprobe -b $MODALIAS" does on a uevent. lspci -k shows the same list
 * as "Kernel modules:".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../pci/device.h"
#include "../shared/ctx.h"
#include "kmod.h"

struct vk_dev_driver {
	char *name;	  /* the module's name, '_' form ("e1000e", "snd_hda_intel") */
	bool builtin;	  /* built into the kernel */
	bool blacklisted; /* modprobe.d blacklists it: udev's modprobe -b skips it */
	bool vfio;	  /* vfio-pci, a vendor vfio-pci variant or pci-stub */
};

struct vk_dev_drivers {
	struct vk_dev_driver *v; /* in libkmod's order */
	size_t n;
	char modalias[256]; /* "" when the device has none */
};

/* The drivers matching the device at addr on km's kernel. 0 (none is an
 * empty list), -ENOENT when the device has no modalias, -ENOMEM. */
int vk_dev_drivers(const struct vk_ctx *ctx, struct vk_kmod *km, const char *addr,
		   struct vk_dev_drivers *out);
void vk_dev_drivers_clear(struct vk_dev_drivers *d);

/* The first driver udev would load that is a host driver (not vfio-pci
 * nor pci-stub, not blacklisted), or NULL. */
const struct vk_dev_driver *vk_dev_drivers_host(const struct vk_dev_drivers *d);

/*
 * What will take d at the next boot or hotplug when it has no driver now
 * (an endpoint, not a bridge): the host driver udev loads for it, copied
 * into buf. true with buf filled; false when none would, d is bound or a
 * bridge, or km is NULL (no module index to ask).
 */
bool vk_dev_future_driver(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			  char *buf, size_t size);

/* "e1000e, e1000": the drivers that could claim d, as lspci -k's "Kernel
 * modules:" ("" when none or km is NULL). */
void vk_dev_drivers_text(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			 char *buf, size_t size);
/* The sentence groups, init and verify say about such a device ("ADDR has
 * no driver yet, but udev loads DRV for it ..."): true with buf filled
 * when vk_dev_future_driver() finds one. */
bool vk_dev_future_warning(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_pci_dev *d,
			   char *buf, size_t size);

/* libkmod on the kernel about to boot (vk_kver_choose()): 0, -ENOENT or
 * -ENODATA (no module directory or no index: *why says so), -ENOMEM. */
int vk_kmod_open_target(const struct vk_ctx *ctx, struct vk_kmod **out, char *why, size_t why_size);
