/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages to the user, for the command layer only (src/main.c and
 * src/cmd-*.c): the library in the subdirectories of src/ never prints.
 */
#pragma once

#include <stdbool.h>

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

/* --color: auto (the default), always, never. */
enum vk_colour_mode { VK_COLOUR_AUTO, VK_COLOUR_ALWAYS, VK_COLOUR_NEVER };
extern enum vk_colour_mode vk_colour_mode;
/* "auto", "always", "never" as a mode; -1 for anything else. */
int vk_colour_mode_parse(const char *s);

/* Colour on fd: --color=always, or auto and fd is a terminal, NO_COLOR is
 * unset or empty and TERM is not "dumb". */
bool vk_colour(int fd);

/* SGR sequences: what vk_sgr() gives when stdout has colour. */
#define VK_SGR_RESET  "\033[0m"
#define VK_SGR_BOLD   "\033[1m"
#define VK_SGR_RED    "\033[31m"
#define VK_SGR_GREEN  "\033[32m"
#define VK_SGR_YELLOW "\033[33m"
#define VK_SGR_CYAN   "\033[36m"
/* code when stdout has colour, else "". */
const char *vk_sgr(const char *code);

/* A unified diff to stdout, coloured as git colours one when stdout has
 * colour: headers bold, hunks cyan, removed lines red, added green. */
void vk_print_diff(const char *diff);

/* The command being run ("cmdline"), for the --help hint; NULL before. */
extern const char *vk_log_command;
