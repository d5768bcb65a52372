/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command groups. Each src/cmd-<name>.c parses its own options, calls
 * the modules that do the work and prints the result.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "shared/change.h"
#include "shared/ctx.h"
#include "shared/write.h"

/* A row's flags. */
#define VK_CMD_NO_JSON (1u << 0) /* has no JSON report: --json is refused */

struct vk_cmd {
	const char *name;
	int (*fn)(struct vk_ctx *ctx, int argc, char **argv);
	const char *help;
	unsigned int flags;
};

/* An option: "-x", "--xyz", not "-" alone nor a word. */
static inline bool vk_arg_is_option(const char *arg)
{
	return arg[0] == '-' && arg[1];
}

/* The first word of argv[from..argc) that is not an option, before any
 * "--", moved to argv[from] (the arguments before it move up by one):
 * options may come before a command's name or verb, so that
 * "cmdline --dry-run set X" is "cmdline set --dry-run X". An option there
 * gives its value with '=' (--bootloader=grub). Returns false when there
 * is no such word. */
bool vk_cmd_word(int argc, char **argv, int from);

/* Run the row of table named by the first word of argv[1..] (see
 * vk_cmd_word), with that word as its argv[0]. group (argv[0], "cmdline")
 * names the command in messages; help() is shown for -h or --help without
 * a verb. The row's flags are checked first. Returns an exit status. */
int vk_cmd_dispatch(struct vk_ctx *ctx, const struct vk_cmd *table, size_t n, void (*help)(void),
		    int argc, char **argv);

/* The usage error of --json on a row with VK_CMD_NO_JSON, or 0. */
int vk_cmd_check_flags(const struct vk_ctx *ctx, const char *name, const struct vk_cmd *row);

int cmd_groups(struct vk_ctx *ctx, int argc, char **argv);
int cmd_kconfig(struct vk_ctx *ctx, int argc, char **argv);
int cmd_cmdline(struct vk_ctx *ctx, int argc, char **argv);
int cmd_modules(struct vk_ctx *ctx, int argc, char **argv);
int cmd_verify(struct vk_ctx *ctx, int argc, char **argv);
int cmd_init(struct vk_ctx *ctx, int argc, char **argv);
int cmd_apply(struct vk_ctx *ctx, int argc, char **argv); /* plan and apply */
int cmd_undo(struct vk_ctx *ctx, int argc, char **argv);
int cmd_claim(struct vk_ctx *ctx, int argc, char **argv); /* claim and release */
int cmd_libvirt(struct vk_ctx *ctx, int argc, char **argv);

/* How to write one file (src/cmd-write.c). */
struct vk_write {
	int rootfd;	    /* what vk_file_load() read f from */
	const char *prefix; /* put before f's paths in messages: the root */
	const char *shown;  /* the file as the user sees it */
	bool dry_run;
	int verbosity;
};

struct vk_kconfig_run;
/* The judged requests of run (src/cmd-kconfig.c), as text or JSON: every
 * one with verbosity 1, else those not met, and a summary from 0 on. */
void vk_cmd_kconfig_report(const struct vk_ctx *ctx, const struct vk_kconfig_run *run,
			   const char *version, bool check, int verbosity);

/* What make olddefconfig does while it runs (a planner's progress
 * callback, data the context), and how long it took: on stderr, not
 * with -q. */
void vk_cmd_kconfig_progress(const char *what, void *data);
void vk_cmd_kconfig_took(const struct vk_ctx *ctx, const struct vk_kconfig_run *run);

/* The options of a command that takes only [-n|--dry-run] [-f|--force]
 * [-h|--help] (init, undo). 0; -1 when help was shown; else a usage
 * exit status. */
int vk_cmd_parse_force(const char *verb, void (*help)(void), int argc, char **argv, bool *dry_run,
		       bool *force);

/* Leave f alone when it already holds text;
 * with dry_run print the diff;
 * else replace it atomically with a backup (creating its directory). Says
 * what it did. Returns an exit status; *changed (may be NULL) tells
 * whether the file was written. */
int vk_cmd_write(const struct vk_write *w, const struct vk_file *f, const char *text, size_t len,
		 bool *changed);

/* vk_cmd_write() for a planned change, from the root or (ch->host) the
 * host's "/"; verbosity as in struct vk_write. */
int vk_cmd_write_change(const struct vk_ctx *ctx, const struct vk_change *ch, bool dry_run,
			int verbosity, bool *changed);

/* Print why a planner refused a file (vk_changes_add()), if it did. */
void vk_cmd_refused(const struct vk_changes *c);

/* Print the notes of the kinds in mask (1u << VK_NOTE_...), in order:
 * warnings (quiet with -q) and errors to stderr; the others to stdout, never with
 * --json, INFO and NEXT not with -q. */
void vk_cmd_notes(const struct vk_ctx *ctx, const struct vk_notes *n, unsigned int mask);
#define VK_NOTES_REPORT                                                         \
	((1u << VK_NOTE_INFO) | (1u << VK_NOTE_NOTICE) | (1u << VK_NOTE_WARN) | \
	 (1u << VK_NOTE_ERROR))
#define VK_NOTES_NEXT (1u << VK_NOTE_NEXT)
