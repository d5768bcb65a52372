// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/strv.h"
#include "../shared/paths.h"
#include "check.h"
#include "kernel.h"

const char *vk_mod_state_name(enum vk_mod_state s)
{
	switch (s) {
	case VK_MOD_BUILTIN:
		return "built in";
	case VK_MOD_MODULE:
		return "module";
	default:
		return "missing";
	}
}

const char *vk_claim_name(enum vk_claim c)
{
	static const char *const names[] = { "vfio-pci", "pci-stub", "host", "none", "unsure" };

	return c < ARRAY_SIZE(names) ? names[c] : "unsure";
}

/* ---- the list ------------------------------------------------------------ */

size_t vk_modules_needed(const char *kver, const char *cpu_vendor, struct vk_modreq *out,
			 size_t max)
{
	size_t n = 0;
	bool intel = cpu_vendor && streq(cpu_vendor, "intel");
	bool amd = cpu_vendor && streq(cpu_vendor, "amd");

#define ADD(nm, need, why)                                            \
	do {                                                          \
		if (n < max)                                          \
			out[n] = (struct vk_modreq){ nm, need, why }; \
		n++;                                                  \
	} while (0)
	ADD("vfio", VK_NEED_REQUIRED, "VFIO core, /dev/vfio");
	if (!vk_kver_at_least(kver, 6, 2))
		ADD("vfio_virqfd", VK_NEED_REQUIRED,
		    "VFIO interrupt forwarding (part of vfio from 6.2)");
	ADD("vfio_iommu_type1", VK_NEED_REQUIRED, "VFIO's IOMMU backend on x86");
	if (vk_kver_at_least(kver, 5, 15))
		ADD("vfio_pci_core", VK_NEED_REQUIRED, "VFIO PCI core");
	ADD("vfio_pci", VK_NEED_REQUIRED, "the driver that takes the device from the host");
	ADD("irqbypass", VK_NEED_REQUIRED, "interrupt bypass between VFIO and KVM");
	ADD("kvm", VK_NEED_REQUIRED, "KVM");
	if (intel || !cpu_vendor)
		ADD("kvm_intel", intel ? VK_NEED_REQUIRED : VK_NEED_RECOMMENDED,
		    "KVM for Intel VT-x");
	if (amd || !cpu_vendor)
		ADD("kvm_amd", amd ? VK_NEED_REQUIRED : VK_NEED_RECOMMENDED, "KVM for AMD-V");
	ADD("pci_stub", VK_NEED_RECOMMENDED, "an alternative placeholder driver");
	ADD("bridge", VK_NEED_RECOMMENDED, "bridged guest networking");
	ADD("tun", VK_NEED_RECOMMENDED, "tap devices for guests");
	ADD("vhost_net", VK_NEED_RECOMMENDED, "in-kernel virtio-net backend");
#undef ADD
	return n < max ? n : max;
}

/* ---- the command line ---------------------------------------------------- */

/* key "mod.param" of module mod: the parameter, or NULL. */
static const char *module_param(const char *key, const char *mod)
{
	const char *dot = strchr(key, '.');
	char name[256];

	if (!dot || (size_t)(dot - key) >= sizeof(name))
		return NULL;
	memcpy(name, key, dot - key);
	name[dot - key] = '\0';
	return vk_modname_eq(name, mod) && dot[1] ? dot + 1 : NULL;
}

char *vk_cmdline_module_options(const struct vk_cmdline *cl, const char *mod)
{
	char *s = strdup("");

	for (size_t i = 0; cl && s && i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];
		const char *param;
		char *n;

		if (a->init || a->dashdash || !a->key)
			continue;
		param = module_param(a->key, mod);
		if (!param)
			continue;
		if (asprintf(&n, "%s%s%s%s%s", s, *s ? " " : "", param, a->value ? "=" : "",
			     a->value ? a->value : "") < 0)
			n = NULL;
		free(s);
		s = n;
	}
	return s;
}

bool vk_cmdline_module_blacklisted(const struct vk_cmdline *cl, const char *mod)
{
	for (size_t i = 0; cl && i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];
		_cleanup_free_ char *v = NULL;
		char *save = NULL;

		if (a->init || !a->key || !a->value ||
		    !vk_cmdline_key_eq(a->key, "modprobe.blacklist"))
			continue;
		v = strdup(a->value);
		if (!v)
			return false;
		for (char *t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (vk_modname_eq(t, mod))
				return true;
	}
	return false;
}

char *vk_options_ids(const char *options)
{
	const char *last = NULL;

	for (const char *p = options; p && *p;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!strncmp(p, "ids=", 4))
			last = p + 4;
		p += strcspn(p, " \t");
	}
	if (!last)
		return NULL;
	if (*last == '"') {
		last++;
		return strndup(last, strcspn(last, "\""));
	}
	return strndup(last, strcspn(last, " \t"));
}

bool vk_ids_match(const char *ids, unsigned int vendor, unsigned int device)
{
	for (const char *p = ids; p && *p;) {
		unsigned int v, d;
		int n = 0;

		if (sscanf(p, "%x:%x%n", &v, &d, &n) == 2 && n > 0 &&
		    (v == vendor || v == 0xffffffff) && (d == device || d == 0xffffffff))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* ---- one module ---------------------------------------------------------- */

void vk_modinfo_clear(struct vk_modinfo *mi)
{
	for (size_t i = 0; i < mi->n_deps; i++)
		free(mi->deps[i]);
	for (size_t i = 0; i < mi->n_pre; i++)
		free(mi->pre[i]);
	for (size_t i = 0; i < mi->n_post; i++)
		free(mi->post[i]);
	free(mi->deps);
	free(mi->pre);
	free(mi->post);
	free(mi->name);
	free(mi->path);
	free(mi->dep_missing);
	free(mi->note);
	free(mi->opt_conf);
	free(mi->opt_cmdline);
	memset(mi, 0, sizeof(*mi));
}

static int names_of(struct kmod_list *list, char ***v, size_t *n)
{
	struct kmod_list *l;
	int r = 0;

	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);

		if (r == 0)
			r = vk_strv_push(v, n, kmod_module_get_name(m));
		kmod_module_unref(m);
	}
	return r;
}

/* The module's file exists (libkmod's path is under the root already). */
static bool file_there(const char *path)
{
	return path && access(path, F_OK) == 0;
}

/* path without "<root>/lib/modules/<kver>/". */
static const char *rel_to_moddir(const char *path, const char *moddir)
{
	const char *p = strstr(path, moddir);

	if (p && p[strlen(moddir)] == '/')
		return p + strlen(moddir) + 1;
	return path;
}

int vk_modinfo_query(struct vk_kmod *km, const struct vk_cmdline *cl, const char *name,
		     struct vk_modinfo *mi)
{
	struct kmod_module *m = NULL;
	struct kmod_list *deps = NULL, *pre = NULL, *post = NULL, *l;
	char norm[256];
	int r;

	memset(mi, 0, sizeof(*mi));
	vk_modname_normalize(name, norm, sizeof(norm));
	mi->name = strdup(norm);
	mi->opt_conf = vk_kmod_conf_options(km, norm);
	mi->opt_cmdline = vk_cmdline_module_options(cl, norm);
	if (!mi->name || !mi->opt_conf || !mi->opt_cmdline)
		return -ENOMEM;
	mi->bl_conf = vk_kmod_conf_blacklisted(km, norm);
	mi->bl_cmdline = vk_cmdline_module_blacklisted(cl, norm);

	if (vk_kmod_is_builtin(km, norm)) {
		mi->state = VK_MOD_BUILTIN;
		return 0;
	}
	r = kmod_module_new_from_name(vk_kmod_ctx(km), norm, &m);
	if (r < 0)
		return r;
	if (!kmod_module_get_path(m)) {
		mi->state = VK_MOD_MISSING;
		goto out;
	}
	if (!file_there(kmod_module_get_path(m))) {
		mi->state = VK_MOD_MISSING;
		if (asprintf(&mi->note, "modules.dep names %s, which is not there: run depmod",
			     rel_to_moddir(kmod_module_get_path(m), vk_kmod_moddir(km))) < 0)
			mi->note = NULL;
		goto out;
	}
	mi->state = VK_MOD_MODULE;
	mi->path = strdup(rel_to_moddir(kmod_module_get_path(m), vk_kmod_moddir(km)));
	if (!mi->path) {
		r = -ENOMEM;
		goto out;
	}
	/* libkmod gives them in load order. */
	deps = kmod_module_get_dependencies(m);
	kmod_list_foreach(l, deps)
	{
		struct kmod_module *d = kmod_module_get_module(l);

		if (vk_strv_push(&mi->deps, &mi->n_deps, kmod_module_get_name(d)) < 0)
			r = -ENOMEM;
		if (!mi->dep_missing && !file_there(kmod_module_get_path(d)))
			mi->dep_missing = strdup(kmod_module_get_name(d));
		kmod_module_unref(d);
	}
	if (kmod_module_get_softdeps(m, &pre, &post) == 0) {
		if (names_of(pre, &mi->pre, &mi->n_pre) < 0 ||
		    names_of(post, &mi->post, &mi->n_post) < 0)
			r = -ENOMEM;
	}
out:
	kmod_module_unref_list(deps);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	kmod_module_unref(m);
	return r < 0 ? r : 0;
}

/* ---- drivers of a device -------------------------------------------------- */

void vk_drvmatch_free(struct vk_drvmatch *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].name);
	free(d);
}

static bool is_claimer(const char *name)
{
	size_t len = strlen(name);

	return vk_modname_eq(name, "vfio_pci") || vk_modname_eq(name, "pci_stub") ||
	       (len > 9 && vk_modname_eq(name + len - 9, "_vfio_pci"));
}

int vk_modalias_drivers(struct vk_kmod *km, const struct vk_cmdline *cl, const char *modalias,
			struct vk_drvmatch **out, size_t *n)
{
	struct kmod_list *list = NULL, *l;
	struct vk_drvmatch *v = NULL;
	size_t count = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = kmod_module_new_from_lookup(vk_kmod_ctx(km), modalias, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		const char *name = kmod_module_get_name(m);
		struct vk_drvmatch *nv, *d;
		bool dup = false;

		for (size_t i = 0; i < count; i++)
			dup |= streq(v[i].name, name);
		if (dup || is_claimer(name)) {
			kmod_module_unref(m);
			continue;
		}
		nv = realloc(v, (count + 1) * sizeof(*nv));
		if (!nv) {
			kmod_module_unref(m);
			r = -ENOMEM;
			break;
		}
		v = nv;
		d = &v[count];
		memset(d, 0, sizeof(*d));
		d->name = strdup(name);
		count++;
		if (!d->name) {
			kmod_module_unref(m);
			r = -ENOMEM;
			break;
		}
		if (vk_kmod_is_builtin(km, name))
			d->state = VK_MOD_BUILTIN;
		else if (file_there(kmod_module_get_path(m)))
			d->state = VK_MOD_MODULE;
		else
			d->state = VK_MOD_MISSING;
		d->blacklisted = vk_kmod_conf_blacklisted(km, name) ||
				 vk_cmdline_module_blacklisted(cl, name);
		d->softdep[0] = vk_kmod_conf_softdep_pre(km, name, "vfio_pci");
		d->softdep[1] = vk_kmod_conf_softdep_pre(km, name, "pci_stub");
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	if (r < 0) {
		vk_drvmatch_free(v, count);
		return r;
	}
	*out = v;
	*n = count;
	return 0;
}

/* ---- the verdict --------------------------------------------------------- */

/* The first driver of drv in state s (and not blacklisted when skip_bl). */
static const struct vk_drvmatch *first_in(const struct vk_drvmatch *drv, size_t n,
					  enum vk_mod_state s, bool skip_bl)
{
	for (size_t i = 0; i < n; i++)
		if (drv[i].state == s && !(skip_bl && drv[i].blacklisted))
			return &drv[i];
	return NULL;
}

/* Does claimer c (index k: 0 vfio-pci, 1 pci-stub) bind first? Fills v. */
static bool claims(const struct vk_drvmatch *drv, size_t n_drv, const struct vk_claimer *c, int k,
		   bool initramfs_known, const char *id, struct vk_verdict *v)
{
	const struct vk_drvmatch *b = first_in(drv, n_drv, VK_MOD_BUILTIN, false);
	bool ids_root = c->ids_cmdline || c->ids_conf;
	bool ids_initrd = c->ids_cmdline || c->ids_initramfs;
	const struct vk_drvmatch *bad = NULL;
	bool bad_initrd = false, any_host = false;

	if (!c->ids_cmdline && !c->ids_conf && !c->ids_initramfs) {
		snprintf(
			v->reason, sizeof(v->reason),
			"%s is not told to take it: %s is in no %s.ids= on the command line and in "
			"no \"options %s ids=\" in modprobe.d",
			c->name, id, c->name, c->name);
		if (strchr(id, '.')) /* an address: that function alone */
			snprintf(v->fix, sizeof(v->fix), "vfiokit modules write --device %s", id);
		else
			snprintf(v->fix, sizeof(v->fix),
				 "vfiokit modules write --device %s (or vfiokit cmdline set "
				 "%s.ids=%s)",
				 id, c->name, id);
		return false;
	}
	if (c->state == VK_MOD_MISSING) {
		snprintf(v->reason, sizeof(v->reason), "%s is not in this kernel", c->name);
		snprintf(v->fix, sizeof(v->fix), "enable CONFIG_%s (vfiokit kconfig merge)",
			 k == 0 ? "VFIO_PCI" : "PCI_STUB");
		return false;
	}
	if (c->state == VK_MOD_BUILTIN) {
		if (!c->ids_cmdline) {
			snprintf(v->reason, sizeof(v->reason),
				 "%s is built in: options in modprobe.d never reach it, only "
				 "%s.ids= on the command line does",
				 c->name, c->name);
			snprintf(v->fix, sizeof(v->fix), "vfiokit cmdline set %s.ids=%s", c->name,
				 id);
			return false;
		}
		if (b) {
			v->claim = VK_CLAIM_UNSURE;
			snprintf(
				v->reason, sizeof(v->reason),
				"%s and %s are both built in: the order of their initcalls decides",
				c->name, b->name);
			snprintf(v->fix, sizeof(v->fix),
				 "build %s as a module (=m); %s.ids= then takes the device first",
				 b->name, c->name);
			return false;
		}
		snprintf(v->reason, sizeof(v->reason),
			 "%s is built in and %s.ids= on the command line names %s: it binds at "
			 "boot, before any module loads",
			 c->name, c->name, id);
		return true;
	}
	/* c is a module. */
	if (b) {
		snprintf(v->reason, sizeof(v->reason),
			 "%s is built into the kernel and binds before any module, %s included, "
			 "can load",
			 b->name, c->name);
		snprintf(
			v->fix, sizeof(v->fix),
			"build %s as a module (=m), or %s in (=y) with %s.ids= on the command line",
			b->name, c->name, c->name);
		return false;
	}
	if (c->early && c->in_initramfs && ids_initrd) {
		snprintf(v->reason, sizeof(v->reason),
			 "the initramfs loads %s before udev (%s) and it is given the id", c->name,
			 c->early);
		return true;
	}
	for (size_t i = 0; i < n_drv; i++) {
		const struct vk_drvmatch *h = &drv[i];
		bool ok;

		if (h->state != VK_MOD_MODULE || h->blacklisted)
			continue;
		any_host = true;
		if (h->in_initramfs)
			ok = h->softdep_initramfs[k] && c->in_initramfs && ids_initrd;
		else
			ok = h->softdep[k] && ids_root;
		if (!ok && !bad) {
			bad = h;
			bad_initrd = h->in_initramfs;
		}
	}
	if (any_host && !bad) {
		snprintf(v->reason, sizeof(v->reason),
			 "modprobe loads %s before the host's driver (softdep ... pre: %s for each "
			 "matching driver) and it is given the id",
			 c->name, c->name);
		return true;
	}
	if (bad && bad_initrd) {
		snprintf(v->reason, sizeof(v->reason),
			 "%s is in the initramfs and loads there for the device before %s%s",
			 bad->name, c->name,
			 c->in_initramfs ? "" : " (which is not in the initramfs at all)");
		snprintf(v->fix, sizeof(v->fix),
			 "vfiokit modules write --device %s, then rebuild the initramfs", id);
		return false;
	}
	if (bad) {
		snprintf(v->reason, sizeof(v->reason),
			 "udev loads %s for the device and nothing loads %s before it "
			 "(no \"softdep %s pre: %s\")%s",
			 bad->name, c->name, bad->name, c->name,
			 !initramfs_known ? "; no initramfs was read" : "");
		snprintf(v->fix, sizeof(v->fix), "vfiokit modules write --device %s", id);
		return false;
	}
	/* No host driver will load for it. */
	if (c->service && ids_root) {
		snprintf(v->reason, sizeof(v->reason),
			 "no host driver loads for it and %s loads %s at boot", c->service,
			 c->name);
		return true;
	}
	snprintf(v->reason, sizeof(v->reason),
		 "no driver takes it at boot: %s, and nothing loads %s",
		 n_drv ? "its drivers are blacklisted or missing" : "no driver matches it",
		 c->name);
	snprintf(v->fix, sizeof(v->fix),
		 "load %s at boot: vfiokit modules write --device %s (the initramfs loads it), "
		 "or list it in /etc/modules-load.d",
		 c->name, id);
	v->claim = VK_CLAIM_NONE;
	return false;
}

void vk_claim_decide(const struct vk_drvmatch *drv, size_t n_drv, const struct vk_claimer c[2],
		     bool initramfs_known, const char *id, struct vk_verdict *v)
{
	struct vk_verdict stub = {};
	bool stub_asked = c[1].ids_cmdline || c[1].ids_conf || c[1].ids_initramfs;

	memset(v, 0, sizeof(*v));
	v->claim = VK_CLAIM_HOST;
	if (claims(drv, n_drv, &c[0], 0, initramfs_known, id, v)) {
		v->claim = VK_CLAIM_VFIO;
		return;
	}
	if (!stub_asked)
		goto host;
	stub.claim = VK_CLAIM_HOST;
	if (claims(drv, n_drv, &c[1], 1, initramfs_known, id, &stub)) {
		*v = stub;
		v->claim = VK_CLAIM_STUB;
		return;
	}
host:
	if (v->claim == VK_CLAIM_HOST && !first_in(drv, n_drv, VK_MOD_BUILTIN, false) &&
	    !first_in(drv, n_drv, VK_MOD_MODULE, true))
		v->claim = VK_CLAIM_NONE;
}

/* Does the modules-load.d style text (one name a line, # comments) or
 * Gentoo's conf.d text (modules="a b") list mod? */
static bool text_lists(const char *text, const char *mod)
{
	_cleanup_free_ char *s = strdup(text);
	char *save = NULL;

	if (!s)
		return false;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *save2 = NULL;

		line[strcspn(line, "#;")] = '\0';
		for (char *t = strtok_r(line, " \t\"'=", &save2); t;
		     t = strtok_r(NULL, " \t\"'=", &save2))
			if (vk_modname_eq(t, mod))
				return true;
	}
	return false;
}

char *vk_boot_loads_module(const struct vk_ctx *ctx, const char *mod)
{
	static const char *const dirs[] = { VK_PATH_ETC_MODULES_LOAD_D, VK_PATH_RUN_MODULES_LOAD_D,
					    VK_PATH_USR_LIB_MODULES_LOAD_D,
					    VK_PATH_LIB_MODULES_LOAD_D };
	_cleanup_free_ char *buf = malloc(1 << 16);
	char path[1024];

	if (!buf)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char **names = NULL;
		size_t n = 0;

		if (vk_list_dir(ctx->rootfd, vk_rel(dirs[i]), &names, &n) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			size_t len = strlen(names[k]);

			if (len < 6 || !streq(names[k] + len - 5, ".conf"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dirs[i], names[k]);
			if (vk_read_file(ctx->rootfd, vk_rel(path), buf, 1 << 16) >= 0 &&
			    text_lists(buf, mod))
				return strdup(path);
		}
	}
	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_CONFD_MODULES), buf, 1 << 16) >= 0) {
		char *p = strstr(buf, "modules");

		if (p && text_lists(p, mod))
			return strdup(VK_PATH_CONFD_MODULES);
	}
	return NULL;
}
