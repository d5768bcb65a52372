// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libkmod.h>

#include "../shared/macro.h"
#include "load.h"

void vk_load_clear(struct vk_load *ld)
{
	for (size_t i = 0; i < ld->n_steps; i++) {
		free(ld->steps[i].module);
		free(ld->steps[i].path);
		free(ld->steps[i].options);
	}
	free(ld->steps);
	memset(ld, 0, sizeof(*ld));
}

/* libkmod's print_action has no user data: the load in progress. */
static struct vk_load *current;

static void record(struct kmod_module *m, bool install, const char *options)
{
	struct vk_load_step *nv;

	if (!current)
		return;
	nv = realloc(current->steps, (current->n_steps + 1) * sizeof(*nv));
	if (!nv)
		return;
	current->steps = nv;
	nv += current->n_steps;
	nv->module = strdup(kmod_module_get_name(m));
	nv->path = strdup(kmod_module_get_path(m) ?: "");
	nv->options = strdup(options ?: "");
	if (nv->options) /* kmod leaves a blank after the last option */
		nv->options[strcspn(nv->options, "\n")] = '\0';
	for (size_t n = nv->options ? strlen(nv->options) : 0; n && nv->options[n - 1] == ' ';)
		nv->options[--n] = '\0';
	if (!nv->module || !nv->path || !nv->options) {
		free(nv->module);
		free(nv->path);
		free(nv->options);
		return;
	}
	current->n_steps++;
}

int vk_module_load(struct vk_kmod *km, const char *mod, bool dry_run, struct vk_load *ld)
{
	struct kmod_module *m = NULL;
	unsigned int flags = KMOD_PROBE_IGNORE_COMMAND;
	int r, state;

	memset(ld, 0, sizeof(*ld));
	r = kmod_module_new_from_name(vk_kmod_ctx(km), mod, &m);
	if (r < 0)
		return r;
	if (!kmod_module_get_path(m)) {
		kmod_module_unref(m);
		return -ENOENT;
	}
	state = kmod_module_get_initstate(m);
	if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING) {
		ld->already = true;
		kmod_module_unref(m);
		return 0;
	}
	if (dry_run)
		flags |= KMOD_PROBE_DRY_RUN;
	current = ld;
	r = kmod_module_probe_insert_module(m, flags, NULL, NULL, NULL, record);
	current = NULL;
	kmod_module_unref(m);
	if (r > 0) /* blacklisted or an install command: nothing inserted */
		r = -EPERM;
	return r;
}
