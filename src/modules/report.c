// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What modules check gathers: the kernel, its modules through libkmod, the
 * command line, the initramfs and the chosen devices, with the claim
 * verdict of each device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../pci/device.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "report.h"

#define MAX_CMDLINE (64 << 10)

void vk_modreport_clear(struct vk_modreport *r)
{
	for (size_t i = 0; i < r->n_mods; i++)
		vk_modinfo_clear(&r->mods[i]);
	for (size_t i = 0; i < r->n_devs && r->dr; i++) {
		vk_drvmatch_free(r->dr[i].drv, r->dr[i].n_drv);
		for (int k = 0; k < 2; k++) {
			free(r->dr[i].c[k].early);
			free(r->dr[i].c[k].service);
		}
	}
	free(r->dr);
	vk_devices_free(r->devs, r->n_devs);
	vk_initramfs_clear(&r->ir);
	free(r->ir_path);
	vk_cmdline_free(r->cl);
	free(r->cmdline_from);
	vk_kmod_free(r->km);
	*r = (struct vk_modreport){};
}

const struct vk_modinfo *vk_modreport_module(const struct vk_modreport *r, const char *name)
{
	for (size_t i = 0; i < r->n_mods; i++)
		if (vk_modname_eq(r->mods[i].name, name))
			return &r->mods[i];
	return NULL;
}

/* Choose the kernel and open libkmod on it. */
static int open_kernel(const struct vk_ctx *ctx, const struct vk_modreport_req *q,
		       struct vk_modreport *r, struct vk_notes *notes)
{
	int e;

	e = vk_kver_choose(ctx, q->kver, r->kver, sizeof(r->kver), r->kver_why,
			   sizeof(r->kver_why));
	if (e < 0) {
		vk_notes_add(notes, VK_NOTE_ERROR, "no kernel to check: %s", r->kver_why);
		return -ENOENT;
	}
	e = vk_kmod_open(ctx, r->kver, &r->km);
	if (e == -ENODATA) {
		if (*ctx->prefix)
			vk_notes_add(notes, VK_NOTE_ERROR,
				     "%s%s/%s has no modules.dep: run 'depmod -b %s %s' first",
				     ctx->prefix, VK_PATH_LIB_MODULES, r->kver, ctx->prefix,
				     r->kver);
		else
			vk_notes_add(notes, VK_NOTE_ERROR,
				     "%s/%s has no modules.dep: run 'depmod %s' first",
				     VK_PATH_LIB_MODULES, r->kver, r->kver);
	} else if (e < 0 && e != -ENOMEM) {
		vk_notes_add(notes, VK_NOTE_ERROR, "%s%s/%s: %s", ctx->prefix, VK_PATH_LIB_MODULES,
			     r->kver, strerror(-e));
	}
	return e;
}

static void read_cmdline(const struct vk_ctx *ctx, struct vk_modreport *r)
{
	_cleanup_free_ char *buf = malloc(MAX_CMDLINE);
	ssize_t n;

	if (!buf)
		return;
	n = vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_CMDLINE), buf, MAX_CMDLINE);
	if (n < 0 || vk_cmdline_parse(buf, n, &r->cl) < 0)
		return;
	r->cmdline_from = strdup(VK_PATH_PROC_CMDLINE);
}

static int read_initramfs(const struct vk_ctx *ctx, const struct vk_modreport_req *q,
			  struct vk_modreport *r)
{
	_cleanup_free_ char *found = NULL;
	_cleanup_close_ int fd = -1;
	int e;

	if (q->no_initramfs)
		return 0;
	if (q->initramfs) {
		r->ir_path = strdup(q->initramfs);
		if (!r->ir_path)
			return -ENOMEM;
		fd = open(q->initramfs, O_RDONLY | O_CLOEXEC);
	} else {
		found = vk_initramfs_find(ctx, r->kver);
		if (!found)
			return 0;
		r->ir_path = vk_ctx_path(ctx, found);
		if (!r->ir_path)
			return -ENOMEM;
		fd = openat(ctx->rootfd, vk_rel(found), O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(r->ir_err, sizeof(r->ir_err), "%s", strerror(errno));
		return -errno;
	}
	e = vk_initramfs_read(fd, &r->ir, r->ir_err, sizeof(r->ir_err));
	if (e < 0 && !*r->ir_err)
		snprintf(r->ir_err, sizeof(r->ir_err), "%s", strerror(-e));
	r->ir_known = e == 0;
	return e;
}

/* Fill the claimer (0 vfio_pci, 1 pci_stub) facts for device d. */
static int claimer_facts(const struct vk_ctx *ctx, struct vk_modreport *r, struct vk_devreport *d,
			 int k)
{
	static const char *const names[] = { "vfio-pci", "pci-stub" };
	static const char *const mods[] = { "vfio_pci", "pci_stub" };
	struct vk_claimer *c = &d->c[k];
	struct vk_modinfo tmp = {};
	const struct vk_modinfo *mi = vk_modreport_module(r, mods[k]);
	_cleanup_free_ char *ids_conf = NULL, *ids_cl = NULL, *ids_ir = NULL, *ir_opts = NULL;
	int e;

	if (!mi) {
		e = vk_modinfo_query(r->km, r->cl, mods[k], &tmp);
		if (e < 0) {
			vk_modinfo_clear(&tmp);
			return e;
		}
		mi = &tmp;
	}
	c->name = names[k];
	c->state = mi->state;
	c->blacklisted = mi->bl_conf || mi->bl_cmdline;
	ids_conf = vk_options_ids(mi->opt_conf);
	ids_cl = vk_options_ids(mi->opt_cmdline);
	c->ids_conf = ids_conf && vk_ids_match(ids_conf, d->dev.vendor, d->dev.device);
	c->ids_cmdline = ids_cl && vk_ids_match(ids_cl, d->dev.vendor, d->dev.device);
	if (r->ir_known) {
		ir_opts = vk_initramfs_options(&r->ir, mods[k]);
		ids_ir = ir_opts ? vk_options_ids(ir_opts) : NULL;
		c->ids_initramfs = ids_ir && vk_ids_match(ids_ir, d->dev.vendor, d->dev.device);
		c->in_initramfs = vk_initramfs_module(&r->ir, mods[k]) != NULL;
		c->early = vk_initramfs_early(&r->ir, r->cl, mods[k]);
	}
	c->service = vk_boot_loads_module(ctx, mods[k]);
	vk_modinfo_clear(&tmp);
	return 0;
}

static int check_device(const struct vk_ctx *ctx, struct vk_modreport *r, struct vk_devreport *d)
{
	struct vk_pci_addr a;
	int e;

	snprintf(d->id, sizeof(d->id), "%04x:%04x", d->dev.vendor, d->dev.device);
	e = vk_modalias_drivers(r->km, r->cl, d->dev.modalias, &d->drv, &d->n_drv);
	if (e < 0)
		return e;
	for (size_t i = 0; i < d->n_drv && r->ir_known; i++) {
		d->drv[i].in_initramfs = vk_initramfs_module(&r->ir, d->drv[i].name) != NULL;
		d->drv[i].softdep_initramfs[0] =
			vk_initramfs_softdep_pre(&r->ir, d->drv[i].name, "vfio_pci");
		d->drv[i].softdep_initramfs[1] =
			vk_initramfs_softdep_pre(&r->ir, d->drv[i].name, "pci_stub");
	}
	for (int k = 0; k < 2; k++) {
		e = claimer_facts(ctx, r, d, k);
		if (e < 0)
			return e;
	}
	/* A function named by its address is claimed alone: fixes name it so. */
	vk_claim_decide(d->drv, d->n_drv, d->c, r->ir_known,
			vk_pci_addr_parse(d->dev.spec, &a) == 0 && *d->dev.addr ? d->dev.addr
										: d->id,
			&d->v);
	return 0;
}

static int resolve_devices(const struct vk_ctx *ctx, const struct vk_modreport_req *q,
			   struct vk_modreport *r, struct vk_notes *notes)
{
	int rc = 0;

	for (size_t i = 0; i < q->n_devices; i++) {
		int e = vk_device_resolve(ctx, q->devices[i], &r->devs, &r->n_devs);

		if (e == -ENOMEM)
			return e;
		if (e < 0) {
			vk_notes_add(notes, VK_NOTE_ERROR,
				     "no device matches --device %s in %s%s (give its address or "
				     "its modalias)",
				     q->devices[i], ctx->prefix, VK_PATH_PCI_DEVICES);
			rc = -ENXIO;
		}
	}
	return rc;
}

int vk_modreport_gather(const struct vk_ctx *ctx, const struct vk_modreport_req *q,
			struct vk_modreport *r, struct vk_notes *notes)
{
	const char *vendor = vk_cpu_vendor(ctx);
	size_t n;
	int e, rc;

	e = open_kernel(ctx, q, r, notes);
	if (e < 0)
		return e;
	read_cmdline(ctx, r);
	n = vk_modules_needed(r->kver, vendor, r->req, VK_MODREPORT_MAX_MODULES);
	for (size_t i = 0; i < n; i++) {
		e = vk_modinfo_query(r->km, r->cl, r->req[i].name, &r->mods[i]);
		r->n_mods = i + 1;
		if (e < 0)
			return e;
	}
	e = read_initramfs(ctx, q, r);
	if (e == -ENOMEM)
		return e;
	if (e < 0 && q->initramfs) {
		vk_notes_add(notes, VK_NOTE_ERROR, "%s: %s", q->initramfs, r->ir_err);
		return -EIO;
	}
	rc = resolve_devices(ctx, q, r, notes);
	if (rc == -ENOMEM)
		return rc;
	r->dr = calloc(r->n_devs ? r->n_devs : 1, sizeof(*r->dr));
	if (!r->dr)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_devs; i++) {
		r->dr[i].dev = r->devs[i];
		e = check_device(ctx, r, &r->dr[i]);
		if (e < 0)
			return e;
	}
	return rc;
}
