/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiokit apply's transaction and vfiokit undo, under a root: the journal
 * (src/flow/journal.h) is written before the first file is touched, each
 * file's content before is copied under /var/lib/vfiokit/backup, each
 * file is replaced atomically, and the journal is marked complete. After
 * a crash at any point every file is as before or as after, and undo puts
 * back what the journal says. An apply that fails puts back what it wrote. Nothing here prints:
 * what the user should know is in the notes.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../shared/change.h"
#include "journal.h"

/* The file operations, so that tests can stop a transaction at any of
 * them; NULL in a struct below: the real ones (src/shared/write.h). */
struct vk_tx_ops {
	int (*replace)(int rootfd, const struct vk_file *f, const char *data, size_t len);
	int (*mkdir_parents)(int rootfd, const char *rel);
};

struct vk_tx {
	int rootfd;
	const char *prefix; /* the root as the user sees it, "" for "/" */
	const struct vk_tx_ops *ops;
	struct vk_changes changes; /* paths canonical under the root, shown with prefix */
	struct vk_notes notes;
	size_t n_done; /* after vk_tx_apply(): the files replaced, in order */
};

/* Move the changes of a planner that change their file into tx (what is
 * left in from, emptied entries included, is the caller's to clear): paths of the host
 * become paths under the root, links are resolved the root's way. -EXDEV
 * for a file outside the root, -EEXIST for a file already in tx (error
 * notes), -ENOMEM. */
int vk_tx_take(struct vk_tx *tx, struct vk_changes *from);

/* Make every change, recording config and when in the journal. 0, or
 * -errno with an error note. On an error every path this apply wrote is
 * put back as it was (the files, their FILE.vfiokit-bak, the journal as
 * before this apply or none, this apply's backups) and tx->n_done is 0;
 * when that fails too, an error note names the file, the journal stays,
 * the first tx->n_done files are changed and undo restores them. A crash
 * leaves the journal: undo restores what was changed. */
int vk_tx_apply(struct vk_tx *tx, const char *config, time_t when);

/* vfiokit libvirt apply: the domain name at uri, its XML before (as
 * libvirt gives it) and the XML to define. */
struct vk_tx_domain {
	const char *uri, *name, *before, *xml;
};

/* Define d->xml as vk_tx_apply() makes a change: the XML before copied
 * under the backup directory and the domain entered into the journal
 * first, then libvirt's define, then the journal marked complete with the
 * checksum of the XML libvirt gives back. 0, or -errno with an error
 * note; on an error before the define every path written is put back and
 * tx->n_done is 0. */
int vk_tx_apply_domain(struct vk_tx *tx, const struct vk_tx_domain *d, const char *config,
		       time_t when);
void vk_tx_clear(struct vk_tx *tx);

enum vk_undo_action {
	VK_UNDO_KEEP,	  /* already as before apply */
	VK_UNDO_RESTORE,  /* as apply left it: put the backup back (or remove it) */
	VK_UNDO_CONFLICT, /* changed since: refused without force */
};

struct vk_undo_item {
	const struct vk_jentry *e;
	struct vk_file now; /* the file as it is */
	char *backup;	    /* the content before, when it existed */
	size_t backup_len;
	char *applied; /* with a conflict: what apply wrote, when its copy is whole */
	size_t applied_len;
	enum vk_undo_action action;
};

struct vk_undo {
	int rootfd;
	const char *prefix;
	const struct vk_tx_ops *ops;
	struct vk_journal j;
	struct vk_undo_item *items; /* one per journal entry */
	size_t n_conflicts;
	struct vk_notes notes;
};

/* Read the journal and look at every file it names. 0; -ENOENT: no
 * journal, nothing to undo; -errno with an error note. */
int vk_undo_open(struct vk_undo *u);
/* Put item i back: the backup's content (a libvirt domain defined from
 * it), or the file removed (kept as FILE.vfiokit-bak) when apply created it. 0 or -errno with an
 * error note. */
int vk_undo_restore(struct vk_undo *u, size_t i);
/* Every file is as before: remove the journal and the backups. 0 or -errno
 * with an error note. */
int vk_undo_finish(struct vk_undo *u);
void vk_undo_clear(struct vk_undo *u);
