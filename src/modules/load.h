/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading a module and its dependencies into the running kernel through
 * libkmod, as modprobe does: the options of modprobe.d and of the kernel
 * command line apply, install commands are never run.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kmod.h"

struct vk_load_step {
	char *module;  /* '_' form */
	char *path;    /* the file inserted (or that would be) */
	char *options; /* the options it gets, "" when none */
};

struct vk_load {
	struct vk_load_step *steps; /* the insmod chain, in order */
	size_t n_steps;
	bool already; /* the module was loaded before: nothing to do */
};

/*
 * Insert mod (dry_run: only say what would be inserted). 0, or -errno of
 * libkmod (-ENOENT: no such module; -EPERM: not root; ...), the steps done
 * so far in *ld either way.
 */
int vk_module_load(struct vk_kmod *km, const char *mod, bool dry_run, struct vk_load *ld);
void vk_load_clear(struct vk_load *ld);
