// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/cmdline.h"
#include "../boot/grub.h"
#include "../boot/lint.h"
#include "../modules/kmod.h"
#include "../pci/host.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/sha256.h"
#include "../shared/write.h"
#include "claims.h"
#include "journal.h"

#define MAX_FILE (16u << 20)

struct host_dev {
	struct vk_lint_gpu id;
	const char *role;
};

struct scan {
	const struct host_dev *devs;
	size_t n_devs;
	struct vk_claims *out;
	const char *file; /* the file scanned, its system path */
	const char *text; /* its content, for the line of an item */
	int err;
};

/* The devices the host needs, with their ids. */
static int host_devs(const struct vk_ctx *ctx, struct host_dev **out, size_t *n)
{
	_cleanup_free_ char **names = NULL;
	struct vk_addrs root = {}, nic = {};
	struct vk_pci *pci = NULL;
	size_t n_names = 0;
	int r;

	*out = NULL;
	*n = 0;
	if (vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &names, &n_names) < 0)
		return 0;
	r = vk_pci_new(ctx, &pci);
	if (r < 0)
		return r;
	vk_root_disk_addrs(ctx, &root);
	vk_route_nic_addrs(ctx, &nic);
	for (size_t i = 0; i < n_names && r >= 0; i++) {
		struct vk_pci_dev d = {};
		const char *role;

		if (vk_pci_dev_read(pci, names[i], &d) == 0 && d.have_ident &&
		    (role = vk_host_role(&d, &root, &nic))) {
			struct host_dev *v = reallocarray(*out, *n + 1, sizeof(**out));

			if (!v) {
				r = -ENOMEM;
			} else {
				*out = v;
				v[*n] = (struct host_dev){
					.id = { .vendor = d.vendor_id,
						.device = d.device_id,
						.subvendor = d.subsys_vendor_id,
						.subdevice = d.subsys_device_id,
						.class_code = d.class_id << 8 | d.prog_if },
					.role = role,
				};
				snprintf(v[*n].id.addr, sizeof(v[*n].id.addr), "%s", d.addr);
				(*n)++;
			}
		}
		vk_pci_dev_clear(&d);
	}
	vk_pci_free(pci);
	return r;
}

/* The first line of text, not a comment, that holds "ids=" and item as a
 * whole list member; fallback when none does. */
static unsigned int line_of(const char *text, const char *item, unsigned int fallback)
{
	size_t il = strlen(item);
	unsigned int n = 1;

	for (const char *l = text; l && *l; n++) {
		const char *e = strchr(l, '\n'), *end = e ? e : l + strlen(l), *p = l;

		while (*p == ' ' || *p == '\t')
			p++;
		for (const char *q = l; *p != '#' && (q = memmem(q, end - q, item, il)); q++)
			if (q > l && (q[-1] == '=' || q[-1] == ',') &&
			    (q + il == end || strchr(",\" \t'\\", q[il])) &&
			    memmem(l, end - l, "ids=", 4))
				return n;
		l = e ? e + 1 : NULL;
	}
	return fallback;
}

static void add(struct scan *s, const char *driver, const char *item, size_t len,
		unsigned int fallback_line, bool modprobe)
{
	struct vk_pci_id_match m;
	char copy[64];

	if (!len || len >= sizeof(copy) || vk_pci_id_match_parse(item, len, &m) < 0)
		return;
	snprintf(copy, sizeof(copy), "%.*s", (int)len, item);
	for (size_t i = 0; i < s->n_devs && !s->err; i++) {
		struct vk_claim *v, *c;

		if (!vk_pci_id_matches(&m, &s->devs[i].id))
			continue;
		v = reallocarray(s->out->v, s->out->n + 1, sizeof(*v));
		if (!v) {
			s->err = -ENOMEM;
			return;
		}
		s->out->v = v;
		c = &v[s->out->n];
		*c = (struct vk_claim){ .role = s->devs[i].role };
		snprintf(c->driver, sizeof(c->driver), "%s", driver);
		snprintf(c->addr, sizeof(c->addr), "%.12s", s->devs[i].id.addr);
		c->file = strdup(s->file);
		c->item = strdup(copy);
		c->line = line_of(s->text, copy, fallback_line);
		if (!c->file || !c->item ||
		    asprintf(&c->arg, modprobe ? "options %s ids=%s" : "%s.ids=%s", driver, copy) <
			    0) {
			free(c->file);
			free(c->item);
			s->err = -ENOMEM;
			return;
		}
		s->out->n++;
	}
}

/* Each item of a comma list. */
static void add_list(struct scan *s, const char *driver, const char *list, unsigned int line,
		     bool modprobe)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ",");

		add(s, driver, p, l, line, modprobe);
		p += l + (p[l] == ',');
	}
}

/* The ids keys of a kernel command line. */
static void scan_cmdline(struct scan *s, const char *cmdline, unsigned int line)
{
	struct vk_cmdline *cl = NULL;
	static const char *const drivers[] = { "vfio-pci", "pci-stub" };

	if (vk_cmdline_parse(cmdline, strlen(cmdline), &cl) < 0)
		return;
	for (size_t i = 0; i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];

		for (size_t d = 0; d < ARRAY_SIZE(drivers) && !a->init && a->value; d++) {
			char key[32];

			snprintf(key, sizeof(key), "%s.ids", drivers[d]);
			if (vk_cmdline_key_eq(a->key, key))
				add_list(s, drivers[d], a->value, line, false);
		}
	}
	vk_cmdline_free(cl);
}

static void scan_grub(struct scan *s)
{
	static const char *const vars[] = { VK_GRUB_LINUX, VK_GRUB_LINUX_DEFAULT };
	struct vk_grub_error err;
	struct vk_grub *g = NULL;

	if (vk_grub_parse(s->text, strlen(s->text), &g, &err) < 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		struct vk_grub_value v = {};

		if (vk_grub_value(g, vars[i], &v) == 0 && v.text)
			scan_cmdline(s, v.text, v.line);
		vk_grub_value_clear(&v);
	}
	vk_grub_free(g);
}

/* "options vfio-pci ... ids=..." */
static void modprobe_line(void *data, unsigned int line, char *text)
{
	struct scan *s = data;
	char *save = NULL, *cmd = strtok_r(text, " \t", &save), *mod;
	const char *driver;

	if (!cmd || !streq(cmd, "options") || !(mod = strtok_r(NULL, " \t", &save)))
		return;
	if (vk_modname_eq(mod, "vfio-pci"))
		driver = "vfio-pci";
	else if (vk_modname_eq(mod, "pci-stub"))
		driver = "pci-stub";
	else
		return;
	for (char *p = strtok_r(NULL, " \t", &save); p; p = strtok_r(NULL, " \t", &save))
		if (!strncmp(p, "ids=", 4)) {
			p += 4 + (p[4] == '"');
			p[strcspn(p, "\"")] = '\0';
			add_list(s, driver, p, line, true);
		}
}

/* The file's claims, as it is or as text says it was. */
static void scan_text(struct scan *s, const char *abs, const char *text, size_t len)
{
	s->file = abs;
	s->text = text;
	if (streq(abs, VK_PATH_DEFAULT_GRUB))
		scan_grub(s);
	else if (streq(abs, VK_PATH_KERNEL_CMDLINE) || streq(abs, VK_PATH_PROC_CMDLINE))
		scan_cmdline(s, text, 1);
	else
		vk_modprobe_lines(text, len, modprobe_line, s);
}

static void scan_modprobe_file(void *data, const char *abs, const char *text, size_t len)
{
	_cleanup_free_ char *copy = text ? strndup(text, len) : NULL;

	if (copy)
		scan_text(data, abs, copy, len);
}

static void scan_file(struct scan *s, const struct vk_ctx *ctx, const char *abs)
{
	struct vk_file f;

	if (vk_file_load(ctx->rootfd, abs, MAX_FILE, &f) == 0 && f.exists)
		scan_text(s, abs, f.data, f.len);
	vk_file_clear(&f);
}

/* Is c the user's? vfiokit's own modprobe.d file is vfiokit's; a file
 * that an apply changed and nobody since (the journal's checksum) holds
 * vfiokit's claims, but for those already in the content before, which
 * the journal keeps. Anything else is the user's. */
static bool users(const struct vk_ctx *ctx, const struct vk_journal *j, const struct scan *s,
		  const struct vk_claim *c)
{
	struct vk_jentry *e = vk_journal_find(j, c->file);
	_cleanup_free_ char *now = NULL, *text = NULL;
	char sum[VK_SHA256_HEX_LEN];
	struct vk_claims before = {};
	struct scan b = *s;
	size_t len = 0;
	bool found = false;

	if (streq(c->file, VK_PATH_MODPROBE_VFIOKIT))
		return false;
	if (!e || vk_file_read_all(ctx->rootfd, c->file, MAX_FILE, &now, &len) < 0)
		return true;
	vk_sha256_hex(now, len, sum);
	if (!vk_jentry_applied(e, sum))
		return true; /* changed since: whose is not known */
	if (!e->existed)
		return false;
	if (!e->backup || vk_file_read_all(ctx->rootfd, e->backup, MAX_FILE, &text, &len) < 0)
		return true;
	b.out = &before;
	scan_text(&b, c->file, text, len);
	for (size_t i = 0; i < before.n && !found; i++)
		found = streq(before.v[i].driver, c->driver) && streq(before.v[i].item, c->item) &&
			streq(before.v[i].addr, c->addr);
	vk_claims_clear(&before);
	return found;
}

int vk_claims_of_host(const struct vk_ctx *ctx, unsigned int where, struct vk_claims *out)
{
	struct host_dev *devs = NULL;
	struct vk_journal j = {};
	char err[256];
	struct scan s = { .out = out };
	int r;

	*out = (struct vk_claims){};
	r = host_devs(ctx, &devs, &s.n_devs);
	s.devs = devs;
	if (r < 0 || !s.n_devs)
		goto out;
	if (where & VK_CLAIMS_RUNNING)
		scan_file(&s, ctx, VK_PATH_PROC_CMDLINE);
	if (where & VK_CLAIMS_BOOT) {
		scan_file(&s, ctx, VK_PATH_DEFAULT_GRUB);
		scan_file(&s, ctx, VK_PATH_KERNEL_CMDLINE);
	}
	if (where & VK_CLAIMS_MODPROBE)
		vk_modprobe_d_foreach(ctx, scan_modprobe_file, &s);
	r = s.err;
	if (r == 0 && out->n) {
		vk_journal_load(ctx->rootfd, VK_PATH_JOURNAL, &j, err, sizeof(err));
		for (size_t i = 0; i < out->n; i++)
			out->v[i].ours = !streq(out->v[i].file, VK_PATH_PROC_CMDLINE) &&
					 !users(ctx, &j, &s, &out->v[i]);
		vk_journal_clear(&j);
	}
out:
	free(devs);
	if (r < 0)
		vk_claims_clear(out);
	return r;
}

void vk_claims_clear(struct vk_claims *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].file);
		free(c->v[i].item);
		free(c->v[i].arg);
	}
	free(c->v);
	*c = (struct vk_claims){};
}
