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
/* A usage error: the message, then the hint to --help. Returns 2. */
int vk_usage_error(const char *fmt, ...) _printf_(1, 2);

extern int vk_log_verbosity;
