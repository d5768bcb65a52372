/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Merging kconfig fragments into a .config, as merge_config.sh does: the
 * later fragment wins, and every symbol a fragment does not name stays as
 * the user had it. Unlike merge_config.sh, every request is kept with the
 * file and line it came from, so the result can be checked against what
 * kconfig made of it, and conflicts name both sides.
 */
#pragma once

#include <stddef.h>

#include "dotconfig.h"
#include "profiles.h"

struct vk_request {
	const char *sym;
	const char *value; /* as written; "n" for "is not set" */
	const char *file;
	unsigned int line;
};

struct vk_conflict {
	struct vk_request was, now; /* now wins */
};

struct vk_requests {
	struct vk_request *reqs; /* in order of first appearance */
	size_t n_reqs, cap_reqs;
	struct vk_strmap index; /* sym -> 1 + its index in reqs */
	struct vk_conflict *conflicts;
	size_t n_conflicts;
};

/* Add every SET and UNSET line of frag; the strings stay owned by frag,
 * which must outlive reqs. A request is found again by the name it was
 * added with. 0 or -ENOMEM. */
int vk_requests_add(struct vk_requests *reqs, const struct vk_dotconfig *frag);
void vk_requests_clear(struct vk_requests *reqs);

/* Write every request into c, except one c already meets (see
 * vk_request_judge: a y stays y when m is asked). idx may be NULL.
 * 0 or -ENOMEM. */
int vk_requests_apply(const struct vk_requests *reqs, struct vk_dotconfig *c,
		      const struct vk_profiles *idx);

enum vk_verdict {
	VK_VERDICT_MET,	    /* as written */
	VK_VERDICT_BUILTIN, /* m asked, y given: built in serves as well */
	VK_VERDICT_MOOT,    /* not for this kernel version or tree, or an alternative is set */
	VK_VERDICT_UNMET,
};

/*
 * The one judgement of a request against a configuration, for kconfig
 * merge, check, plan and verify alike. "n" is met by an absent or "not
 * set" symbol; strings and numbers compare as written; y meets a request
 * for m unless idx marks the symbol module_only. A request the index says
 * is not in kernel version (added later, removed before, only with a
 * patch), or with an alternative that c sets, is moot. idx and version may
 * be NULL.
 */
enum vk_verdict vk_request_judge(const struct vk_request *r, const struct vk_dotconfig *c,
				 const struct vk_profiles *idx, const char *version);

/* Does c set one of the alternatives the index names for sym? */
bool vk_request_alternative_set(const struct vk_symnote *n, const struct vk_dotconfig *c);

/* Is the verdict a pass? */
static inline bool vk_verdict_ok(enum vk_verdict v)
{
	return v != VK_VERDICT_UNMET;
}
