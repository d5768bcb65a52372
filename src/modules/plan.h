/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What modules write would put on the system, planned without writing or
 * printing: /etc/modprobe.d/vfiokit.conf always, /etc/dracut.conf.d/
 * vfiokit.conf when dracut is installed, and AMODULES_vfio in
 * /etc/genkernel.conf when that file exists. The command (or vfiokit
 * plan and apply) shows or writes the changes and prints the notes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/change.h"
#include "../shared/ctx.h"
#include "kernel.h"

struct vk_modules_req {
	const char *kver; /* NULL: the kernel vk_kver_choose() picks */
	/* The devices, ID|ADDR|MODALIAS as --device takes them, in order. An
	 * address is claimed alone, through its driver_override. */
	const char *const *devices;
	size_t n_devices;
	/* PCI addresses vfio-pci claims alone through driver_override (--override):
	 * their ids stay out of "options vfio-pci ids=". An address need not be in
	 * devices too: one that is not (compared as strings) is added after them. */
	const char *const *overrides;
	size_t n_overrides;
	bool ignore_msrs; /* also "options kvm ignore_msrs=1" */
};

struct vk_modules_plan {
	char kver[VK_KVER_MAX]; /* the kernel planned for */
	/* Every file it would write with its new content, in the order to write
	 * them; files that already hold it are there too (vk_change_same()). */
	struct vk_changes changes;
	/* Warnings (a driver built in, vfio-pci built in or missing) and the
	 * errors that made it fail, in order. */
	struct vk_notes notes;
	/* When the target kernel's initramfs is genkernel's (the image says so;
	 * with no image to read: /etc/genkernel.conf and no dracut): the
	 * modules it loads only when the command line has doload=<this>
	 * ("vfio,vfio_iommu_type1,vfio-pci"), else NULL. */
	char *genkernel_doload;
	/* What made the target kernel's initramfs, read from the image:
	 * "dracut", "genkernel", "initramfs-tools", "ugrd"; NULL when there is
	 * no image or it does not say. */
	char *generator;
};

/*
 * Plan for req into *out (zeroed by the caller). Returns
 *   0        planned;
 *   -ENXIO   a device matches nothing (modules write exits 3);
 *   -ENOTSUP a device is claimed by address while vfio-pci is built in (the
 *            driver_override line in modprobe.d would never run): nothing
 *            should be written;
 *   -EBADMSG modprobe.d has lines libkmod rejects (a note for each): nothing
 *            should be written;
 *   -ENOMEM, or another negative errno: the notes say why (modules write
 *            exits 1).
 * On failure out->changes is empty. Clear *out with vk_modules_plan_clear()
 * in every case.
 */
int vk_modules_plan(const struct vk_ctx *ctx, const struct vk_modules_req *req,
		    struct vk_modules_plan *out);
void vk_modules_plan_clear(struct vk_modules_plan *p);
