// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit undo: put back every file vfiokit apply changed, from the
 * journal and its backups. A file changed since apply is refused, with
 * nothing restored, unless --force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "flow/flow.h"
#include "flow/journal.h"
#include "flow/transaction.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/strv.h"
#include "shared/write.h"

struct opts {
	bool force, dry_run;
};

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] undo [--dry-run] [--force]\n"
	       "\n"
	       "Restore every file 'vfiokit apply' changed, from the journal\n"
	       "/var/lib/vfiokit/journal and the copies it keeps; a file apply created is\n"
	       "removed. A file changed since apply (its SHA-256 is neither the one apply\n"
	       "left nor the one before) is refused, and then nothing is restored. The\n"
	       "version each restore replaces, and each file removed, is kept as\n"
	       "FILE.vfiokit-bak.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --dry-run  show what would be restored, as diffs\n"
	       "  -f, --force    restore files changed since apply too (those changes are lost)\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Exit status: 0 restored (or nothing to undo); 1 error or a refused file,\n"
	       "nothing restored; 2 usage error.\n");
}

static int show_diff(const struct vk_undo_item *it, const char *shown)
{
	_cleanup_free_ char *diff = NULL, *old = NULL;

	if (asprintf(&old, "%s (before apply)", shown) < 0 ||
	    vk_diff_unified(shown, it->now.data, it->now.len, old, it->backup ? it->backup : "",
			    it->backup_len, &diff) < 0)
		return -ENOMEM;
	fputs(diff, stdout);
	return 0;
}

int cmd_undo(struct vk_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *jshown = vk_ctx_path(ctx, VK_PATH_JOURNAL);
	struct vk_undo u = { .rootfd = ctx->rootfd, .prefix = ctx->prefix };
	const char **paths = NULL;
	char **steps = NULL;
	size_t n_steps = 0, n_paths = 0;
	struct opts o = {};
	int r;

	r = vk_cmd_parse_force("undo", help, argc, argv, &o.dry_run, &o.force);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (!jshown)
		goto nomem;
	r = vk_undo_open(&u);
	if (r == -ENOENT) {
		printf("Nothing to undo: %s does not exist (vfiokit apply writes it).\n", jshown);
		r = VK_EXIT_OK;
		goto out;
	}
	if (r == -ENOMEM)
		goto nomem;
	if (!u.j.complete && (r == 0 || u.items))
		vk_warn("the last vfiokit apply (%s) stopped before it finished: undo puts back "
			"every file it got to",
			u.j.time ? u.j.time : "?");
	for (size_t i = 0; r == 0 && i < u.j.n; i++) {
		const struct vk_undo_item *it = &u.items[i];
		_cleanup_free_ char *shown = vk_ctx_path(ctx, it->e->path);

		if (!shown)
			goto nomem;
		if (it->action != VK_UNDO_CONFLICT)
			continue;
		if (o.force)
			vk_warn("%s changed since vfiokit apply: --force, restoring it anyway; "
				"the change is kept in %s%s",
				shown, shown, VK_BACKUP_SUFFIX);
		else
			vk_err("%s changed since vfiokit apply (%s): restoring it would lose that "
			       "change; merge by hand from %s%s, or run 'vfiokit undo --force'",
			       shown, it->now.exists ? "edited" : "removed", ctx->prefix,
			       it->e->existed ? it->e->backup : "(apply created it)");
	}
	if (r) {
		vk_cmd_notes(ctx, &u.notes, VK_NOTES_REPORT);
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (u.n_conflicts && !o.force) {
		vk_err("nothing restored");
		r = VK_EXIT_ERROR;
		goto out;
	}
	paths = calloc(u.j.n + 1, sizeof(*paths));
	if (!paths)
		goto nomem;
	for (size_t i = 0; i < u.j.n; i++) {
		_cleanup_free_ char *shown = vk_ctx_path(ctx, u.j.v[i].path);

		if (!shown)
			goto nomem;
		if (u.items[i].action == VK_UNDO_KEEP) {
			printf("%s: as before apply\n", shown);
			continue;
		}
		paths[n_paths++] = u.j.v[i].path;
		if (o.dry_run) {
			if (show_diff(&u.items[i], shown) < 0)
				goto nomem;
			continue;
		}
		r = vk_undo_restore(&u, i);
		if (r) {
			vk_cmd_notes(ctx, &u.notes, VK_NOTES_REPORT);
			r = VK_EXIT_ERROR;
			goto out;
		}
		printf("%s: %s\n", shown,
		       u.j.v[i].existed ? "restored" : "removed (apply created it)");
	}
	if (o.dry_run) {
		printf("dry run: nothing restored\n");
		goto out;
	}
	/* Every file is as before: the journal and its copies go. */
	r = vk_undo_finish(&u);
	if (r) {
		vk_cmd_notes(ctx, &u.notes, VK_NOTES_REPORT);
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (!n_paths) {
		printf("Every file was already as before apply; %s removed.\n", jshown);
		goto out;
	}
	if (vk_flow_next_steps(ctx, paths, n_paths, false, &steps, &n_steps) < 0)
		goto nomem;
	printf("Undone; %s removed. Now:\n", jshown);
	for (size_t i = 0; i < n_steps; i++)
		printf("  %s\n", steps[i]);
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	free(paths);
	vk_strv_free(steps, n_steps);
	vk_undo_clear(&u);
	return r;
}
