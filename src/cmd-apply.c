// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit plan and apply: the whole setup /etc/vfiokit.conf describes, as
 * the commands kconfig merge, modules write and cmdline set would do it.
 * Those commands run with their writes collected (ctx->changes); plan
 * shows them as diffs, apply writes them all with a journal that vfiokit
 * undo (src/cmd-undo.c) restores from.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "flow/config.h"
#include "flow/flow.h"
#include "flow/journal.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/json.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/strv.h"
#include "shared/system.h"
#include "shared/write.h"

#define MAX_STATE_FILE (4u << 20)

struct opts {
	const char *verb;
	const char *config;	  /* --config FILE, a path of the caller */
	const char *profiles_dir; /* --profiles-dir, for kconfig merge */
	bool allow_host;
};

/* Everything one plan or apply has. */
struct flow {
	struct vk_conf conf;
	struct vk_conf_target *targets;
	size_t n_targets;
	struct vk_collect col;
	bool partial; /* kconfig: some request did not survive */
};

static void flow_clear(struct flow *f)
{
	vk_conf_clear(&f->conf);
	free(f->targets);
	vk_changes_clear(&f->col.changes);
}

static void help(const char *verb)
{
	printf("Usage: vfiokit [--root DIR] %s [--config FILE] [--profiles-dir DIR]\n"
	       "                                 [--allow-host-device]\n"
	       "\n",
	       verb);
	if (streq(verb, "plan"))
		printf("Show every change the setup in /etc/vfiokit.conf makes, as unified diffs,\n"
		       "and the commands to run afterwards. Nothing is written.\n");
	else
		printf("Make the setup in /etc/vfiokit.conf: the kernel configuration (kconfig\n"
		       "merge), modprobe.d and the initramfs configuration (modules write) and "
		       "the\n"
		       "kernel command line (cmdline set). Each file is replaced atomically with "
		       "a\n"
		       "backup, and " VK_PATH_JOURNAL " records what changed so that\n"
		       "'vfiokit undo' can restore it. A second run changes nothing.\n");
	printf("\n"
	       "Devices the host runs on are refused before anything is written: the boot\n"
	       "VGA device, the root file system's disk controller, the NIC of the default\n"
	       "route, and every device in an IOMMU group with one of them.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE        read FILE instead of /etc/vfiokit.conf\n"
	       "      --profiles-dir DIR   where the kconfig profiles are (as kconfig merge)\n"
	       "      --allow-host-device  hand over such a device anyway, with a warning\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       "Exit status: 0 done; 1 error (a bad configuration, a refused device, a failed\n"
	       "write: nothing written, or see the journal); 2 usage error; 3 done, but some\n"
	       "kernel option did not survive kconfig (see above).\n"
	       "\n"
	       "See vfiokit.conf(5) for the file, vfiokit(8) for the steps.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "allow-host-device", no_argument, NULL, 'A' },
		{ "profiles-dir", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->verb = argv[0];
	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'A':
			o->allow_host = true;
			break;
		case 'P':
			o->profiles_dir = optarg;
			break;
		case 'h':
			help(o->verb);
			return -1;
		case ':':
			return vk_usage_error("%s: option '%s' needs an argument", o->verb,
					      argv[optind - 1]);
		default:
			return vk_usage_error("%s: unknown option '%s'", o->verb, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("%s: unexpected argument '%s'", o->verb, argv[optind]);
	return 0;
}

/* Run one command with its writes collected; 3 (kconfig's "some request
 * did not survive") is noted, not fatal. */
static int run_step(struct vk_ctx *ctx, struct flow *f, int (*fn)(struct vk_ctx *, int, char **),
		    char **argv, size_t argc)
{
	int saved = ctx->verbosity, r;

	/* Progress on a terminal: kconfig merge can take seconds. */
	if (saved >= 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "vfiokit: %s %s ...\n", argv[0], argv[1]);
	ctx->verbosity = -1;
	ctx->changes = &f->col;
	fflush(stdout);
	r = fn(ctx, (int)argc, argv);
	ctx->changes = NULL;
	ctx->verbosity = saved;
	if (r == VK_EXIT_PROBLEMS && fn == cmd_kconfig) {
		f->partial = true;
		r = 0;
	}
	if (r)
		vk_err("%s %s failed (see above): nothing written", argv[0], argv[1]);
	return r;
}

#define PUSH(v, n, s)                                  \
	do {                                           \
		if (vk_strv_push(&(v), &(n), (s)) < 0) \
			goto nomem;                    \
	} while (0)

/* The three steps, as their commands would be given. */
static int collect(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	const struct vk_conf *c = &f->conf;
	char **argv = NULL, ids[1024] = "", profiles[512] = "";
	_cleanup_free_ char *kdir = NULL;
	size_t argc = 0, n_opts;
	bool any_vfio = false;
	int r = 0;

	for (size_t i = 0; i < c->n_profiles; i++)
		snprintf(profiles + strlen(profiles), sizeof(profiles) - strlen(profiles), "%s%s",
			 i ? "," : "", c->profiles[i]);
	/* 1. The kernel configuration. */
	if (!streq(c->kernel, "none")) {
		PUSH(argv, argc, "kconfig");
		PUSH(argv, argc, "merge");
		PUSH(argv, argc, "--profile");
		PUSH(argv, argc, profiles);
		if (o->profiles_dir) {
			PUSH(argv, argc, "--profiles-dir");
			PUSH(argv, argc, o->profiles_dir);
		}
		if (streq(c->kernel, "dist")) {
			PUSH(argv, argc, "--dist-kernel");
		} else {
			kdir = vk_ctx_path(ctx, c->kernel);
			if (!kdir)
				goto nomem;
			PUSH(argv, argc, "--kernel-dir");
			PUSH(argv, argc, kdir);
		}
		r = run_step(ctx, f, cmd_kconfig, argv, argc);
		vk_strv_free(argv, argc);
		argv = NULL;
		argc = 0;
		if (r)
			return r;
	}
	/* 2. modprobe.d and the initramfs: vfio-pci's ids and overrides. */
	PUSH(argv, argc, "modules");
	PUSH(argv, argc, "write");
	for (size_t i = 0; i < f->n_targets; i++) {
		const struct vk_conf_target *t = &f->targets[i];

		if (t->claim == VK_CONF_PCI_STUB || (i && t->from == f->targets[i - 1].from))
			continue;
		any_vfio = true;
		PUSH(argv, argc, t->claim == VK_CONF_OVERRIDE ? "--override" : "--device");
		PUSH(argv, argc, t->claim == VK_CONF_OVERRIDE ? t->addr : t->from->spec);
	}
	if (c->ignore_msrs)
		PUSH(argv, argc, "--ignore-msrs");
	if (any_vfio)
		r = run_step(ctx, f, cmd_modules, argv, argc);
	vk_strv_free(argv, argc);
	argv = NULL;
	argc = 0;
	if (r)
		return r;
	/* 3. The command line: the IOMMU and ids, pci-stub's, the extras. */
	PUSH(argv, argc, "cmdline");
	PUSH(argv, argc, "set");
	PUSH(argv, argc, "--bootloader");
	PUSH(argv, argc, c->boot);
	any_vfio = false;
	for (size_t i = 0; i < f->n_targets; i++) {
		const struct vk_conf_target *t = &f->targets[i];
		char id[16];

		if (t->claim == VK_CONF_VFIO_PCI && i && t->from == f->targets[i - 1].from) {
			continue;
		} else if (t->claim == VK_CONF_VFIO_PCI) {
			PUSH(argv, argc, "--device");
			PUSH(argv, argc, t->from->spec);
			any_vfio = true;
		} else if (t->claim == VK_CONF_PCI_STUB) {
			snprintf(id, sizeof(id), "%04x:%04x", t->vendor_id, t->device_id);
			if (!strstr(ids, id))
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
					 *ids ? "," : "pci-stub.ids=", id);
		}
	}
	/* The arguments after "--", never taken as options. cmdline set adds
	 * intel_iommu=on for --device; say it without. */
	n_opts = argc;
	PUSH(argv, argc, "--");
	if (!any_vfio && streq(vk_cpu_vendor(ctx), "intel"))
		PUSH(argv, argc, "intel_iommu=on");
	if (*ids)
		PUSH(argv, argc, ids);
	for (size_t i = 0; i < c->n_arguments; i++)
		PUSH(argv, argc, c->arguments[i]);
	if (any_vfio || argc > n_opts + 1)
		r = run_step(ctx, f, cmd_cmdline, argv, argc);
	vk_strv_free(argv, argc);
	return r;
nomem:
	vk_strv_free(argv, argc);
	vk_err("out of memory");
	return VK_EXIT_ERROR;
}

/* Configuration, devices, refusals and the collected changes. */
static int prepare(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	char err[1024];
	int r;

	r = vk_conf_read(ctx, o->config, &f->conf, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	f->col.prefix = ctx->prefix;
	f->col.rootfd = ctx->rootfd;
	r = vk_conf_targets(ctx, &f->conf, &f->targets, &f->n_targets, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		return VK_EXIT_ERROR;
	}
	if (!f->n_targets)
		vk_warn("%s names no device: only the kernel configuration and the IOMMU "
			"arguments are set up",
			f->conf.path);
	if (vk_flow_host_devices(ctx, f->targets, f->n_targets, o->allow_host)) {
		vk_err("nothing written");
		return VK_EXIT_ERROR;
	}
	return collect(ctx, o, f);
}

static void print_targets(const struct flow *f)
{
	printf("%s: %zu device%s\n", f->conf.path, f->n_targets, f->n_targets == 1 ? "" : "s");
	for (size_t i = 0; i < f->n_targets; i++) {
		const struct vk_conf_target *t = &f->targets[i];

		printf("  %-14s %-12s [%04x:%04x]  %s\n", t->addr, t->from->name, t->vendor_id,
		       t->device_id,
		       t->claim == VK_CONF_OVERRIDE   ? "vfio-pci by driver_override"
		       : t->claim == VK_CONF_PCI_STUB ? "pci-stub by id"
						      : "vfio-pci by id");
	}
}

static int next_steps(const struct vk_ctx *ctx, const struct vk_changes *c, char ***steps,
		      size_t *n)
{
	_cleanup_free_ const char **paths = calloc(c->n + 1, sizeof(char *));

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		paths[i] = c->v[i].f.target;
	return vk_flow_next_steps(ctx, paths, c->n, true, steps, n);
}

static int do_plan(struct vk_ctx *ctx, struct flow *f)
{
	char **steps = NULL;
	size_t n_steps = 0;
	struct vk_json j;
	int r = 0;

	if (next_steps(ctx, &f->col.changes, &steps, &n_steps) < 0)
		goto nomem;
	if (ctx->json) {
		vk_json_init(&j, stdout);
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "config", f->conf.path);
		vk_json_key(&j, "devices");
		vk_json_array_begin(&j);
		for (size_t i = 0; i < f->n_targets; i++) {
			char id[16];

			snprintf(id, sizeof(id), "%04x:%04x", f->targets[i].vendor_id,
				 f->targets[i].device_id);
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "name", f->targets[i].from->name);
			vk_json_kv_string(&j, "address", f->targets[i].addr);
			vk_json_kv_string(&j, "id", id);
			vk_json_kv_string(&j, "claim", vk_conf_claim_name(f->targets[i].claim));
			vk_json_object_end(&j);
		}
		vk_json_array_end(&j);
		vk_json_key(&j, "changes");
		vk_json_array_begin(&j);
	} else {
		print_targets(f);
	}
	for (size_t i = 0; i < f->col.changes.n; i++) {
		const struct vk_change *c = &f->col.changes.v[i];
		_cleanup_free_ char *shown = vk_ctx_path(ctx, c->f.target), *newname = NULL,
				    *diff = NULL;

		if (!shown || asprintf(&newname, "%s (vfiokit)", shown) < 0 ||
		    vk_diff_unified(shown, c->f.data, c->f.len, newname, c->text, c->len, &diff) <
			    0)
			goto nomem;
		if (ctx->json) {
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "path", c->f.target);
			vk_json_kv_bool(&j, "new", !c->f.exists);
			vk_json_kv_string(&j, "diff", diff);
			vk_json_object_end(&j);
		} else {
			printf("\n%s", diff);
		}
	}
	if (ctx->json) {
		vk_json_array_end(&j);
		vk_json_key(&j, "then");
		vk_json_array_begin(&j);
		for (size_t i = 0; f->col.changes.n && i < n_steps; i++)
			vk_json_string(&j, steps[i]);
		vk_json_array_end(&j);
		vk_json_object_end(&j);
		putchar('\n');
	} else if (!f->col.changes.n) {
		printf("\nNothing to change: the system already matches %s.\n", f->conf.path);
	} else {
		printf("\n%zu file%s would change ('vfiokit apply' makes the change). Then:\n",
		       f->col.changes.n, f->col.changes.n == 1 ? "" : "s");
		for (size_t i = 0; i < n_steps; i++)
			printf("  %s\n", steps[i]);
	}
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	vk_strv_free(steps, n_steps);
	return r;
}

/* Write text to abs under the root as a whole new version (a backup or
 * the journal). 0 or -errno. */
static int put_state_file(const struct vk_ctx *ctx, const char *abs, const char *text, size_t len)
{
	struct vk_file f;
	int r = vk_mkdir_parents(ctx->rootfd, vk_rel(abs));

	if (r == 0)
		r = vk_file_load(ctx->rootfd, abs, MAX_STATE_FILE, &f);
	if (r == 0) {
		r = vk_file_replace(ctx->rootfd, &f, text, len);
		vk_file_clear(&f);
	}
	return r;
}

static int load_journal(const struct vk_ctx *ctx, struct vk_journal *j)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_JOURNAL);
	char err[1024];
	int r = vk_journal_load(ctx->rootfd, shown ? shown : VK_PATH_JOURNAL, j, err, sizeof(err));

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		vk_err("%s; nothing written", r == -ENOMEM ? "out of memory" : err);
	return r < 0 ? VK_EXIT_ERROR : 0;
}

static int save_journal(const struct vk_ctx *ctx, const struct vk_journal *j)
{
	_cleanup_free_ char *text = vk_journal_render(j);
	int r = text ? put_state_file(ctx, VK_PATH_JOURNAL, text, strlen(text)) : -ENOMEM;

	if (r < 0)
		vk_err("%s%s: %s; nothing more written", ctx->prefix, VK_PATH_JOURNAL,
		       strerror(-r));
	return r < 0 ? VK_EXIT_ERROR : 0;
}

/*
 * Enter c into the journal. A file new to it gets a copy of its content
 * before. A file an earlier apply changed keeps that first content before,
 * and what it holds now is noted as "previous": if this apply stops before
 * the file is replaced, undo still knows it.
 */
static int journal_change(const struct vk_ctx *ctx, struct vk_journal *j, const struct vk_change *c)
{
	char now[VK_SHA256_HEX_LEN] = "";
	struct vk_jentry *e = vk_journal_find(j, c->f.target);
	int r;

	if (c->f.exists)
		vk_sha256_hex(c->f.data, c->f.len, now);
	if (e) {
		if (!vk_jentry_as_before(e, c->f.exists, now) && !vk_jentry_applied(e, now))
			vk_warn("%s%s changed since the last apply: 'vfiokit undo' will put back "
				"the version from before the first apply (and keep the one it "
				"replaces as %s%s%s)",
				ctx->prefix, c->f.target, ctx->prefix, c->f.target,
				VK_BACKUP_SUFFIX);
		snprintf(e->previous, sizeof(e->previous), "%s", now);
		vk_sha256_hex(c->text, c->len, e->after);
		return 0;
	}
	e = vk_journal_add(j, c->f.target);
	if (!e)
		return -ENOMEM;
	e->existed = c->f.exists;
	snprintf(e->before, sizeof(e->before), "%s", now);
	vk_sha256_hex(c->text, c->len, e->after);
	if (!c->f.exists)
		return 0;
	if (asprintf(&e->backup, "%s/%lu%s", VK_PATH_BACKUPS, j->generation, c->f.target) < 0) {
		e->backup = NULL;
		return -ENOMEM;
	}
	r = put_state_file(ctx, e->backup, c->f.data, c->f.len);
	if (r < 0)
		vk_err("%s%s: %s; nothing written", ctx->prefix, e->backup, strerror(-r));
	return r;
}

static int do_apply(struct vk_ctx *ctx, struct flow *f)
{
	struct vk_journal j;
	char **steps = NULL, now[32];
	size_t n_steps = 0;
	time_t t = time(NULL);
	int r;

	print_targets(f);
	if (!f->col.changes.n) {
		printf("Nothing to change: the system already matches %s.\n", f->conf.path);
		return f->partial ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	}
	r = load_journal(ctx, &j);
	if (r)
		return r;
	j.generation++;
	free(j.config);
	free(j.time);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	j.config = strdup(f->conf.path);
	j.time = strdup(now);
	j.complete = false;
	if (!j.config || !j.time)
		goto nomem;
	for (size_t i = 0; i < f->col.changes.n; i++) {
		r = journal_change(ctx, &j, &f->col.changes.v[i]);
		if (r == -ENOMEM)
			goto nomem;
		if (r < 0) {
			r = VK_EXIT_ERROR;
			goto out;
		}
	}
	/* The journal first: from here on, undo knows every file. */
	r = save_journal(ctx, &j);
	if (r)
		goto out;
	for (size_t i = 0; i < f->col.changes.n; i++) {
		const struct vk_change *c = &f->col.changes.v[i];
		_cleanup_free_ char *shown = vk_ctx_path(ctx, c->f.target);
		int e = c->f.exists ? 0 : vk_mkdir_parents(ctx->rootfd, vk_rel(c->f.target));

		if (e == 0)
			e = vk_file_replace(ctx->rootfd, &c->f, c->text, c->len);
		if (e < 0) {
			vk_err("%s: %s; stopped here: 'vfiokit undo' restores the files changed "
			       "before it",
			       shown ? shown : c->f.target,
			       e == -ESTALE ? "changed by someone else meanwhile" : strerror(-e));
			r = VK_EXIT_ERROR;
			goto out;
		}
		printf("%s: %s\n", shown ? shown : c->f.target,
		       c->f.exists ? "changed" : "created");
	}
	j.complete = true;
	for (size_t i = 0; i < j.n; i++)
		j.v[i].previous[0] = '\0';
	r = save_journal(ctx, &j);
	if (r)
		goto out;
	if (next_steps(ctx, &f->col.changes, &steps, &n_steps) < 0)
		goto nomem;
	printf("Recorded in %s%s ('vfiokit undo' restores it all). Now:\n", ctx->prefix,
	       VK_PATH_JOURNAL);
	for (size_t i = 0; i < n_steps; i++)
		printf("  %s\n", steps[i]);
	r = f->partial ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	vk_strv_free(steps, n_steps);
	vk_journal_clear(&j);
	return r;
}

int cmd_apply(struct vk_ctx *ctx, int argc, char **argv)
{
	struct opts o = {};
	struct flow f = {};
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	r = prepare(ctx, &o, &f);
	if (r == 0)
		r = streq(o.verb, "plan") ? do_plan(ctx, &f) : do_apply(ctx, &f);
	if (r == 0 && f.partial && streq(o.verb, "plan"))
		r = VK_EXIT_PROBLEMS;
	flow_clear(&f);
	return r;
}
