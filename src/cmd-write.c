// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What every command that changes a file does and says: nothing when the
 * file already holds the text, a unified diff for --dry-run, else an
 * atomic replace with a backup, and one line on what happened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/log.h"
#include "shared/macro.h"

static const char *replace_error(int r)
{
	switch (r) {
	case -ESTALE:
		return "changed by someone else since vfiokit read it; nothing changed: run "
		       "vfiokit again";
	case -EROFS:
		return "on a read-only file system; nothing changed";
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
		fputs(diff, stdout);
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
