/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files modules write puts on the system: vfiokit's own modprobe.d
 * file and dracut configuration (whole files vfiokit owns), and the one
 * setting it keeps in genkernel.conf (every other byte kept).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "check.h"

struct vk_modconf {
	const char *const *ids; /* "10de:1c03", in order, no duplicates */
	size_t n_ids;
	const char *const *softdeps; /* host drivers: "softdep <d> pre: vfio-pci" */
	size_t n_softdeps;
	const char *const *overrides; /* PCI addresses vfio-pci binds by driver_override */
	size_t n_overrides;
	bool ignore_msrs; /* options kvm ignore_msrs=1 */
	const char *kver; /* vfio_virqfd is forced only before 6.2 */
	/* The target kernel's modules as libkmod found them in modules.dep:
	 * genkernel takes their file names. */
	const struct vk_modinfo *mods;
	size_t n_mods;
};

/* /etc/modprobe.d/vfiokit.conf. New string or NULL. */
char *vk_modprobe_conf_render(const struct vk_modconf *c);
/* /etc/dracut.conf.d/vfiokit.conf: force_drivers and the modprobe.d file.
 * New string or NULL. */
char *vk_dracut_conf_render(const struct vk_modconf *c, const char *modprobe_file);
/*
 * The modules genkernel's initramfs should carry, space-separated, by
 * their file names in modules.dep ("vfio-pci", "vfio_iommu_type1"):
 * genkernel's gen_moddeps.sh matches "/<name>.ko" there and folds no '-'
 * into '_'. A module that is no file (built in, missing) is left out; ""
 * when none is. New string or NULL.
 */
char *vk_genkernel_modules(const struct vk_modconf *c);

/*
 * Set AMODULES_vfio="<modules>" in genkernel.conf text[0..len): the last
 * uncommented assignment is replaced, or one is appended with a comment.
 * Returns 1 with *out (new text) when it changed, 0 when it already says
 * so (*out NULL), -ENOMEM.
 */
int vk_genkernel_conf_edit(const char *text, size_t len, const char *modules, char **out,
			   size_t *out_len);
