// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../shared/macro.h"
#include "conf-edit.h"
#include "config.h"

/* ---- names ---- */

static bool is_display(unsigned int class_id)
{
	return (class_id >> 8) == 0x03;
}

/* Is function 0 of d's slot a graphics card? */
static bool on_gpu_card(const struct vk_groups *gs, const struct vk_pci_dev *d)
{
	for (size_t i = 0; gs && i < gs->n_groups; i++)
		for (size_t k = 0; k < gs->groups[i].n_devs; k++) {
			const struct vk_pci_dev *o = &gs->groups[i].devs[k];

			if (o->a.domain == d->a.domain && o->a.bus == d->a.bus &&
			    o->a.dev == d->a.dev && o->a.func == 0 && is_display(o->class_id))
				return true;
		}
	return false;
}

static bool taken_name(const char *name, const char *const *taken, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (streq(taken[i], name))
			return true;
	return false;
}

void vk_conf_device_name(const struct vk_groups *gs, const struct vk_pci_dev *d,
			 const char *const *taken, size_t n, char *buf, size_t size)
{
	static const struct {
		unsigned int class_id, mask; /* base class << 8 | subclass */
		const char *word;
	} words[] = { { 0x0100, 0xff00, "storage" }, { 0x0200, 0xff00, "net" },
		      { 0x0300, 0xff00, "gpu" },     { 0x0400, 0xff00, "audio" },
		      { 0x0600, 0xff00, "bridge" },  { 0x0c03, 0xffff, "usb" } };
	const char *w = "dev";

	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if ((d->class_id & words[i].mask) == words[i].class_id)
			w = words[i].word;
	if ((d->class_id >> 8) == 0x04 && d->a.func && on_gpu_card(gs, d))
		w = "gpu_audio";
	snprintf(buf, size, "%s", w);
	for (unsigned int k = 2; taken_name(buf, taken, n); k++)
		snprintf(buf, size, "%s_%u", w, k);
}

/* ---- a lexer of libconfig's syntax, for byte ranges only ---- */

enum tok_kind { T_END, T_WORD, T_STRING, T_PUNCT };

struct tok {
	enum tok_kind kind;
	size_t start, end;
};

struct lex {
	const char *s;
	size_t len, pos;
};

static void skip_blank(struct lex *l)
{
	while (l->pos < l->len) {
		const char *p = l->s + l->pos;
		size_t left = l->len - l->pos;

		if (isspace((unsigned char)*p)) {
			l->pos++;
		} else if (*p == '#' || (left > 1 && p[0] == '/' && p[1] == '/')) {
			while (l->pos < l->len && l->s[l->pos] != '\n')
				l->pos++;
		} else if (left > 1 && p[0] == '/' && p[1] == '*') {
			const char *e = memmem(p + 2, left - 2, "*/", 2);

			l->pos = e ? (size_t)(e - l->s) + 2 : l->len;
		} else {
			break;
		}
	}
}

static struct tok next(struct lex *l)
{
	struct tok t = { T_END, 0, 0 };

	skip_blank(l);
	t.start = l->pos;
	if (l->pos >= l->len) {
		t.end = l->pos;
		return t;
	}
	if (l->s[l->pos] == '"') {
		t.kind = T_STRING;
		for (l->pos++; l->pos < l->len && l->s[l->pos] != '"'; l->pos++)
			if (l->s[l->pos] == '\\' && l->pos + 1 < l->len)
				l->pos++;
		if (l->pos < l->len)
			l->pos++;
	} else if (strchr("=:;,{}[]()", l->s[l->pos])) {
		t.kind = T_PUNCT;
		l->pos++;
	} else {
		t.kind = T_WORD;
		while (l->pos < l->len && !isspace((unsigned char)l->s[l->pos]) &&
		       !strchr("=:;,{}[]()\"#", l->s[l->pos]))
			l->pos++;
	}
	t.end = l->pos;
	return t;
}

static bool is_punct(const struct lex *l, struct tok t, char c)
{
	return t.kind == T_PUNCT && l->s[t.start] == c;
}

/* Past one value: a scalar, adjacent strings, or a bracketed whole.
 * Returns its end, or 0 when the text ends inside it. */
static size_t skip_value(struct lex *l)
{
	struct tok t = next(l);
	size_t depth = 0;

	if (t.kind == T_STRING) {
		for (;;) {
			size_t at = l->pos;
			struct tok u = next(l);

			if (u.kind != T_STRING) {
				l->pos = at;
				return t.end;
			}
			t = u;
		}
	}
	if (!(is_punct(l, t, '{') || is_punct(l, t, '[') || is_punct(l, t, '(')))
		return t.kind == T_END ? 0 : t.end;
	for (depth = 1; depth;) {
		t = next(l);
		if (t.kind == T_END)
			return 0;
		if (is_punct(l, t, '{') || is_punct(l, t, '[') || is_punct(l, t, '('))
			depth++;
		else if (is_punct(l, t, '}') || is_punct(l, t, ']') || is_punct(l, t, ')'))
			depth--;
	}
	return t.end;
}

/* One setting "name = value;" from its name: its range and name. */
struct entry {
	size_t start, end;
	size_t name_start, name_end;
};

/* Read one setting at l; *more false at the end of its group (or text). */
static int read_setting(struct lex *l, struct entry *e, bool *more)
{
	struct tok t = next(l), sep;
	size_t at;

	*more = false;
	if (t.kind == T_END || is_punct(l, t, '}'))
		return 0;
	if (t.kind != T_WORD)
		return -EINVAL;
	sep = next(l);
	if (!is_punct(l, sep, '=') && !is_punct(l, sep, ':'))
		return -EINVAL;
	e->start = e->name_start = t.start;
	e->name_end = t.end;
	e->end = skip_value(l);
	if (!e->end)
		return -EINVAL;
	at = l->pos;
	t = next(l);
	if (is_punct(l, t, ';') || is_punct(l, t, ','))
		e->end = t.end;
	else
		l->pos = at;
	*more = true;
	return 0;
}

/* Where the devices group is: its '{' and '}', and its entries. */
struct layout {
	bool found;
	size_t open, close;
	struct entry *entries;
	size_t n;
};

static int scan(const char *s, size_t len, struct layout *L)
{
	struct lex l = { s, len, 0 };
	struct entry e;
	bool more;
	int r;

	memset(L, 0, sizeof(*L));
	for (;;) {
		size_t at = l.pos;
		struct tok name = next(&l), sep, open;

		if (name.kind == T_END)
			return 0;
		l.pos = at;
		if (name.kind == T_WORD && name.end - name.start == 7 &&
		    !memcmp(s + name.start, "devices", 7)) {
			next(&l);
			sep = next(&l);
			open = next(&l);
			if ((is_punct(&l, sep, '=') || is_punct(&l, sep, ':')) &&
			    is_punct(&l, open, '{')) {
				L->found = true;
				L->open = open.start;
				for (;;) {
					struct entry *v;

					r = read_setting(&l, &e, &more);
					if (r < 0)
						return r;
					if (!more)
						break;
					v = realloc(L->entries, (L->n + 1) * sizeof(*v));
					if (!v)
						return -ENOMEM;
					L->entries = v;
					v[L->n++] = e;
				}
				if (l.pos == 0 || s[l.pos - 1] != '}')
					return -EINVAL;
				L->close = l.pos - 1;
				return 0;
			}
			l.pos = at;
		}
		r = read_setting(&l, &e, &more);
		if (r < 0)
			return r;
		if (!more)
			return -EINVAL;
	}
}

/* ---- read back and compare ---- */

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

static bool same_strv(const char **a, size_t na, const char **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!same_str(a[i], b[i]))
			return false;
	return true;
}

static const struct vk_conf_device *find_dev(const struct vk_conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_devs; i++)
		if (streq(c->devs[i].name, name))
			return &c->devs[i];
	return NULL;
}

static bool same_dev(const struct vk_conf_device *a, const struct vk_conf_device *b)
{
	return a && b && streq(a->spec, b->spec) && a->claim == b->claim &&
	       a->by_address == b->by_address;
}

/*
 * Does text read back as old with exactly: add (named name) added, or the
 * device named removed gone?
 */
static bool reads_back(const struct vk_conf *old, const char *text, size_t len,
		       const struct vk_conf_add *add, const char *name, const char *removed)
{
	struct vk_conf c;
	char err[512];
	bool ok;

	if (vk_conf_parse(text, len, "", &c, err, sizeof(err)) < 0) {
		vk_conf_clear(&c);
		return false;
	}
	ok = same_str(c.boot, old->boot) && same_str(c.kernel, old->kernel) &&
	     c.ignore_msrs == old->ignore_msrs &&
	     same_strv(c.profiles, c.n_profiles, old->profiles, old->n_profiles) &&
	     same_strv(c.arguments, c.n_arguments, old->arguments, old->n_arguments) &&
	     c.n_devs == old->n_devs + (add ? 1 : 0) - (removed ? 1 : 0);
	for (size_t i = 0; ok && i < old->n_devs; i++) {
		bool gone = removed && streq(old->devs[i].name, removed);

		ok = gone ? !find_dev(&c, removed)
			  : same_dev(&old->devs[i], find_dev(&c, old->devs[i].name));
	}
	if (ok && add) {
		const struct vk_conf_device *d = find_dev(&c, name);

		ok = d && !find_dev(old, name) && !strcasecmp(d->spec, add->spec) &&
		     d->by_address == add->by_address &&
		     d->claim == (add->by_address ? VK_CONF_OVERRIDE : VK_CONF_VFIO_PCI);
	}
	vk_conf_clear(&c);
	return ok;
}

/* ---- edits ---- */

static char *splice(const char *s, size_t len, size_t from, size_t to, const char *put,
		    size_t *out_len)
{
	char *out;

	if (asprintf(&out, "%.*s%s%.*s", (int)from, s, put, (int)(len - to), s + to) < 0)
		return NULL;
	*out_len = strlen(out);
	return out;
}

static size_t line_start(const char *s, size_t at)
{
	while (at > 0 && s[at - 1] != '\n')
		at--;
	return at;
}

static size_t line_end(const char *s, size_t len, size_t at)
{
	while (at < len && s[at] != '\n')
		at++;
	return at;
}

/* The name of a commented-out entry "# name = { key = "spec"; ..." on
 * the line at [from, to), or 0 when it is not one for add; *hash is
 * where its '#' is and *body where the entry starts. */
static bool commented_entry(const char *s, size_t from, size_t to, const struct vk_conf_add *add,
			    size_t *hash, size_t *body, struct tok *name)
{
	struct lex l;
	struct tok t[6];

	while (from < to && (s[from] == ' ' || s[from] == '\t'))
		from++;
	if (from >= to || s[from] != '#')
		return false;
	*hash = from;
	*body = from + 1 + (from + 1 < to && s[from + 1] == ' ');
	l = (struct lex){ s, to, *body };
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		t[i] = next(&l);
	*name = t[0];
	return t[0].kind == T_WORD && is_punct(&l, t[1], '=') && is_punct(&l, t[2], '{') &&
	       t[3].kind == T_WORD && is_punct(&l, t[4], '=') && t[5].kind == T_STRING &&
	       t[3].end - t[3].start == strlen(add->by_address ? "address" : "id") &&
	       !memcmp(s + t[3].start, add->by_address ? "address" : "id", t[3].end - t[3].start) &&
	       t[5].end - t[5].start == strlen(add->spec) + 2 &&
	       !strncasecmp(s + t[5].start + 1, add->spec, strlen(add->spec));
}

static int refuse(char *err, size_t errlen, const char *shown, const char *what)
{
	snprintf(err, errlen,
		 "%s: editing it in place would not give exactly %s; nothing changed: edit "
		 "the devices group by hand (see vfiokit.conf(5))",
		 shown, what);
	return -EINVAL;
}

/* Keep *out when it reads back as old with add added or removed gone,
 * else drop it and refuse with what was asked. */
static int read_back(const struct vk_conf *old, char **out, size_t out_len,
		     const struct vk_conf_add *add, const char *removed, const char *shown,
		     const char *what, char *err, size_t errlen)
{
	if (reads_back(old, *out, out_len, add, add ? add->name : NULL, removed))
		return 0;
	free(*out);
	*out = NULL;
	return refuse(err, errlen, shown, what);
}

/* The old configuration and the layout of text, or an error. */
static int prepare(const char *text, size_t len, const char *shown, struct vk_conf *old,
		   struct layout *L, char *err, size_t errlen)
{
	int r = vk_conf_parse(text, len, shown, old, err, errlen);

	memset(L, 0, sizeof(*L));
	if (r < 0)
		return r;
	r = scan(text, len, L);
	if (r == -EINVAL)
		return refuse(err, errlen, shown,
			      "the change asked for (its layout is not one "
			      "vfiokit can follow)");
	return r;
}

int vk_conf_edit_add(const char *text, size_t len, const char *shown, const struct vk_conf_add *add,
		     char *used, size_t used_size, char **out, size_t *out_len, char *err,
		     size_t errlen)
{
	struct vk_conf old;
	struct layout L;
	_cleanup_free_ char *entry = NULL;
	char what[256];
	int r;

	*out = NULL;
	r = prepare(text, len, shown, &old, &L, err, errlen);
	if (r < 0)
		goto out;
	/* A commented-out line that holds it, as init writes them. */
	for (size_t p = L.found ? line_start(text, L.open) : len; p < (L.found ? L.close : 0);
	     p = line_end(text, len, p) + 1) {
		size_t hash, body, e = line_end(text, len, p);
		struct tok name;
		char nm[128];

		if (!commented_entry(text, p, e, add, &hash, &body, &name) ||
		    name.end - name.start >= sizeof(nm))
			continue;
		snprintf(nm, sizeof(nm), "%.*s", (int)(name.end - name.start), text + name.start);
		*out = splice(text, len, hash, body, "", out_len);
		if (!*out) {
			r = -ENOMEM;
			goto out;
		}
		if (reads_back(&old, *out, *out_len, add, nm, NULL)) {
			snprintf(used, used_size, "%s", nm);
			goto out;
		}
		free(*out);
		*out = NULL;
	}
	if (add->by_address)
		r = asprintf(&entry, "%s = { address = \"%s\"; claim = \"override\"; };", add->name,
			     add->spec);
	else
		r = asprintf(&entry, "%s = { id = \"%s\"; };", add->name, add->spec);
	if (r < 0) {
		r = -ENOMEM;
		goto out;
	}
	r = 0;
	{
		_cleanup_free_ char *put = NULL;
		size_t at = len;
		int k;

		if (!L.found) {
			k = asprintf(&put, "%sdevices = {\n\t%s\n};\n",
				     len && text[len - 1] != '\n' ? "\n" : "", entry);
		} else if (strspn(text + line_start(text, L.close), " \t") ==
			   L.close - line_start(text, L.close)) {
			at = line_start(text, L.close);
			k = asprintf(&put, "\t%s\n", entry);
		} else {
			at = L.close;
			k = asprintf(&put, "\n\t%s\n", entry);
		}
		if (k < 0 || !(*out = splice(text, len, at, at, put, out_len))) {
			r = -ENOMEM;
			goto out;
		}
	}
	snprintf(used, used_size, "%s", add->name);
	snprintf(what, sizeof(what), "one more device, %s", entry);
	r = read_back(&old, out, *out_len, add, NULL, shown, what, err, errlen);
out:
	free(L.entries);
	vk_conf_clear(&old);
	return r;
}

int vk_conf_edit_remove(const char *text, size_t len, const char *shown, const char *name,
			char **out, size_t *out_len, char *err, size_t errlen)
{
	struct vk_conf old;
	struct layout L;
	const struct entry *e = NULL;
	char what[256];
	int r;

	*out = NULL;
	r = prepare(text, len, shown, &old, &L, err, errlen);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < L.n; i++)
		if (L.entries[i].name_end - L.entries[i].name_start == strlen(name) &&
		    !memcmp(text + L.entries[i].name_start, name, strlen(name)))
			e = &L.entries[i];
	if (!e || !find_dev(&old, name)) {
		r = -ENOENT;
		goto out;
	}
	{
		size_t ls = line_start(text, e->start), le = line_end(text, len, e->end), after;

		after = e->end + strspn(text + e->end, " \t");
		if (strspn(text + ls, " \t") == e->start - ls &&
		    (after == le || text[after] == '#' || !strncmp(text + after, "//", 2))) {
			/* Comment out each of its lines. */
			_cleanup_free_ char *put = NULL;
			size_t n = 0, cap = (le - ls) * 2 + 8;

			put = malloc(cap);
			if (!put) {
				r = -ENOMEM;
				goto out;
			}
			for (size_t p = ls; p < le;) {
				size_t ind = strspn(text + p, " \t"), eol = line_end(text, le, p);

				memcpy(put + n, text + p, ind);
				n += ind;
				memcpy(put + n, "# ", 2);
				n += 2;
				memcpy(put + n, text + p + ind, eol - p - ind);
				n += eol - p - ind;
				if (eol < le)
					put[n++] = '\n';
				p = eol + 1;
			}
			put[n] = '\0';
			*out = splice(text, len, ls, le, put, out_len);
		} else {
			*out = splice(text, len, e->start, after, "", out_len);
		}
	}
	if (!*out) {
		r = -ENOMEM;
		goto out;
	}
	snprintf(what, sizeof(what), "one device less, %s", name);
	r = read_back(&old, out, *out_len, NULL, name, shown, what, err, errlen);
out:
	free(L.entries);
	vk_conf_clear(&old);
	return r;
}
