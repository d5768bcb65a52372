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
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/log.h"
#include "shared/macro.h"
#include "shared/strv.h"
#include "shared/write.h"

#define MAX_FILE (16u << 20)

struct opts {
	bool force, dry_run;
};

/* What undo does with one journal entry. */
enum action {
	KEEP,	  /* already as before apply */
	RESTORE,  /* as apply left it: put the backup back (or remove it) */
	CONFLICT, /* changed since: refused without --force */
};

struct item {
	const struct vk_jentry *e;
	struct vk_file now; /* the file as it is */
	char *backup;	    /* the content before, when it existed */
	size_t backup_len;
	enum action action;
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

/* Look at one entry: what is there now, and what to do. */
static int inspect(const struct vk_ctx *ctx, struct item *it, const char *shown)
{
	const struct vk_jentry *e = it->e;
	char now[VK_SHA256_HEX_LEN] = "", sum[VK_SHA256_HEX_LEN];
	int r = vk_file_load(ctx->rootfd, e->path, MAX_FILE, &it->now);

	if (r < 0) {
		vk_err("%s: %s", shown, strerror(-r));
		return VK_EXIT_ERROR;
	}
	if (it->now.exists)
		vk_sha256_hex(it->now.data, it->now.len, now);
	if (vk_jentry_as_before(e, it->now.exists, now))
		it->action = KEEP;
	else if (it->now.exists && vk_jentry_applied(e, now))
		it->action = RESTORE;
	else
		it->action = CONFLICT;
	if (it->action == KEEP || !e->existed)
		return 0;
	r = vk_file_read_all(ctx->rootfd, e->backup, MAX_FILE, &it->backup, &it->backup_len);
	if (r == 0)
		vk_sha256_hex(it->backup, it->backup_len, sum);
	if (r < 0 || !streq(sum, e->before)) {
		vk_err("%s: its copy from before apply, %s%s, is %s: restore it by hand", shown,
		       ctx->prefix, e->backup, r < 0 ? strerror(-r) : "not what apply saved");
		return VK_EXIT_ERROR;
	}
	return 0;
}

static int restore(const struct vk_ctx *ctx, const struct item *it, const char *shown)
{
	int r;

	_cleanup_free_ char *bak = NULL;

	if (it->e->existed) {
		r = vk_file_replace(ctx->rootfd, &it->now, it->backup, it->backup_len);
	} else if (asprintf(&bak, "%s%s", it->now.target, VK_BACKUP_SUFFIX) < 0) {
		bak = NULL;
		r = -ENOMEM;
	} else {
		/* apply created it: it goes, kept as FILE.vfiokit-bak. */
		r = renameat(ctx->rootfd, vk_rel(it->now.target), ctx->rootfd, vk_rel(bak)) < 0
			    ? -errno
			    : 0;
	}
	if (r < 0) {
		vk_err("%s: %s; undo stopped here: run it again", shown,
		       r == -ESTALE ? "changed by someone else meanwhile" : strerror(-r));
		return VK_EXIT_ERROR;
	}
	printf("%s: %s\n", shown, it->e->existed ? "restored" : "removed (apply created it)");
	return 0;
}

/* Remove backup and its directories up to VK_PATH_BACKUPS, when empty. */
static void remove_backup(const struct vk_ctx *ctx, const char *backup)
{
	_cleanup_free_ char *dir = strdup(vk_rel(backup));
	const char *top = vk_rel(VK_PATH_BACKUPS);
	char *slash;

	unlinkat(ctx->rootfd, vk_rel(backup), 0);
	while (dir && (slash = strrchr(dir, '/')) && strlen(dir) > strlen(top)) {
		*slash = '\0';
		if (strlen(dir) <= strlen(top) || unlinkat(ctx->rootfd, dir, AT_REMOVEDIR) < 0)
			break;
	}
}

static int show_diff(const struct item *it, const char *shown)
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
	struct vk_journal j = {};
	struct item *items = NULL;
	const char **paths = NULL;
	char **steps = NULL, err[1024];
	size_t n_steps = 0, n_paths = 0, conflicts = 0;
	struct opts o = {};
	int r;

	r = vk_cmd_parse_force("undo", help, argc, argv, &o.dry_run, &o.force);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (!jshown)
		goto nomem;
	r = vk_journal_load(ctx->rootfd, jshown, &j, err, sizeof(err));
	if (r == -ENOENT) {
		printf("Nothing to undo: %s does not exist (vfiokit apply writes it).\n", jshown);
		return VK_EXIT_OK;
	}
	if (r < 0) {
		vk_err("%s; nothing restored", r == -ENOMEM ? "out of memory" : err);
		return VK_EXIT_ERROR;
	}
	if (!j.complete)
		vk_warn("the last vfiokit apply (%s) stopped before it finished: undo puts back "
			"every file it got to",
			j.time ? j.time : "?");
	items = calloc(j.n + 1, sizeof(*items));
	paths = calloc(j.n + 1, sizeof(*paths));
	if (!items || !paths)
		goto nomem;
	/* Look at every file before changing any. */
	for (size_t i = 0; i < j.n; i++) {
		_cleanup_free_ char *shown = vk_ctx_path(ctx, j.v[i].path);

		items[i].e = &j.v[i];
		if (!shown)
			goto nomem;
		r = inspect(ctx, &items[i], shown);
		if (r)
			goto out;
		if (items[i].action != CONFLICT)
			continue;
		conflicts++;
		if (o.force)
			vk_warn("%s changed since vfiokit apply: --force, restoring it anyway; "
				"the change is kept in %s%s",
				shown, shown, VK_BACKUP_SUFFIX);
		else
			vk_err("%s changed since vfiokit apply (%s): restoring it would lose that "
			       "change; merge by hand from %s%s, or run 'vfiokit undo --force'",
			       shown, items[i].now.exists ? "edited" : "removed", ctx->prefix,
			       j.v[i].existed ? j.v[i].backup : "(apply created it)");
	}
	if (conflicts && !o.force) {
		vk_err("nothing restored");
		r = VK_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < j.n; i++) {
		_cleanup_free_ char *shown = vk_ctx_path(ctx, j.v[i].path);

		if (!shown)
			goto nomem;
		if (items[i].action == KEEP) {
			printf("%s: as before apply\n", shown);
			continue;
		}
		paths[n_paths++] = j.v[i].path;
		r = o.dry_run ? (show_diff(&items[i], shown) < 0 ? VK_EXIT_ERROR : 0)
			      : restore(ctx, &items[i], shown);
		if (r)
			goto out;
	}
	if (o.dry_run) {
		printf("dry run: nothing restored\n");
		goto out;
	}
	/* Every file is as before: the journal and its copies go. */
	for (size_t i = 0; i < j.n; i++)
		if (j.v[i].backup)
			remove_backup(ctx, j.v[i].backup);
	unlinkat(ctx->rootfd, vk_rel(VK_PATH_JOURNAL VK_BACKUP_SUFFIX), 0);
	if (unlinkat(ctx->rootfd, vk_rel(VK_PATH_JOURNAL), 0) < 0 && errno != ENOENT) {
		vk_err("%s: %s", jshown, strerror(errno));
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
	for (size_t i = 0; items && i < j.n; i++) {
		vk_file_clear(&items[i].now);
		free(items[i].backup);
	}
	free(items);
	free(paths);
	vk_strv_free(steps, n_steps);
	vk_journal_clear(&j);
	return r;
}
