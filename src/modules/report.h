/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Everything modules check reports, gathered without printing: the kernel
 * about to boot and why it was chosen, libkmod's view of each module
 * passthrough needs, the command line, the initramfs, and for each chosen
 * device which drivers match it and who claims it first. modules write
 * plans its files from the same facts (plan.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../boot/cmdline.h"
#include "../pci/resolve.h"
#include "../shared/change.h"
#include "../shared/ctx.h"
#include "check.h"
#include "initramfs.h"
#include "kernel.h"
#include "kmod.h"

#define VK_MODREPORT_MAX_MODULES 32

struct vk_modreport_req {
	const char *kver;	    /* NULL: the kernel vk_kver_choose() picks */
	const char *const *devices; /* ID|ADDR|MODALIAS, as --device takes them */
	size_t n_devices;
	const char *initramfs; /* a path of the caller; NULL: the kernel's in /boot */
	bool no_initramfs;     /* do not read one */
};

struct vk_devreport {
	struct vk_device dev; /* borrowed from vk_modreport.devs */
	struct vk_drvmatch *drv;
	size_t n_drv;
	struct vk_claimer c[2]; /* vfio-pci, pci-stub */
	struct vk_verdict v;
	char id[16]; /* "10de:1c03" */
};

struct vk_modreport {
	char kver[VK_KVER_MAX];
	char kver_why[512];
	char *cmdline_from; /* the file the command line came from, or NULL */
	struct vk_cmdline *cl;
	struct vk_kmod *km;
	struct vk_modreq req[VK_MODREPORT_MAX_MODULES];
	struct vk_modinfo mods[VK_MODREPORT_MAX_MODULES];
	size_t n_mods;
	char *ir_path; /* as shown; NULL when none was found */
	bool ir_known; /* the initramfs was read */
	char ir_err[512];
	struct vk_initramfs ir;
	struct vk_device *devs;
	size_t n_devs;
	struct vk_devreport *dr; /* one for each of devs */
};

/*
 * Gather the report for req into *r (zeroed by the caller); errors are
 * added to notes as VK_NOTE_ERROR, in the order they were met. Returns
 *   0        everything gathered;
 *   -ENXIO   a device matches nothing (a note for each): the rest is
 *            gathered all the same;
 *   -ENOENT  no such kernel; -ENODATA: it has no modules.dep;
 *   -EIO     the initramfs given in req cannot be read;
 *   -ENOMEM, or another negative errno from libkmod.
 * Clear *r with vk_modreport_clear() in every case.
 */
int vk_modreport_gather(const struct vk_ctx *ctx, const struct vk_modreport_req *req,
			struct vk_modreport *r, struct vk_notes *notes);
void vk_modreport_clear(struct vk_modreport *r);

/* The report's entry for module name ('-' or '_'), or NULL. */
const struct vk_modinfo *vk_modreport_module(const struct vk_modreport *r, const char *name);
