/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/vfiokit.conf, in libconfig's syntax: the devices to hand to guests
 * and how each is claimed, the boot method, the kernel to configure, the
 * profiles and extra command-line arguments. vfiokit.conf(5) describes it.
 * Every error names the file and line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../pci/device.h"
#include "../shared/ctx.h"

#define VK_PATH_VFIOKIT_CONF "/etc/vfiokit.conf"

/* How a device is kept from its host driver at boot. */
enum vk_conf_claim {
	VK_CONF_VFIO_PCI, /* vfio-pci.ids= and modprobe.d: every device with the id */
	VK_CONF_PCI_STUB, /* pci-stub.ids=: every device with the id */
	VK_CONF_OVERRIDE, /* driver_override by address: this one device only */
};

const char *vk_conf_claim_name(enum vk_conf_claim c); /* "vfio-pci", "pci-stub", "override" */

struct vk_conf_device {
	const char *spec; /* "10de:1c03" or "0000:01:00.0", as written */
	const char *name; /* the user's name for it: its setting's name */
	enum vk_conf_claim claim;
	bool by_address;
	unsigned int line;
};

struct vk_conf {
	char *path; /* as shown in messages */
	struct vk_conf_device *devs;
	size_t n_devs;
	const char *boot;      /* "auto" (default), "grub", "kernel-cmdline" */
	const char *kernel;    /* a source directory, "dist" or "none" (default) */
	const char **profiles; /* NULL-terminated; {"auto"} by default */
	size_t n_profiles;
	const char **arguments; /* extra kernel arguments, NULL-terminated */
	size_t n_arguments;
	bool ignore_msrs;
	unsigned int boot_line, kernel_line, profiles_line; /* 0: not in the file */
	void *cfg; /* the libconfig tree the strings live in */
};

/*
 * Read the configuration at abs under rootfd; shown is its name in
 * messages. Returns 0, -ENOENT (no such file: err says so), -EINVAL (err
 * is "file:line: what is wrong and what to do") or another -errno.
 */
int vk_conf_load(int rootfd, const char *abs, const char *shown, struct vk_conf *c, char *err,
		 size_t errlen);
/* The same for text (len bytes, NUL-terminated) already read. */
int vk_conf_parse(const char *text, size_t len, const char *shown, struct vk_conf *c, char *err,
		  size_t errlen);
/* The configuration a command uses: given (--config, a path of this
 * process) or else VK_PATH_VFIOKIT_CONF under the root. As vk_conf_load(),
 * with -ENOMEM also said in err. */
int vk_conf_read(const struct vk_ctx *ctx, const char *given, struct vk_conf *c, char *err,
		 size_t errlen);
void vk_conf_clear(struct vk_conf *c);

/* One PCI function the configuration claims. */
struct vk_conf_target {
	char addr[VK_PCI_ADDR_LEN];
	unsigned int vendor_id, device_id;
	enum vk_conf_claim claim;
	const struct vk_conf_device *from;
};

/*
 * The functions on this system each device entry names. -EINVAL with err
 * ("file:line: ...") when an entry names no device here or a function is
 * asked for in two ways; -ENOMEM. *out is freed by the caller.
 */
int vk_conf_targets(const struct vk_ctx *ctx, const struct vk_conf *c, struct vk_conf_target **out,
		    size_t *n, char *err, size_t errlen);
