// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "../shared/system.h"
#include "merge.h"

static struct vk_request *find(struct vk_requests *reqs, const char *sym)
{
	size_t i = (uintptr_t)vk_strmap_get(&reqs->index, sym, strlen(sym));

	return i ? &reqs->reqs[i - 1] : NULL;
}

/* Append r, a symbol not requested yet. */
static int add(struct vk_requests *reqs, const struct vk_request *r)
{
	if (reqs->n_reqs == reqs->cap_reqs) {
		size_t cap = reqs->cap_reqs ? 2 * reqs->cap_reqs : 64;
		struct vk_request *v = realloc(reqs->reqs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		reqs->reqs = v;
		reqs->cap_reqs = cap;
	}
	if (vk_strmap_put(&reqs->index, r->sym, strlen(r->sym),
			  (void *)(uintptr_t)(reqs->n_reqs + 1)) < 0)
		return -ENOMEM;
	reqs->reqs[reqs->n_reqs++] = *r;
	return 0;
}

int vk_requests_add(struct vk_requests *reqs, const struct vk_dotconfig *frag)
{
	for (size_t i = 0; i < frag->n_lines; i++) {
		const struct vk_cline *l = &frag->lines[i];
		struct vk_request r = {
			.sym = l->sym,
			.value = l->kind == VK_CLINE_SET ? l->value : "n",
			.file = frag->name,
			.line = l->lineno,
		};
		struct vk_request *old;

		if (l->kind == VK_CLINE_OTHER)
			continue;
		old = find(reqs, r.sym);
		if (old) {
			if (!streq(old->value, r.value)) {
				struct vk_conflict *c = realloc(
					reqs->conflicts, (reqs->n_conflicts + 1) * sizeof(*c));

				if (!c)
					return -ENOMEM;
				reqs->conflicts = c;
				c[reqs->n_conflicts++] =
					(struct vk_conflict){ .was = *old, .now = r };
			}
			*old = r;
			continue;
		}
		if (add(reqs, &r) < 0)
			return -ENOMEM;
	}
	return 0;
}

void vk_requests_clear(struct vk_requests *reqs)
{
	free(reqs->reqs);
	free(reqs->conflicts);
	vk_strmap_free(&reqs->index);
	memset(reqs, 0, sizeof(*reqs));
}

int vk_requests_apply(const struct vk_requests *reqs, struct vk_dotconfig *c,
		      const struct vk_profiles *idx)
{
	for (size_t i = 0; i < reqs->n_reqs; i++) {
		const struct vk_request *r = &reqs->reqs[i];
		int e;

		/* A line that already says it keeps its bytes. A requested n is
		 * written even for an absent symbol: kconfig would give an absent
		 * one its default. A y asked to be m stays y. */
		enum vk_verdict v = vk_request_judge(r, c, idx, NULL);

		if ((v == VK_VERDICT_MET || v == VK_VERDICT_BUILTIN) &&
		    vk_dotconfig_find(c, r->sym))
			continue;
		e = vk_dotconfig_set(c, r->sym, r->value);
		if (e < 0)
			return e;
	}
	return 0;
}

/* Not for kernel version ver (added later, removed before, only with an
 * out-of-tree patch)? */
static bool moot(const struct vk_symnote *n, const char *ver)
{
	if (!n)
		return false;
	if (n->patch)
		return true;
	if (ver && *ver && n->added && vk_kver_cmp(ver, n->added) < 0)
		return true;
	return ver && *ver && n->removed && vk_kver_cmp(ver, n->removed) >= 0;
}

bool vk_request_alternative_set(const struct vk_symnote *n, const struct vk_dotconfig *c)
{
	for (size_t i = 0; n && i < n->n_alternatives; i++)
		if (vk_dotconfig_value(c, n->alternatives[i]))
			return true;
	return false;
}

enum vk_verdict vk_request_judge(const struct vk_request *r, const struct vk_dotconfig *c,
				 const struct vk_profiles *idx, const char *version)
{
	const char *v = vk_dotconfig_value(c, r->sym);
	const struct vk_symnote *n = idx ? vk_profiles_note(idx, r->sym) : NULL;

	if (streq(r->value, "n") ? !v : v && streq(v, r->value))
		return VK_VERDICT_MET;
	if (v && streq(r->value, "m") && streq(v, "y") && !(n && n->module_only))
		return VK_VERDICT_BUILTIN;
	if (moot(n, version) || vk_request_alternative_set(n, c))
		return VK_VERDICT_MOOT;
	return VK_VERDICT_UNMET;
}
