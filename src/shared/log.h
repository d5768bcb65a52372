/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages to the user, for the command files only (src/cmd-*.c and
 * main.c): the modules in the subdirectories of src/ never print.
 */
#pragma once

#include "macro.h"

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

extern int vk_log_verbosity;
/* The command being run ("cmdline"), for the --help hint; NULL before. */
extern const char *vk_log_command;
