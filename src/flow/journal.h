/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal vfiokit apply keeps under /var/lib/vfiokit: for each file it
 * changed, the SHA-256 of the content before and after and where the
 * content before is kept. vfiokit undo restores from it. It is written
 * (atomically) before the first file is touched, so after a crash at any
 * point each file is either as before or as after, and the checksums tell
 * which. A libvirt domain that vfiokit libvirt apply defined again is an
 * entry too: its XML before, as libvirt gave it, and the checksums of the
 * XML libvirt gives before and after.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/sha256.h"

#define VK_PATH_STATE_DIR "/var/lib/vfiokit"
#define VK_PATH_JOURNAL	  "/var/lib/vfiokit/journal"
#define VK_PATH_BACKUPS	  "/var/lib/vfiokit/backup"
/* Beside a backup: what that apply wrote into the file. */
#define VK_APPLIED_SUFFIX ".vfiokit-applied"

struct vk_jentry {
	char *path;   /* the file: "/etc/default/grub"; a domain's name with uri */
	char *uri;    /* a libvirt domain's connection (vfiokit libvirt apply), or NULL */
	bool existed; /* false: apply created it, undo removes it */
	char before[VK_SHA256_HEX_LEN], after[VK_SHA256_HEX_LEN];
	/* While an apply that changes the file again is under way: what the
	 * apply before left ("" otherwise). Undo takes either as apply's. */
	char previous[VK_SHA256_HEX_LEN];
	char *backup; /* the content before, a copy under VK_PATH_BACKUPS; NULL if new */
};

struct vk_journal {
	unsigned long generation; /* one more for each apply that changed something */
	char *config;		  /* the configuration applied */
	char *time;		  /* when, UTC, ISO 8601 */
	bool complete;		  /* false while apply is writing the files */
	struct vk_jentry *v;
	size_t n;
};

/* Parse text (the journal's content); shown names it in err. 0, -EINVAL
 * (err: "file:line: what"), -ENOMEM. */
int vk_journal_parse(const char *text, const char *shown, struct vk_journal *j, char *err,
		     size_t errlen);
/* Read and parse VK_PATH_JOURNAL under rootfd (shown in messages).
 * -ENOENT when there is none; otherwise as vk_journal_parse(), with err
 * saying what to do. */
int vk_journal_load(int rootfd, const char *shown, struct vk_journal *j, char *err, size_t errlen);
/* Is the file of e as it was before the first apply? exists: it is there,
 * with content sum (a SHA-256). */
bool vk_jentry_as_before(const struct vk_jentry *e, bool exists, const char *sum);
/* Is sum (a SHA-256) what an apply left in the file of e? */
bool vk_jentry_applied(const struct vk_jentry *e, const char *sum);
/* The journal as text (libconfig syntax). New string or NULL. */
char *vk_journal_render(const struct vk_journal *j);
void vk_journal_clear(struct vk_journal *j);

/* The entry for the file path, or NULL. */
struct vk_jentry *vk_journal_find(const struct vk_journal *j, const char *path);
/* The entry for the libvirt domain name at uri, or NULL. */
struct vk_jentry *vk_journal_find_domain(const struct vk_journal *j, const char *uri,
					 const char *name);
/* A new entry for path (strings empty). NULL when out of memory. */
struct vk_jentry *vk_journal_add(struct vk_journal *j, const char *path);
