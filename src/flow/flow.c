// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../boot/detect.h"
#include "../pci/groups.h"
#include "../pci/host.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/strv.h"
#include "flow.h"

/* Why the host needs d, or NULL. */
static const char *host_role(const struct vk_pci_dev *d, const struct vk_addrs *root,
			     const struct vk_addrs *nic)
{
	if (d->boot_vga)
		return "is the boot VGA device, the firmware's and the host console's";
	if (vk_addrs_has(root, d->addr))
		return "drives the disk of the root file system";
	if (vk_addrs_has(nic, d->addr))
		return "is the NIC of the default route";
	return NULL;
}

/* "ADDR[ shares group N with X, which] ROLE", as an error or a warning;
 * unsure: ROLE says what could not be checked. */
static void say(struct vk_notes *notes, bool allow, bool unsure, const char *addr,
		const char *other, const char *role)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s%s %s", addr, other, role);
	if (allow)
		vk_notes_add(notes, VK_NOTE_WARN,
			     "WARNING: %s; --allow-host-device: going on anyway, the host may "
			     "lose it at the next boot",
			     msg);
	else
		vk_notes_add(notes, VK_NOTE_ERROR, "%s: %s", msg,
			     unsure ? "give --allow-host-device if you know the host does not "
				      "need it"
				    : "the host needs it; choose another device, or give "
				      "--allow-host-device if the host really does without it");
}

size_t vk_flow_host_devices(const struct vk_ctx *ctx, const struct vk_conf_target *t, size_t n,
			    bool allow, struct vk_notes *notes)
{
	struct vk_addrs root = {}, nic = {};
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	size_t refused = 0;

	vk_root_disk_addrs(ctx, &root);
	vk_route_nic_addrs(ctx, &nic);
	if (vk_pci_new(ctx, &pci) < 0 || vk_groups_load(ctx, pci, &gs) < 0) {
		vk_notes_add(notes, VK_NOTE_ERROR, "out of memory: the devices cannot be checked");
		refused = 1;
		allow = false; /* not told is not allowed */
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vk_group *g = vk_groups_find(&gs, t[i].addr);
		const struct vk_addrs *unknown[] = { &root, &nic };

		/* What cannot be told is not taken as safe. */
		for (size_t k = 0; k < ARRAY_SIZE(unknown); k++) {
			char why[320];

			if (!unknown[k]->err)
				continue;
			snprintf(why, sizeof(why), "cannot be checked against the %s: %s",
				 k ? "default route" : "root file system's disk", unknown[k]->why);
			say(notes, allow, true, t[i].addr, "", why);
			refused++;
		}
		struct vk_pci_dev self = {};
		const char *role;

		if (g) {
			for (size_t k = 0; k < g->n_devs; k++) {
				const struct vk_pci_dev *d = &g->devs[k];
				char other[128];

				role = host_role(d, &root, &nic);
				if (!role)
					continue;
				if (streq(d->addr, t[i].addr)) {
					say(notes, allow, false, t[i].addr, "", role);
				} else {
					snprintf(other, sizeof(other),
						 " shares IOMMU group %lu with %s, which", g->id,
						 d->addr);
					say(notes, allow, false, t[i].addr, other, role);
				}
				refused++;
			}
			continue;
		}
		/* No IOMMU groups yet (the IOMMU is off until the reboot): the
		 * device alone can still be told. */
		if (vk_pci_dev_read(pci, t[i].addr, &self) == 0 &&
		    (role = host_role(&self, &root, &nic))) {
			say(notes, allow, false, t[i].addr, "", role);
			refused++;
		}
		vk_pci_dev_clear(&self);
	}
out:
	vk_groups_clear(&gs);
	vk_pci_free(pci);
	return allow ? 0 : refused;
}

static bool has(const char *const *paths, size_t n, const char *p)
{
	for (size_t i = 0; i < n; i++)
		if (streq(paths[i], p))
			return true;
	return false;
}

/* Does a path end in name ("/.config")? */
static const char *ends_with(const char *const *paths, size_t n, const char *name)
{
	size_t l = strlen(name);

	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(paths[i]);

		if (pl > l && streq(paths[i] + pl - l, name))
			return paths[i];
	}
	return NULL;
}

int vk_flow_next_steps(const struct vk_ctx *ctx, const char *const *paths, size_t n, bool verify,
		       char ***steps, size_t *n_steps)
{
	_cleanup_free_ char *kdir = NULL, *line = NULL;
	const char *dotconfig = ends_with(paths, n, "/.config");
	bool initramfs = has(paths, n, VK_PATH_MODPROBE_VFIOKIT) ||
			 has(paths, n, VK_PATH_DRACUT_VFIOKIT) ||
			 has(paths, n, VK_PATH_GENKERNEL_CONF);
	bool genkernel = faccessat(ctx->rootfd, vk_rel(VK_PATH_GENKERNEL_CONF), F_OK, 0) == 0;
	bool dracut = faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_CONF_D), F_OK, 0) == 0 ||
		      faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_LIB), F_OK, 0) == 0;
	int r = 0;

	*steps = NULL;
	*n_steps = 0;
	if (dotconfig) {
		kdir = strndup(dotconfig, strlen(dotconfig) - strlen("/.config"));
		if (!kdir || asprintf(&line,
				      "make -C %s -j$(nproc) && make -C %s modules_install "
				      "install   (or: genkernel all)",
				      kdir, kdir) < 0)
			return -ENOMEM;
		r = vk_strv_push(steps, n_steps, line);
	}
	if (!r && has(paths, n, VK_PATH_DIST_KERNEL_CONFIG))
		r = vk_strv_push(
			steps, n_steps,
			"emerge --oneshot sys-kernel/gentoo-kernel   (the dist-kernel build "
			"merges /etc/kernel/config.d)");
	if (!r && initramfs && !dotconfig)
		r = vk_strv_push(steps, n_steps,
				 genkernel ? "genkernel initramfs"
				 : dracut
					 ? "dracut --force"
					 : "rebuild the initramfs, if it loads modules, so that it "
					   "carries /etc/modprobe.d/vfiokit.conf");
	if (!r && has(paths, n, VK_PATH_DEFAULT_GRUB)) {
		free(line);
		line = NULL;
		if (asprintf(&line, "grub-mkconfig -o %s", vk_grub_cfg_path(ctx)) < 0)
			return -ENOMEM;
		r = vk_strv_push(steps, n_steps, line);
	}
	if (!r && has(paths, n, VK_PATH_KERNEL_CMDLINE))
		r = vk_strv_push(steps, n_steps,
				 "reinstall the kernel (installkernel or kernel-install add) so "
				 "that /etc/kernel/cmdline reaches the boot entry");
	if (!r)
		r = vk_strv_push(steps, n_steps,
				 verify ? "reboot, then: vfiokit verify" : "reboot");
	return r;
}
