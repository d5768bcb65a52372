// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit cmdline show|lint|set|remove: the kernel command line, as each
 * boot method would produce it and as it is, what is wrong with it, and
 * changing it where the host keeps it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/builtin.h"
#include "boot/cmdline.h"
#include "boot/detect.h"
#include "boot/grub.h"
#include "boot/kernel-cmdline.h"
#include "boot/lint.h"
#include "boot/plan.h"
#include "cmd.h"
#include "shared/fileio.h"
#include "shared/exit.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/spawn.h"
#include "shared/write.h"

#define MAX_DEVICES 64

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] cmdline show\n"
	       "       vfiokit [--root DIR] [--json] cmdline lint [--running | --file FILE | "
	       "ARG...]\n"
	       "       vfiokit [--root DIR] cmdline set|remove [--bootloader METHOD] [--dry-run]\n"
	       "                                 [--all-entries] [--device ID] [ARG...]\n"
	       "\n"
	       "The kernel command line: what each boot method would give the kernel, what\n"
	       "is wrong with it for VFIO passthrough, and changing it where the host keeps it.\n"
	       "\n"
	       "Verbs:\n"
	       "  show    the command line GRUB, /etc/kernel/cmdline and the running kernel have\n"
	       "  lint    explain each problem of a command line with its fix (exit 3 if any)\n"
	       "  set     add or change arguments by key (vfio-pci.ids merge into one token)\n"
	       "  remove  remove arguments by key, or single ids (vfio-pci.ids=10de:1c03)\n"
	       "\n"
	       "Options:\n"
	       "  --running            lint /proc/cmdline (the default)\n"
	       "  --file FILE          lint the command line in FILE\n"
	       "  --list-rules         list lint's rules with their references\n"
	       "  --bootloader METHOD  grub, kernel-cmdline, builtin (CONFIG_CMDLINE in\n"
	       "                       /usr/src/linux/.config) or auto (the default: the one the\n"
	       "                       host uses, and vfiokit says why)\n"
	       "  --all-entries        GRUB: edit GRUB_CMDLINE_LINUX (every entry, recovery\n"
	       "                       included) instead of GRUB_CMDLINE_LINUX_DEFAULT\n"
	       "  --device ID          also the arguments for passing every device of this\n"
	       "                       vendor:device id through: intel_iommu=on with an Intel\n"
	       "                       IOMMU (the firmware's DMAR table) unless the kernel turns\n"
	       "                       it on by itself, and the id in vfio-pci.ids=; may be\n"
	       "                       repeated (an address is refused: see 'modules write\n"
	       "                       --device ADDR')\n"
	       "  --dry-run            print the change as a diff, change nothing\n"
	       "  --mkconfig           GRUB: run grub-mkconfig on the configured grub.cfg after\n"
	       "                       the change\n"
	       "  -h, --help           show this help\n"
	       "\n"
	       "Exit status: 0 ok (nothing to change, or changed); 1 error (nothing changed);\n"
	       "2 usage error; 3 lint found problems.\n"
	       "\n"
	       "Examples: vfiokit cmdline lint\n"
	       "          vfiokit cmdline set --dry-run iommu=pt "
	       "vfio-pci.ids=10de:1c03,10de:10f1\n");
}

/* ---- reading a command line -------------------------------------------- */

/* Read a file given on vfiokit's command line (relative to the current
 * directory, not to --root). */
static int load_user_file(const char *path, struct vk_file *f)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *abs = NULL;
	int r = vk_host_path(path, &fd, &abs);

	return r < 0 ? r : vk_file_load(fd, abs, VK_MAX_CMDLINE_FILE, f);
}

/* Line number of byte off in text. */
static unsigned int line_of(const char *text, size_t off)
{
	unsigned int line = 1;

	for (size_t i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/* ---- lint --------------------------------------------------------------- */

struct lint_opts {
	const char *file;
	bool running, list_rules;
	char **args;
	int n_args;
};

static int lint_parse(int argc, char **argv, struct lint_opts *o)
{
	static const struct option options[] = {
		{ "running", no_argument, NULL, 'r' },
		{ "file", required_argument, NULL, 'f' },
		{ "list-rules", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->running = true;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'l':
			o->list_rules = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("cmdline lint: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("cmdline lint: unknown option '%s'",
					      argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	if (o->running + !!o->file + (o->n_args > 0) > 1)
		return vk_usage_error("cmdline lint: give one of --running, --file FILE or "
				      "arguments");
	return 0;
}

static void list_rules(const struct vk_ctx *ctx)
{
	size_t n;
	const struct vk_lint_rule *r = vk_lint_rules(&n);
	struct vk_json j;

	if (!ctx->json) {
		for (size_t i = 0; i < n; i++)
			printf("%-18s %-7s %s\n%18s         see: %s\n", r[i].id,
			       vk_severity_name(r[i].severity), r[i].summary, "", r[i].reference);
		return;
	}
	vk_json_init(&j, stdout);
	vk_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "rule", r[i].id);
		vk_json_kv_string(&j, "severity", vk_severity_name(r[i].severity));
		vk_json_kv_string(&j, "summary", r[i].summary);
		vk_json_kv_string(&j, "reference", r[i].reference);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
}

static void lint_print_text(const char *source, bool lines, const char *text,
			    const struct vk_cmdline *cl, const struct vk_findings *f)
{
	size_t problems = vk_findings_problems(f), errors = 0;

	for (size_t i = 0; i < f->n; i++) {
		const struct vk_finding *x = &f->v[i];

		errors += x->rule->severity == VK_SEV_ERROR;
		if (lines)
			printf("%s:%u: ", source, line_of(text, cl->args[x->arg].off));
		else
			printf("%s: ", source);
		printf("%s: %s\n", vk_severity_name(x->rule->severity), x->message);
		printf("    fix: %s\n", x->fix);
		printf("    see: %s [%s]\n", x->rule->reference, x->rule->id);
	}
	if (!problems)
		printf("%s: no problems found%s\n", source, f->n ? " (see the notes above)" : "");
	else
		printf("%s: %zu problem%s (%zu error%s, %zu warning%s)\n", source, problems,
		       problems == 1 ? "" : "s", errors, errors == 1 ? "" : "s", problems - errors,
		       problems - errors == 1 ? "" : "s");
}

static void lint_print_json(const char *source, bool lines, const char *text,
			    const struct vk_cmdline *cl, const struct vk_lint_host *host,
			    const struct vk_findings *f)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "source", source);
	vk_json_kv_string(&j, "cmdline", text);
	vk_json_kv_string(&j, "cpu_vendor", vk_cpu_name(host->cpu));
	vk_json_kv_string(&j, "iommu_vendor", vk_cpu_name(host->iommu));
	vk_json_kv_bool(&j, "iommu_vendor_guess", host->iommu_guess);
	vk_json_key(&j, "boot_gpus");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < host->n_boot_gpus; i++)
		vk_json_string(&j, host->boot_gpus[i].addr);
	vk_json_array_end(&j);
	vk_json_key(&j, "findings");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < f->n; i++) {
		const struct vk_finding *x = &f->v[i];

		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "rule", x->rule->id);
		vk_json_kv_string(&j, "severity", vk_severity_name(x->rule->severity));
		vk_json_kv_string(&j, "token", cl->args[x->arg].raw);
		vk_json_kv_uint(&j, "line", lines ? line_of(text, cl->args[x->arg].off) : 1);
		vk_json_kv_string(&j, "message", x->message);
		vk_json_kv_string(&j, "fix", x->fix);
		vk_json_kv_string(&j, "reference", x->rule->reference);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_kv_uint(&j, "problems", vk_findings_problems(f));
	vk_json_object_end(&j);
}

static int cmd_lint(struct vk_ctx *ctx, int argc, char **argv)
{
	struct lint_opts o = {};
	struct vk_file file = {};
	struct vk_cmdline *cl = NULL;
	struct vk_lint_host host = {};
	struct vk_findings f = {};
	_cleanup_free_ char *joined = NULL, *display = NULL;
	const char *text, *source;
	bool lines = true;
	int r;

	r = lint_parse(argc, argv, &o);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (o.list_rules) {
		list_rules(ctx);
		return VK_EXIT_OK;
	}
	if (o.n_args > 0) {
		size_t len = 0;

		for (int i = 0; i < o.n_args; i++)
			len += strlen(o.args[i]) + 1;
		joined = calloc(1, len + 1);
		if (!joined)
			goto nomem;
		for (int i = 0; i < o.n_args; i++) {
			if (i)
				strcat(joined, " ");
			strcat(joined, o.args[i]);
		}
		text = joined;
		source = "arguments";
		lines = false;
	} else {
		if (o.file) {
			source = o.file;
			r = load_user_file(o.file, &file);
		} else {
			source = VK_PATH_PROC_CMDLINE;
			r = vk_file_load(ctx->rootfd, VK_PATH_PROC_CMDLINE, VK_MAX_CMDLINE_FILE,
					 &file);
			display = vk_ctx_path(ctx, VK_PATH_PROC_CMDLINE);
			if (!display)
				goto nomem;
			source = display;
		}
		if (r == 0 && !file.exists)
			r = -ENOENT;
		if (r < 0) {
			vk_err("%s: %s", source,
			       r == -EFBIG ? "larger than 1 MiB: not a kernel command line"
					   : strerror(-r));
			r = VK_EXIT_ERROR;
			goto out;
		}
		text = file.data;
	}
	r = vk_cmdline_parse(text, strlen(text), &cl);
	if (r == 0 && strlen(text) != (o.n_args ? strlen(joined) : file.len))
		r = -EINVAL;
	if (r == -EINVAL) {
		vk_err("%s: holds a NUL byte: not a kernel command line", source);
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (r < 0)
		goto nomem;
	r = vk_lint_host_read(ctx, &host);
	if (r == 0)
		r = vk_lint_check(cl, &host, &f);
	if (r < 0)
		goto nomem;
	if (ctx->json)
		lint_print_json(source, lines, text, cl, &host, &f);
	else
		lint_print_text(source, lines, text, cl, &f);
	r = vk_findings_problems(&f) ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	vk_findings_clear(&f);
	vk_lint_host_clear(&host);
	vk_cmdline_free(cl);
	vk_file_clear(&file);
	return r;
}

/* ---- set and remove ----------------------------------------------------- */

struct edit_opts {
	enum vk_cmdline_op_kind kind;
	enum vk_boot_method method;
	bool dry_run, all_entries, mkconfig;
	const char *devices[MAX_DEVICES];
	size_t n_devices;
	char **args;
	int n_args;
};

static int edit_parse(int argc, char **argv, struct edit_opts *o, const char *verb)
{
	static const struct option options[] = {
		{ "bootloader", required_argument, NULL, 'b' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "all-entries", no_argument, NULL, 'a' },
		{ "device", required_argument, NULL, 'd' },
		{ "mkconfig", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (vk_boot_method_parse(optarg, &o->method) < 0)
				return vk_usage_error("cmdline %s: unknown boot method '%s' (grub, "
						      "kernel-cmdline, builtin or auto)",
						      verb, optarg);
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'a':
			o->all_entries = true;
			break;
		case 'd':
			if (o->n_devices == MAX_DEVICES)
				return vk_usage_error("cmdline %s: too many --device", verb);
			o->devices[o->n_devices++] = optarg;
			break;
		case 'm':
			o->mkconfig = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("cmdline %s: option '%s' needs an argument", verb,
					      argv[optind - 1]);
		default:
			return vk_usage_error("cmdline %s: unknown option '%s'", verb,
					      argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	if (!o->n_args && !o->n_devices)
		return vk_usage_error(
			"cmdline %s: nothing to %s: give arguments (iommu=pt) or name "
			"the devices with --device",
			verb, verb);
	return 0;
}

static int run_mkconfig(struct vk_ctx *ctx)
{
	const char *cfg = vk_grub_cfg_path(ctx);
	static const char *const tools[] = { "grub-mkconfig", "grub2-mkconfig" };
	int r = -ENOENT;

	if (*ctx->prefix) {
		vk_err("--mkconfig runs this host's grub-mkconfig, which reads this host's "
		       "/etc/default/grub: not with --root; run it inside the system");
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < ARRAY_SIZE(tools) && r == -ENOENT; i++) {
		const char *argv[] = { tools[i], "-o", cfg, NULL };
		int status;

		fflush(stdout);
		r = vk_spawn(argv, NULL, &status, NULL);
		if (r < 0)
			continue;
		if (status) {
			vk_err("%s -o %s failed (%s %d): %s is as before or incomplete, see above",
			       tools[i], cfg, status > 128 ? "signal" : "exit status",
			       status > 128 ? status - 128 : status, cfg);
			return VK_EXIT_ERROR;
		}
		printf("%s -o %s: done\n", tools[i], cfg);
		return VK_EXIT_OK;
	}
	vk_err("neither grub-mkconfig nor grub2-mkconfig is in PATH: %s", strerror(-r));
	return VK_EXIT_ERROR;
}

static int cmd_edit(struct vk_ctx *ctx, int argc, char **argv, enum vk_cmdline_op_kind kind)
{
	const char *verb = kind == VK_CMDLINE_SET ? "set" : "remove";
	struct edit_opts o = { .kind = kind };
	struct vk_cmdline_req req;
	struct vk_cmdline_plan p;
	int r;

	r = edit_parse(argc, argv, &o, verb);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	req = (struct vk_cmdline_req){ .kind = kind,
				       .method = o.method,
				       .all_entries = o.all_entries,
				       .grub_only = o.mkconfig,
				       .args = (const char *const *)o.args,
				       .n_args = (size_t)o.n_args,
				       .devices = o.devices,
				       .n_devices = o.n_devices };
	r = vk_cmdline_plan(ctx, &req, &p);
	vk_cmd_notes(ctx, &p.notes, VK_NOTES_REPORT);
	vk_cmd_refused(&p.changes);
	if (r == -EINVAL) {
		r = vk_usage_error("cmdline %s: %s", verb, p.usage);
		goto out;
	}
	if (r == -ENOMEM)
		vk_err("out of memory");
	if (r < 0) {
		r = VK_EXIT_ERROR;
		goto out;
	}
	/* grub-mkconfig writes to /boot: it must be the right file system. */
	if (p.boot_unmounted && o.mkconfig && !o.dry_run) {
		vk_err("%s/boot (%s%s%s) is in /etc/fstab but not mounted: mount it first, "
		       "grub-mkconfig would write %s on the root file system; nothing changed",
		       ctx->prefix, p.boot.source, *p.boot.device ? " on " : "", p.boot.device,
		       vk_grub_cfg_path(ctx));
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (p.unchanged && ctx->verbosity >= 0)
		printf("%s\n", p.unchanged);
	for (size_t i = 0; i < p.changes.n; i++) {
		r = vk_cmd_write_change(ctx, &p.changes.v[i], o.dry_run, ctx->verbosity, NULL);
		if (r)
			goto out;
	}
	r = VK_EXIT_OK;
	if (o.dry_run)
		goto out;
	vk_cmd_notes(ctx, &p.after, 1u << VK_NOTE_WARN);
	if (o.mkconfig)
		r = run_mkconfig(ctx);
	else
		vk_cmd_notes(ctx, &p.after, VK_NOTES_NEXT);
out:
	vk_cmdline_plan_clear(&p);
	return r;
}

static int cmd_set(struct vk_ctx *ctx, int argc, char **argv)
{
	return cmd_edit(ctx, argc, argv, VK_CMDLINE_SET);
}

static int cmd_remove(struct vk_ctx *ctx, int argc, char **argv)
{
	return cmd_edit(ctx, argc, argv, VK_CMDLINE_REMOVE);
}

/* ---- show --------------------------------------------------------------- */

struct method_view {
	const char *method, *file;
	bool present;
	char *cmdline;	/* what the kernel gets (normal entries) */
	char *recovery; /* GRUB's recovery entries */
	char *note;
};

static void view_clear(struct method_view *v)
{
	free(v->cmdline);
	free(v->recovery);
	free(v->note);
}

static int grub_view(struct vk_ctx *ctx, struct method_view *v)
{
	struct vk_grub_value lin = {}, def = {};
	struct vk_grub_error err;
	struct vk_grub *g = NULL;
	struct vk_file f;
	int r;

	v->method = "grub";
	v->file = VK_PATH_DEFAULT_GRUB;
	r = vk_file_load(ctx->rootfd, VK_PATH_DEFAULT_GRUB, VK_MAX_GRUB_FILE, &f);
	if (r < 0)
		return asprintf(&v->note, "%s", strerror(-r)) < 0 ? -ENOMEM : 0;
	v->present = f.exists;
	if (!f.exists) {
		vk_file_clear(&f);
		return 0;
	}
	r = vk_grub_parse(f.data, f.len, &g, &err);
	vk_file_clear(&f);
	if (r == -EINVAL)
		return asprintf(&v->note, "line %u: %s", err.line, err.msg) < 0 ? -ENOMEM : 0;
	if (r < 0)
		return r;
	r = vk_grub_value(g, VK_GRUB_LINUX, &lin);
	if (r == 0)
		r = vk_grub_value(g, VK_GRUB_LINUX_DEFAULT, &def);
	if (r == 0 && (asprintf(&v->cmdline, "root=<root device> ro %s%s%s", lin.text,
				*lin.text ? " " : "", def.text) < 0 ||
		       asprintf(&v->recovery, "root=<root device> ro single %s", lin.text) < 0))
		r = -ENOMEM;
	if (r == 0 && (lin.why || def.why) &&
	    asprintf(&v->note, "%s: %s", lin.why ? VK_GRUB_LINUX : VK_GRUB_LINUX_DEFAULT,
		     lin.why ? lin.why : def.why) < 0)
		r = -ENOMEM;
	vk_grub_value_clear(&lin);
	vk_grub_value_clear(&def);
	vk_grub_free(g);
	return r;
}

static int builtin_view(struct vk_ctx *ctx, struct method_view *v)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_BUILTIN_DOTCONFIG);
	struct vk_builtin b;
	struct vk_file f;
	char err[512];
	int r;

	v->method = "builtin";
	v->file = VK_PATH_BUILTIN_DOTCONFIG;
	if (!shown)
		return -ENOMEM;
	r = vk_file_load(ctx->rootfd, VK_PATH_BUILTIN_DOTCONFIG, VK_MAX_DOTCONFIG, &f);
	if (r < 0)
		return asprintf(&v->note, "%s", strerror(-r)) < 0 ? -ENOMEM : 0;
	v->present = f.exists;
	if (!f.exists) {
		vk_file_clear(&f);
		return 0;
	}
	r = vk_builtin_read(shown, f.data, f.len, &b, err, sizeof(err));
	vk_file_clear(&f);
	if (r == -EINVAL)
		return asprintf(&v->note, "%s", err) < 0 ? -ENOMEM : 0;
	if (r < 0)
		return r;
	if (b.enabled)
		v->cmdline = TAKE_PTR(b.cmdline);
	if (!b.known)
		r = asprintf(&v->note, "this kernel has no built-in command line");
	else if (!b.enabled)
		r = asprintf(&v->note, "CONFIG_CMDLINE_BOOL is not set: nothing is built in");
	else if (b.override)
		r = asprintf(&v->note,
			     "CONFIG_CMDLINE_OVERRIDE=y: the boot loader's line is ignored");
	vk_builtin_clear(&b);
	return r < 0 ? -ENOMEM : 0;
}

static int kernel_cmdline_view(struct vk_ctx *ctx, struct method_view *v)
{
	struct vk_file f;
	const char *from;
	int r;

	v->method = "kernel-cmdline";
	v->file = VK_PATH_KERNEL_CMDLINE;
	r = vk_file_load(ctx->rootfd, VK_PATH_KERNEL_CMDLINE, VK_MAX_CMDLINE_FILE, &f);
	if (r < 0)
		return asprintf(&v->note, "%s", strerror(-r)) < 0 ? -ENOMEM : 0;
	v->present = f.exists;
	if (f.exists) {
		v->cmdline = TAKE_PTR(f.data);
		vk_file_clear(&f);
		return 0;
	}
	vk_file_clear(&f);
	if (vk_kernel_cmdline_default(ctx, &v->cmdline, &from) == 0 &&
	    asprintf(&v->note, "not there: kernel-install would use %s", from) < 0)
		return -ENOMEM;
	return 0;
}

/* Newlines as spaces, trailing whitespace dropped: one line to show. */
static void one_line(char *s)
{
	size_t l;

	if (!s)
		return;
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	l = strlen(s);
	while (l > 0 && s[l - 1] == ' ')
		s[--l] = '\0';
}

static int cmd_show(struct vk_ctx *ctx, int argc, char **argv)
{
	struct method_view views[3] = {};
	struct vk_file running = {};
	enum vk_boot_method m = VK_BOOT_AUTO;
	char why[512];
	int detected, r = 0;

	for (int i = 1; i < argc; i++)
		if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
			help();
			return VK_EXIT_OK;
		}
	for (int i = 1; i < argc; i++)
		if (!streq(argv[i], "--"))
			return vk_usage_error("cmdline show: unexpected argument '%s'", argv[i]);
	vk_file_load(ctx->rootfd, VK_PATH_PROC_CMDLINE, VK_MAX_CMDLINE_FILE, &running);
	if (running.data)
		one_line(running.data);
	detected = vk_boot_detect(ctx, &m, why, sizeof(why));
	r = grub_view(ctx, &views[0]);
	if (r == 0)
		r = kernel_cmdline_view(ctx, &views[1]);
	if (r == 0)
		r = builtin_view(ctx, &views[2]);
	if (r < 0) {
		vk_err("out of memory");
		r = VK_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(views); i++) {
		one_line(views[i].cmdline);
		one_line(views[i].recovery);
	}
	if (ctx->json) {
		struct vk_json j;

		vk_json_init(&j, stdout);
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "running", running.exists ? running.data : NULL);
		vk_json_kv_string(&j, "boot_method", detected == 0 ? vk_boot_method_name(m) : NULL);
		vk_json_kv_string(&j, "boot_method_why", why);
		vk_json_key(&j, "methods");
		vk_json_array_begin(&j);
		for (size_t i = 0; i < ARRAY_SIZE(views); i++) {
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "method", views[i].method);
			vk_json_kv_string(&j, "file", views[i].file);
			vk_json_kv_bool(&j, "present", views[i].present);
			vk_json_kv_string(&j, "cmdline", views[i].cmdline);
			if (views[i].recovery)
				vk_json_kv_string(&j, "recovery", views[i].recovery);
			vk_json_kv_string(&j, "note", views[i].note);
			vk_json_object_end(&j);
		}
		vk_json_array_end(&j);
		vk_json_object_end(&j);
	} else {
		printf("%-16s %s\n",
		       "running:", running.exists ? running.data : "(no /proc/cmdline)");
		printf("%-16s %s (%s)\n",
		       "boot method:", detected == 0 ? vk_boot_method_name(m) : "unknown", why);
		for (size_t i = 0; i < ARRAY_SIZE(views); i++) {
			const struct method_view *v = &views[i];
			char label[32];

			snprintf(label, sizeof(label), "%s:", v->method);
			if (!v->present && !v->cmdline) {
				printf("%-16s (no %s)%s%s\n", label, v->file, v->note ? ": " : "",
				       v->note ? v->note : "");
				continue;
			}
			printf("%-16s %s%s\n", label, v->cmdline ? v->cmdline : "",
			       v->recovery ? "  [normal entries]" : "");
			if (v->recovery)
				printf("%-16s %s  [recovery entries]\n", "", v->recovery);
			if (v->note)
				printf("%-16s note: %s\n", "", v->note);
		}
	}
	r = VK_EXIT_OK;
out:
	for (size_t i = 0; i < ARRAY_SIZE(views); i++)
		view_clear(&views[i]);
	vk_file_clear(&running);
	return r;
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct vk_cmd verbs[] = {
	{ "show", cmd_show, "the command line each boot method would give the kernel", 0 },
	{ "lint", cmd_lint, "explain what is wrong with a command line", 0 },
	{ "set", cmd_set, "add or change arguments where the host keeps them", VK_CMD_NO_JSON },
	{ "remove", cmd_remove, "remove arguments where the host keeps them", VK_CMD_NO_JSON },
};

int cmd_cmdline(struct vk_ctx *ctx, int argc, char **argv)
{
	return vk_cmd_dispatch(ctx, verbs, ARRAY_SIZE(verbs), help, argc, argv);
}
