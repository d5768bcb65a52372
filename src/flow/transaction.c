// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libvirt/virt.h"
#include "../shared/ctx.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/write.h"
#include "transaction.h"

#define MAX_STATE_FILE (16u << 20)

static const struct vk_tx_ops real_ops = { vk_file_replace, vk_mkdir_parents };

/* An error note; returns r. */
#define FAIL(notes, r, ...)                                        \
	({                                                         \
		vk_notes_add((notes), VK_NOTE_ERROR, __VA_ARGS__); \
		(r);                                               \
	})

/* ---- taking changes ------------------------------------------------------ */

/* abs (a path of the host when host) as a path under the root, or NULL. */
static char *under_root(const char *prefix, bool host, const char *abs)
{
	size_t n = strlen(prefix);

	if (!host)
		return strdup(abs);
	if (strncmp(abs, prefix, n) != 0 || abs[n] != '/')
		return NULL;
	return strdup(abs + n);
}

int vk_tx_take(struct vk_tx *tx, struct vk_changes *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct vk_change *ch = &from->v[i], *v;
		_cleanup_free_ char *target = NULL, *path = NULL, *canon = NULL;
		int r;

		if (!ch->text || vk_change_same(ch))
			continue;
		target = under_root(tx->prefix, ch->host, ch->f.target);
		path = under_root(tx->prefix, ch->host, ch->f.path);
		if (!target || !path)
			return FAIL(&tx->notes, -EXDEV,
				    "%s: outside the root %s: vfiokit apply changes files under it "
				    "only",
				    ch->shown, tx->prefix);
		/* One name for a file however it was reached: the journal's. */
		r = vk_canonical_path(tx->rootfd, target, &canon);
		if (r < 0)
			return FAIL(&tx->notes, r, "%s: %s", ch->shown, strerror(-r));
		for (size_t k = 0; k < tx->changes.n; k++)
			if (streq(tx->changes.v[k].f.target, canon))
				return FAIL(&tx->notes, -EEXIST,
					    "%s: two steps change this file: run them one after "
					    "the other",
					    ch->shown);
		v = realloc(tx->changes.v, (tx->changes.n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		tx->changes.v = v;
		free(ch->shown);
		if (asprintf(&ch->shown, "%s%s", tx->prefix, canon) < 0) {
			ch->shown = NULL;
			return -ENOMEM;
		}
		free(ch->f.target);
		free(ch->f.path);
		ch->f.target = TAKE_PTR(canon);
		ch->f.path = TAKE_PTR(path);
		ch->host = false;
		tx->changes.v[tx->changes.n++] = *ch;
		*ch = (struct vk_change){};
	}
	return 0;
}

void vk_tx_clear(struct vk_tx *tx)
{
	vk_changes_clear(&tx->changes);
	vk_notes_clear(&tx->notes);
}

/* ---- apply --------------------------------------------------------------- */

static const struct vk_tx_ops *ops_of(const struct vk_tx_ops *ops)
{
	return ops ? ops : &real_ops;
}

/*
 * What every path an apply writes held before it, so that an apply that
 * fails half-way can put everything back: the files it changes, the
 * FILE.vfiokit-bak each replace leaves, the journal and the copies under
 * the backup directory.
 */
struct saved {
	struct vk_file f; /* as it was; f.path is the path */
	char *made;	  /* not there: the first of its directories that was not either */
};

struct before {
	struct saved *v;
	size_t n;
};

static void before_clear(struct before *b)
{
	for (size_t i = 0; i < b->n; i++) {
		vk_file_clear(&b->v[i].f);
		free(b->v[i].made);
	}
	free(b->v);
	*b = (struct before){};
}

/* The first directory on the way to abs that is not there, or NULL. */
static int first_missing_dir(int rootfd, const char *abs, char **out)
{
	_cleanup_free_ char *dir = strdup(abs);
	struct stat st;

	*out = NULL;
	if (!dir)
		return -ENOMEM;
	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (fstatat(rootfd, vk_rel(dir), &st, 0) < 0) {
			if (errno != ENOENT)
				return -errno;
			*out = TAKE_PTR(dir);
			return 0;
		}
		*slash = '/';
	}
	return 0;
}

/* Remember abs as it is now, once. 0 or -errno. */
static int remember_one(int rootfd, struct before *b, const char *abs)
{
	struct saved *v, *s;
	int r;

	for (size_t i = 0; i < b->n; i++)
		if (streq(b->v[i].f.path, abs))
			return 0;
	v = realloc(b->v, (b->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	b->v = v;
	s = &b->v[b->n];
	*s = (struct saved){};
	r = vk_file_load(rootfd, abs, MAX_STATE_FILE, &s->f);
	if (r == 0 && !s->f.exists)
		r = first_missing_dir(rootfd, abs, &s->made);
	if (r < 0) {
		vk_file_clear(&s->f);
		return r;
	}
	b->n++;
	return 0;
}

/* Remember abs and the FILE.vfiokit-bak a replace of it leaves. */
static int remember(int rootfd, struct before *b, const char *abs)
{
	_cleanup_free_ char *bak = NULL;
	int r = remember_one(rootfd, b, abs);

	if (r < 0)
		return r;
	if (asprintf(&bak, "%s%s", abs, VK_BACKUP_SUFFIX) < 0)
		return -ENOMEM;
	return remember_one(rootfd, b, bak);
}

/* Put s back: its content before, or removed with the directories made
 * for it. 0 or -errno. */
static int put_back_one(int rootfd, const struct saved *s)
{
	struct vk_file now;
	int r = vk_file_load(rootfd, s->f.path, MAX_STATE_FILE, &now);

	if (r < 0)
		return r;
	if (s->f.exists) {
		if (!now.exists || now.len != s->f.len || memcmp(now.data, s->f.data, now.len))
			r = vk_file_put_back(rootfd, &now, s->f.data, s->f.len);
	} else if (now.exists && unlinkat(rootfd, vk_rel(now.target), 0) < 0) {
		r = -errno;
	} else if (s->made) {
		_cleanup_free_ char *dir = strdup(s->f.path);
		char *slash;

		if (!dir)
			r = -ENOMEM;
		/* Only empty ones go: another file may have come meanwhile. */
		while (dir && (slash = strrchr(dir, '/')) && strlen(dir) > strlen(s->made)) {
			*slash = '\0';
			if (unlinkat(rootfd, vk_rel(dir), AT_REMOVEDIR) < 0)
				break;
		}
	}
	vk_file_clear(&now);
	return r;
}

/* Put every remembered path back, the last written first: the files of
 * the system, then the journal and the backups. Stops at the first that
 * cannot be, so that the journal stays for undo; its index in *failed. */
static int put_back(int rootfd, const struct before *b, size_t *failed)
{
	for (size_t i = b->n; i-- > 0;) {
		int r = put_back_one(rootfd, &b->v[i]);

		if (r < 0) {
			*failed = i;
			return r;
		}
	}
	return 0;
}

/* Write text to abs under the root as a whole new version (a backup or
 * the journal). 0 or -errno. */
static int put_state_file(int rootfd, const struct vk_tx_ops *ops, struct before *b,
			  const char *abs, const char *text, size_t len)
{
	struct vk_file f;
	int r = remember(rootfd, b, abs);

	if (r == 0)
		r = ops->mkdir_parents(rootfd, vk_rel(abs));

	if (r == 0)
		r = vk_file_load(rootfd, abs, MAX_STATE_FILE, &f);
	if (r == 0) {
		r = ops->replace(rootfd, &f, text, len);
		vk_file_clear(&f);
	}
	return r;
}

static int save_journal(struct vk_tx *tx, struct before *b, const struct vk_journal *j)
{
	_cleanup_free_ char *text = vk_journal_render(j);
	int r = text ? put_state_file(tx->rootfd, ops_of(tx->ops), b, VK_PATH_JOURNAL, text,
				      strlen(text))
		     : -ENOMEM;

	if (r < 0)
		FAIL(&tx->notes, r, "%s%s: %s; nothing more written", tx->prefix, VK_PATH_JOURNAL,
		     strerror(-r));
	return r;
}

/* Where apply keeps what it wrote into target in generation gen (for undo
 * to show, as etc-update does, when the file changed since): beside the
 * backups. New string or NULL. */
static char *applied_path(unsigned long gen, const char *target)
{
	char *p;

	return asprintf(&p, "%s/%lu%s%s", VK_PATH_BACKUPS, gen, target, VK_APPLIED_SUFFIX) < 0
		       ? NULL
		       : p;
}

static int save_applied(struct vk_tx *tx, struct before *b, unsigned long gen, const char *path,
			const char *text, size_t len)
{
	_cleanup_free_ char *abs = applied_path(gen, path);
	int r = abs ? put_state_file(tx->rootfd, ops_of(tx->ops), b, abs, text, len) : -ENOMEM;

	if (r < 0 && abs)
		FAIL(&tx->notes, r, "%s%s: %s; nothing written", tx->prefix, abs, strerror(-r));
	return r;
}

/*
 * Enter path (a file, or a libvirt domain's name with uri) into the
 * journal, as it is now (f) and as it will be (text). One new to it gets
 * a copy of its content before. One an earlier apply changed keeps that
 * first content before, and what it holds now is noted as "previous": if
 * this apply stops before it is replaced, undo still knows it.
 */
static int journal_entry(struct vk_tx *tx, struct before *b, struct vk_journal *j, const char *uri,
			 const char *path, const struct vk_file *f, const char *text, size_t len)
{
	char now[VK_SHA256_HEX_LEN] = "";
	struct vk_jentry *e = uri ? vk_journal_find_domain(j, uri, path) : vk_journal_find(j, path);
	int r;

	if (f->exists)
		vk_sha256_hex(f->data, f->len, now);
	if (e) {
		if (vk_jentry_as_before(e, f->exists, now) || vk_jentry_applied(e, now))
			;
		else if (uri)
			vk_notes_add(&tx->notes, VK_NOTE_WARN,
				     "libvirt domain %s changed since the last apply: 'vfiokit "
				     "undo' will define the version from before the first apply",
				     path);
		else
			vk_notes_add(&tx->notes, VK_NOTE_WARN,
				     "%s%s changed since the last apply: 'vfiokit undo' will put "
				     "back the version from before the first apply (and keep the "
				     "one it replaces as %s%s%s)",
				     tx->prefix, path, tx->prefix, path, VK_BACKUP_SUFFIX);
		snprintf(e->previous, sizeof(e->previous), "%s", now);
		vk_sha256_hex(text, len, e->after);
		/* A domain's undo shows its diff from libvirt's own XML. */
		return uri ? 0 : save_applied(tx, b, j->generation, path, text, len);
	}
	e = vk_journal_add(j, path);
	if (!e || (uri && !(e->uri = strdup(uri))))
		return -ENOMEM;
	e->existed = f->exists;
	snprintf(e->before, sizeof(e->before), "%s", now);
	vk_sha256_hex(text, len, e->after);
	r = uri ? 0 : save_applied(tx, b, j->generation, path, text, len);
	if (r < 0 || !f->exists)
		return r;
	if (asprintf(&e->backup, uri ? "%s/%lu/libvirt-domain/%s.xml" : "%s/%lu%s", VK_PATH_BACKUPS,
		     j->generation, path) < 0) {
		e->backup = NULL;
		return -ENOMEM;
	}
	r = put_state_file(tx->rootfd, ops_of(tx->ops), b, e->backup, f->data, f->len);
	if (r < 0)
		FAIL(&tx->notes, r, "%s%s: %s; nothing written", tx->prefix, e->backup,
		     strerror(-r));
	return r;
}

static int load_journal(struct vk_tx *tx, struct vk_journal *j)
{
	_cleanup_free_ char *shown = NULL;
	char err[1024];
	int r;

	if (asprintf(&shown, "%s%s", tx->prefix, VK_PATH_JOURNAL) < 0)
		return -ENOMEM;
	r = vk_journal_load(tx->rootfd, shown, j, err, sizeof(err));
	if (r == -ENOENT)
		return 0;
	if (r < 0 && r != -ENOMEM)
		FAIL(&tx->notes, r, "%s; nothing written", err);
	return r;
}

/* After a failure: put back everything this apply wrote, and say so. */
static void roll_back(struct vk_tx *tx, const struct before *b)
{
	size_t failed = 0;
	int r = put_back(tx->rootfd, b, &failed);

	if (r == 0) {
		if (b->n)
			vk_notes_add(&tx->notes, VK_NOTE_NOTICE,
				     "every file this apply wrote is put back as it was "
				     "(and the journal with it)");
		tx->n_done = 0;
		return;
	}
	FAIL(&tx->notes, r,
	     "%s%s: cannot put it back as it was (%s): the journal %s%s is kept; 'vfiokit "
	     "undo' restores the files changed",
	     tx->prefix, b->v[failed].f.path, strerror(-r), tx->prefix, VK_PATH_JOURNAL);
}

/* The journal as it is, for one more apply of config at when. */
static int begin(struct vk_tx *tx, struct vk_journal *j, const char *config, time_t when)
{
	char now[32];
	int r = load_journal(tx, j);

	if (r)
		return r;
	j->generation++;
	free(j->config);
	free(j->time);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&when));
	j->config = strdup(config);
	j->time = strdup(now);
	j->complete = false;
	return j->config && j->time ? 0 : -ENOMEM;
}

int vk_tx_apply(struct vk_tx *tx, const char *config, time_t when)
{
	const struct vk_tx_ops *ops = ops_of(tx->ops);
	struct vk_journal j = {};
	struct before b = {};
	int r;

	tx->n_done = 0;
	r = begin(tx, &j, config, when);
	if (r)
		goto out;
	for (size_t i = 0; i < tx->changes.n; i++) {
		const struct vk_change *c = &tx->changes.v[i];

		r = journal_entry(tx, &b, &j, NULL, c->f.target, &c->f, c->text, c->len);
		if (r < 0)
			goto out;
	}
	/* The journal first: from here on, undo knows every file. */
	r = save_journal(tx, &b, &j);
	if (r)
		goto out;
	for (size_t i = 0; i < tx->changes.n; i++) {
		const struct vk_change *c = &tx->changes.v[i];

		r = remember(tx->rootfd, &b, c->f.target);
		if (r == 0 && !c->f.exists)
			r = ops->mkdir_parents(tx->rootfd, vk_rel(c->f.target));
		if (r == 0)
			r = ops->replace(tx->rootfd, &c->f, c->text, c->len);
		if (r < 0) {
			FAIL(&tx->notes, r, "%s%s: %s; stopped here", tx->prefix, c->f.target,
			     r == -ESTALE ? "changed by someone else meanwhile" : strerror(-r));
			goto out;
		}
		tx->n_done++;
	}
	j.complete = true;
	for (size_t i = 0; i < j.n; i++)
		j.v[i].previous[0] = '\0';
	r = save_journal(tx, &b, &j);
out:
	if (r < 0)
		roll_back(tx, &b);
	before_clear(&b);
	vk_journal_clear(&j);
	return r;
}

int vk_tx_apply_domain(struct vk_tx *tx, const struct vk_tx_domain *d, const char *config,
		       time_t when)
{
	struct vk_file f = { .data = (char *)d->before, .len = strlen(d->before), .exists = true };
	_cleanup_free_ char *now = NULL;
	struct vk_journal j = {};
	struct before b = {};
	struct vk_jentry *e;
	char err[1024];
	int r;

	tx->n_done = 0;
	r = begin(tx, &j, config, when);
	if (r == 0)
		r = journal_entry(tx, &b, &j, d->uri, d->name, &f, d->xml, strlen(d->xml));
	/* The journal first: from here on, undo knows the domain. */
	if (r == 0)
		r = save_journal(tx, &b, &j);
	if (r)
		goto out;
	r = vk_virt_define(d->uri, d->xml, err, sizeof(err));
	if (r < 0) {
		FAIL(&tx->notes, r, "libvirt domain %s: %s; not defined", d->name, err);
		goto out;
	}
	tx->n_done = 1;
	/* What undo compares with: the XML as libvirt gives it now. libvirt
	 * puts the controllers it adds after those it read, and sorts them
	 * when it reads its file again: its own XML defined once more is in
	 * the form every later read gives. */
	e = vk_journal_find_domain(&j, d->uri, d->name);
	if (vk_virt_domain_xml(d->uri, d->name, &now, err, sizeof(err)) == 0 &&
	    vk_virt_define(d->uri, now, err, sizeof(err)) == 0) {
		free(TAKE_PTR(now));
		if (vk_virt_domain_xml(d->uri, d->name, &now, err, sizeof(err)) == 0)
			vk_sha256_hex(now, strlen(now), e->after);
	}
	if (!now)
		vk_notes_add(&tx->notes, VK_NOTE_WARN,
			     "libvirt domain %s: defined, but not read back (%s): 'vfiokit undo' "
			     "will take it as changed since and want --force",
			     d->name, err);
	j.complete = true;
	for (size_t i = 0; i < j.n; i++)
		j.v[i].previous[0] = '\0';
	r = save_journal(tx, &b, &j);
	/* Without the journal, undo would not know the domain: as it was. */
	if (r < 0 && vk_virt_define(d->uri, d->before, err, sizeof(err)) < 0)
		FAIL(&tx->notes, r,
		     "libvirt domain %s: cannot define it as before (%s): its XML "
		     "before is kept in %s%s",
		     d->name, err, tx->prefix, e->backup);
	else if (r < 0)
		tx->n_done = 0;
out:
	if (r < 0 && !tx->n_done)
		roll_back(tx, &b);
	before_clear(&b);
	vk_journal_clear(&j);
	return r;
}

/* ---- undo ---------------------------------------------------------------- */

/* The shown name of e: its file under the root, or its libvirt domain. */
static const char *entry_shown(const struct vk_undo *u, const struct vk_jentry *e, char *buf,
			       size_t len)
{
	if (e->uri)
		snprintf(buf, len, "libvirt domain %s (%s)", e->path, e->uri);
	else
		snprintf(buf, len, "%s%s", u->prefix, e->path);
	return buf;
}

/* The libvirt domain of e as it is now, in libvirt's XML. */
static int load_domain(struct vk_undo *u, const struct vk_jentry *e, struct vk_file *now)
{
	char err[1024];
	int r = vk_virt_domain_xml(e->uri, e->path, &now->data, err, sizeof(err));

	if (r == -ENOENT)
		now->data = strdup("");
	else if (r < 0)
		return FAIL(&u->notes, r, "libvirt domain %s: %s", e->path, err);
	if (!now->data)
		return -ENOMEM;
	now->exists = r == 0;
	now->len = strlen(now->data);
	return 0;
}

/* Look at one entry: what is there now, and what to do. */
static int inspect(struct vk_undo *u, struct vk_undo_item *it)
{
	const struct vk_jentry *e = it->e;
	char now[VK_SHA256_HEX_LEN] = "", sum[VK_SHA256_HEX_LEN], shown[1024];
	int r = e->uri ? load_domain(u, e, &it->now)
		       : vk_file_load(u->rootfd, e->path, MAX_STATE_FILE, &it->now);

	if (r < 0 && !e->uri)
		return FAIL(&u->notes, r, "%s%s: %s", u->prefix, e->path, strerror(-r));
	if (r < 0)
		return r;
	if (it->now.exists)
		vk_sha256_hex(it->now.data, it->now.len, now);
	if (vk_jentry_as_before(e, it->now.exists, now))
		it->action = VK_UNDO_KEEP;
	else if (it->now.exists && vk_jentry_applied(e, now))
		it->action = VK_UNDO_RESTORE;
	else
		it->action = VK_UNDO_CONFLICT;
	/* What apply wrote into a file, for the user to merge from: the
	 * newest copy that is still what the journal says apply left. */
	for (unsigned long g = u->j.generation; !e->uri && it->action == VK_UNDO_CONFLICT && g > 0;
	     g--) {
		_cleanup_free_ char *abs = applied_path(g, e->path);
		char *data = NULL;
		size_t len = 0;

		if (!abs)
			return -ENOMEM;
		if (vk_file_read_all(u->rootfd, abs, MAX_STATE_FILE, &data, &len) < 0)
			continue;
		vk_sha256_hex(data, len, sum);
		if (streq(sum, e->after)) {
			it->applied = data;
			it->applied_len = len;
			break;
		}
		free(data);
	}
	if (it->action == VK_UNDO_KEEP || !e->existed)
		return 0;
	r = vk_file_read_all(u->rootfd, e->backup, MAX_STATE_FILE, &it->backup, &it->backup_len);
	if (r == 0)
		vk_sha256_hex(it->backup, it->backup_len, sum);
	if (r < 0 || !streq(sum, e->before))
		return FAIL(&u->notes, r < 0 ? r : -EBADMSG,
			    "%s: its copy from before apply, %s%s, is %s: restore it by hand",
			    entry_shown(u, e, shown, sizeof(shown)), u->prefix, e->backup,
			    r < 0 ? strerror(-r) : "not what apply saved");
	return 0;
}

int vk_undo_open(struct vk_undo *u)
{
	_cleanup_free_ char *shown = NULL;
	char err[1024];
	int r;

	if (asprintf(&shown, "%s%s", u->prefix, VK_PATH_JOURNAL) < 0)
		return -ENOMEM;
	r = vk_journal_load(u->rootfd, shown, &u->j, err, sizeof(err));
	if (r == -ENOENT || r == -ENOMEM)
		return r;
	if (r < 0)
		return FAIL(&u->notes, r, "%s; nothing restored", err);
	u->items = calloc(u->j.n + 1, sizeof(*u->items));
	if (!u->items)
		return -ENOMEM;
	/* Look at every file before changing any. */
	for (size_t i = 0; i < u->j.n; i++) {
		u->items[i].e = &u->j.v[i];
		r = inspect(u, &u->items[i]);
		if (r < 0)
			return r;
		u->n_conflicts += u->items[i].action == VK_UNDO_CONFLICT;
	}
	return 0;
}

int vk_undo_restore(struct vk_undo *u, size_t i)
{
	const struct vk_undo_item *it = &u->items[i];
	_cleanup_free_ char *bak = NULL;
	char err[1024], shown[1024];
	int r;

	if (it->action == VK_UNDO_KEEP)
		return 0;
	if (it->e->uri) {
		r = vk_virt_define(it->e->uri, it->backup, err, sizeof(err));
		if (r < 0)
			FAIL(&u->notes, r, "libvirt domain %s: %s; undo stopped here: run it again",
			     it->e->path, err);
		return r;
	}
	if (it->e->existed) {
		r = ops_of(u->ops)->replace(u->rootfd, &it->now, it->backup, it->backup_len);
	} else if (it->action == VK_UNDO_RESTORE) {
		/* apply created it and it is as apply wrote it: it goes. */
		r = unlinkat(u->rootfd, vk_rel(it->now.target), 0) < 0 && errno != ENOENT ? -errno
											  : 0;
	} else if (asprintf(&bak, "%s%s", it->now.target, VK_BACKUP_SUFFIX) < 0) {
		bak = NULL;
		r = -ENOMEM;
	} else {
		/* apply created it and someone changed it since (--force): it
		 * goes, the change kept as FILE.vfiokit-bak. */
		r = renameat(u->rootfd, vk_rel(it->now.target), u->rootfd, vk_rel(bak)) < 0 ? -errno
											    : 0;
	}
	if (r < 0)
		FAIL(&u->notes, r, "%s: %s; undo stopped here: run it again",
		     entry_shown(u, it->e, shown, sizeof(shown)),
		     r == -ESTALE ? "changed by someone else meanwhile" : strerror(-r));
	return r;
}

/* Remove backup and its directories up to VK_PATH_BACKUPS, when empty. */
static void remove_backup(int rootfd, const char *backup)
{
	_cleanup_free_ char *dir = strdup(vk_rel(backup));
	const char *top = vk_rel(VK_PATH_BACKUPS);
	char *slash;

	unlinkat(rootfd, vk_rel(backup), 0);
	while (dir && (slash = strrchr(dir, '/')) && strlen(dir) > strlen(top)) {
		*slash = '\0';
		if (strlen(dir) <= strlen(top) || unlinkat(rootfd, dir, AT_REMOVEDIR) < 0)
			break;
	}
}

int vk_undo_finish(struct vk_undo *u)
{
	for (size_t i = 0; i < u->j.n; i++) {
		if (u->j.v[i].backup)
			remove_backup(u->rootfd, u->j.v[i].backup);
		for (unsigned long g = 1; !u->j.v[i].uri && g <= u->j.generation; g++) {
			_cleanup_free_ char *abs = applied_path(g, u->j.v[i].path);

			if (abs)
				remove_backup(u->rootfd, abs);
		}
	}
	/* No empty folder stays behind: only empty ones go. */
	unlinkat(u->rootfd, vk_rel(VK_PATH_BACKUPS), AT_REMOVEDIR);
	unlinkat(u->rootfd, vk_rel(VK_PATH_JOURNAL VK_BACKUP_SUFFIX), 0);
	if (unlinkat(u->rootfd, vk_rel(VK_PATH_JOURNAL), 0) < 0 && errno != ENOENT)
		return FAIL(&u->notes, -errno, "%s%s: %s", u->prefix, VK_PATH_JOURNAL,
			    strerror(errno));
	return 0;
}

void vk_undo_clear(struct vk_undo *u)
{
	for (size_t i = 0; u->items && i < u->j.n; i++) {
		vk_file_clear(&u->items[i].now);
		free(u->items[i].backup);
		free(u->items[i].applied);
	}
	free(u->items);
	u->items = NULL;
	vk_journal_clear(&u->j);
	vk_notes_clear(&u->notes);
}
