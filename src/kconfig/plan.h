/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What kconfig merge, check and explain load, and what merge would write:
 * the profiles and fragments asked for, the kernel tree's Kconfig, the
 * .config, and for merge the result of the tree's own make olddefconfig
 * judged request by request. Nothing here prints: messages are notes
 * (src/shared/change.h), the file to write is a change.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/change.h"
#include "../shared/ctx.h"
#include "../shared/datadir.h"
#include "dotconfig.h"
#include "kconfig.h"
#include "merge.h"
#include "profiles.h"

/* The installed profiles, as the help texts show them; a request without
 * profiles_dir takes vk_profiles_dir() (src/shared/datadir.h). */
#define PROFILES_DIR VK_PROFILES_DIR

#define VK_KCONFIG_MAX_FRAGMENTS 32
#define VK_KCONFIG_MAX		 (16u << 20)

struct vk_kconfig_req {
	const char *profiles_dir;    /* NULL: vk_profiles_dir() */
	const char *const *profiles; /* names, or "auto": by the CPU vendor */
	size_t n_profiles;
	const char *const *fragments; /* files, paths of this process */
	size_t n_fragments;
	const char *kdir;   /* the source tree (this process's path); NULL: under the root */
	const char *outdir; /* its build directory, as make O=; NULL: the tree */
	const char *config; /* the .config (this process's path); NULL: in outdir or kdir */
	bool dist_kernel;   /* merge: /etc/kernel/config.d/vfiokit.config instead */
	/* Called before a step that can take long (make olddefconfig); may be NULL. */
	void (*progress)(const char *what, void *data);
	void *data;
};

/* One request against a configuration. */
struct vk_kconfig_outcome {
	const struct vk_request *req;
	enum vk_verdict verdict;
	const char *status;    /* "kept"/"ok", "n/a", or "not kept"/"missing"/"wrong" */
	char *reason;	       /* why it is not met or moot; NULL when met */
	const char *final;     /* the value in the result, NULL for not set */
	const char *essential; /* failed, and passthrough needs it: the index's why */
};

/* Everything one run has loaded; cleared in one place. */
struct vk_kconfig_run {
	struct vk_profiles idx;
	struct vk_dotconfig frags[2 * VK_KCONFIG_MAX_FRAGMENTS];
	size_t n_frags;
	struct vk_requests reqs;
	struct vk_kconfig *kc; /* NULL without a tree */
	char *kdir, *config_path;
	char version[64];
	const char *vendor; /* the CPU vendor "auto" chose by, or NULL */
	bool per_cpu;	    /* a profile asked for is chosen per CPU (cpu-zen) */
	char dist_pkg[128]; /* merge: the dist-kernel package of the tree, or "" */
	const char *names[2 * VK_KCONFIG_MAX_FRAGMENTS]; /* the profiles used */
	size_t n_names;
	struct vk_kconfig_outcome *out; /* one per request, after a judgement */
	size_t n_failed;
	size_t n_essential;	/* failed requests with an essential outcome */
	double olddefconfig_ms; /* how long the tree's make olddefconfig took */
	struct vk_dotconfig
		result; /* merge: what the tree's kconfig made (outcomes point into it) */
	struct vk_changes changes;
	struct vk_notes notes;
	char usage[512]; /* set when the request itself is wrong (-ESRCH) */
};

void vk_kconfig_run_clear(struct vk_kconfig_run *run);

/* Read a file given as a path of this process whole. 0 or -errno. */
int vk_kconfig_read(const char *path, char **data, size_t *len);

/* The profiles and fragments of req as requests. 0; -ESRCH with run->usage
 * for an unknown profile; another -errno with an error note. */
int vk_kconfig_load_requests(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			     struct vk_kconfig_run *run);
/* The tree's Kconfig, when there is one (run->kc stays NULL when the
 * default tree has none). 0 or -errno with an error note. */
int vk_kconfig_load_tree(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			 struct vk_kconfig_run *run);
/* The .config's path for req: config, else in outdir, else in the tree.
 * A new string or NULL. */
char *vk_kconfig_config_path(const struct vk_kconfig_req *req, const struct vk_kconfig_run *run);
/* A request for a symbol the tree lacks, with an alternative the tree has
 * (MZEN on an unpatched tree), asks for that one instead, with a note. */
void vk_kconfig_substitute(struct vk_kconfig_run *run);
/* Judge every request against conf with vk_request_judge (check: the
 * words of check) into run->out, run->n_failed and run->n_essential (the
 * failed requests the index marks essential). 0 or -ENOMEM. */
int vk_kconfig_judge(struct vk_kconfig_run *run, const struct vk_dotconfig *conf,
		     const char *version, bool check);

/*
 * kconfig merge: the change of the .config to what the tree's make
 * olddefconfig makes of it with every request (or, with dist_kernel or a
 * tree with Gentoo's dist-kernel marker and no config given, of the
 * dist-kernel fragment, with the requests the tree's Kconfig lacks said),
 * with the outcomes judged (not for dist-kernel). 0; -ESRCH (run->usage); -errno with an error
 * note, and nothing to write.
 */
int vk_kconfig_plan_merge(const struct vk_ctx *ctx, const struct vk_kconfig_req *req,
			  struct vk_kconfig_run *run);
