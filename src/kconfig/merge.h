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

/* Write every request into c. 0 or -ENOMEM. */
int vk_requests_apply(const struct vk_requests *reqs, struct vk_dotconfig *c);

/* Does c's value for r->sym satisfy the request? "n" is satisfied by an
 * absent or "not set" symbol; strings compare as written. */
bool vk_request_met(const struct vk_request *r, const struct vk_dotconfig *c);
