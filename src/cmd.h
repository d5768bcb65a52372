/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command groups. Each src/cmd-<name>.c parses its own options, calls
 * the modules that do the work and prints the result.
 */
#pragma once

#include "shared/ctx.h"

struct vk_cmd {
	const char *name;
	int (*fn)(struct vk_ctx *ctx, int argc, char **argv);
	const char *help;
};

int cmd_groups(struct vk_ctx *ctx, int argc, char **argv);
int cmd_kconfig(struct vk_ctx *ctx, int argc, char **argv);
int cmd_cmdline(struct vk_ctx *ctx, int argc, char **argv);
int cmd_modules(struct vk_ctx *ctx, int argc, char **argv);
