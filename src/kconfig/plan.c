// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../pci/iommu.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "cpu.h"
#include "explain.h"
#include "plan.h"
#include "tree.h"

/* An error note; returns r. */
#define FAIL(run, r, ...)                                                \
	({                                                               \
		vk_notes_add(&(run)->notes, VK_NOTE_ERROR, __VA_ARGS__); \
		(r);                                                     \
	})

void vk_kconfig_run_clear(struct vk_kconfig_run *run)
{
	for (size_t i = 0; run->out && i < run->reqs.n_reqs; i++)
		free(run->out[i].reason);
	free(run->out);
	vk_requests_clear(&run->reqs);
	for (size_t i = 0; i < run->n_frags; i++)
		vk_dotconfig_clear(&run->frags[i]);
	vk_profiles_clear(&run->idx);
	vk_kconfig_free(run->kc);
	free(run->kdir);
	free(run->config_path);
	vk_dotconfig_clear(&run->result);
	vk_changes_clear(&run->changes);
	vk_notes_clear(&run->notes);
}

int vk_kconfig_read(const char *path, char **data, size_t *len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *abs = NULL;
	int r = vk_host_path(path, &fd, &abs);

	return r < 0 ? r : vk_file_read_all(fd, abs, VK_KCONFIG_MAX, data, len);
}

static int load_fragment(struct vk_kconfig_run *run, const char *path)
{
	_cleanup_free_ char *data = NULL;
	char err[512];
	size_t len = 0;
	int r = vk_kconfig_read(path, &data, &len);

	if (r < 0)
		return FAIL(run, r, "%s: %s", path, strerror(-r));
	r = vk_dotconfig_parse(path, data, len, true, &run->frags[run->n_frags], err, sizeof(err));
	run->n_frags++;
	if (r == -EINVAL)
		return FAIL(run, r, "%s", err);
	if (r == 0)
		r = vk_requests_add(&run->reqs, &run->frags[run->n_frags - 1]);
	if (r < 0)
		return FAIL(run, r, "%s: %s", path, strerror(-r));
	return 0;
}

/* "an intel IOMMU (the firmware's DMAR table)", or the guess said as one. */
static void iommu_words(const char *iommu, bool guess, char *buf, size_t size)
{
	if (!iommu)
		snprintf(buf, size, "an IOMMU of no known vendor");
	else if (guess)
		snprintf(buf, size,
			 "an %s IOMMU (a guess from the CPU: no DMAR or IVRS table, the IOMMU is "
			 "off in the firmware)",
			 iommu);
	else
		snprintf(buf, size, "an %s IOMMU (the firmware's %s table)", iommu,
			 streq(iommu, "intel") ? "DMAR" : "IVRS");
}

/* The profile names to use: as given, or for "auto" by the CPU's vendor
 * and, for the IOMMU profiles, the IOMMU's. */
static int choose_profiles(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			   struct vk_kconfig_run *run)
{
	bool any = req->n_profiles == 0 && req->n_fragments == 0, guess = false;
	const char *iommu = NULL;
	char line[1024], words[256] = "";
	size_t used;

	run->n_names = 0;
	for (size_t i = 0; i < req->n_profiles; i++)
		if (streq(req->profiles[i], "auto"))
			any = true;
	if (any) {
		run->vendor = vk_cpu_vendor(ctx);
		iommu = vk_iommu_vendor(ctx, &guess);
		if (!run->vendor)
			return FAIL(
				run, -ENODATA,
				"%s/proc/cpuinfo: cannot tell the CPU vendor; name the profiles "
				"with --profile (iommu-amd, iommu-intel, vfio, kvm-amd, "
				"kvm-intel, bridge, cpu-zen)",
				ctx->prefix);
		for (size_t i = 0; i < run->idx.n_profiles; i++) {
			const struct vk_profile *p = &run->idx.profiles[i];

			if (p->in_auto && vk_profile_applies(p, run->vendor, iommu))
				run->names[run->n_names++] = p->name;
		}
		iommu_words(iommu, guess, words, sizeof(words));
	}
	for (size_t i = 0; i < req->n_profiles; i++) {
		if (streq(req->profiles[i], "auto"))
			continue;
		if (!vk_profiles_find(&run->idx, req->profiles[i])) {
			snprintf(run->usage, sizeof(run->usage),
				 "kconfig: no profile '%s' in %s/profiles.conf", req->profiles[i],
				 run->idx.dir);
			return -ESRCH;
		}
		if (run->n_names < ARRAY_SIZE(run->names))
			run->names[run->n_names++] = req->profiles[i];
	}
	if (!run->n_names || (!any && !req->n_profiles))
		return 0;
	if (any)
		used = snprintf(line, sizeof(line),
				"Profiles for an %s processor (/proc/cpuinfo) and %s:", run->vendor,
				words);
	else
		used = snprintf(line, sizeof(line), "Profiles:");
	for (size_t i = 0; i < run->n_names && used < sizeof(line); i++)
		used += snprintf(line + used, sizeof(line) - used, " %s", run->names[i]);
	return vk_notes_add(&run->notes, VK_NOTE_INFO, "%s", line);
}

int vk_kconfig_load_requests(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			     struct vk_kconfig_run *run)
{
	char err[512];
	int r;

	r = vk_profiles_load(req->profiles_dir ? req->profiles_dir : vk_profiles_dir(), &run->idx,
			     err, sizeof(err));
	if (r < 0)
		return FAIL(run, r, "%s", err);
	r = choose_profiles(ctx, req, run);
	for (size_t i = 0; !r && i < run->n_names; i++) {
		const struct vk_profile *p = vk_profiles_find(&run->idx, run->names[i]);
		_cleanup_free_ char *path = NULL;

		run->per_cpu |= p->per_cpu;
		if (asprintf(&path, "%s/%s", run->idx.dir, p->file) < 0)
			return -ENOMEM;
		r = load_fragment(run, path);
	}
	for (size_t i = 0; !r && i < req->n_fragments; i++)
		r = load_fragment(run, req->fragments[i]);
	for (size_t i = 0; !r && i < run->reqs.n_conflicts; i++) {
		const struct vk_conflict *c = &run->reqs.conflicts[i];

		r = vk_notes_add(&run->notes, VK_NOTE_WARN,
				 "%s:%u: CONFIG_%s=%s overrides CONFIG_%s=%s from %s:%u (the "
				 "later fragment wins)",
				 c->now.file, c->now.line, c->now.sym, c->now.value, c->was.sym,
				 c->was.value, c->was.file, c->was.line);
	}
	return r;
}

int vk_kconfig_load_tree(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			 struct vk_kconfig_run *run)
{
	char err[512], path[4096];
	struct stat st;
	int r;

	/* A path given is the caller's; the default one is under the root. */
	run->kdir = req->kdir ? strdup(req->kdir) : vk_ctx_path(ctx, VK_PATH_KERNEL_SRC);
	if (!run->kdir)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/Kconfig", run->kdir);
	if (stat(path, &st) < 0) {
		if (req->kdir)
			return FAIL(run, -ENOENT,
				    "%s: no Kconfig here: is --kernel-dir the top of a kernel "
				    "source tree?",
				    run->kdir);
		return 0;
	}
	r = vk_kconfig_load(run->kdir, "x86", &run->kc, err, sizeof(err));
	if (r < 0) {
		FAIL(run, r, "%s", r == -EINVAL ? err : strerror(-r));
		if (r == -EINVAL)
			FAIL(run, r,
			     "the Kconfig reader does not know this syntax; the .config is "
			     "untouched");
		return r;
	}
	if (vk_tree_version(run->kdir, run->version, sizeof(run->version)) < 0)
		run->version[0] = '\0';
	return 0;
}

char *vk_kconfig_config_path(const struct vk_kconfig_req *req, const struct vk_kconfig_run *run)
{
	char *p = NULL;

	if (req->config)
		return strdup(req->config);
	if (asprintf(&p, "%s/.config", req->outdir ? req->outdir : run->kdir) < 0)
		return NULL;
	return p;
}

void vk_kconfig_substitute(struct vk_kconfig_run *run)
{
	for (size_t i = 0; run->kc && i < run->reqs.n_reqs; i++) {
		struct vk_request *r = &run->reqs.reqs[i];
		const struct vk_symnote *n = vk_profiles_note(&run->idx, r->sym);

		if (!n || !n->n_alternatives || vk_kconfig_defined(run->kc, r->sym))
			continue;
		for (size_t k = 0; k < n->n_alternatives; k++) {
			if (!vk_kconfig_defined(run->kc, n->alternatives[k]))
				continue;
			vk_notes_add(&run->notes, VK_NOTE_NOTICE,
				     "CONFIG_%s is not in this tree (%s): %s; asking for "
				     "CONFIG_%s=%s instead",
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
static void detect_localmodconfig(struct vk_kconfig_run *run, const struct vk_dotconfig *c)
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
	if (modules < 500 && missing >= ARRAY_SIZE(lost) - 1 && vk_dotconfig_value(c, "MODULES"))
		vk_notes_add(&run->notes, VK_NOTE_NOTICE,
			     "This .config has only %zu modules and none of %s: a base made by "
			     "'make localmodconfig' or 'localyesconfig' drops every module that "
			     "was not loaded at that moment. The profiles ask for them again.",
			     modules, names);
}

int vk_kconfig_judge(struct vk_kconfig_run *run, const struct vk_dotconfig *conf,
		     const char *version, bool check)
{
	struct vk_explain e = {
		.kc = run->kc, .idx = &run->idx, .config = conf, .version = version
	};

	run->out = calloc(run->reqs.n_reqs + 1, sizeof(*run->out));
	if (!run->out)
		return -ENOMEM;
	run->n_failed = run->n_essential = 0;
	for (size_t i = 0; i < run->reqs.n_reqs; i++) {
		const struct vk_request *r = &run->reqs.reqs[i];
		const struct vk_symnote *n = vk_profiles_note(&run->idx, r->sym);
		struct vk_kconfig_outcome *oc = &run->out[i];

		oc->req = r;
		oc->final = vk_dotconfig_value(conf, r->sym);
		oc->verdict = vk_request_judge(r, conf, &run->idx, version);
		/* Only with a patch, and this tree has the patch: not moot. */
		if (oc->verdict == VK_VERDICT_MOOT && n && n->patch && run->kc &&
		    vk_kconfig_defined(run->kc, r->sym) && !vk_request_alternative_set(n, conf))
			oc->verdict = VK_VERDICT_UNMET;
		switch (oc->verdict) {
		case VK_VERDICT_MET:
		case VK_VERDICT_BUILTIN:
			oc->status = check ? "ok" : "kept";
			continue;
		case VK_VERDICT_MOOT:
			oc->status = "n/a";
			/* Not in the tree: say so as merge always did. */
			if (run->kc && !vk_kconfig_defined(run->kc, r->sym))
				oc->reason = vk_explain_request(&e, r);
			else
				oc->reason = strdup(
					n && n->note ? n->note
						     : "an alternative the index names is set");
			if (!oc->reason)
				return -ENOMEM;
			continue;
		case VK_VERDICT_UNMET:
			break;
		}
		run->n_failed++;
		oc->status = !check ? "not kept" : oc->final ? "wrong" : "missing";
		if (n && n->module_only && oc->final && streq(oc->final, "y") &&
		    streq(r->value, "m")) {
			if (asprintf(&oc->reason, "built in, but it must be a module: %s",
				     n->module_only) < 0)
				oc->reason = NULL;
		} else {
			oc->reason = vk_explain_request(&e, r);
		}
		if (!oc->reason)
			return -ENOMEM;
		if (n && n->essential) {
			oc->essential = n->essential;
			run->n_essential++;
		}
	}
	return 0;
}

/* Gentoo's dist-kernel merges the files in /etc/kernel/config.d itself.
 * base is the tree's .config when there is one. */
static int plan_dist_kernel(const struct vk_ctx *ctx, struct vk_kconfig_run *run,
			    const struct vk_dotconfig *base)
{
	_cleanup_free_ char *text = NULL, *shown = vk_ctx_path(ctx, VK_PATH_DIST_KERNEL_CONFIG);
	size_t len = 0;
	struct vk_file f = {};
	struct vk_dotconfig none = {};
	FILE *m;
	int r = 0;

	if (!shown)
		return -ENOMEM;
	if (run->per_cpu)
		r = vk_kconfig_cpu_choose(ctx, run, base ? base : &none, true);
	vk_kconfig_substitute(run);
	/* What the tree's kconfig does not know, its merge drops. */
	for (size_t i = 0; !r && run->kc && i < run->reqs.n_reqs; i++) {
		const struct vk_request *q = &run->reqs.reqs[i];
		const struct vk_symnote *n = vk_profiles_note(&run->idx, q->sym);

		if (!vk_kconfig_defined(run->kc, q->sym) &&
		    !(n && n->removed && *run->version &&
		      vk_kver_cmp(run->version, n->removed) >= 0))
			r = vk_notes_add(&run->notes, VK_NOTE_WARN,
					 "%s:%u: CONFIG_%s is not in the dist-kernel tree %s (%s): "
					 "its build will drop it%s%s",
					 q->file, q->line, q->sym, run->kdir, run->version,
					 n && n->note ? "; " : "", n && n->note ? n->note : "");
	}
	if (r < 0)
		return -ENOMEM;
	m = open_memstream(&text, &len);
	if (!m)
		return -ENOMEM;
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
		return -ENOMEM;
	r = vk_file_load(ctx->rootfd, VK_PATH_DIST_KERNEL_CONFIG, VK_KCONFIG_MAX, &f);
	if (r < 0)
		return FAIL(run, r, "%s: %s", shown, strerror(-r));
	r = vk_changes_add(&run->changes, &f, false, shown, text, len);
	vk_file_clear(&f);
	if (r == 0 && *run->dist_pkg && vk_dist_kernel_ignores_config_d(run->dist_pkg))
		r = vk_notes_add(&run->notes, VK_NOTE_WARN, "%s",
				 vk_dist_kernel_ignores_config_d(run->dist_pkg));
	if (r == 0)
		r = vk_notes_add(&run->notes, VK_NOTE_NEXT,
				 "%zu options for the next build of %s, which merges them; "
				 "after booting it, run 'vfiokit kconfig check --running'.",
				 run->reqs.n_reqs,
				 *run->dist_pkg ? run->dist_pkg : "the dist-kernel");
	return r;
}

/* Resolve text with the tree's kconfig into *out (or take it as it is
 * without a tree). */
static int resolve(const struct vk_kconfig_req *req, struct vk_kconfig_run *run, const char *text,
		   size_t len, char **out, size_t *olen)
{
	_cleanup_free_ char *log = NULL;
	struct timespec t0, t1;
	char what[4200];
	int r;

	if (!run->kc) {
		vk_notes_add(&run->notes, VK_NOTE_NOTICE,
			     "No kernel tree at %s: the requests are merged but kconfig cannot "
			     "check them (give --kernel-dir).",
			     run->kdir);
		*out = strndup(text, len);
		*olen = len;
		return *out ? 0 : -ENOMEM;
	}
	if (req->progress) {
		snprintf(what, sizeof(what), "running make olddefconfig in %s", run->kdir);
		req->progress(what, req->data);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = vk_tree_olddefconfig(run->kdir, req->outdir, text, len, out, olen, &log);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run->olddefconfig_ms =
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (r == -ECHILD)
		return FAIL(run, r, "make olddefconfig failed in %s; the .config is untouched:\n%s",
			    run->kdir, log ? log : "");
	if (r < 0)
		return FAIL(run, r, "make olddefconfig in %s: %s", run->kdir,
			    r == -ENOENT ? "make is not installed" : strerror(-r));
	return 0;
}

/* Load a file given as a path of this process. */
static int load_host_file(const char *path, struct vk_file *f)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *abs = NULL;
	int r = vk_host_path(path, &fd, &abs);

	return r < 0 ? r : vk_file_load(fd, abs, VK_KCONFIG_MAX, f);
}

int vk_kconfig_plan_merge(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			  struct vk_kconfig_run *run)
{
	struct vk_file f = {};
	struct vk_dotconfig base = {};
	_cleanup_free_ char *text = NULL, *resolved = NULL;
	size_t len = 0, rlen = 0;
	char err[512];
	bool dist;
	int r;

	r = vk_kconfig_load_requests(ctx, req, run);
	if (r == 0)
		r = vk_kconfig_load_tree(ctx, req, run);
	if (r)
		return r;
	r = vk_tree_dist_kernel(run->kdir, run->dist_pkg, sizeof(run->dist_pkg));
	if (r < 0)
		return FAIL(run, r, "%s/dist-kernel: %s", run->kdir,
			    r == -EINVAL ? "not a dist-kernel marker (CATEGORY/PF:SLOT)"
					 : strerror(-r));
	if (r > 0 && !req->dist_kernel && !req->config &&
	    vk_notes_add(&run->notes, VK_NOTE_NOTICE,
			 "%s was installed by %s (its dist-kernel marker): its .config belongs "
			 "to the package, so the requests go to %s for the package's next "
			 "build, as with --dist-kernel",
			 run->kdir, run->dist_pkg, VK_PATH_DIST_KERNEL_CONFIG) < 0)
		return -ENOMEM;
	dist = req->dist_kernel || (r > 0 && !req->config);
	run->config_path = vk_kconfig_config_path(req, run);
	if (!run->config_path)
		return -ENOMEM;
	r = load_host_file(run->config_path, &f);
	if (dist && r == 0 && f.exists && run->kc &&
	    vk_dotconfig_parse(run->config_path, f.data, f.len, false, &base, err, sizeof(err)) ==
		    0) {
		r = plan_dist_kernel(ctx, run, &base);
		goto out;
	}
	if (dist) {
		r = plan_dist_kernel(ctx, run, NULL);
		goto out;
	}
	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r < 0) {
		FAIL(run, r, "%s: %s", run->config_path,
		     r != -ENOENT  ? strerror(-r)
		     : req->config ? "no such file (named by --config)"
				   : "no .config here: run genkernel, 'make defconfig' or 'make "
				     "localyesconfig' first, or give --config");
		goto out;
	}
	r = vk_dotconfig_parse(run->config_path, f.data, f.len, false, &base, err, sizeof(err));
	if (r < 0) {
		FAIL(run, r, "%s; the .config is untouched", r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	if (!*run->version && !vk_dotconfig_version(&base, run->version, sizeof(run->version)))
		run->version[0] = '\0';
	detect_localmodconfig(run, &base);
	if (run->per_cpu && vk_kconfig_cpu_choose(ctx, run, &base, true) < 0) {
		r = -ENOMEM;
		goto out;
	}
	vk_kconfig_substitute(run);
	r = -ENOMEM;
	if (vk_requests_apply(&run->reqs, &base, &run->idx) < 0 ||
	    !(text = vk_dotconfig_text(&base, &len)))
		goto out;
	r = resolve(req, run, text, len, &resolved, &rlen);
	if (r)
		goto out;
	r = vk_dotconfig_parse(run->config_path, resolved, rlen, false, &run->result, err,
			       sizeof(err));
	if (r < 0) {
		FAIL(run, r, "%s", r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	r = vk_kconfig_judge(run, &run->result, run->version, false);
	if (r == 0)
		r = vk_changes_add(&run->changes, &f, true, run->config_path, resolved, rlen);
out:
	vk_dotconfig_clear(&base);
	vk_file_clear(&f);
	return r;
}
