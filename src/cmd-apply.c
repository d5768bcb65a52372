// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit plan and apply: the whole setup /etc/vfiokit.conf describes, as
 * kconfig merge, modules write and cmdline set would make it. Their
 * planners (src/kconfig/plan.h, src/modules/plan.h, src/boot/plan.h) hand
 * back the changes; plan shows them as diffs, apply makes them in one
 * transaction (src/flow/transaction.h) that vfiokit undo restores from.
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
#include "flow/claims.h"
#include "libvirt/guests.h"
#include "flow/config.h"
#include "flow/flow.h"
#include "flow/journal.h"
#include "flow/transaction.h"
#include "kconfig/genkernel.h"
#include "kconfig/plan.h"
#include "boot/lint.h"
#include "boot/plan.h"
#include "modules/plan.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/strv.h"
#include "shared/write.h"

#define MAX_STATE_FILE (4u << 20)

struct opts {
	const char *verb;
	const char *config;	  /* --config FILE, a path of the caller */
	const char *profiles_dir; /* --profiles-dir, for kconfig merge */
	bool allow_host, dry_run;
	/* --force: apply even when an essential option is lost, or an old
	 * claim of the user's catches a device the host needs */
	bool force;
};

/* Everything one plan or apply has. */
struct flow {
	struct vk_conf conf;
	struct vk_conf_target *targets;
	size_t n_targets;
	struct vk_kconfig_run kconfig;
	struct vk_tx tx;	 /* the changes */
	bool partial;		 /* kconfig: some request did not survive */
	struct vk_claims claims; /* old claims of the host's devices */
	char *generator;	 /* what made the target kernel's initramfs, or NULL */
	char *doload;		 /* genkernel's doload= for the command line, or NULL */
};

static void flow_clear(struct flow *f)
{
	vk_conf_clear(&f->conf);
	free(f->targets);
	vk_kconfig_run_clear(&f->kconfig);
	vk_tx_clear(&f->tx);
	vk_claims_clear(&f->claims);
	free(f->generator);
	free(f->doload);
}

static void help(const char *verb)
{
	printf("Usage: vfiokit [--root DIR] [--json] %s [--config FILE] [--profiles-dir DIR]\n"
	       "                                 [--allow-host-device]%s [--force]\n"
	       "\n",
	       verb, streq(verb, "apply") ? " [--dry-run]" : "");
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
	       "route, and every device in an IOMMU group with one of them. An old claim\n"
	       "(vfio-pci.ids= or pci-stub.ids= in the boot configuration, 'options vfio-pci\n"
	       "ids=' in modprobe.d) that catches such a device is removed when vfiokit\n"
	       "wrote it (the journal says so), and refused with its file and line (exit 3)\n"
	       "when the user did, unless --force.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --config FILE        read FILE instead of /etc/vfiokit.conf\n"
	       "      --profiles-dir DIR   where the kconfig profiles are (as kconfig merge)\n"
	       "      --allow-host-device  hand over such a device anyway, with a warning\n");
	if (streq(verb, "apply"))
		printf("  -n, --dry-run            write nothing, show the plan instead\n");
	printf("      --force              go on when an essential kernel option (VFIO,\n"
	       "                           vfio-pci, the IOMMU driver...) will not be built,\n"
	       "                           or an old claim of yours catches a host device\n");
	printf("  -h, --help               show this help\n"
	       "\n"
	       "Exit status: 0 done; 1 error (a bad configuration, a refused device, a failed\n"
	       "write: nothing written, or see the journal); 2 usage error; 3 done, but some\n"
	       "kernel option did not survive kconfig (see above); or nothing was written\n"
	       "because an essential one did not survive, or an old claim of yours catches\n"
	       "a device the host needs (without --force).\n"
	       "\n"
	       "See vfiokit.conf(5) for the file, vfiokit(8) for the steps.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "allow-host-device", no_argument, NULL, 'A' },
		{ "profiles-dir", required_argument, NULL, 'P' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->verb = argv[0];
	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:nh", options, NULL)) != -1) {
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
		case 'n':
			o->dry_run = true;
			break;
		case 'F':
			o->force = true;
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
/* Progress on a terminal: kconfig merge can take seconds. */
static void step_begin(const struct vk_ctx *ctx, const char *step)
{
	if (ctx->verbosity >= 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "vfiokit: %s ...\n", step);
	fflush(stdout);
}

/* The step's changes into the transaction. */
static int take(const struct vk_ctx *ctx, struct flow *f, struct vk_changes *c, const char *step)
{
	int r = vk_tx_take(&f->tx, c);

	vk_changes_clear(c);
	if (r == -ENOMEM)
		vk_err("out of memory");
	vk_cmd_notes(ctx, &f->tx.notes, (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	vk_notes_clear(&f->tx.notes);
	if (r)
		vk_err("%s failed (see above): nothing written", step);
	return r ? VK_EXIT_ERROR : 0;
}

/* 1. The kernel configuration, through the kconfig planner. */
static int kconfig_step(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	const struct vk_conf *c = &f->conf;
	_cleanup_free_ char *kdir = NULL, *gk = NULL, *gkpath = NULL;
	char ktop[4096];
	struct vk_kconfig_req req = { .profiles_dir = o->profiles_dir,
				      .profiles = (const char *const *)c->profiles,
				      .n_profiles = c->n_profiles,
				      .dist_kernel = streq(c->kernel, "dist"),
				      .progress = vk_cmd_kconfig_progress,
				      .data = ctx };
	int r = 0;

	if (!req.dist_kernel) {
		kdir = vk_ctx_path(ctx, c->kernel);
		if (!kdir) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		req.kdir = kdir;
		/* The file names it: say where, not --kernel-dir. */
		snprintf(ktop, sizeof(ktop), "%s/Kconfig", c->kernel);
		if (faccessat(ctx->rootfd, vk_rel(ktop), F_OK, 0) < 0) {
			vk_err("%s:%u: kernel = \"%s\": %s is not a kernel source tree (no "
			       "Kconfig there): give the top of the sources (/usr/src/linux), "
			       "\"dist\" for a dist-kernel, or \"none\"",
			       c->path, c->kernel_line, c->kernel, kdir);
			return VK_EXIT_ERROR;
		}
		/* genkernel all starts from its /etc/kernels file: merge there. */
		if (faccessat(ctx->rootfd, vk_rel(VK_PATH_GENKERNEL_CONF), F_OK, 0) == 0)
			r = vk_genkernel_kconfig(ctx, kdir, &gk);
		if (r == -ENOMEM || (gk && !(gkpath = vk_ctx_path(ctx, gk)))) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		req.config = gkpath;
	}
	step_begin(ctx, "kconfig merge");
	r = vk_kconfig_plan_merge(ctx, &req, &f->kconfig);
	vk_cmd_kconfig_took(ctx, &f->kconfig);
	if (gk)
		vk_notes_add(&f->kconfig.notes, VK_NOTE_NOTICE,
			     "genkernel all starts from %s (the first of genkernel's own choices "
			     "that is there) and copies it over %s/.config after make mrproper: "
			     "the merge goes into %s",
			     gk, c->kernel, gk);
	vk_cmd_notes(ctx, &f->kconfig.notes,
		     (1u << VK_NOTE_NOTICE) | (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	if (r == -ESRCH && c->profiles_line) {
		/* A profile of the file, not an option: say where. */
		vk_err("%s:%u: %s", c->path, c->profiles_line, f->kconfig.usage);
		return VK_EXIT_ERROR;
	}
	if (r == -ESRCH)
		return vk_usage_error("%s", f->kconfig.usage);
	if (r) {
		vk_cmd_refused(&f->kconfig.changes);
		if (r == -ENOMEM)
			vk_err("out of memory");
		vk_err("kconfig merge failed (see above): nothing written");
		return VK_EXIT_ERROR;
	}
	if (f->kconfig.out && !ctx->json)
		vk_cmd_kconfig_report(ctx, &f->kconfig, f->kconfig.version, false, -1);
	f->partial = f->kconfig.n_failed > 0;
	return take(ctx, f, &f->kconfig.changes, "kconfig merge");
}

/* 2. modprobe.d and the initramfs, through the modules planner. */
static int modules_step(struct vk_ctx *ctx, struct flow *f)
{
	_cleanup_free_ const char **devices = calloc(f->n_targets + 1, sizeof(char *)),
				  **overrides = calloc(f->n_targets + 1, sizeof(char *));
	struct vk_modules_req req = { .devices = devices,
				      .overrides = overrides,
				      .ignore_msrs = f->conf.ignore_msrs };
	struct vk_modules_plan plan = {};
	int r;

	if (!devices || !overrides) {
		vk_err("out of memory");
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < f->n_targets; i++) {
		const struct vk_conf_target *t = &f->targets[i];

		if (t->claim == VK_CONF_PCI_STUB || (i && t->from == f->targets[i - 1].from))
			continue;
		if (t->claim == VK_CONF_OVERRIDE)
			overrides[req.n_overrides++] = t->addr;
		devices[req.n_devices++] = t->claim == VK_CONF_OVERRIDE ? t->addr : t->from->spec;
	}
	if (!req.n_devices)
		return 0;
	step_begin(ctx, "modules write");
	r = vk_modules_plan(ctx, &req, &plan);
	vk_cmd_notes(ctx, &plan.notes, (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	if (r) {
		if (r == -ENOMEM)
			vk_err("out of memory");
		vk_err("modules write failed (see above): nothing written");
		vk_modules_plan_clear(&plan);
		return r == -ENXIO ? VK_EXIT_PROBLEMS : VK_EXIT_ERROR;
	}
	r = take(ctx, f, &plan.changes, "modules write");
	f->generator = TAKE_PTR(plan.generator);
	f->doload = TAKE_PTR(plan.genkernel_doload);
	vk_modules_plan_clear(&plan);
	return r;
}

/* 3. The command line, through the cmdline planner: the IOMMU and ids,
 * pci-stub's, the extras. */
static int cmdline_step(struct vk_ctx *ctx, struct flow *f, bool allow_host)
{
	const struct vk_conf *c = &f->conf;
	_cleanup_free_ const char **devices = calloc(f->n_targets + 1, sizeof(char *)),
				  **args = calloc(c->n_arguments + 4, sizeof(char *));
	_cleanup_free_ char *doload = NULL;
	struct vk_cmdline_req req = {
		.kind = VK_CMDLINE_SET, .devices = devices, .args = args, .allow_host = allow_host
	};
	_cleanup_free_ const char **removes = calloc(f->claims.n + 1, sizeof(char *));
	struct vk_cmdline_plan plan = {};
	char ids[1024] = "", choose[1024];
	int r;

	snprintf(choose, sizeof(choose), "boot = \"grub\" or \"kernel-cmdline\" in %s%s", c->path,
		 c->boot_line ? "" : " (it is not set there: \"auto\")");
	if (c->boot_line)
		snprintf(choose + strlen(choose), sizeof(choose) - strlen(choose), ":%u",
			 c->boot_line);
	req.choose = choose;

	if (!devices || !args || !removes) {
		vk_err("out of memory");
		return VK_EXIT_ERROR;
	}
	if (vk_boot_method_parse(c->boot, &req.method) < 0) {
		vk_err("%s: unknown boot method '%s'", c->path, c->boot);
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < f->n_targets; i++) {
		const struct vk_conf_target *t = &f->targets[i];
		char id[16];

		if (t->claim == VK_CONF_VFIO_PCI && !(i && t->from == f->targets[i - 1].from)) {
			devices[req.n_devices++] = t->from->spec;
		} else if (t->claim == VK_CONF_PCI_STUB) {
			snprintf(id, sizeof(id), "%04x:%04x", t->vendor_id, t->device_id);
			if (!strstr(ids, id))
				snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s",
					 *ids ? "," : "pci-stub.ids=", id);
		}
	}
	/* The planner adds intel_iommu=on with devices; say it without. */
	if (!req.n_devices) {
		struct vk_lint_host host;

		if (vk_lint_host_read(ctx, &host) < 0) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		if (vk_lint_host_wants_intel_iommu_on(&host))
			args[req.n_args++] = "intel_iommu=on";
		vk_lint_host_clear(&host);
	}
	if (*ids)
		args[req.n_args++] = ids;
	/* genkernel's linuxrc loads its modules only when named there. */
	if (f->doload) {
		if (asprintf(&doload, "doload=%s", f->doload) < 0) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		args[req.n_args++] = doload;
	}
	for (size_t i = 0; i < c->n_arguments; i++)
		args[req.n_args++] = c->arguments[i];
	/* What vfiokit wrote that catches a host device goes. */
	for (size_t i = 0; i < f->claims.n; i++)
		if (f->claims.v[i].ours && !streq(f->claims.v[i].file, VK_PATH_MODPROBE_VFIOKIT))
			removes[req.n_removes++] = f->claims.v[i].arg;
	req.removes = removes;
	if (!req.n_devices && !req.n_args && !req.n_removes)
		return 0;
	step_begin(ctx, "cmdline set");
	r = vk_cmdline_plan(ctx, &req, &plan);
	vk_cmd_notes(ctx, &plan.notes,
		     (1u << VK_NOTE_NOTICE) | (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	if (r == -EINVAL)
		r = vk_usage_error("cmdline set: %s", plan.usage);
	else if (r == -ENOMEM)
		vk_err("out of memory");
	if (r) {
		vk_cmd_refused(&plan.changes);
		vk_err("cmdline set failed (see above): nothing written");
		vk_cmdline_plan_clear(&plan);
		return r > 0 ? r : VK_EXIT_ERROR;
	}
	r = take(ctx, f, &plan.changes, "cmdline set");
	vk_cmdline_plan_clear(&plan);
	return r;
}

/* 4. libvirt-guests shuts guests down at host shutdown, where libvirt is. */
static int guests_step(struct vk_ctx *ctx, struct flow *f)
{
	struct vk_changes c = {};
	struct vk_notes notes = {};
	int r = vk_libvirt_guests_plan(ctx, &c, &notes);

	vk_cmd_notes(ctx, &notes, (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	vk_notes_clear(&notes);
	if (r < 0) {
		vk_cmd_refused(&c);
		vk_changes_clear(&c);
		vk_err("%s",
		       r == -ENOMEM ? "out of memory" : "libvirt-guests failed: nothing written");
		return VK_EXIT_ERROR;
	}
	return take(ctx, f, &c, "libvirt-guests");
}

/* The steps. */
static int collect(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	int r = 0;

	if (!streq(f->conf.kernel, "none"))
		r = kconfig_step(ctx, o, f);
	if (r == 0)
		r = modules_step(ctx, f);
	if (r == 0)
		r = cmdline_step(ctx, f, o->allow_host);
	if (r == 0)
		r = guests_step(ctx, f);
	return r;
}

/* Is file a boot file that method (known) does not boot from? */
static bool boot_file_unused(enum vk_boot_method method, const char *file)
{
	bool grub = streq(file, VK_PATH_DEFAULT_GRUB), kc = streq(file, VK_PATH_KERNEL_CMDLINE);

	return (method == VK_BOOT_GRUB && kc) || (method == VK_BOOT_KERNEL_CMDLINE && grub) ||
	       (method == VK_BOOT_BUILTIN && (grub || kc));
}

/* Old claims that catch a device the host needs: vfiokit's go (the
 * cmdline step removes them, the modules step rewrites its own file), the
 * user's are refused unless --force. */
static int old_claims(const struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	enum vk_boot_method method = VK_BOOT_AUTO;
	char why[512];
	size_t refused = 0;
	bool modules = false;

	if (vk_claims_of_host(ctx, VK_CLAIMS_BOOT | VK_CLAIMS_MODPROBE, &f->claims) < 0) {
		vk_err("out of memory");
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < f->n_targets; i++)
		modules |= f->targets[i].claim != VK_CONF_PCI_STUB;
	/* The boot file this host does not boot from holds no threat (nor
	 * one the cmdline step could take a claim out of). */
	if (vk_boot_method_parse(f->conf.boot, &method) == 0 && method == VK_BOOT_AUTO &&
	    vk_boot_detect(ctx, &method, why, sizeof(why)) < 0)
		method = VK_BOOT_AUTO;
	for (size_t i = 0; i < f->claims.n; i++) {
		struct vk_claim *c = &f->claims.v[i];
		_cleanup_free_ char *shown = vk_ctx_path(ctx, c->file);
		bool own_file = streq(c->file, VK_PATH_MODPROBE_VFIOKIT);

		if (!shown) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		if (boot_file_unused(method, c->file)) {
			c->ours = false; /* not the cmdline step's to take out */
			continue;
		}
		if (c->ours && (!own_file || modules)) {
			if (!ctx->json)
				printf("%s:%u: %s catches %s, which %s; vfiokit wrote it, and "
				       "this plan takes it out\n",
				       shown, c->line, c->arg, c->addr, c->role);
			continue;
		}
		if (o->force) {
			vk_warn("%s:%u: %s catches %s, which %s; --force: going on, and the "
				"host may lose it at the next boot",
				shown, c->line, c->arg, c->addr, c->role);
			continue;
		}
		vk_err("%s:%u: %s catches %s, which %s: %s, or give --force", shown, c->line,
		       c->arg, c->addr, c->role,
		       c->ours ? "vfiokit wrote it, but this configuration claims nothing "
				 "through vfio-pci to rewrite that file with: 'vfiokit undo' "
				 "takes it out"
			       : "take that id out of that line (a claim by id takes every "
				 "device of that model)");
		refused++;
	}
	if (!refused)
		return 0;
	vk_err("nothing written: %zu old claim%s catch%s a device the host needs", refused,
	       refused == 1 ? "" : "s", refused == 1 ? "es" : "");
	return VK_EXIT_PROBLEMS;
}

/* Configuration, devices, refusals and the collected changes. */
static int prepare(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	struct vk_notes notes = {};
	size_t refused;
	char err[1024];
	int r;

	r = vk_conf_read(ctx, o->config, &f->conf, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	f->tx.rootfd = ctx->rootfd;
	f->tx.prefix = ctx->prefix;
	r = vk_conf_targets(ctx, &f->conf, &f->targets, &f->n_targets, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		return VK_EXIT_ERROR;
	}
	if (!f->n_targets)
		vk_warn("%s names no device: only the kernel configuration and the IOMMU "
			"arguments are set up",
			f->conf.path);
	refused = vk_flow_host_devices(ctx, f->targets, f->n_targets, o->allow_host, &notes);
	vk_cmd_notes(ctx, &notes, VK_NOTES_REPORT);
	vk_notes_clear(&notes);
	if (refused) {
		vk_err("nothing written");
		return VK_EXIT_ERROR;
	}
	r = old_claims(ctx, o, f);
	return r ? r : collect(ctx, o, f);
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

/* "config" and "devices" of the JSON report of plan and apply. */
static void json_devices(struct vk_json *j, const struct flow *f)
{
	vk_json_kv_string(j, "config", f->conf.path);
	vk_json_key(j, "devices");
	vk_json_array_begin(j);
	for (size_t i = 0; i < f->n_targets; i++) {
		char id[16];

		snprintf(id, sizeof(id), "%04x:%04x", f->targets[i].vendor_id,
			 f->targets[i].device_id);
		vk_json_object_begin(j);
		vk_json_kv_string(j, "name", f->targets[i].from->name);
		vk_json_kv_string(j, "address", f->targets[i].addr);
		vk_json_kv_string(j, "id", id);
		vk_json_kv_string(j, "claim", vk_conf_claim_name(f->targets[i].claim));
		vk_json_object_end(j);
	}
	vk_json_array_end(j);
}

static int next_steps(const struct vk_ctx *ctx, const struct flow *f, char ***steps, size_t *n)
{
	const struct vk_changes *c = &f->tx.changes;
	_cleanup_free_ const char **paths = calloc(c->n + 1, sizeof(char *));

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		paths[i] = c->v[i].f.target;
	return vk_flow_next_steps(ctx, paths, c->n, f->generator, true, steps, n);
}

/* The essential requests that did not survive kconfig, for plan and apply. */
static void essential_text(const struct vk_kconfig_run *run)
{
	printf("%zu essential kernel option%s will not be built: passthrough cannot work "
	       "without %s:\n",
	       run->n_essential, run->n_essential == 1 ? "" : "s",
	       run->n_essential == 1 ? "it" : "them");
	for (size_t i = 0; i < run->reqs.n_reqs; i++) {
		const struct vk_kconfig_outcome *oc = &run->out[i];

		if (oc->essential)
			printf("  CONFIG_%s=%s, is %s: %s\n", oc->req->sym, oc->req->value,
			       oc->final ? oc->final : "not set", oc->essential);
	}
}

static void essential_json(struct vk_json *j, const struct vk_kconfig_run *run)
{
	vk_json_array_begin(j);
	for (size_t i = 0; run->out && i < run->reqs.n_reqs; i++) {
		const struct vk_kconfig_outcome *oc = &run->out[i];

		if (!oc->essential)
			continue;
		vk_json_object_begin(j);
		vk_json_kv_string(j, "symbol", oc->req->sym);
		vk_json_kv_string(j, "requested", oc->req->value);
		vk_json_kv_string(j, "value", oc->final);
		vk_json_kv_string(j, "reason", oc->reason);
		vk_json_kv_string(j, "essential", oc->essential);
		vk_json_object_end(j);
	}
	vk_json_array_end(j);
}

static int do_plan(struct vk_ctx *ctx, struct flow *f)
{
	char **steps = NULL, hint[512];
	size_t n_steps = 0;
	struct vk_json j;
	int r = 0;

	if (next_steps(ctx, f, &steps, &n_steps) < 0)
		goto nomem;
	if (ctx->json) {
		vk_json_init(&j, stdout);
		vk_json_object_begin(&j);
		json_devices(&j, f);
		vk_json_key(&j, "changes");
		vk_json_array_begin(&j);
	} else {
		print_targets(f);
	}
	for (size_t i = 0; i < f->tx.changes.n; i++) {
		const struct vk_change *c = &f->tx.changes.v[i];
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
			putchar('\n');
			vk_print_diff(diff);
		}
	}
	if (ctx->json) {
		vk_json_array_end(&j);
		vk_json_key(&j, "essential_lost");
		essential_json(&j, &f->kconfig);
		vk_json_key(&j, "then");
		vk_json_array_begin(&j);
		for (size_t i = 0; f->tx.changes.n && i < n_steps; i++)
			vk_json_string(&j, steps[i]);
		vk_json_array_end(&j);
		vk_json_object_end(&j);
		putchar('\n');
	} else if (f->kconfig.n_essential) {
		printf("\n");
		essential_text(&f->kconfig);
		printf("%zu file%s would change, but '%s' writes nothing unless "
		       "--force.\n",
		       f->tx.changes.n, f->tx.changes.n == 1 ? "" : "s",
		       vk_ctx_hint(ctx, "apply", hint, sizeof(hint)));
	} else if (!f->tx.changes.n) {
		printf("\nNothing to change: the system already matches %s.\n", f->conf.path);
	} else {
		printf("\n%zu file%s would change ('%s' makes the change). Then:\n",
		       f->tx.changes.n, f->tx.changes.n == 1 ? "" : "s",
		       vk_ctx_hint(ctx, "apply", hint, sizeof(hint)));
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

/* What apply did, as JSON: the files changed so far, the journal, the
 * steps, and the error when it stopped. */
static void apply_json(const struct flow *f, bool journal, char **steps, size_t n_steps,
		       bool failed)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	json_devices(&j, f);
	vk_json_key(&j, "changes");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < f->tx.n_done; i++) {
		const struct vk_change *c = &f->tx.changes.v[i];

		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "path", c->f.target);
		vk_json_kv_string(&j, "action", c->f.exists ? "changed" : "created");
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_kv_string(&j, "journal", journal ? VK_PATH_JOURNAL : NULL);
	vk_json_kv_bool(&j, "complete", f->tx.n_done == f->tx.changes.n);
	vk_json_kv_bool(&j, "partial", f->partial);
	vk_json_key(&j, "then");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < n_steps; i++)
		vk_json_string(&j, steps[i]);
	vk_json_array_end(&j);
	if (failed)
		vk_json_kv_string(&j, "error", vk_log_first_error());
	vk_json_object_end(&j);
}

static int do_apply(struct vk_ctx *ctx, const struct opts *o, struct flow *f)
{
	char **steps = NULL, hint[512];
	size_t n_steps = 0;
	int r;

	if (f->kconfig.n_essential) {
		if (!ctx->json) {
			print_targets(f);
			essential_text(&f->kconfig);
		}
		if (!o->force) {
			vk_err("nothing written: the kernel built from this configuration cannot "
			       "pass devices through; fix the options above (vfiokit kconfig "
			       "explain SYMBOL), or give --force");
			return VK_EXIT_PROBLEMS;
		}
		vk_warn("--force: writing all the same");
	}
	if (!f->tx.changes.n) {
		if (ctx->json) {
			apply_json(f, false, NULL, 0, false);
		} else {
			if (!f->kconfig.n_essential)
				print_targets(f);
			printf("Nothing to change: the system already matches %s.\n", f->conf.path);
		}
		return f->partial ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	}
	if (!ctx->json && !f->kconfig.n_essential)
		print_targets(f);
	r = vk_tx_apply(&f->tx, f->conf.path, time(NULL));
	for (size_t i = 0; i < f->tx.n_done && !ctx->json; i++) {
		const struct vk_change *c = &f->tx.changes.v[i];

		printf("%s: %s\n", c->shown, c->f.exists ? "changed" : "created");
	}
	vk_cmd_notes(ctx, &f->tx.notes, VK_NOTES_REPORT);
	if (r == -ENOMEM)
		vk_err("out of memory");
	if (r == 0 && next_steps(ctx, f, &steps, &n_steps) < 0) {
		vk_err("out of memory");
		r = -ENOMEM;
	}
	if (ctx->json) {
		/* A journal is there once a file was changed. */
		apply_json(f, f->tx.n_done > 0, steps, n_steps, r != 0);
	} else if (r == 0) {
		printf("Recorded in %s%s ('%s' restores it all). Now:\n", ctx->prefix,
		       VK_PATH_JOURNAL, vk_ctx_hint(ctx, "undo", hint, sizeof(hint)));
		for (size_t i = 0; i < n_steps; i++)
			printf("  %s\n", steps[i]);
	}
	vk_strv_free(steps, n_steps);
	if (r)
		return VK_EXIT_ERROR;
	return f->partial ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
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
		r = streq(o.verb, "plan") || o.dry_run ? do_plan(ctx, &f) : do_apply(ctx, &o, &f);
	if (r == 0 && f.partial && (streq(o.verb, "plan") || o.dry_run))
		r = VK_EXIT_PROBLEMS;
	flow_clear(&f);
	return r;
}
