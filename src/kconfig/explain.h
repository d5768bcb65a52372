/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why a requested kconfig value did not survive the kernel's own
 * resolution, in one sentence that names the symbol to change: unknown
 * symbol (with the index's version note), m asked of a bool, another
 * member of the same choice, a symbol without a prompt (and who selects
 * it), an unmet "depends on" followed down to the symbols the user can
 * set, a cap at m, a hidden prompt, a select that keeps it on.
 */
#pragma once

#include "dotconfig.h"
#include "kconfig.h"
#include "merge.h"
#include "profiles.h"

struct vk_explain {
	const struct vk_kconfig *kc;	   /* the target tree; NULL when there is none */
	const struct vk_profiles *idx;	   /* version notes; may be NULL */
	const struct vk_dotconfig *config; /* the resolved configuration */
	const char *version;		   /* the target's kernel version, "6.1.0" */
};

/* Why r is not met by e->config, in a new string; NULL when out of memory. */
char *vk_explain_request(const struct vk_explain *e, const struct vk_request *r);

/* What blocks sym from being y in e->config (its dependencies, its prompt,
 * who selects it), in a new string, "" when nothing does. */
char *vk_explain_blockers(const struct vk_explain *e, const struct vk_ksym *sym);

/* A symbol's value as kconfig sees it: "y", "m", a number or string, NULL
 * when unset; for vk_kexpr_eval(), userdata is a struct vk_dotconfig. */
const char *vk_explain_value(const char *name, void *userdata);
