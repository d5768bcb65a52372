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
#include "shared/json.h"
#include "log.h"
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
	       "left nor the one before) is refused, with the diff from it to what undo\n"
	       "would restore, and then nothing is restored. The version each restore\n"
	       "replaces is kept as FILE.vfiokit-bak; a file apply created goes, kept as\n"
	       "FILE.vfiokit-bak only when it was changed since (--force).\n"
	       "\n"
	       "Options:\n"
	       "  -n, --dry-run  show what would be restored, as diffs\n"
	       "  -f, --force    restore files changed since apply too (those changes are lost)\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Exit status: 0 restored (or nothing to undo); 1 error or a refused file,\n"
	       "nothing restored; 2 usage error.\n");
}

/* How the user sees e: its file under the root, or its libvirt domain. */
static char *shown_of(const struct vk_ctx *ctx, const struct vk_jentry *e)
{
	char *s;

	if (!e->uri)
		return vk_ctx_path(ctx, e->path);
	return asprintf(&s, "libvirt domain %s (%s)", e->path, e->uri) < 0 ? NULL : s;
}

static int make_diff(const struct vk_undo_item *it, const char *shown, char **diff)
{
	_cleanup_free_ char *old = NULL;

	if (asprintf(&old, "%s (before apply)", shown) < 0 ||
	    vk_diff_unified(shown, it->now.data, it->now.len, old, it->backup ? it->backup : "",
			    it->backup_len, diff) < 0)
		return -ENOMEM;
	return 0;
}

/* A file changed since apply, as etc-update shows a merge: what apply
 * wrote (from the copy before), what changed since (from what apply wrote,
 * when its copy is whole), and what undo --force would make of it. */
static int show_conflict(const struct vk_undo_item *it, const char *shown)
{
	_cleanup_free_ char *wrote = NULL, *since = NULL, *restore = NULL, *before = NULL,
			    *applied = NULL;
	const char *now = it->now.exists ? it->now.data : "";

	if (asprintf(&before, "%s (before apply)", shown) < 0 ||
	    asprintf(&applied, "%s (as apply wrote it)", shown) < 0 ||
	    make_diff(it, shown, &restore) < 0)
		return -ENOMEM;
	if (it->applied && (vk_diff_unified(before, it->backup ? it->backup : "", it->backup_len,
					    applied, it->applied, it->applied_len, &wrote) < 0 ||
			    vk_diff_unified(applied, it->applied, it->applied_len, shown, now,
					    it->now.len, &since) < 0))
		return -ENOMEM;
	if (it->applied) {
		printf("%s: what apply wrote:\n", shown);
		vk_print_diff(wrote);
		printf("%s: what changed since:\n", shown);
		vk_print_diff(since);
	} else {
		printf("%s: what apply wrote is not kept (an apply of an older vfiokit)\n", shown);
	}
	printf("%s: what undo --force would make of it:\n", shown);
	vk_print_diff(restore);
	return 0;
}

/* What undo did to each file of the journal, for --json. */
struct report {
	const char **action; /* per journal entry; NULL: not reached */
	char **diff;	     /* per journal entry, with --dry-run */
	char **steps;
	size_t n_steps;
};

static void report_json(const struct vk_undo *u, const struct report *rep, bool dry_run,
			bool journal, bool failed)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "journal", journal ? VK_PATH_JOURNAL : NULL);
	vk_json_kv_bool(&j, "dry_run", dry_run);
	vk_json_key(&j, "files");
	vk_json_array_begin(&j);
	for (size_t i = 0; rep->action && i < u->j.n; i++) {
		if (!rep->action[i])
			continue;
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "path", u->j.v[i].path);
		if (u->j.v[i].uri)
			vk_json_kv_string(&j, "uri", u->j.v[i].uri);
		vk_json_kv_string(&j, "action", rep->action[i]);
		if (dry_run)
			vk_json_kv_string(&j, "diff", rep->diff[i]);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_key(&j, "then");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < rep->n_steps; i++)
		vk_json_string(&j, rep->steps[i]);
	vk_json_array_end(&j);
	if (failed)
		vk_json_kv_string(&j, "error", vk_log_first_error());
	vk_json_object_end(&j);
}

int cmd_undo(struct vk_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *jshown = vk_ctx_path(ctx, VK_PATH_JOURNAL);
	struct vk_undo u = { .rootfd = ctx->rootfd, .prefix = ctx->prefix };
	struct report rep = {};
	const char **paths = NULL;
	size_t n_paths = 0, n_domains = 0;
	bool reached = false;
	struct opts o = {};
	int r;

	r = vk_cmd_parse_force("undo", help, argc, argv, &o.dry_run, &o.force);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (!jshown)
		goto nomem;
	r = vk_undo_open(&u);
	if (r == -ENOENT) {
		if (ctx->json)
			report_json(&u, &rep, o.dry_run, false, false);
		else
			printf("Nothing to undo: %s does not exist (vfiokit apply writes it).\n",
			       jshown);
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
		_cleanup_free_ char *shown = shown_of(ctx, it->e);
		char hint[512];

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
			       "change; merge by hand from %s%s, or run '%s'",
			       shown, it->now.exists ? "edited" : "removed", ctx->prefix,
			       it->e->existed ? it->e->backup : "(apply created it)",
			       vk_ctx_hint(ctx, "undo --force", hint, sizeof(hint)));
		/* As etc-update shows a merge: what apply wrote, what changed
		 * since, and from the file as it is now to what undo would put
		 * there. */
		if (!o.force && !ctx->json && show_conflict(it, shown) < 0)
			goto nomem;
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
	rep.action = calloc(u.j.n + 1, sizeof(*rep.action));
	rep.diff = calloc(u.j.n + 1, sizeof(*rep.diff));
	if (!paths || !rep.action || !rep.diff)
		goto nomem;
	reached = true;
	for (size_t i = 0; i < u.j.n; i++) {
		_cleanup_free_ char *shown = shown_of(ctx, &u.j.v[i]);
		bool existed = u.j.v[i].existed;

		if (!shown)
			goto nomem;
		if (u.items[i].action == VK_UNDO_KEEP) {
			rep.action[i] = "unchanged";
			if (!ctx->json)
				printf("%s: as before apply\n", shown);
			continue;
		}
		if (u.j.v[i].uri)
			n_domains++;
		else
			paths[n_paths++] = u.j.v[i].path;
		if (o.dry_run) {
			rep.action[i] = existed ? "would restore" : "would remove";
			if (make_diff(&u.items[i], shown, &rep.diff[i]) < 0)
				goto nomem;
			if (!ctx->json)
				vk_print_diff(rep.diff[i]);
			continue;
		}
		r = vk_undo_restore(&u, i);
		if (r) {
			vk_cmd_notes(ctx, &u.notes, VK_NOTES_REPORT);
			r = VK_EXIT_ERROR;
			goto out;
		}
		rep.action[i] = existed ? "restored" : "removed";
		if (!ctx->json)
			printf("%s: %s\n", shown,
			       existed ? "restored" : "removed (apply created it)");
	}
	if (o.dry_run) {
		if (!ctx->json)
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
		if (!ctx->json)
			printf("%s; %s removed.\n",
			       n_domains ? "Undone" : "Every file was already as before apply",
			       jshown);
		goto out;
	}
	if (vk_flow_next_steps(ctx, paths, n_paths, NULL, false, &rep.steps, &rep.n_steps) < 0)
		goto nomem;
	if (ctx->json)
		goto out;
	printf("Undone; %s removed. Now:\n", jshown);
	for (size_t i = 0; i < rep.n_steps; i++)
		printf("  %s\n", rep.steps[i]);
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	/* Once files were reached, the report says which were restored. */
	if (ctx->json && reached)
		report_json(&u, &rep, o.dry_run, true, r != 0);
	for (size_t i = 0; rep.diff && i < u.j.n; i++)
		free(rep.diff[i]);
	free(rep.diff);
	free(rep.action);
	free(paths);
	vk_strv_free(rep.steps, rep.n_steps);
	vk_undo_clear(&u);
	return r;
}
