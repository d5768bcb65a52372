// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit kconfig merge | check | explain: the kernel configuration for
 * IOMMU, VFIO, KVM, bridging and the CPU family, against the target
 * kernel's own Kconfig tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "kconfig/cpu.h"
#include "kconfig/dotconfig.h"
#include "kconfig/explain.h"
#include "kconfig/kconfig.h"
#include "kconfig/merge.h"
#include "kconfig/plan.h"
#include "kconfig/profiles.h"
#include "kconfig/running.h"
#include "kconfig/tree.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/system.h"
#include "shared/write.h"

#define MAX_FRAGMENTS VK_KCONFIG_MAX_FRAGMENTS

struct opts {
	const char *config; /* --config, as given */
	const char *kdir;   /* --kernel-dir, as given */
	const char *outdir; /* -O / KBUILD_OUTPUT */
	const char *profiles_dir;
	const char *profiles[MAX_FRAGMENTS]; /* names, or "auto" */
	size_t n_profiles;
	const char *fragments[MAX_FRAGMENTS]; /* files given as arguments */
	size_t n_fragments;
	bool dry_run, dist_kernel, running;
	const char *symbol; /* explain */
};

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] kconfig merge [options] [FRAGMENT...]\n"
	       "       vfiokit [--root DIR] [--json] kconfig check [options]\n"
	       "       vfiokit [--root DIR] kconfig explain [options] SYMBOL\n"
	       "\n"
	       "merge    merge the profiles' kconfig fragments (and FRAGMENT files) into the\n"
	       "         kernel's .config, let the kernel's own 'make olddefconfig' resolve\n"
	       "         it, and explain every requested value that did not survive\n"
	       "check    report each option the profiles need as ok, missing or wrong\n"
	       "explain  where SYMBOL is defined, its type, what it depends on and\n"
	       "         selects, and what blocks it in this configuration\n"
	       "\n"
	       "Options:\n"
	       "  --profile LIST      profiles to use, comma-separated, or 'auto' (the default:\n"
	       "                      chosen by the CPU vendor in /proc/cpuinfo, the IOMMU's\n"
	       "                      by the firmware's DMAR or IVRS table); profiles:\n"
	       "                      iommu-amd iommu-intel vfio kvm-amd kvm-intel bridge cpu-zen\n"
	       "  --kernel-dir DIR    the kernel source tree (default <root>/usr/src/linux)\n"
	       "  -O, --output DIR    its build directory, as make O= (default $KBUILD_OUTPUT)\n"
	       "  --config FILE       the .config (default: in the build directory)\n"
	       "  --running           check: the running kernel's configuration\n"
	       "                      (/proc/config.gz, else /boot/config-RELEASE)\n"
	       "  --dist-kernel       merge: write the fragments to /etc/kernel/config.d/\n"
	       "                      vfiokit.config for Gentoo's dist-kernel instead\n"
	       "  --dry-run           merge: show the changes as a diff, write nothing\n"
	       "  --profiles-dir DIR  where the profiles are (default " VK_PROFILES_DIR ")\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Exit status: 0 every request kept (merge) or ok (check); 1 error, the .config\n"
	       "untouched; 2 usage error; 3 some request did not survive or is not met.\n"
	       "\n"
	       "Example: vfiokit kconfig merge --dry-run --profile auto\n");
}

/* ---- options ----------------------------------------------------------- */

static int parse_args(const char *verb, int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "kernel-dir", required_argument, NULL, 'k' },
		{ "output", required_argument, NULL, 'O' },
		{ "config", required_argument, NULL, 'c' },
		{ "profiles-dir", required_argument, NULL, 'P' },
		{ "running", no_argument, NULL, 'r' },
		{ "dist-kernel", no_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":hO:", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			for (char *t = strtok(optarg, ","); t; t = strtok(NULL, ",")) {
				if (o->n_profiles == MAX_FRAGMENTS)
					return vk_usage_error("kconfig: too many profiles");
				o->profiles[o->n_profiles++] = t;
			}
			break;
		case 'k':
			o->kdir = optarg;
			break;
		case 'O':
			o->outdir = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'P':
			o->profiles_dir = optarg;
			break;
		case 'r':
			o->running = true;
			break;
		case 'd':
			o->dist_kernel = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("kconfig %s: option '%s' needs an argument", verb,
					      argv[optind - 1]);
		default:
			return vk_usage_error("kconfig %s: unknown option '%s'", verb,
					      argv[optind - 1]);
		}
	}
	for (; optind < argc; optind++) {
		if (streq(verb, "explain") && !o->symbol) {
			o->symbol = argv[optind];
			if (!strncmp(o->symbol, "CONFIG_", 7))
				o->symbol += 7;
			continue;
		}
		if (!streq(verb, "merge"))
			return vk_usage_error("kconfig %s: unexpected argument '%s'", verb,
					      argv[optind]);
		if (o->n_fragments == MAX_FRAGMENTS)
			return vk_usage_error("kconfig merge: too many fragments");
		o->fragments[o->n_fragments++] = argv[optind];
	}
	if (streq(verb, "explain") && !o->symbol)
		return vk_usage_error("kconfig explain: which SYMBOL?");
	if (o->running && o->config)
		return vk_usage_error("kconfig check: --running and --config exclude each other");
	if (o->running && !streq(verb, "check"))
		return vk_usage_error("kconfig %s: --running is for check", verb);
	if ((o->dry_run || o->dist_kernel) && !streq(verb, "merge"))
		return vk_usage_error("kconfig %s: --dry-run and --dist-kernel are for merge",
				      verb);
	if (o->dist_kernel && o->config)
		return vk_usage_error(
			"kconfig merge: --dist-kernel and --config exclude each other");
	if (!o->outdir)
		o->outdir = getenv("KBUILD_OUTPUT");
	return 0;
}

/* ---- report ------------------------------------------------------------ */

/* "version" and "requests" of the JSON report. */
static void report_json(struct vk_json *j, const struct vk_kconfig_run *run, const char *version)
{
	vk_json_kv_string(j, "version", version && *version ? version : NULL);
	vk_json_key(j, "requests");
	vk_json_array_begin(j);
	for (size_t i = 0; run->out && i < run->reqs.n_reqs; i++) {
		const struct vk_kconfig_outcome *o = &run->out[i];
		char where[512];

		snprintf(where, sizeof(where), "%s:%u", o->req->file, o->req->line);
		vk_json_object_begin(j);
		vk_json_kv_string(j, "symbol", o->req->sym);
		vk_json_kv_string(j, "requested", o->req->value);
		vk_json_kv_string(j, "from", where);
		vk_json_kv_string(j, "value", o->final);
		vk_json_kv_string(j, "status", o->status);
		vk_json_kv_string(j, "reason", o->reason);
		vk_json_kv_bool(j, "essential", o->essential != NULL);
		vk_json_object_end(j);
	}
	vk_json_array_end(j);
}

void vk_cmd_kconfig_report(const struct vk_ctx *ctx, const struct vk_kconfig_run *run,
			   const char *version, bool check, int verbosity)
{
	const struct vk_kconfig_outcome *out = run->out;
	size_t n = run->reqs.n_reqs, failed = run->n_failed;

	if (ctx->json) {
		struct vk_json j;

		vk_json_init(&j, stdout);
		vk_json_object_begin(&j);
		report_json(&j, run, version);
		vk_json_object_end(&j);
		return;
	}
	/* Without a tree every reason is the same: said once, not per line. */
	if (!run->kc && failed && verbosity >= 0)
		printf("No kernel tree: the requests not %s are not explained (give "
		       "--kernel-dir)\n",
		       check ? "ok" : "kept");
	for (size_t i = 0; i < n; i++) {
		const struct vk_kconfig_outcome *oc = &out[i];

		/* -q: only what is wrong. */
		if (!oc->reason && (verbosity < 0 || (verbosity < 1 && !check)))
			continue;
		printf("%-8s  CONFIG_%s=%s", oc->status, oc->req->sym, oc->req->value);
		if (oc->verdict == VK_VERDICT_BUILTIN)
			printf(", is y (built in, %s)",
			       check ? "as good as a module" : "kept as y");
		else if (oc->verdict != VK_VERDICT_MET)
			printf(", is %s", oc->final ? oc->final : "not set");
		if (!oc->reason)
			printf("\n");
		else if (!run->kc)
			printf("  (%s:%u)\n", oc->req->file, oc->req->line);
		else
			printf("  (%s:%u)\n          %s\n", oc->req->file, oc->req->line,
			       oc->reason);
		if (oc->essential)
			printf("          essential: %s\n", oc->essential);
	}
	if (verbosity >= 0)
		printf("%zu requested, %zu %s, %zu %s%s%s\n", n, n - failed, check ? "ok" : "kept",
		       failed, check ? "not ok" : "not kept",
		       version && *version ? " for Linux " : "", version ? version : "");
}

/* ---- merge ------------------------------------------------------------- */

void vk_cmd_kconfig_progress(const char *what, void *data)
{
	const struct vk_ctx *ctx = data;

	if (ctx->verbosity >= 0)
		fprintf(stderr,
			"vfiokit: %s (seconds; minutes on a tree that must build its "
			"kconfig tools first)\n",
			what);
}

void vk_cmd_kconfig_took(const struct vk_ctx *ctx, const struct vk_kconfig_run *run)
{
	if (run->kc && run->olddefconfig_ms > 0 && ctx->verbosity >= 0)
		fprintf(stderr, "vfiokit: make olddefconfig took %.1f s\n",
			run->olddefconfig_ms / 1000);
}

static void request_of(struct vk_ctx *ctx, const struct opts *o, struct vk_kconfig_req *req)
{
	*req = (struct vk_kconfig_req){ .profiles_dir = o->profiles_dir,
					.profiles = o->profiles,
					.n_profiles = o->n_profiles,
					.fragments = o->fragments,
					.n_fragments = o->n_fragments,
					.kdir = o->kdir,
					.outdir = o->outdir,
					.config = o->config,
					.dist_kernel = o->dist_kernel,
					.progress = vk_cmd_kconfig_progress,
					.data = ctx };
}

/* The exit status of a library call that failed, its notes printed. */
static int failed(const struct vk_ctx *ctx, const struct vk_kconfig_run *run, int r)
{
	vk_cmd_notes(ctx, &run->notes, VK_NOTES_REPORT);
	vk_cmd_refused(&run->changes);
	if (r == -ESRCH)
		return vk_usage_error("%s", run->usage);
	if (r == -ENOMEM)
		vk_err("out of memory");
	return VK_EXIT_ERROR;
}

/* merge --json: the report, then each file with what happened to it (the
 * diff with --dry-run), and the error that stopped it. */
static int merge_json(struct vk_ctx *ctx, const struct vk_kconfig_run *run, bool dry_run, int rc)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	report_json(&j, run, run->version);
	vk_json_key(&j, "files");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < run->changes.n; i++) {
		const struct vk_change *ch = &run->changes.v[i];
		bool same = vk_change_same(ch);
		_cleanup_free_ char *diff = NULL, *newname = NULL;
		int r = 0;

		if (dry_run && !same &&
		    (asprintf(&newname, "%s (vfiokit)", ch->shown) < 0 ||
		     vk_diff_unified(ch->shown, ch->f.data, ch->f.len, newname, ch->text, ch->len,
				     &diff) < 0))
			r = -ENOMEM;
		if (!dry_run && !same)
			r = vk_cmd_write_change(ctx, ch, false, -1, NULL);
		if (r) {
			if (r == -ENOMEM)
				vk_err("out of memory");
			rc = VK_EXIT_ERROR;
			break;
		}
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "path", ch->f.target);
		vk_json_kv_string(&j, "action",
				  same		 ? "unchanged"
				  : dry_run	 ? (ch->f.exists ? "would change" : "would create")
				  : ch->f.exists ? "changed"
						 : "created");
		if (dry_run)
			vk_json_kv_string(&j, "diff", diff);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	if (rc == VK_EXIT_ERROR)
		vk_json_kv_string(&j, "error", vk_log_first_error());
	vk_json_object_end(&j);
	return rc;
}

static int do_merge(struct vk_ctx *ctx, struct opts *o)
{
	struct vk_kconfig_req req;
	struct vk_kconfig_run run = {};
	int rc, r;

	request_of(ctx, o, &req);
	r = vk_kconfig_plan_merge(ctx, &req, &run);
	if (r) {
		rc = failed(ctx, &run, r);
		goto out;
	}
	vk_cmd_notes(ctx, &run.notes, VK_NOTES_REPORT);
	vk_cmd_kconfig_took(ctx, &run);
	if (run.out && !ctx->json)
		vk_cmd_kconfig_report(ctx, &run, run.version, false, ctx->verbosity);
	rc = run.n_failed ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	if (ctx->json) {
		rc = merge_json(ctx, &run, o->dry_run, rc);
		goto out;
	}
	for (size_t i = 0; i < run.changes.n; i++) {
		r = vk_cmd_write_change(ctx, &run.changes.v[i], o->dry_run, ctx->verbosity, NULL);
		if (r) {
			rc = r;
			goto out;
		}
	}
	if (!o->dry_run)
		vk_cmd_notes(ctx, &run.notes, VK_NOTES_NEXT);
out:
	vk_kconfig_run_clear(&run);
	return rc;
}

/* ---- check ------------------------------------------------------------- */

static int do_check(struct vk_ctx *ctx, struct opts *o)
{
	struct vk_kconfig_req req;
	struct vk_kconfig_run run = {};
	struct vk_dotconfig conf = {};
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	char err[512], version[64] = "";
	int rc = VK_EXIT_ERROR, r;

	request_of(ctx, o, &req);
	r = vk_kconfig_load_requests(ctx, &req, &run);
	if (r == 0)
		r = vk_kconfig_load_tree(ctx, &req, &run);
	if (r) {
		rc = failed(ctx, &run, r);
		goto out;
	}
	vk_cmd_notes(ctx, &run.notes, VK_NOTES_REPORT);
	vk_notes_clear(&run.notes);
	if (o->running) {
		r = vk_kconfig_read_running(ctx, &text, &len, &run.config_path);
		if (r == -EFBIG) {
			vk_err("%s: larger than %u MiB once inflated: not a kernel configuration",
			       run.config_path, VK_RUNNING_CONFIG_MAX >> 20);
			goto out;
		} else if (r < 0) {
			vk_err("the running kernel's configuration is not readable: "
			       "%s/proc/config.gz "
			       "needs CONFIG_IKCONFIG_PROC, and %s: %s",
			       ctx->prefix, run.config_path ? run.config_path : "/boot/config-*",
			       strerror(-r));
			goto out;
		}
	} else {
		run.config_path = vk_kconfig_config_path(&req, &run);
		if (!run.config_path)
			goto out;
		r = vk_kconfig_read(run.config_path, &text, &len);
		if (r < 0) {
			vk_err("%s: %s", run.config_path, strerror(-r));
			goto out;
		}
	}
	r = vk_dotconfig_parse(run.config_path, text, len, false, &conf, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -EINVAL ? err : strerror(ENOMEM));
		goto out;
	}
	if (!conf.index.n) {
		vk_err("%s: empty: not a kernel configuration", run.config_path);
		goto out;
	}
	if (run.per_cpu && vk_kconfig_cpu_choose(ctx, &run, &conf, false) < 0) {
		vk_err("out of memory");
		goto out;
	}
	vk_kconfig_substitute(&run);
	vk_cmd_notes(ctx, &run.notes, VK_NOTES_REPORT);
	/* Checked against the configuration's own kernel, not uname -r. */
	if (!vk_dotconfig_version(&conf, version, sizeof(version)))
		snprintf(version, sizeof(version), "%s", run.version);
	if (!ctx->json && ctx->verbosity >= 0)
		printf("Checking %s\n", run.config_path);
	if (vk_kconfig_judge(&run, &conf, version, true) < 0) {
		vk_err("out of memory");
		goto out;
	}
	vk_cmd_kconfig_report(ctx, &run, version, true, ctx->verbosity);
	rc = run.n_failed ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
out:
	vk_dotconfig_clear(&conf);
	vk_kconfig_run_clear(&run);
	return rc;
}

/* ---- explain ----------------------------------------------------------- */

static const char *type_name(enum vk_ktype t)
{
	static const char *const names[] = {
		"unknown", "bool", "tristate", "string", "int", "hex"
	};

	return names[t];
}

static int do_explain(struct vk_ctx *ctx, struct opts *o)
{
	struct vk_kconfig_req req;
	struct vk_kconfig_run run = {};
	struct vk_dotconfig conf = {};
	_cleanup_free_ char *text = NULL, *blockers = NULL;
	const struct vk_ksym *sym;
	char err[512], buf[1024];
	size_t len;
	int rc;

	request_of(ctx, o, &req);
	rc = vk_kconfig_load_tree(ctx, &req, &run);
	if (rc) {
		rc = failed(ctx, &run, rc);
		goto out;
	}
	rc = VK_EXIT_ERROR;
	if (!run.kc) {
		vk_err("%s: no kernel source tree (no Kconfig): give --kernel-dir", run.kdir);
		goto out;
	}
	run.config_path = vk_kconfig_config_path(&req, &run);
	if (run.config_path && vk_kconfig_read(run.config_path, &text, &len) == 0 &&
	    vk_dotconfig_parse(run.config_path, text, len, false, &conf, err, sizeof(err)) < 0) {
		vk_err("%s", err);
		goto out;
	}
	sym = vk_kconfig_defined(run.kc, o->symbol);
	if (!sym) {
		vk_err("CONFIG_%s: no such symbol in this kernel (%s)", o->symbol, run.version);
		rc = VK_EXIT_PROBLEMS;
		goto out;
	}
	struct vk_explain e = { .kc = run.kc, .config = &conf, .version = run.version };
	const char *value = vk_dotconfig_value(&conf, sym->name);

	blockers = vk_explain_blockers(&e, sym);
	printf("CONFIG_%s: %s, defined at %s:%u\n", sym->name, type_name(sym->type), sym->file,
	       sym->line);
	printf("  prompt:       %s\n", sym->has_prompt
					       ? "yes, the user can set it"
					       : "none: only a select or a default sets it");
	vk_kexpr_format(sym->depends, buf, sizeof(buf));
	printf("  depends on:   %s\n", sym->depends ? buf : "nothing");
	if (sym->visible) {
		char dep[1024];

		vk_kexpr_format(sym->depends, dep, sizeof(dep));
		vk_kexpr_format(sym->visible, buf, sizeof(buf));
		if (!sym->depends || !streq(dep, buf))
			printf("  visible if:   %s\n", buf);
	}
	printf("  selects:     ");
	len = 0;
	for (size_t i = 0; i < vk_kconfig_n_syms(run.kc); i++) {
		const struct vk_ksym *s = vk_kconfig_sym(run.kc, i);

		for (size_t k = 0; k < s->n_selected_by; k++)
			if (s->selected_by[k].by == sym && len++ < 12)
				printf(" %s", s->name);
	}
	printf("%s\n", len ? "" : " nothing");
	printf("  selected by: ");
	for (size_t i = 0; i < sym->n_selected_by && i < 12; i++)
		printf(" %s", sym->selected_by[i].by->name);
	printf("%s\n", sym->n_selected_by ? "" : " nothing");
	if (sym->choice)
		printf("  choice:       \"%s\" (%s:%u), %zu members\n",
		       sym->choice->prompt ? sym->choice->prompt : "", sym->choice->file,
		       sym->choice->line, sym->choice->n_members);
	if (conf.name)
		printf("  in %s: %s\n", run.config_path, value ? value : "not set");
	printf("  blocked by:   %s\n", blockers && *blockers ? blockers : "nothing here");
	rc = VK_EXIT_OK;
out:
	vk_dotconfig_clear(&conf);
	vk_kconfig_run_clear(&run);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

static int run(struct vk_ctx *ctx, int argc, char **argv,
	       int (*fn)(struct vk_ctx *ctx, struct opts *o))
{
	struct opts o = {};
	int r = parse_args(argv[0], argc, argv, &o);

	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	return fn(ctx, &o);
}

static int cmd_merge(struct vk_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, do_merge);
}

static int cmd_check(struct vk_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, do_check);
}

static int cmd_explain(struct vk_ctx *ctx, int argc, char **argv)
{
	return run(ctx, argc, argv, do_explain);
}

static const struct vk_cmd verbs[] = {
	{ "merge", cmd_merge, "merge the profiles into the kernel's .config", 0 },
	{ "check", cmd_check, "report each option the profiles need", 0 },
	{ "explain", cmd_explain, "what SYMBOL depends on and what blocks it", VK_CMD_NO_JSON },
};

int cmd_kconfig(struct vk_ctx *ctx, int argc, char **argv)
{
	return vk_cmd_dispatch(ctx, verbs, ARRAY_SIZE(verbs), help, argc, argv);
}
