// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "conf.h"
#include "kernel.h"
#include "kmod.h"

#define GENKERNEL_VAR "AMODULES_vfio"

/* The VFIO modules to load early, in load order ('_' form: dracut only
 * turns the first '-' of force_drivers into '_'). */
static const char *const early_mods[] = { "vfio", "vfio_iommu_type1", "vfio_virqfd", "vfio_pci" };

static bool early_wanted(const char *mod, const char *kver)
{
	return !streq(mod, "vfio_virqfd") || !kver || !vk_kver_at_least(kver, 6, 2);
}

/* mod's file name in modules.dep: "vfio-pci" for kernel/.../vfio-pci.ko.xz. */
static bool file_name(const struct vk_modconf *c, const char *mod, char *out, size_t size)
{
	for (size_t i = 0; i < c->n_mods; i++) {
		const char *base;

		if (!vk_modname_eq(c->mods[i].name, mod) || !c->mods[i].path ||
		    c->mods[i].state != VK_MOD_MODULE)
			continue;
		base = strrchr(c->mods[i].path, '/');
		base = base ? base + 1 : c->mods[i].path;
		snprintf(out, size, "%.*s", (int)strcspn(base, "."), base);
		return true;
	}
	return false;
}

char *vk_modprobe_conf_render(const struct vk_modconf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("# VFIO passthrough, written by vfiokit.\n"
	      "# vfiokit rewrites this file as a whole; put other settings elsewhere.\n",
	      f);
	if (c->n_ids) {
		fputs("options vfio-pci ids=", f);
		for (size_t i = 0; i < c->n_ids; i++)
			fprintf(f, "%s%s", i ? "," : "", c->ids[i]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->n_softdeps; i++)
		fprintf(f, "softdep %s pre: vfio-pci\n", c->softdeps[i]);
	if (c->n_overrides) {
		/* vfio-pci binds a device whose driver_override names it, and
		 * only such a device when it has no ids of its own. The rescue
		 * argument (module_blacklist= naming vfio_pci, vfiokit(8)) leaves
		 * the devices alone: vfio-pci will not load that boot. */
		fputs("# These devices alone, by address: driver_override is set just before\n"
		      "# vfio-pci loads, unless module_blacklist= names vfio_pci (the rescue).\n"
		      "install vfio-pci r=; read -r c </proc/cmdline; for a in $c; do case $a in "
		      "module_blacklist=*vfio_pci | module_blacklist=*vfio_pci,*) r=1;; esac; "
		      "done; [ -n \"$r\" ] || for d in",
		      f);
		for (size_t i = 0; i < c->n_overrides; i++)
			fprintf(f, " %s", c->overrides[i]);
		fputs("; do echo vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
		      "/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n",
		      f);
	}
	if (c->ignore_msrs)
		fputs("options kvm ignore_msrs=1\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The early modules, space-separated: their '_' names, or with files their
 * file names (a module that is no file left out). */
static char *early_list(const struct vk_modconf *c, bool files)
{
	char *s = strdup("");

	for (size_t i = 0; s && i < ARRAY_SIZE(early_mods); i++) {
		char name[128];
		char *n;

		if (!early_wanted(early_mods[i], c->kver))
			continue;
		snprintf(name, sizeof(name), "%s", early_mods[i]);
		if (files && !file_name(c, early_mods[i], name, sizeof(name)))
			continue;
		if (asprintf(&n, "%s%s%s", s, *s ? " " : "", name) < 0)
			n = NULL;
		free(s);
		s = n;
	}
	return s;
}

char *vk_genkernel_modules(const struct vk_modconf *c)
{
	return early_list(c, true);
}

char *vk_dracut_conf_render(const struct vk_modconf *c, const char *modprobe_file)
{
	_cleanup_free_ char *mods = early_list(c, false);
	char *s;

	if (!mods)
		return NULL;
	if (asprintf(&s,
		     "# VFIO passthrough, written by vfiokit.\n"
		     "# vfiokit rewrites this file as a whole. dracut reads only files\n"
		     "# ending in .conf here; rebuild the initramfs after a change.\n"
		     "force_drivers+=\" %s \"\n"
		     "install_items+=\" %s \"\n",
		     mods, modprobe_file) < 0)
		return NULL;
	return s;
}

/* Is line (len bytes) an assignment of GENKERNEL_VAR? Its value's start. */
static const char *assignment(const char *line, size_t len)
{
	size_t n = strlen(GENKERNEL_VAR);
	const char *p = line;

	while (p < line + len && (*p == ' ' || *p == '\t'))
		p++;
	if ((size_t)(line + len - p) <= n || strncmp(p, GENKERNEL_VAR, n) || p[n] != '=')
		return NULL;
	return p + n + 1;
}

int vk_genkernel_conf_edit(const char *text, size_t len, const char *modules, char **out,
			   size_t *out_len)
{
	static const char head[] = "# VFIO modules for the initramfs (vfiokit modules write)\n";
	_cleanup_free_ char *want = NULL;
	const char *last = NULL, *keep;
	size_t last_len = 0, pre, post, wl;
	char *res;

	*out = NULL;
	if (asprintf(&want, GENKERNEL_VAR "=\"%s\"", modules) < 0)
		return -ENOMEM;
	wl = strlen(want);
	for (const char *p = text; p < text + len;) {
		const char *eol = memchr(p, '\n', text + len - p);
		size_t l = eol ? (size_t)(eol - p) : (size_t)(text + len - p);

		if (assignment(p, l)) {
			last = p;
			last_len = l;
		}
		p += l + (eol ? 1 : 0);
	}
	if (last && last_len == wl && !memcmp(last, want, last_len))
		return 0;
	/* memcpy, not "%.*s": every byte is kept, a NUL too. */
	if (last) {
		pre = (size_t)(last - text);
		keep = last + last_len;
		post = (size_t)(text + len - keep);
		res = malloc(pre + wl + post + 1);
		if (!res)
			return -ENOMEM;
		memcpy(res, text, pre);
		memcpy(res + pre, want, wl);
		memcpy(res + pre + wl, keep, post);
		*out_len = pre + wl + post;
	} else {
		pre = len + (len && text[len - 1] != '\n');
		res = malloc(pre + sizeof(head) - 1 + wl + 2);
		if (!res)
			return -ENOMEM;
		memcpy(res, text, len);
		if (pre != len)
			res[len] = '\n';
		memcpy(res + pre, head, sizeof(head) - 1);
		memcpy(res + pre + sizeof(head) - 1, want, wl);
		*out_len = pre + sizeof(head) - 1 + wl + 1;
		res[*out_len - 1] = '\n';
	}
	res[*out_len] = '\0';
	*out = res;
	return 1;
}
