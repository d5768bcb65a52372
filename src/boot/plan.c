// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit cmdline set and remove, decided without writing or printing:
 * see plan.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pci/device.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "builtin.h"
#include "grub.h"
#include "kernel-cmdline.h"
#include "lint.h"
#include "plan.h"

#define MAX_OPS 64

struct ops {
	struct vk_cmdline_op v[MAX_OPS];
	size_t n;
};

static void ops_clear(struct ops *o)
{
	for (size_t i = 0; i < o->n; i++)
		vk_cmdline_op_clear(&o->v[i]);
	o->n = 0;
}

/* The request is wrong as given: -EINVAL, with what in p->usage. */
static _printf_(2, 3) int usage(struct vk_cmdline_plan *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	free(p->usage);
	va_start(ap, fmt);
	r = vasprintf(&p->usage, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->usage = NULL;
		return -ENOMEM;
	}
	return -EINVAL;
}

/* It cannot be done: an ERROR note, and r to return (never -EINVAL nor
 * -ENOMEM, which say other things). */
static _printf_(3, 4) int fail(struct vk_cmdline_plan *p, int r, const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		text = NULL;
		return -ENOMEM;
	}
	if (vk_notes_add(&p->notes, VK_NOTE_ERROR, "%s", text) < 0)
		return -ENOMEM;
	return r == -EINVAL || r == -ENOMEM || r >= 0 ? -EIO : r;
}

static int ops_add(struct vk_cmdline_plan *p, struct ops *o, const char *arg,
		   enum vk_cmdline_op_kind kind)
{
	char bad = 0;
	int r;

	if (o->n == ARRAY_SIZE(o->v))
		return usage(p, "too many arguments");
	r = vk_cmdline_op_parse(arg, kind, &o->v[o->n]);
	if (r == -ENOMEM)
		return r;
	if (r < 0 && *arg == '-')
		return usage(p, "'%s' is not a kernel argument: it starts with '-'", arg);
	if (r < 0)
		return usage(
			p, "'%s' is not a kernel argument (key or key=value, no blanks or quotes)",
			arg);
	o->n++;
	if (!vk_cmdline_token_safe(arg, &bad))
		return usage(p,
			     "'%s' holds '%c': the shell or GRUB would interpret it (grub-mkconfig "
			     "pastes arguments into grub.cfg unquoted)",
			     arg, bad);
	return 0;
}

/* The vendor:device id of a device. An address is refused: the command
 * line names ids only, and the id of one card takes its twin too. */
static int device_id(const char *spec, char *id, size_t size, struct vk_cmdline_plan *p)
{
	struct vk_pci_addr a;
	unsigned int v, d;

	if (vk_pci_id_parse(spec, &v, &d) == 0) {
		snprintf(id, size, "%04x:%04x", v, d);
		return 0;
	}
	if (vk_pci_addr_parse(spec, &a) == 0)
		return usage(p,
			     "'%s' is a PCI address, and the kernel command line claims by "
			     "vendor:device id only, which takes every device of that model (a "
			     "twin the host uses too): claim this function alone with 'vfiokit "
			     "modules write --device %s' (its driver_override) or an address "
			     "entry in /etc/vfiokit.conf, or give its id if every such device goes "
			     "to the guest",
			     spec, spec);
	return usage(p, "'%s' is not a vendor:device id (10de:1c03)", spec);
}

/* For the devices named: vfio-pci.ids, and with an Intel IOMMU (the
 * firmware's DMAR table, or a guess from the CPU without one)
 * intel_iommu=on unless the running kernel turns it on by itself (the AMD
 * IOMMU needs no argument) when setting. */
static int device_ops(const struct vk_ctx *ctx, const struct vk_cmdline_req *req, struct ops *ops,
		      struct vk_cmdline_plan *p)
{
	_cleanup_free_ char *ids = malloc(req->n_devices * 10 + 16);
	struct vk_lint_host host;
	int r = 0;

	if (!ids)
		return -ENOMEM;
	strcpy(ids, "vfio-pci.ids=");
	for (size_t i = 0; i < req->n_devices && !r; i++) {
		char id[16];

		r = device_id(req->devices[i], id, sizeof(id), p);
		if (r == 0 && !strstr(ids, id)) {
			if (ids[strlen(ids) - 1] != '=')
				strcat(ids, ",");
			strcat(ids, id);
		}
	}
	if (r)
		return r;
	if (req->kind == VK_CMDLINE_SET) {
		if (vk_lint_host_read(ctx, &host) < 0)
			return -ENOMEM;
		if (vk_lint_host_wants_intel_iommu_on(&host))
			r = ops_add(p, ops, "intel_iommu=on", req->kind);
		vk_lint_host_clear(&host);
		if (r)
			return r;
	}
	return ops_add(p, ops, ids, req->kind);
}

/* Load abs under the root; an ERROR note when it cannot be read. */
static int load(const struct vk_ctx *ctx, const char *abs, size_t max, const char *too_big,
		struct vk_file *f, struct vk_cmdline_plan *p)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, abs);
	unsigned int line;
	int r;

	if (!shown)
		return -ENOMEM;
	r = vk_file_load(ctx->rootfd, abs, max, f);
	if (r < 0)
		return fail(p, r, "%s: %s", shown, r == -EFBIG ? too_big : strerror(-r));
	line = vk_nul_line(f->data, f->len);
	if (line) {
		vk_file_clear(f);
		return fail(p, -EILSEQ, "%s:%u: " VK_NUL_FIX, shown, line);
	}
	return 0;
}

/* Take f over as the change to text, shown under its target's name. */
static int add_change(const struct vk_ctx *ctx, struct vk_file *f, const char *text, size_t len,
		      struct vk_cmdline_plan *p)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, f->target);

	if (!shown)
		return -ENOMEM;
	return vk_changes_add(&p->changes, f, false, shown, text, len);
}

/* ---- what the kernel will receive --------------------------------------- */

/*
 * What grub-mkconfig puts before the file's arguments on a normal entry,
 * at a length a real system reaches (a distribution kernel's file name, a
 * UUID): what the 2047 bytes must hold too.
 */
#define GRUB_LEAD                                              \
	"BOOT_IMAGE=/boot/vmlinuz-6.12.41-gentoo-dist-x86_64 " \
	"root=UUID=01234567-89ab-cdef-0123-456789abcdef ro"

/* How many findings of rule the lint makes of line, in *n per rule; the
 * rules' table order. 0 or -ENOMEM. */
static int lint_counts(const struct vk_lint_host *host, const char *line, struct vk_findings *f)
{
	struct vk_cmdline *cl = NULL;
	int r = vk_cmdline_parse(line, strlen(line), &cl);

	if (r == 0)
		r = vk_lint_check(cl, host, f);
	vk_cmdline_free(cl);
	return r;
}

static size_t errors_of(const struct vk_findings *f, const struct vk_lint_rule *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].rule == rule;
	return n;
}

/*
 * The lint of the command line the kernel will get after the change
 * (after) against the one it gets now (before): an error the change brings
 * in (a line past the kernel's 2047 bytes, an argument of the wrong vendor)
 * is refused, with the lint's words. Errors already there are cmdline
 * lint's to report, and remove's to take away. 0, -EBADMSG or -ENOMEM.
 */
static int lint_result(const struct vk_ctx *ctx, const char *before, const char *after,
		       const char *shown, bool allow_host, struct vk_cmdline_plan *p)
{
	struct vk_findings old = {}, now = {};
	struct vk_lint_host host = {};
	int r = vk_lint_host_read(ctx, &host);

	if (r == 0)
		r = lint_counts(&host, before, &old);
	if (r == 0)
		r = lint_counts(&host, after, &now);
	for (size_t i = 0; r == 0 && i < now.n; i++) {
		const struct vk_finding *x = &now.v[i];

		if (x->rule->severity != VK_SEV_ERROR ||
		    errors_of(&now, x->rule) <= errors_of(&old, x->rule))
			continue;
		if (allow_host && streq(x->rule->id, "ids-boot-gpu")) {
			r = vk_notes_add(&p->notes, VK_NOTE_WARN,
					 "%s: %s; --allow-host-device: "
					 "writing it all the same",
					 shown, x->message);
			continue;
		}
		r = fail(p, -EBADMSG,
			 "%s: after this change the kernel would get a command line with an "
			 "error (%s): %s; %s; nothing changed",
			 shown, x->rule->id, x->message, x->fix);
	}
	vk_findings_clear(&old);
	vk_findings_clear(&now);
	vk_lint_host_clear(&host);
	return r;
}

/* What a normal GRUB entry gives the kernel with the file's text, or NULL. */
static char *grub_line(const char *text, size_t len)
{
	struct vk_grub_value lx = {}, def = {};
	struct vk_grub_error err;
	struct vk_grub *g = NULL;
	char *line = NULL;

	if (vk_grub_parse(text, len, &g, &err) == 0 && vk_grub_value(g, VK_GRUB_LINUX, &lx) == 0 &&
	    vk_grub_value(g, VK_GRUB_LINUX_DEFAULT, &def) == 0 &&
	    asprintf(&line, "%s %s %s", GRUB_LEAD, lx.text ? lx.text : "",
		     def.text ? def.text : "") < 0)
		line = NULL;
	vk_grub_value_clear(&lx);
	vk_grub_value_clear(&def);
	vk_grub_free(g);
	return line;
}

/* Files in /etc/default/grub.d/ (Debian's grub-mkconfig reads them after
 * /etc/default/grub) that set one of vars: an error for each. */
static int grub_d_overrides(const struct vk_ctx *ctx, const char *const *vars, size_t n_vars,
			    struct vk_cmdline_plan *p)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_DEFAULT_GRUB_D), &names, &n) < 0)
		return 0;
	for (size_t i = 0; i < n && r != -ENOMEM; i++) {
		_cleanup_free_ char *path = NULL;
		struct vk_grub_error err;
		struct vk_grub *g = NULL;
		struct vk_file f;
		size_t l = strlen(names[i]);

		if (l < 5 || !streq(names[i] + l - 4, ".cfg"))
			continue;
		if (asprintf(&path, "%s/%s", VK_PATH_DEFAULT_GRUB_D, names[i]) < 0)
			continue;
		if (vk_file_load(ctx->rootfd, path, VK_MAX_GRUB_FILE, &f) < 0)
			continue;
		if (vk_grub_parse(f.data, f.len, &g, &err) == 0) {
			for (size_t k = 0; k < n_vars && r != -ENOMEM; k++) {
				struct vk_grub_value v;

				if (vk_grub_value(g, vars[k], &v) < 0 || !v.set) {
					vk_grub_value_clear(&v);
					continue;
				}
				r = fail(
					p, -EEXIST,
					"%s%s:%u: sets %s, and grub-mkconfig reads this file after "
					"%s: a change there would be lost; edit this file or "
					"remove "
					"its line, and run vfiokit again",
					ctx->prefix, path, v.line, vars[k], VK_PATH_DEFAULT_GRUB);
				vk_grub_value_clear(&v);
			}
			vk_grub_free(g);
		}
		vk_file_clear(&f);
	}
	return r;
}

static int plan_grub(const struct vk_ctx *ctx, const struct vk_cmdline_req *req,
		     const struct ops *ops, struct vk_cmdline_plan *p)
{
	const char *target = req->all_entries ? VK_GRUB_LINUX : VK_GRUB_LINUX_DEFAULT;
	const char *other = req->all_entries ? VK_GRUB_LINUX_DEFAULT : VK_GRUB_LINUX;
	const char *vars[] = { target, other };
	struct vk_grub_request gr = { target, other, !req->all_entries, ops->v, ops->n };
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_DEFAULT_GRUB);
	struct vk_grub_error err;
	struct vk_grub *g = NULL;
	struct vk_file f = {};
	char *text = NULL;
	size_t len = 0;
	int r;

	if (!shown)
		return -ENOMEM;
	r = load(ctx, VK_PATH_DEFAULT_GRUB, VK_MAX_GRUB_FILE,
		 "larger than 16 MiB: not a GRUB configuration; nothing changed", &f, p);
	if (r < 0)
		return r;
	r = grub_d_overrides(ctx, vars, ARRAY_SIZE(vars), p);
	if (r < 0)
		goto out;
	r = vk_grub_parse(f.data, f.len, &g, &err);
	if (r == -EINVAL)
		r = fail(p, -EBADMSG, "%s:%u: %s; nothing changed", shown, err.line, err.msg);
	if (r < 0)
		goto out;
	r = vk_grub_edit(g, &gr, &text, &len, &err);
	if (r == -EINVAL && err.line)
		r = fail(p, -EBADMSG, "%s:%u: %s; nothing changed", shown, err.line, err.msg);
	else if (r == -EINVAL)
		r = fail(p, -EBADMSG, "%s: %s; nothing changed", shown, err.msg);
	if (r < 0)
		goto out;
	/* grub-mkconfig writes to /boot: it must be the right file system. */
	p->boot_unmounted =
		vk_boot_mount_check(ctx, &p->boot) == 0 && p->boot.in_fstab && !p->boot.mounted;
	if (r > 0 && req->kind == VK_CMDLINE_SET) {
		_cleanup_free_ char *before = grub_line(f.data, f.len),
				    *after = grub_line(text, len);

		r = before && after ? lint_result(ctx, before, after, shown, req->allow_host, p)
				    : 1;
		if (r == 0)
			r = 1;
	}
	if (r < 0)
		goto out;
	if (r == 0)
		r = asprintf(&p->unchanged, "%s: %s already says so; nothing to change", shown,
			     target) < 0
			    ? -ENOMEM
			    : 0;
	else
		r = add_change(ctx, &f, text, len, p);
	if (r == 0 && p->boot_unmounted)
		r = vk_notes_add(&p->after, VK_NOTE_WARN,
				 "%s/boot (%s%s%s) is in /etc/fstab but not mounted: mount it "
				 "before running grub-mkconfig, or the new grub.cfg lands on the "
				 "root file system",
				 ctx->prefix, p->boot.source, *p->boot.device ? " on " : "",
				 p->boot.device);
	if (r == 0 && text)
		r = vk_notes_add(&p->after, VK_NOTE_NEXT,
				 "next: run 'grub-mkconfig -o %s' (or this command again with "
				 "--mkconfig), then reboot",
				 vk_grub_cfg_path(ctx));
out:
	free(text);
	vk_grub_free(g);
	vk_file_clear(&f);
	return r;
}

static int plan_kernel_cmdline(const struct vk_ctx *ctx, const struct vk_cmdline_req *req,
			       const struct ops *ops, struct vk_cmdline_plan *p)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_KERNEL_CMDLINE);
	struct vk_file f = {};
	char *text = NULL, err[512], hint[1024];
	size_t len = 0;
	int r;

	if (!shown)
		return -ENOMEM;
	r = load(ctx, VK_PATH_KERNEL_CMDLINE, VK_MAX_CMDLINE_FILE,
		 "larger than 1 MiB: not a kernel command line", &f, p);
	if (r < 0)
		return r;
	if (!f.exists) {
		const char *from = NULL;

		free(f.data);
		f.data = NULL;
		r = vk_kernel_cmdline_default(ctx, &f.data, &from);
		if (r == -ENOMEM)
			goto out;
		if (r == -EILSEQ) {
			r = fail(p, r,
				 "%s%s:%u: a NUL byte: not a command line to start %s from; remove "
				 "it "
				 "(tr -d '\\000') or write %s, and run vfiokit again; nothing "
				 "changed",
				 ctx->prefix, from, vk_nul_line(f.data, strlen(f.data) + 1), shown,
				 shown);
			goto out;
		}
		if (r < 0) {
			r = fail(p, -ENOENT,
				 "%s does not exist, and neither %s nor %s to start from is there",
				 shown, VK_PATH_KERNEL_CMDLINE_USR, VK_PATH_PROC_CMDLINE);
			goto out;
		}
		f.len = strlen(f.data);
		r = vk_notes_add(&p->notes, VK_NOTE_NOTICE,
				 "%s does not exist: starting from %s%s, as kernel-install would",
				 shown, ctx->prefix, from);
		if (r < 0)
			goto out;
	}
	r = vk_kernel_cmdline_edit(f.data, f.len, ops->v, ops->n, &text, &len, err, sizeof(err));
	if (r == -EINVAL)
		r = fail(p, -EBADMSG, "%s: %s; nothing changed", shown, err);
	if (r < 0)
		goto out;
	if (r == 0 && f.exists) {
		r = asprintf(&p->unchanged, "%s: already says so; nothing to change", shown) < 0
			    ? -ENOMEM
			    : 0;
		goto out;
	}
	if (text && ops->n && ops->v[0].kind == VK_CMDLINE_SET) {
		r = lint_result(ctx, f.data, text, shown, req->allow_host, p);
		if (r < 0)
			goto out;
	}
	if (!text) {
		/* A new file from the default: write it as it is. */
		text = strdup(f.data);
		if (!text) {
			r = -ENOMEM;
			goto out;
		}
		len = strlen(text);
	}
	if (!f.exists) {
		/* A new file: its content before is nothing. */
		free(f.data);
		f.data = strdup("");
		f.len = 0;
		if (!f.data) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = add_change(ctx, &f, text, len, p);
	if (r == 0) {
		vk_kernel_cmdline_regenerate(ctx, hint, sizeof(hint));
		r = vk_notes_add(&p->after, VK_NOTE_NEXT, "next: %s", hint);
	}
out:
	free(text);
	vk_file_clear(&f);
	return r;
}

static int plan_builtin(const struct vk_ctx *ctx, const struct ops *ops, struct vk_cmdline_plan *p)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_BUILTIN_DOTCONFIG);
	struct vk_builtin b = {};
	struct vk_file f = {};
	char *text = NULL, err[512];
	size_t len = 0;
	int r;

	if (!shown)
		return -ENOMEM;
	r = load(ctx, VK_PATH_BUILTIN_DOTCONFIG, VK_MAX_DOTCONFIG,
		 "larger than 16 MiB: not a kernel configuration", &f, p);
	if (r < 0)
		return r;
	if (!f.exists) {
		r = fail(p, -ENOENT,
			 "%s: no kernel configuration there: configure the kernel first", shown);
		goto out;
	}
	r = vk_builtin_edit(shown, f.data, f.len, ops->v, ops->n, &text, &len, err, sizeof(err));
	if (r == -EINVAL)
		r = fail(p, -EBADMSG, "%s; nothing changed", err);
	if (r < 0)
		goto out;
	if (r == 0) {
		r = asprintf(&p->unchanged, "%s: CONFIG_CMDLINE already says so; nothing to change",
			     shown) < 0
			    ? -ENOMEM
			    : 0;
		goto out;
	}
	if (vk_builtin_read(shown, text, len, &b, err, sizeof(err)) == 0 && b.override)
		r = vk_notes_add(
			&p->after, VK_NOTE_WARN,
			"%s has CONFIG_CMDLINE_OVERRIDE=y: the kernel will ignore the boot "
			"loader's command line entirely",
			shown);
	else
		r = 0;
	if (r == 0)
		r = vk_notes_add(
			&p->after, VK_NOTE_NEXT,
			"next: 'make olddefconfig', then build and install the kernel; the "
			"built-in line comes before the boot loader's");
	if (r == 0)
		r = add_change(ctx, &f, text, len, p);
out:
	vk_builtin_clear(&b);
	free(text);
	vk_file_clear(&f);
	return r;
}

int vk_cmdline_plan(const struct vk_ctx *ctx, const struct vk_cmdline_req *req,
		    struct vk_cmdline_plan *out)
{
	struct ops ops = {};
	int r = 0;

	*out = (struct vk_cmdline_plan){ .method = req->method };
	for (size_t i = 0; i < req->n_args && !r; i++)
		r = ops_add(out, &ops, req->args[i], req->kind);
	if (r == 0 && req->n_devices)
		r = device_ops(ctx, req, &ops, out);
	for (size_t i = 0; i < req->n_removes && !r; i++)
		r = ops_add(out, &ops, req->removes[i], VK_CMDLINE_REMOVE);
	if (r == 0 && out->method == VK_BOOT_AUTO) {
		r = vk_boot_detect(ctx, &out->method, out->why, sizeof(out->why));
		if (r < 0)
			r = fail(out, r,
				 "cannot tell which boot method this host uses: %s; choose one "
				 "with %s",
				 out->why,
				 req->choose ? req->choose : "--bootloader grub|kernel-cmdline");
		else
			r = vk_notes_add(&out->notes, VK_NOTE_INFO, "boot method: %s (%s)",
					 vk_boot_method_name(out->method), out->why);
	}
	if (r == 0 && req->grub_only && out->method != VK_BOOT_GRUB)
		r = usage(out, "--mkconfig is for GRUB");
	if (r == 0) {
		switch (out->method) {
		case VK_BOOT_GRUB:
			r = plan_grub(ctx, req, &ops, out);
			break;
		case VK_BOOT_KERNEL_CMDLINE:
			r = plan_kernel_cmdline(ctx, req, &ops, out);
			break;
		default:
			r = plan_builtin(ctx, &ops, out);
			break;
		}
	}
	ops_clear(&ops);
	return r;
}

void vk_cmdline_plan_clear(struct vk_cmdline_plan *p)
{
	free(p->usage);
	free(p->unchanged);
	vk_changes_clear(&p->changes);
	vk_notes_clear(&p->notes);
	vk_notes_clear(&p->after);
	*p = (struct vk_cmdline_plan){};
}
