// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * modules write's decisions: which ids go to vfio-pci, which host drivers
 * get a softdep, and which of modprobe.d, dracut.conf.d and genkernel.conf
 * get what.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../boot/detect.h"
#include "../pci/device.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "conf.h"
#include "plan.h"
#include "report.h"

#define MAX_CONFFILE (1 << 20)

void vk_modules_plan_clear(struct vk_modules_plan *p)
{
	vk_changes_clear(&p->changes);
	vk_notes_clear(&p->notes);
	free(p->genkernel_doload);
	p->genkernel_doload = NULL;
	free(p->generator);
	p->generator = NULL;
}

static bool listed(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

/* Append s (borrowed) to v[0..*n); with unique, not when it is there. 0 or -ENOMEM. */
static int push(const char ***v, size_t *n, const char *s, bool unique)
{
	const char **nv;

	if (unique && listed(*v, *n, s))
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = s;
	return 0;
}

static bool dracut_used(const struct vk_ctx *ctx)
{
	return faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_LIB), F_OK, 0) == 0 ||
	       faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_CONF), F_OK, 0) == 0 ||
	       faccessat(ctx->rootfd, vk_rel(VK_PATH_DRACUT_CONF_D), F_OK, 0) == 0;
}

/* Read abs and add its change to text (-1 for len: strlen). */
static int plan_file(const struct vk_ctx *ctx, struct vk_modules_plan *p, struct vk_file *f,
		     const char *abs, const char *text, size_t len)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, abs);
	struct vk_file own = {};
	int e;

	if (!shown)
		return -ENOMEM;
	if (!f) {
		e = vk_file_load(ctx->rootfd, abs, MAX_CONFFILE, &own);
		if (e < 0) {
			if (e != -ENOMEM)
				vk_notes_add(&p->notes, VK_NOTE_ERROR, "%s: %s", shown,
					     strerror(-e));
			return e;
		}
		f = &own;
	}
	e = vk_changes_add(&p->changes, f, false, shown, text, len);
	if (e == -EILSEQ)
		vk_notes_add(&p->notes, VK_NOTE_ERROR, "%s", p->changes.refused);
	vk_file_clear(&own);
	return e;
}

/* AMODULES_vfio in genkernel.conf, and the doload= genkernel's initramfs needs. */
static int plan_genkernel(const struct vk_ctx *ctx, struct vk_modules_plan *p, const char *gkmods,
			  const struct vk_modreport *r)
{
	struct vk_file f = {};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int e;

	e = vk_file_load(ctx->rootfd, VK_PATH_GENKERNEL_CONF, MAX_CONFFILE, &f);
	if (e == 0 && !*gkmods)
		vk_notes_add(&p->notes, VK_NOTE_NOTICE,
			     "genkernel: no VFIO module of %s is a module file (built in or "
			     "missing): %s%s needs no AMODULES_vfio",
			     r->kver, ctx->prefix, VK_PATH_GENKERNEL_CONF);
	else if (e == 0)
		e = vk_genkernel_conf_edit(f.data, f.len, gkmods, &text, &len);
	if (e == 0)
		/* Up to date: the file as its own new content. */
		e = plan_file(ctx, p, &f, VK_PATH_GENKERNEL_CONF, f.data, f.len);
	else if (e > 0)
		e = plan_file(ctx, p, &f, VK_PATH_GENKERNEL_CONF, text, len);
	vk_file_clear(&f);
	if (e < 0) {
		if (e != -ENOMEM && e != -EILSEQ) /* plan_file() said why */
			vk_notes_add(&p->notes, VK_NOTE_ERROR, "%s%s: %s", ctx->prefix,
				     VK_PATH_GENKERNEL_CONF, strerror(-e));
		return e;
	}
	/* doload= only where genkernel's linuxrc reads it. */
	if (!*gkmods)
		return 0;
	if (r->ir_known ? !p->generator || !streq(p->generator, "genkernel") : dracut_used(ctx))
		return 0;
	p->genkernel_doload = strdup(gkmods);
	if (!p->genkernel_doload)
		return -ENOMEM;
	for (char *s = p->genkernel_doload; *s; s++)
		if (*s == ' ')
			*s = ',';
	return 0;
}

/* The files, from the facts of r. */
static int plan_files(const struct vk_ctx *ctx, const struct vk_modules_req *q,
		      const struct vk_modreport *r, struct vk_modules_plan *p)
{
	_cleanup_free_ const char **ids = NULL, **soft = NULL, **overrides = NULL;
	_cleanup_free_ char *modprobe = NULL, *dracut = NULL, *gkmods = NULL;
	struct vk_modconf c = {};
	const struct vk_modinfo *v;
	int e;

	for (size_t i = 0; i < q->n_overrides; i++)
		if (push(&overrides, &c.n_overrides, q->overrides[i], true) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < r->n_devs; i++) {
		const struct vk_devreport *d = &r->dr[i];
		struct vk_pci_addr a;

		/* An address claims that function only: by driver_override,
		 * never by its id, which would take its twin too. */
		if (listed(q->overrides, q->n_overrides, d->dev.spec)) {
			/* given with --override */
		} else if (vk_pci_addr_parse(d->dev.spec, &a) == 0 && *d->dev.addr) {
			if (push(&overrides, &c.n_overrides, d->dev.addr, true) < 0)
				return -ENOMEM;
		} else if (push(&ids, &c.n_ids, d->id, true) < 0) {
			return -ENOMEM;
		}
		for (size_t k = 0; k < d->n_drv; k++)
			if (d->drv[k].state == VK_MOD_MODULE) {
				if (push(&soft, &c.n_softdeps, d->drv[k].name, true) < 0)
					return -ENOMEM;
			} else if (d->drv[k].state == VK_MOD_BUILTIN) {
				vk_notes_add(&p->notes, VK_NOTE_WARN,
					     "%s is built into %s: a softdep cannot order it; "
					     "build it as a module",
					     d->drv[k].name, r->kver);
			}
	}
	v = vk_modreport_module(r, "vfio_pci");
	if (v && v->state == VK_MOD_BUILTIN && c.n_overrides) {
		vk_notes_add(&p->notes, VK_NOTE_ERROR,
			     "vfio-pci is built into %s: the modprobe.d line that sets %s's "
			     "driver_override never runs, so a claim by address cannot work; build "
			     "vfio-pci as a module (CONFIG_VFIO_PCI=m), or claim by id (every "
			     "device of that model)",
			     r->kver, overrides[0]);
		return -ENOTSUP;
	}
	if (v && v->state == VK_MOD_BUILTIN)
		vk_notes_add(&p->notes, VK_NOTE_WARN,
			     "vfio-pci is built into %s: modprobe.d options do not reach it; put "
			     "vfio-pci.ids= on the command line (vfiokit cmdline set)",
			     r->kver);
	if (v && v->state == VK_MOD_MISSING)
		vk_notes_add(&p->notes, VK_NOTE_WARN,
			     "vfio-pci is not in %s: enable CONFIG_VFIO_PCI", r->kver);
	c.ids = ids;
	c.softdeps = soft;
	c.overrides = overrides;
	c.ignore_msrs = q->ignore_msrs;
	c.kver = r->kver;
	c.mods = r->mods;
	c.n_mods = r->n_mods;
	modprobe = vk_modprobe_conf_render(&c);
	dracut = vk_dracut_conf_render(&c, VK_PATH_MODPROBE_VFIOKIT);
	gkmods = vk_genkernel_modules(&c);
	if (!modprobe || !dracut || !gkmods)
		return -ENOMEM;
	e = plan_file(ctx, p, NULL, VK_PATH_MODPROBE_VFIOKIT, modprobe, strlen(modprobe));
	if (e == 0 && dracut_used(ctx))
		e = plan_file(ctx, p, NULL, VK_PATH_DRACUT_VFIOKIT, dracut, strlen(dracut));
	if (e == 0 && faccessat(ctx->rootfd, vk_rel(VK_PATH_GENKERNEL_CONF), F_OK, 0) == 0)
		e = plan_genkernel(ctx, p, gkmods, r);
	return e;
}

int vk_modules_plan(const struct vk_ctx *ctx, const struct vk_modules_req *q,
		    struct vk_modules_plan *p)
{
	_cleanup_free_ const char **devices = NULL;
	struct vk_modreport_req rq = { .kver = q->kver };
	struct vk_modreport r = {};
	size_t n = 0;
	int e;

	for (size_t i = 0; i < q->n_devices; i++)
		if (push(&devices, &n, q->devices[i], false) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < q->n_overrides; i++)
		if (!listed(q->devices, q->n_devices, q->overrides[i]) &&
		    push(&devices, &n, q->overrides[i], false) < 0)
			return -ENOMEM;
	rq.devices = devices;
	rq.n_devices = n;
	e = vk_modreport_gather(ctx, &rq, &r, &p->notes);
	if (e == 0 && vk_kmod_n_msgs(r.km)) {
		for (size_t i = 0; i < vk_kmod_n_msgs(r.km); i++) {
			const struct vk_kmod_msg *m = vk_kmod_msg(r.km, i);

			if (m->file)
				vk_notes_add(&p->notes, VK_NOTE_ERROR, "%s:%u: %s", m->file,
					     m->line, m->text);
			else
				vk_notes_add(&p->notes, VK_NOTE_ERROR, "libkmod: %s", m->text);
		}
		vk_notes_add(&p->notes, VK_NOTE_ERROR,
			     "modprobe.d has lines libkmod rejects: fix them first; nothing "
			     "written");
		e = -EBADMSG;
	}
	snprintf(p->kver, sizeof(p->kver), "%s", r.kver);
	if (e == 0 && r.ir_known && r.ir.generator) {
		p->generator = strdup(r.ir.generator);
		if (!p->generator)
			e = -ENOMEM;
	} else if (e == 0) {
		/* No image to read yet: what installkernel will run to make it. */
		char g[32];

		if (vk_boot_initrd_generator(ctx, g, sizeof(g)) == 0 &&
		    (streq(g, "dracut") || streq(g, "ugrd")) && !(p->generator = strdup(g)))
			e = -ENOMEM;
	}
	if (e == 0)
		e = plan_files(ctx, q, &r, p);
	if (e < 0) {
		vk_changes_clear(&p->changes);
		free(p->genkernel_doload);
		p->genkernel_doload = NULL;
	}
	vk_modreport_clear(&r);
	return e;
}
