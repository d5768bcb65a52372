// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../boot/detect.h"
#include "../kconfig/tree.h"
#include "../pci/groups.h"
#include "../pci/host.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/strv.h"
#include "flow.h"

void vk_flow_host_note(struct vk_notes *notes, bool allow, bool unsure, const char *addr,
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
			vk_flow_host_note(notes, allow, true, t[i].addr, "", why);
			refused++;
		}
		struct vk_pci_dev self = {};
		const char *role;

		if (g) {
			for (size_t k = 0; k < g->n_devs; k++) {
				const struct vk_pci_dev *d = &g->devs[k];
				char other[128];

				role = vk_host_role(d, &root, &nic);
				if (!role)
					continue;
				if (streq(d->addr, t[i].addr)) {
					vk_flow_host_note(notes, allow, false, t[i].addr, "", role);
				} else {
					snprintf(other, sizeof(other),
						 " shares IOMMU group %lu with %s, which", g->id,
						 d->addr);
					vk_flow_host_note(notes, allow, false, t[i].addr, other,
							  role);
				}
				refused++;
			}
			continue;
		}
		/* No IOMMU groups yet (the IOMMU is off until the reboot): the
		 * device alone can still be told. */
		if (vk_pci_dev_read(pci, t[i].addr, &self) == 0 &&
		    (role = vk_host_role(&self, &root, &nic))) {
			vk_flow_host_note(notes, allow, false, t[i].addr, "", role);
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

/* The dist-kernel's step: a build that merges /etc/kernel/config.d when
 * it changed, else emerge --config, which reinstalls the kernel and
 * rebuilds its initramfs (kernel-install.eclass's pkg_config). */
static int dist_kernel_step(const char *pkg, bool config_d, char **line)
{
	const char *ignores = vk_dist_kernel_ignores_config_d(pkg);

	free(*line);
	*line = NULL;
	if (config_d && ignores)
		return asprintf(line, "emerge --oneshot sys-kernel/gentoo-kernel   (%s)", ignores) <
				       0
			       ? -ENOMEM
			       : 0;
	if (config_d)
		return asprintf(line,
				"emerge --oneshot %s   (its build merges /etc/kernel/config.d, "
				"then installs the kernel and its initramfs)",
				pkg) < 0
			       ? -ENOMEM
			       : 0;
	return asprintf(line,
			"emerge --config %s   (reinstalls the kernel and rebuilds its "
			"initramfs)",
			pkg) < 0
		       ? -ENOMEM
		       : 0;
}

/* How to rebuild the initramfs: by the generator the image names, else by
 * what is installed (genkernel only where dracut is not: both write
 * /boot/initramfs-<kver>.img). */
static const char *initramfs_step(const struct vk_ctx *ctx, const char *generator, bool verify)
{
	bool genkernel = faccessat(ctx->rootfd, vk_rel(VK_PATH_GENKERNEL_CONF), F_OK, 0) == 0;
	bool dracut = faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_CONF_D), F_OK, 0) == 0 ||
		      faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_LIB), F_OK, 0) == 0;

	if (generator && streq(generator, "genkernel"))
		return "genkernel initramfs";
	if (generator && streq(generator, "dracut"))
		return "dracut --force";
	if (generator && streq(generator, "ugrd"))
		return "ugrd, as it made the initramfs (installkernel runs it when a kernel is "
		       "installed)";
	if (generator && streq(generator, "initramfs-tools"))
		return "update-initramfs -u";
	if (dracut && genkernel)
		return "rebuild the initramfs with what made it (dracut --force or genkernel "
		       "initramfs)";
	if (genkernel)
		return "genkernel initramfs";
	if (dracut)
		return "dracut --force";
	/* After undo (no verify to run), the file may be gone. */
	if (!verify && faccessat(ctx->rootfd, vk_rel(VK_PATH_MODPROBE_VFIOKIT), F_OK, 0) < 0)
		return "rebuild the initramfs, if it loads modules, so that it no longer carries "
		       "/etc/modprobe.d/vfiokit.conf";
	return "rebuild the initramfs, if it loads modules, so that it carries "
	       "/etc/modprobe.d/vfiokit.conf";
}

int vk_flow_next_steps(const struct vk_ctx *ctx, const char *const *paths, size_t n,
		       const char *generator, bool verify, char ***steps, size_t *n_steps)
{
	_cleanup_free_ char *kdir = NULL, *line = NULL;
	const char *dotconfig = ends_with(paths, n, "/.config");
	bool initramfs = has(paths, n, VK_PATH_MODPROBE_VFIOKIT) ||
			 has(paths, n, VK_PATH_DRACUT_VFIOKIT) ||
			 has(paths, n, VK_PATH_GENKERNEL_CONF);
	bool config_d = has(paths, n, VK_PATH_DIST_KERNEL_CONFIG),
	     cmdline = has(paths, n, VK_PATH_KERNEL_CMDLINE);
	_cleanup_free_ char *src = vk_ctx_path(ctx, VK_PATH_KERNEL_SRC);
	char pkg[128] = "sys-kernel/gentoo-kernel";
	/* /usr/src/linux installed by a dist-kernel package: that package
	 * rebuilds or reinstalls it, never make. */
	bool dist = src && vk_tree_dist_kernel(src, pkg, sizeof(pkg)) > 0;
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
	for (size_t i = 0; !r && !dotconfig && i < n; i++)
		if (!strncmp(paths[i], VK_PATH_GENKERNEL_KERNELS "/kernel-config-",
			     strlen(VK_PATH_GENKERNEL_KERNELS "/kernel-config-")))
			r = vk_strv_push(steps, n_steps,
					 "genkernel all   (it starts from the merged "
					 "/etc/kernels file)");
	if (!r && (config_d || (dist && (initramfs || cmdline)))) {
		r = dist_kernel_step(pkg, config_d, &line);
		if (!r)
			r = vk_strv_push(steps, n_steps, line);
	}
	if (!r && initramfs && !dotconfig && !dist)
		r = vk_strv_push(steps, n_steps, initramfs_step(ctx, generator, verify));
	if (!r && has(paths, n, VK_PATH_DEFAULT_GRUB)) {
		free(line);
		line = NULL;
		if (asprintf(&line, "grub-mkconfig -o %s", vk_grub_cfg_path(ctx)) < 0)
			return -ENOMEM;
		r = vk_strv_push(steps, n_steps, line);
	}
	if (!r && cmdline && !dist)
		r = vk_strv_push(steps, n_steps,
				 "reinstall the kernel (installkernel or kernel-install add) so "
				 "that /etc/kernel/cmdline reaches the boot entry");
	if (!r) {
		char hint[512], step[600];

		snprintf(step, sizeof(step), "reboot, then: %s",
			 vk_ctx_hint(ctx, "verify", hint, sizeof(hint)));
		r = vk_strv_push(steps, n_steps, verify ? step : "reboot");
	}
	return r;
}
