/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages to the user, for the command layer only (src/main.c and
 * src/cmd-*.c): the library in the subdirectories of src/ never prints.
 */
#pragma once

#include "shared/macro.h"

struct vk_ctx;

/* Take the verbosity (-q, -v) from ctx, for the whole run. */
void vk_log_init(const struct vk_ctx *ctx);

/* "vfiokit: <message>" on stderr. */
void vk_err(const char *fmt, ...) _printf_(1, 2);
/* The same, prefixed "warning: ", silenced by -q. */
void vk_warn(const char *fmt, ...) _printf_(1, 2);
/* A usage error: the message, then the hint to the command's --help
 * (vk_log_command's, else vfiokit's). Returns 2. */
int vk_usage_error(const char *fmt, ...) _printf_(1, 2);

/* The first message vk_err() or vk_usage_error() printed, without
 * "vfiokit: ", or NULL: what a --json error report says. */
const char *vk_log_first_error(void);

/* The command being run ("cmdline"), for the --help hint; NULL before. */
extern const char *vk_log_command;
