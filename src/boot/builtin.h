/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command line built into the kernel: CONFIG_CMDLINE_BOOL and
 * CONFIG_CMDLINE in the kernel's .config, edited through the .config model
 * (src/kconfig/dotconfig.h), which keeps every other line as it is. On x86
 * the built-in line comes before the boot loader's, which it replaces
 * entirely when CONFIG_CMDLINE_OVERRIDE=y.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"

struct vk_builtin {
	bool known;    /* the .config has CONFIG_CMDLINE_BOOL (set or not set) */
	bool enabled;  /* CONFIG_CMDLINE_BOOL=y */
	bool override; /* CONFIG_CMDLINE_OVERRIDE=y */
	char *cmdline; /* CONFIG_CMDLINE without its quotes, "" when none */
};

/* Read the built-in command line from a .config named name. -EINVAL with
 * err ("name:line: what") for a .config that does not parse; -ENOMEM. */
int vk_builtin_read(const char *name, const char *text, size_t len, struct vk_builtin *b, char *err,
		    size_t err_size);
void vk_builtin_clear(struct vk_builtin *b);

/*
 * Apply ops to CONFIG_CMDLINE and set CONFIG_CMDLINE_BOOL=y. Returns the
 * number of changes (0: nothing to do, *out NULL) with the new .config in
 * *out, -EINVAL with err set (a .config that does not parse, one without
 * CONFIG_CMDLINE_BOOL: an architecture without a built-in command line, a
 * token that must not be written), or -ENOMEM.
 */
int vk_builtin_edit(const char *name, const char *text, size_t len, const struct vk_cmdline_op *ops,
		    size_t n_ops, char **out, size_t *out_len, char *err, size_t err_size);
