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
#include "kconfig/dotconfig.h"
#include "kconfig/explain.h"
#include "kconfig/kconfig.h"
#include "kconfig/merge.h"
#include "kconfig/profiles.h"
#include "kconfig/running.h"
#include "kconfig/tree.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/json.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/system.h"
#include "shared/write.h"

#ifndef PROFILES_DIR
#define PROFILES_DIR "/usr/share/vfiokit/profiles"
#endif

#define MAX_FRAGMENTS 32
#define CONFIG_MAX    (16u << 20)

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

/* Everything one run has loaded; cleared in one place. */
struct run {
	struct vk_profiles idx;
	struct vk_dotconfig frags[2 * MAX_FRAGMENTS];
	size_t n_frags;
	struct vk_requests reqs;
	struct vk_kconfig *kc;
	char *kdir, *config_path;
	char version[64];
};

static void run_clear(struct run *r)
{
	vk_requests_clear(&r->reqs);
	for (size_t i = 0; i < r->n_frags; i++)
		vk_dotconfig_clear(&r->frags[i]);
	vk_profiles_clear(&r->idx);
	vk_kconfig_free(r->kc);
	free(r->kdir);
	free(r->config_path);
}

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
	       "                      chosen by the CPU vendor in /proc/cpuinfo); profiles:\n"
	       "                      iommu-amd iommu-intel vfio kvm-amd kvm-intel bridge cpu-zen\n"
	       "  --kernel-dir DIR    the kernel source tree (default <root>/usr/src/linux)\n"
	       "  -O, --output DIR    its build directory, as make O= (default $KBUILD_OUTPUT)\n"
	       "  --config FILE       the .config (default: in the build directory)\n"
	       "  --running           check: the running kernel's configuration\n"
	       "                      (/proc/config.gz, else /boot/config-RELEASE)\n"
	       "  --dist-kernel       merge: write the fragments to /etc/kernel/config.d/\n"
	       "                      vfiokit.config for Gentoo's dist-kernel instead\n"
	       "  --dry-run           merge: show the changes as a diff, write nothing\n"
	       "  --profiles-dir DIR  where the profiles are (default " PROFILES_DIR ")\n"
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
	if (!o->outdir)
		o->outdir = getenv("KBUILD_OUTPUT");
	if (!o->profiles_dir)
		o->profiles_dir = PROFILES_DIR;
	return 0;
}

/* ---- files ------------------------------------------------------------- */

/* Load a file given as a path of this process (vk_file_* want a root
 * descriptor and an absolute path). */
static int load_file(const char *path, struct vk_file *f)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *abs = NULL;
	int r = vk_host_path(path, &fd, &abs);

	return r < 0 ? r : vk_file_load(fd, abs, CONFIG_MAX, f);
}

/* Show the change as a diff (--dry-run), or make it with a backup. f was
 * loaded from rootfd (see vk_file_load()); name is the file as shown. */
static int write_or_diff(const struct vk_ctx *ctx, const struct opts *o, int rootfd,
			 const char *prefix, const char *name, const struct vk_file *f,
			 const char *text, size_t len)
{
	struct vk_write w = { .rootfd = rootfd,
			      .prefix = prefix,
			      .shown = name,
			      .dry_run = o->dry_run,
			      .verbosity = ctx->json ? -1 : ctx->verbosity,
			      .collect = ctx->changes };

	return vk_cmd_write(&w, f, text, len, NULL);
}

static int slurp(const char *path, char **data, size_t *len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *abs = NULL;
	int r = vk_host_path(path, &fd, &abs);

	return r < 0 ? r : vk_file_read_all(fd, abs, CONFIG_MAX, data, len);
}

/* ---- loading ----------------------------------------------------------- */

/* A path given on the command line is taken as it is; a default one lives
 * under --root. Either way the result is a path for this process. */
static char *user_or_root(const struct vk_ctx *ctx, const char *given, const char *dflt)
{
	return given ? strdup(given) : vk_ctx_path(ctx, dflt);
}

static int load_fragment(struct run *run, const char *path)
{
	_cleanup_free_ char *data = NULL;
	char err[512];
	size_t len = 0;
	int r = slurp(path, &data, &len);

	if (r < 0) {
		vk_err("%s: %s", path, strerror(-r));
		return VK_EXIT_ERROR;
	}
	r = vk_dotconfig_parse(path, data, len, true, &run->frags[run->n_frags], err, sizeof(err));
	run->n_frags++;
	if (r == -EINVAL) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	if (r == 0)
		r = vk_requests_add(&run->reqs, &run->frags[run->n_frags - 1]);
	if (r < 0) {
		vk_err("%s: %s", path, strerror(-r));
		return VK_EXIT_ERROR;
	}
	return 0;
}

/* The profile names to use: as given, or by the CPU vendor for "auto". */
static int choose_profiles(const struct vk_ctx *ctx, struct opts *o, const struct run *run,
			   const char **names, size_t *n)
{
	bool any = o->n_profiles == 0 && o->n_fragments == 0;

	*n = 0;
	for (size_t i = 0; i < o->n_profiles; i++)
		if (streq(o->profiles[i], "auto"))
			any = true;
	if (any) {
		const char *vendor = vk_cpu_vendor(ctx);

		if (!vendor) {
			vk_err("%s/proc/cpuinfo: cannot tell the CPU vendor; name the profiles "
			       "with "
			       "--profile (iommu-amd, iommu-intel, vfio, kvm-amd, kvm-intel, "
			       "bridge, "
			       "cpu-zen)",
			       ctx->prefix);
			return VK_EXIT_ERROR;
		}
		for (size_t i = 0; i < run->idx.n_profiles; i++) {
			const struct vk_profile *p = &run->idx.profiles[i];

			if (streq(p->vendor, "any") || streq(p->vendor, vendor))
				names[(*n)++] = p->name;
		}
		if (ctx->verbosity >= 0 && !ctx->json)
			printf("Profiles for an %s processor (/proc/cpuinfo):", vendor);
	} else if (ctx->verbosity >= 0 && !ctx->json && o->n_profiles) {
		printf("Profiles:");
	}
	for (size_t i = 0; i < o->n_profiles; i++) {
		if (streq(o->profiles[i], "auto"))
			continue;
		if (!vk_profiles_find(&run->idx, o->profiles[i])) {
			vk_usage_error("kconfig: no profile '%s' in %s/profiles.conf",
				       o->profiles[i], run->idx.dir);
			return VK_EXIT_USAGE;
		}
		names[(*n)++] = o->profiles[i];
	}
	if (ctx->verbosity >= 0 && !ctx->json && *n) {
		for (size_t i = 0; i < *n; i++)
			printf(" %s", names[i]);
		printf("\n");
	}
	return 0;
}

static int load_requests(const struct vk_ctx *ctx, struct opts *o, struct run *run)
{
	const char *names[2 * MAX_FRAGMENTS];
	char err[512];
	size_t n;
	int r;

	r = vk_profiles_load(o->profiles_dir, &run->idx, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	r = choose_profiles(ctx, o, run, names, &n);
	for (size_t i = 0; !r && i < n; i++) {
		const struct vk_profile *p = vk_profiles_find(&run->idx, names[i]);
		_cleanup_free_ char *path = NULL;

		if (asprintf(&path, "%s/%s", run->idx.dir, p->file) < 0)
			return VK_EXIT_ERROR;
		r = load_fragment(run, path);
	}
	for (size_t i = 0; !r && i < o->n_fragments; i++)
		r = load_fragment(run, o->fragments[i]);
	for (size_t i = 0; !r && i < run->reqs.n_conflicts; i++) {
		const struct vk_conflict *c = &run->reqs.conflicts[i];

		vk_warn("%s:%u: CONFIG_%s=%s overrides CONFIG_%s=%s from %s:%u (the later fragment "
			"wins)",
			c->now.file, c->now.line, c->now.sym, c->now.value, c->was.sym,
			c->was.value, c->was.file, c->was.line);
	}
	return r;
}

/* The tree's Kconfig, when there is one. 0, or an exit status. */
static int load_tree(const struct vk_ctx *ctx, const struct opts *o, struct run *run)
{
	char err[512], path[4096];
	struct stat st;
	int r;

	run->kdir = user_or_root(ctx, o->kdir, VK_PATH_KERNEL_SRC);
	if (!run->kdir)
		return VK_EXIT_ERROR;
	snprintf(path, sizeof(path), "%s/Kconfig", run->kdir);
	if (stat(path, &st) < 0) {
		if (o->kdir) {
			vk_err("%s: no Kconfig here: is --kernel-dir the top of a kernel source "
			       "tree?",
			       run->kdir);
			return VK_EXIT_ERROR;
		}
		return 0;
	}
	r = vk_kconfig_load(run->kdir, "x86", &run->kc, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -EINVAL ? err : strerror(-r));
		if (r == -EINVAL)
			vk_err("the Kconfig reader does not know this syntax; the .config is "
			       "untouched");
		return VK_EXIT_ERROR;
	}
	if (vk_tree_version(run->kdir, run->version, sizeof(run->version)) < 0)
		run->version[0] = '\0';
	return 0;
}

/* A request for a symbol this tree lacks, with an alternative in the
 * index that the tree has (MZEN on an unpatched tree): ask for that one
 * instead, and say so. */
static void substitute_alternatives(const struct vk_ctx *ctx, struct run *run)
{
	for (size_t i = 0; run->kc && i < run->reqs.n_reqs; i++) {
		struct vk_request *r = &run->reqs.reqs[i];
		const struct vk_symnote *n = vk_profiles_note(&run->idx, r->sym);

		if (!n || !n->n_alternatives || vk_kconfig_defined(run->kc, r->sym))
			continue;
		for (size_t k = 0; k < n->n_alternatives; k++) {
			if (!vk_kconfig_defined(run->kc, n->alternatives[k]))
				continue;
			if (!ctx->json)
				printf("CONFIG_%s is not in this tree (%s): %s; asking for "
				       "CONFIG_%s=%s "
				       "instead\n",
				       r->sym, run->version, n->note ? n->note : "no such symbol",
				       n->alternatives[k], r->value);
			r->sym = n->alternatives[k];
			break;
		}
	}
}

/*
 * make localmodconfig / localyesconfig keep only the modules loaded at
 * that moment: vfio-pci, kvm, tun, vhost-net and bridge vanish. A base
 * with few modules and none of those is said to be one.
 */
static void detect_localmodconfig(const struct vk_ctx *ctx, const struct vk_dotconfig *c)
{
	static const char *const lost[] = { "VFIO_PCI", "KVM_AMD",   "KVM_INTEL",
					    "TUN",	"VHOST_NET", "BRIDGE" };
	size_t modules = 0, missing = 0;
	char names[256] = "";

	for (size_t i = 0; i < c->n_lines; i++)
		if (c->lines[i].kind == VK_CLINE_SET && streq(c->lines[i].value, "m"))
			modules++;
	for (size_t i = 0; i < ARRAY_SIZE(lost); i++)
		if (!vk_dotconfig_value(c, lost[i])) {
			missing++;
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 *names ? ", " : "", lost[i]);
		}
	/* Without CONFIG_MODULES (tinyconfig, say) there is nothing to lose. */
	if (modules < 500 && missing >= ARRAY_SIZE(lost) - 1 && !ctx->json &&
	    vk_dotconfig_value(c, "MODULES"))
		printf("This .config has only %zu modules and none of %s: a base made by 'make "
		       "localmodconfig' or 'localyesconfig' drops every module that was not loaded "
		       "at that moment. The profiles ask for them again.\n",
		       modules, names);
}

/* The .config to work on: --config, else in O= / KBUILD_OUTPUT, else in
 * the tree. */
static char *config_path(const struct vk_ctx *ctx, const struct opts *o, const struct run *run)
{
	char *p = NULL;

	if (o->config)
		return strdup(o->config);
	if (o->outdir) {
		if (asprintf(&p, "%s/.config", o->outdir) < 0)
			return NULL;
		return p;
	}
	if (asprintf(&p, "%s/.config", run->kdir) < 0)
		return NULL;
	return p;
}

/* ---- report ------------------------------------------------------------ */

struct outcome {
	const struct vk_request *req;
	const char *status; /* "kept"/"ok", "not kept"/"missing"/"wrong" */
	char *reason;	    /* NULL when met */
	const char *final;  /* the value in the result, NULL for not set */
};

static size_t judge(const struct run *run, const struct vk_dotconfig *result, const char *version,
		    bool check, struct outcome *out)
{
	struct vk_explain e = {
		.kc = run->kc, .idx = &run->idx, .config = result, .version = version
	};
	size_t failed = 0;

	for (size_t i = 0; i < run->reqs.n_reqs; i++) {
		const struct vk_request *r = &run->reqs.reqs[i];
		struct outcome *oc = &out[i];

		oc->req = r;
		oc->final = vk_dotconfig_value(result, r->sym);
		if (vk_request_met(r, result)) {
			oc->status = check ? "ok" : "kept";
			continue;
		}
		failed++;
		oc->status = !check ? "not kept" : oc->final ? "wrong" : "missing";
		oc->reason = vk_explain_request(&e, r);
	}
	return failed;
}

static void report(const struct vk_ctx *ctx, const struct run *run, const char *version,
		   struct outcome *out, size_t failed, bool check)
{
	size_t n = run->reqs.n_reqs;

	if (ctx->json) {
		struct vk_json j;

		vk_json_init(&j, stdout);
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "version", version && *version ? version : NULL);
		vk_json_key(&j, "requests");
		vk_json_array_begin(&j);
		for (size_t i = 0; i < n; i++) {
			char where[512];

			snprintf(where, sizeof(where), "%s:%u", out[i].req->file, out[i].req->line);
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "symbol", out[i].req->sym);
			vk_json_kv_string(&j, "requested", out[i].req->value);
			vk_json_kv_string(&j, "from", where);
			vk_json_kv_string(&j, "value", out[i].final);
			vk_json_kv_string(&j, "status", out[i].status);
			vk_json_kv_string(&j, "reason", out[i].reason);
			vk_json_object_end(&j);
		}
		vk_json_array_end(&j);
		vk_json_object_end(&j);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct outcome *oc = &out[i];

		if (!oc->reason && ctx->verbosity < 1 && !check)
			continue;
		printf("%-8s  CONFIG_%s=%s", oc->status, oc->req->sym, oc->req->value);
		if (oc->reason)
			printf("  (%s:%u)\n          %s\n", oc->req->file, oc->req->line,
			       oc->reason);
		else
			printf("\n");
	}
	if (ctx->verbosity >= 0)
		printf("%zu requested, %zu %s, %zu %s%s%s\n", n, n - failed, check ? "ok" : "kept",
		       failed, check ? "not ok" : "not kept",
		       version && *version ? " for Linux " : "", version ? version : "");
}

static void outcomes_free(struct outcome *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(out[i].reason);
	free(out);
}

/* ---- merge ------------------------------------------------------------- */

/* Gentoo's dist-kernel merges the files in /etc/kernel/config.d itself. */
static int write_dist_kernel(const struct vk_ctx *ctx, const struct opts *o, const struct run *run)
{
	_cleanup_free_ char *text = NULL, *shown = vk_ctx_path(ctx, VK_PATH_DIST_KERNEL_CONFIG);
	size_t len = 0;
	struct vk_file f;
	FILE *m = open_memstream(&text, &len);
	int r;

	if (!m || !shown)
		return VK_EXIT_ERROR;
	fprintf(m, "# Written by vfiokit kconfig merge --dist-kernel; Gentoo's dist-kernel\n"
		   "# merges it into the kernel's configuration when it builds.\n");
	for (size_t i = 0; i < run->reqs.n_reqs; i++) {
		const struct vk_request *q = &run->reqs.reqs[i];

		if (streq(q->value, "n"))
			fprintf(m, "# CONFIG_%s is not set\n", q->sym);
		else
			fprintf(m, "CONFIG_%s=%s\n", q->sym, q->value);
	}
	if (fclose(m) != 0)
		return VK_EXIT_ERROR;
	r = vk_file_load(ctx->rootfd, VK_PATH_DIST_KERNEL_CONFIG, CONFIG_MAX, &f);
	if (r < 0) {
		vk_err("%s: %s", shown, strerror(-r));
		return VK_EXIT_ERROR;
	}
	r = write_or_diff(ctx, o, ctx->rootfd, ctx->prefix, shown, &f, text, len);
	if (r == 0 && !o->dry_run && ctx->verbosity >= 0 && !ctx->json)
		printf("%zu options for the next dist-kernel build, which merges them; after "
		       "booting it, run 'vfiokit kconfig check --running'.\n",
		       run->reqs.n_reqs);
	vk_file_clear(&f);
	return r;
}

/* Resolve text with the tree's kconfig into *out (or take it as it is
 * without a tree). 0 or an exit status. */
static int resolve(const struct vk_ctx *ctx, const struct opts *o, const struct run *run,
		   const char *text, size_t len, char **out, size_t *olen)
{
	_cleanup_free_ char *log = NULL;
	int r;

	if (!run->kc) {
		if (!ctx->json)
			printf("No kernel tree at %s: the requests are merged but kconfig cannot "
			       "check "
			       "them (give --kernel-dir).\n",
			       run->kdir);
		*out = strndup(text, len);
		*olen = len;
		return *out ? 0 : VK_EXIT_ERROR;
	}
	struct timespec t0, t1;

	if (ctx->verbosity > 0)
		fprintf(stderr, "vfiokit: running make olddefconfig in %s\n", run->kdir);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = vk_tree_olddefconfig(run->kdir, o->outdir, text, len, out, olen, &log);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ctx->verbosity > 0)
		fprintf(stderr, "vfiokit: make olddefconfig took %.1f ms\n",
			(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				(double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (r == -ECHILD) {
		vk_err("make olddefconfig failed in %s; the .config is untouched:\n%s", run->kdir,
		       log ? log : "");
		return VK_EXIT_ERROR;
	}
	if (r < 0) {
		vk_err("make olddefconfig in %s: %s", run->kdir,
		       r == -ENOENT ? "make is not installed" : strerror(-r));
		return VK_EXIT_ERROR;
	}
	return 0;
}

static int do_merge(struct vk_ctx *ctx, struct opts *o)
{
	struct run run = {};
	struct vk_file f = {};
	struct vk_dotconfig base = {}, result = {};
	_cleanup_free_ char *text = NULL, *resolved = NULL;
	_cleanup_close_ int hostfd = -1;
	struct outcome *out = NULL;
	size_t len = 0, rlen = 0, failed = 0;
	char err[512];
	int rc, r;

	rc = load_requests(ctx, o, &run);
	if (rc == 0 && o->dist_kernel) {
		rc = write_dist_kernel(ctx, o, &run);
		goto out;
	}
	if (rc == 0)
		rc = load_tree(ctx, o, &run);
	if (rc)
		goto out;
	rc = VK_EXIT_ERROR;
	run.config_path = config_path(ctx, o, &run);
	if (!run.config_path)
		goto out;
	r = load_file(run.config_path, &f);
	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r < 0) {
		vk_err("%s: %s", run.config_path,
		       r == -ENOENT ? "no .config here: run genkernel, 'make defconfig' or 'make "
				      "localyesconfig' first, or give --config"
				    : strerror(-r));
		goto out;
	}
	r = vk_dotconfig_parse(run.config_path, f.data, f.len, false, &base, err, sizeof(err));
	if (r < 0) {
		vk_err("%s; the .config is untouched", r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	if (!*run.version && !vk_dotconfig_version(&base, run.version, sizeof(run.version)))
		run.version[0] = '\0';
	detect_localmodconfig(ctx, &base);
	substitute_alternatives(ctx, &run);
	if (vk_requests_apply(&run.reqs, &base) < 0 || !(text = vk_dotconfig_text(&base, &len)))
		goto out;
	rc = resolve(ctx, o, &run, text, len, &resolved, &rlen);
	if (rc)
		goto out;
	rc = VK_EXIT_ERROR;
	r = vk_dotconfig_parse(run.config_path, resolved, rlen, false, &result, err, sizeof(err));
	out = calloc(run.reqs.n_reqs + 1, sizeof(*out));
	if (r < 0 || !out) {
		vk_err("%s", r == -EINVAL ? err : strerror(ENOMEM));
		goto out;
	}
	failed = judge(&run, &result, run.version, false, out);
	report(ctx, &run, run.version, out, failed, false);
	if (o->dry_run && ctx->json) {
		rc = failed ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
		goto out;
	}
	hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (hostfd < 0) {
		vk_err("/: %s", strerror(errno));
		goto out;
	}
	rc = write_or_diff(ctx, o, hostfd, "", run.config_path, &f, resolved, rlen);
	if (rc)
		goto out;
	rc = failed ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
out:
	if (out)
		outcomes_free(out, run.reqs.n_reqs);
	vk_dotconfig_clear(&base);
	vk_dotconfig_clear(&result);
	vk_file_clear(&f);
	run_clear(&run);
	return rc;
}

/* ---- check ------------------------------------------------------------- */

static int do_check(struct vk_ctx *ctx, struct opts *o)
{
	struct run run = {};
	struct vk_dotconfig conf = {};
	_cleanup_free_ char *text = NULL;
	struct outcome *out = NULL;
	size_t len = 0, failed;
	char err[512], version[64] = "";
	int rc, r;

	rc = load_requests(ctx, o, &run);
	if (rc == 0)
		rc = load_tree(ctx, o, &run);
	if (rc)
		goto out;
	rc = VK_EXIT_ERROR;
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
		run.config_path = config_path(ctx, o, &run);
		if (!run.config_path)
			goto out;
		r = slurp(run.config_path, &text, &len);
		if (r < 0) {
			vk_err("%s: %s", run.config_path, strerror(-r));
			goto out;
		}
	}
	r = vk_dotconfig_parse(run.config_path, text, len, false, &conf, err, sizeof(err));
	out = calloc(run.reqs.n_reqs + 1, sizeof(*out));
	if (r < 0 || !out) {
		vk_err("%s", r == -EINVAL ? err : strerror(ENOMEM));
		goto out;
	}
	substitute_alternatives(ctx, &run);
	/* Checked against the configuration's own kernel, not uname -r. */
	if (!vk_dotconfig_version(&conf, version, sizeof(version)))
		snprintf(version, sizeof(version), "%s", run.version);
	if (!ctx->json && ctx->verbosity >= 0)
		printf("Checking %s\n", run.config_path);
	failed = judge(&run, &conf, version, true, out);
	report(ctx, &run, version, out, failed, true);
	rc = failed ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
out:
	if (out)
		outcomes_free(out, run.reqs.n_reqs);
	vk_dotconfig_clear(&conf);
	run_clear(&run);
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
	struct run run = {};
	struct vk_dotconfig conf = {};
	_cleanup_free_ char *text = NULL, *blockers = NULL;
	const struct vk_ksym *sym;
	char err[512], buf[1024];
	size_t len;
	int rc;

	rc = load_tree(ctx, o, &run);
	if (rc)
		goto out;
	rc = VK_EXIT_ERROR;
	if (!run.kc) {
		vk_err("%s: no kernel source tree (no Kconfig): give --kernel-dir", run.kdir);
		goto out;
	}
	run.config_path = config_path(ctx, o, &run);
	if (run.config_path && slurp(run.config_path, &text, &len) == 0 &&
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
	run_clear(&run);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(struct vk_ctx *ctx, struct opts *o);
} verbs[] = {
	{ "merge", do_merge },
	{ "check", do_check },
	{ "explain", do_explain },
};

int cmd_kconfig(struct vk_ctx *ctx, int argc, char **argv)
{
	struct opts o = {};
	int r;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		if (argc < 2)
			return vk_usage_error("kconfig: which verb? merge, check or explain");
		help();
		return VK_EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (!streq(argv[1], verbs[i].name))
			continue;
		r = parse_args(verbs[i].name, argc - 1, argv + 1, &o);
		if (r)
			return r < 0 ? VK_EXIT_OK : r;
		return verbs[i].fn(ctx, &o);
	}
	return vk_usage_error("kconfig: unknown verb '%s' (merge, check, explain)", argv[1]);
}
