// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every command that changes a file does and says: nothing when the
 * file already holds the text, a unified diff for --dry-run, else an
 * atomic replace with a backup, and one line on what happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "log.h"
#include "shared/macro.h"

static const char *replace_error(int r)
{
	switch (r) {
	case -ESTALE:
		return "changed by someone else since vfiokit read it; nothing changed: run "
		       "vfiokit again";
	case -EROFS:
		return "on a read-only file system; nothing changed";
	case -EACCES:
		return "permission denied: run as root; nothing changed";
	case -EPERM:
		return "operation not permitted: the file or its directory is immutable or "
		       "append-only (see lsattr; chattr -i); nothing changed";
	default:
		return strerror(-r);
	}
}

int vk_cmd_write(const struct vk_write *w, const struct vk_file *f, const char *text, size_t len,
		 bool *changed)
{
	_cleanup_free_ char *diff = NULL, *newname = NULL;
	int r;

	if (changed)
		*changed = false;
	if (f->exists && f->len == len && !memcmp(f->data, text, len)) {
		if (w->verbosity >= 0)
			printf("%s: up to date\n", w->shown);
		return VK_EXIT_OK;
	}
	if (w->dry_run) {
		if (asprintf(&newname, "%s (vfiokit)", w->shown) < 0 ||
		    vk_diff_unified(w->shown, f->data, f->len, newname, text, len, &diff) < 0) {
			vk_err("out of memory");
			return VK_EXIT_ERROR;
		}
		vk_print_diff(diff);
		printf("dry run: %s not changed\n", w->shown);
		return VK_EXIT_OK;
	}
	r = f->exists ? 0 : vk_mkdir_parents(w->rootfd, vk_rel(f->target));
	if (r == 0)
		r = vk_file_replace(w->rootfd, f, text, len);
	if (r < 0) {
		vk_err("%s: %s", w->shown, replace_error(r));
		return VK_EXIT_ERROR;
	}
	if (changed)
		*changed = true;
	if (w->verbosity < 0)
		return VK_EXIT_OK;
	if (!streq(f->path, f->target))
		printf("%s%s is a link to %s: changed %s, the link stays\n", w->prefix, f->path,
		       f->target, w->shown);
	if (f->exists)
		printf("%s: changed; the previous version is in %s%s\n", w->shown, w->shown,
		       VK_BACKUP_SUFFIX);
	else
		printf("%s: created\n", w->shown);
	return VK_EXIT_OK;
}

int vk_cmd_write_change(const struct vk_ctx *ctx, const struct vk_change *ch, bool dry_run,
			int verbosity, bool *changed)
{
	_cleanup_close_ int hostfd = -1;
	struct vk_write w = { .rootfd = ctx->rootfd,
			      .prefix = ch->host ? "" : ctx->prefix,
			      .shown = ch->shown,
			      .dry_run = dry_run,
			      .verbosity = verbosity };

	if (ch->host && !vk_change_same(ch) && !dry_run) {
		hostfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (hostfd < 0) {
			vk_err("/: %s", strerror(errno));
			return VK_EXIT_ERROR;
		}
		w.rootfd = hostfd;
	}
	return vk_cmd_write(&w, &ch->f, ch->text, ch->len, changed);
}

void vk_cmd_refused(const struct vk_changes *c)
{
	if (c->refused)
		vk_err("%s", c->refused);
}

void vk_cmd_notes(const struct vk_ctx *ctx, const struct vk_notes *n, unsigned int mask)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct vk_note *note = &n->v[i];

		if (!(mask & (1u << note->kind)))
			continue;
		if (note->kind == VK_NOTE_WARN)
			vk_warn("%s", note->text);
		else if (note->kind == VK_NOTE_ERROR)
			vk_err("%s", note->text);
		else if (!ctx->json && (note->kind == VK_NOTE_NOTICE || ctx->verbosity >= 0))
			printf("%s\n", note->text);
	}
}

int vk_cmd_parse_force(const char *verb, void (*help)(void), int argc, char **argv, bool *dry_run,
		       bool *force)
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":fnh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			*force = true;
			break;
		case 'n':
			*dry_run = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return vk_usage_error("%s: unknown option '%s'", verb, argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("%s: unexpected argument '%s'", verb, argv[optind]);
	return 0;
}
