/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The devices a user names: --device ID|ADDR|MODALIAS and the devices of
 * vfiokit.conf, each found in <root>/sys/bus/pci/devices.
 */
#pragma once

#include <stddef.h>

#include "../shared/ctx.h"

/* A chosen device: from --device ID|ADDR|MODALIAS and sysfs under the root. */
struct vk_device {
	char *spec;
	char addr[16]; /* "" when given as a modalias */
	unsigned int vendor, device;
	char *modalias;
};

/*
 * Find spec in <root>/sys/bus/pci/devices: by address, or every device
 * with that vendor:device; a modalias ("pci:v...") is taken as is.
 * Appends to *devs. -ENOENT: nothing matches; -EINVAL: spec is none of
 * these; -ENOMEM.
 */
int vk_device_resolve(const struct vk_ctx *ctx, const char *spec, struct vk_device **devs,
		      size_t *n);
void vk_devices_free(struct vk_device *devs, size_t n);
