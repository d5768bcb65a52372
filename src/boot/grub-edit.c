// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /etc/default/grub editor (see grub.h): values for display, and
 * token edits -> byte edits -> new text -> parsed again and compared with
 * what was meant.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grub-internal.h"

/* Bytes of earlier values edit_hidden() looks at, at most. */
#define EDIT_BUDGET (64u << 20)

/* bytes [b0, b1) of v as the user reads them: unknown parts as written. */
static char *render(const struct vk_grub *g, const struct val *v, size_t b0, size_t b1)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	if (!f)
		return NULL;
	for (size_t i = b0; i < b1; i++) {
		if (v->p[i].group == 0)
			fputs(g->opaques[v->p[i].s0].text, f);
		else
			fputc(v->b[i], f);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* Why a value holds an unknown part (the first one), with its line. */
static char *why_unknown(const struct vk_grub *g, const struct val *v)
{
	char *s;

	for (size_t i = 0; i < v->len; i++) {
		const struct opaque *o;

		if (v->p[i].group)
			continue;
		o = &g->opaques[v->p[i].s0];
		if (o->kind == OPQ_EXPANSION) {
			if (asprintf(&s, "line %u: built by %s, which only the shell can run",
				     grub_line(g, o->off), o->text) < 0)
				return NULL;
		} else if (asprintf(&s,
				    "line %u: %s may be changed there (a block, a loop, '.', eval "
				    "or "
				    "a function), which vfiokit does not run",
				    grub_line(g, o->off), o->text) < 0) {
			return NULL;
		}
		return s;
	}
	return NULL;
}

int vk_grub_value(const struct vk_grub *g, const char *var, struct vk_grub_value *out)
{
	const struct var *v = grub_find_var(g, var, strlen(var));
	struct val flat = {};

	memset(out, 0, sizeof(*out));
	if (!v && g->n_sources) {
		out->set = true;
		out->text = strdup("");
		if (asprintf(&out->why, "line %u: '.', eval or a function may set it",
			     grub_line(g, g->source_off)) < 0)
			out->why = NULL;
		if (!out->text || !out->why) {
			vk_grub_value_clear(out);
			return -ENOMEM;
		}
		return 0;
	}
	out->set = v && v->set;
	out->line = v && v->last >= 0 ? grub_line(g, g->assigns[v->last].off) : 0;
	if (grub_vnode_flatten(v ? v->v : NULL, &flat) < 0)
		return -ENOMEM;
	out->text = render(g, &flat, 0, flat.len);
	out->why = why_unknown(g, &flat);
	grub_val_clear(&flat);
	if (!out->text) {
		vk_grub_value_clear(out);
		return -ENOMEM;
	}
	out->exact = !out->why;
	return 0;
}

void vk_grub_value_clear(struct vk_grub_value *v)
{
	free(v->text);
	free(v->why);
	memset(v, 0, sizeof(*v));
}

/* One change of the text: bytes [s0, s1) become text. */
struct sedit {
	size_t s0, s1;
	char *text;
};

struct sedits {
	struct sedit *v;
	size_t n, cap;
};

static void sedits_clear(struct sedits *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static int sedit_add(struct sedits *e, size_t s0, size_t s1, const char *text)
{
	if (GROW(e->v, e->cap, e->n + 1) < 0)
		return -ENOMEM;
	e->v[e->n].s0 = s0;
	e->v[e->n].s1 = s1;
	e->v[e->n].text = strdup(text);
	if (!e->v[e->n].text)
		return -ENOMEM;
	e->n++;
	return 0;
}

static int gerr(const struct vk_grub *g, struct vk_grub_error *err, size_t off, const char *format,
		...) _printf_(4, 5);
static int gerr(const struct vk_grub *g, struct vk_grub_error *err, size_t off, const char *format,
		...)
{
	va_list ap;

	err->line = off == SIZE_MAX ? 0 : grub_line(g, off);
	va_start(ap, format);
	vsnprintf(err->msg, sizeof(err->msg), format, ap);
	va_end(ap);
	return -EINVAL;
}

struct editing {
	const struct vk_grub *g;
	struct vk_grub_error *err;
	struct sedits edits;
	bool lenient;  /* skip tokens that cannot be edited */
	bool appended; /* a new assignment goes at the end */
};

/*
 * Can the bytes [b0, b1) of v (a token) be changed in the file as an edit
 * of var? They must be literal text of one run in an assignment of var.
 */
static int check_editable(struct editing *ed, const struct val *v, size_t b0, size_t b1,
			  const char *var)
{
	const struct vk_grub *g = ed->g;
	uint32_t group = v->p[b0].group;
	_cleanup_free_ char *tok = render(g, v, b0, b1);
	const struct assign *a;

	if (!tok)
		return -ENOMEM;
	for (size_t i = b0; i < b1; i++) {
		if (v->p[i].group == 0) {
			const struct opaque *o = &g->opaques[v->p[i].s0];

			return gerr(g, ed->err, o->off,
				    "'%s' in %s comes from %s, which vfiokit cannot change; edit "
				    "it by hand",
				    tok, var, o->text);
		}
		if (v->p[i].group != group)
			return gerr(g, ed->err, v->p[i].s0,
				    "'%s' in %s is put together from several quoted parts or "
				    "variables; write it as one word and run vfiokit again",
				    tok, var);
	}
	a = &g->assigns[g->groups[group]];
	if (!streq(a->name, var))
		return gerr(g, ed->err, a->off,
			    "'%s' in %s comes from $%s, set here; change it there, or write it "
			    "into %s itself",
			    tok, var, a->name, var);
	return 0;
}

/* What vk_cmdline_apply()'s -EINVAL means here. */
static int quote_error(const struct vk_grub *g, struct vk_grub_error *err, const char *var)
{
	return gerr(g, err, SIZE_MAX,
		    "%s holds double quotes vfiokit cannot edit around (a quote never closed, "
		    "which would swallow new arguments, or quotes inside a value to change); "
		    "fix the quotes by hand first",
		    var);
}

/* An old token's bytes in v: it starts at off and is len long. */
static int delete_token(struct editing *ed, const struct val *v, size_t b0, size_t b1,
			bool survivor_before, const char *var)
{
	uint32_t group = v->p[b0].group;
	size_t start = b0, end = b1;
	int r = check_editable(ed, v, b0, b1, var);

	if (r < 0)
		return r;
	/* The whitespace that separated it, from the same run of text and up
	 * to a line continuation: the lines around stay as they are. */
	if (survivor_before) {
		while (start > 0 && vk_cmdline_isspace((unsigned char)v->b[start - 1]) &&
		       v->p[start - 1].group == group && v->p[start - 1].s1 == v->p[start].s0)
			start--;
		/* A backslash before must not come to escape what follows. */
		if (start < b0 && v->p[start].s0 > 0 && ed->g->text[v->p[start].s0 - 1] == '\\')
			start++;
	} else {
		while (end < v->len && vk_cmdline_isspace((unsigned char)v->b[end]) &&
		       v->p[end].group == group && v->p[end - 1].s1 == v->p[end].s0)
			end++;
	}
	return sedit_add(&ed->edits, v->p[start].s0, v->p[end - 1].s1, "");
}

static int parse_val(const struct val *v, struct vk_cmdline **cl)
{
	int r = vk_cmdline_parse(v->b ? v->b : "", v->len, cl);

	return r == -EINVAL ? -ENOMEM : r; /* no NUL can be in a value */
}

/*
 * Apply ops to value v of var: the byte edits go to ed->edits; tokens to
 * add are returned in *fresh (space-separated, NULL for none; only when
 * insert). *cl_out gets the token model of the result when asked for.
 */
static int edit_value(struct editing *ed, const struct val *v, const char *var,
		      const struct vk_cmdline_op *ops, size_t n_ops, bool insert, char **fresh,
		      struct vk_cmdline **cl_out)
{
	struct vk_cmdline *old = NULL, *cl = NULL;
	bool before = false; /* a token that stays comes before */
	char *add = NULL;
	int r;

	r = parse_val(v, &old);
	if (r == 0)
		r = parse_val(v, &cl);
	if (r == 0)
		r = vk_cmdline_apply(cl, ops, n_ops);
	if (r == -EINVAL)
		r = quote_error(ed->g, ed->err, var);
	if (r < 0)
		goto out;
	/* What vfiokit writes must mean the same to the shell and to GRUB:
	 * a merged list also carries the bytes that were there. */
	for (size_t k = 0; k < cl->n_args; k++) {
		char bad = 0;

		if ((cl->args[k].added || cl->args[k].edited) &&
		    !vk_cmdline_token_safe(cl->args[k].raw, &bad)) {
			r = gerr(ed->g, ed->err, SIZE_MAX,
				 "%s would get '%s', which holds '%c': the shell or GRUB would "
				 "interpret it; fix the token by hand",
				 var, cl->args[k].raw, bad);
			goto out;
		}
	}
	/* The tokens that stay keep their order: one walk over both. */
	for (size_t i = 0, k = 0; i < old->n_args && r >= 0; i++) {
		const struct vk_cmdline_arg *o = &old->args[i];
		const struct vk_cmdline_arg *now = NULL;

		for (; k < cl->n_args && (cl->args[k].added || cl->args[k].off < o->off); k++)
			before = before || !cl->args[k].added;
		if (k < cl->n_args && cl->args[k].off == o->off)
			now = &cl->args[k];
		if (!now)
			r = delete_token(ed, v, o->off, o->off + strlen(o->raw), before, var);
		else if (now->edited && !streq(now->raw, o->raw)) {
			r = check_editable(ed, v, o->off, o->off + strlen(o->raw), var);
			if (r == 0)
				r = sedit_add(&ed->edits, v->p[o->off].s0,
					      v->p[o->off + strlen(o->raw) - 1].s1, now->raw);
		}
		/* In assignments that may not count, what cannot be edited
		 * is left as it is (the new tokens come after it anyway). */
		if (r == -EINVAL && ed->lenient) {
			memset(ed->err, 0, sizeof(*ed->err));
			r = 0;
		}
	}
	for (size_t k = 0; k < cl->n_args && r >= 0; k++) {
		char *s;

		if (!cl->args[k].added)
			continue;
		if (!insert) {
			r = gerr(ed->g, ed->err, SIZE_MAX, "internal error: a token to add to %s",
				 var);
			break;
		}
		if (asprintf(&s, "%s%s%s", add ? add : "", add ? " " : "", cl->args[k].raw) < 0) {
			r = -ENOMEM;
			break;
		}
		free(add);
		add = s;
	}
	if (r >= 0 && fresh)
		*fresh = TAKE_PTR(add);
	if (r >= 0 && cl_out)
		*cl_out = TAKE_PTR(cl);
out:
	free(add);
	vk_cmdline_free(old);
	vk_cmdline_free(cl);
	return r < 0 ? r : 0;
}

/* The value of var now (NULL: empty). */
static const struct vnode *node_of(const struct vk_grub *g, const char *var)
{
	const struct var *v = grub_find_var(g, var, strlen(var));

	return v ? v->v : NULL;
}

/* The value of var now, flat, into out. 0 or -ENOMEM. */
static int value_of(const struct vk_grub *g, const char *var, struct val *out)
{
	return grub_vnode_flatten(node_of(g, var), out);
}

/*
 * When var may have been changed in a block, vfiokit cannot tell which of
 * its assignments counts: the keys go from every one of them.
 */
static int edit_hidden(struct editing *ed, const char *var, const struct vk_cmdline_op *ops,
		       size_t n_ops)
{
	const struct vk_grub *g = ed->g;
	_cleanup_free_ bool *used = NULL;
	struct val now = {}, v = {};
	size_t budget = EDIT_BUDGET;
	int r = 0;

	if (!grub_vnode_has(node_of(g, var), OPQ_UNCERTAIN))
		return 0;
	used = calloc(g->n_assigns + 1, sizeof(*used));
	if (!used || value_of(g, var, &now) < 0)
		return -ENOMEM;
	/* The assignments whose bytes var holds now. */
	for (size_t i = 0; i < now.len; i++)
		if (now.p[i].group && g->groups[now.p[i].group] < g->n_assigns)
			used[g->groups[now.p[i].group]] = true;
	grub_val_clear(&now);
	for (size_t a = 0; a < g->n_assigns && r >= 0; a++) {
		const struct vnode *n = g->assigns[a].value;

		if (!streq(g->assigns[a].name, var) || used[a])
			continue;
		if (n && n->len > budget)
			return gerr(g, ed->err, g->assigns[a].off,
				    "%s is built up too often before a block changes it for "
				    "vfiokit to edit it safely; edit the file by hand",
				    var);
		budget -= n ? n->len : 0;
		r = grub_vnode_flatten(n, &v);
		ed->lenient = true;
		if (r == 0)
			r = edit_value(ed, &v, var, ops, n_ops, false, NULL, NULL);
		ed->lenient = false;
		grub_val_clear(&v);
	}
	return r;
}

/* New tokens at the end of var's value: into its last assignment when
 * that is where its value is made, else in a new line at the end. */
static int insert_tokens(struct editing *ed, const char *var, const char *fresh)
{
	const struct vk_grub *g = ed->g;
	const struct var *v = grub_find_var(g, var, strlen(var));
	struct val now = {};
	size_t len;
	bool sep;
	_cleanup_free_ char *text = NULL;
	int r;

	if (value_of(g, var, &now) < 0)
		return -ENOMEM;
	len = now.len;
	sep = len > 0 && !vk_cmdline_isspace((unsigned char)now.b[len - 1]);
	grub_val_clear(&now);

	if (v && v->top && v->last >= 0) {
		const struct assign *a = &g->assigns[v->last];

		if (a->end_quote) {
			if (asprintf(&text, "%s%s", sep ? " " : "", fresh) < 0)
				return -ENOMEM;
			return sedit_add(&ed->edits, a->we - 1, a->we - 1, text);
		}
		if (a->ws == a->we) {
			if (asprintf(&text, "\"%s\"", fresh) < 0)
				return -ENOMEM;
			return sedit_add(&ed->edits, a->ws, a->ws, text);
		}
		if (a->plain) {
			r = sedit_add(&ed->edits, a->ws, a->ws, "\"");
			if (r < 0)
				return r;
		}
		if (asprintf(&text, "%s%s%s%s", a->plain ? "" : "\"", sep ? " " : "", fresh, "\"") <
		    0)
			return -ENOMEM;
		return sedit_add(&ed->edits, a->we, a->we, text);
	}
	/* VAR="$VAR new" keeps whatever the blocks before made of it. */
	ed->appended = true;
	if (asprintf(&text, len ? "%s%s=\"$%s %s\"\n" : "%s%s=\"%.0s%s\"\n",
		     g->len && g->text[g->len - 1] != '\n' ? "\n" : "", var, var, fresh) < 0)
		return -ENOMEM;
	return sedit_add(&ed->edits, g->len, g->len, text);
}

static int cmp_sedit(const void *a, const void *b)
{
	const struct sedit *x = a, *y = b;

	if (x->s0 != y->s0)
		return x->s0 < y->s0 ? -1 : 1;
	if (x->s1 != y->s1)
		return x->s1 < y->s1 ? -1 : 1;
	return 0;
}

/* The text with the edits made; they must not overlap (deletions that do
 * are merged). Returns the number of edits. */
static int apply_edits(struct editing *ed, char **out, size_t *out_len)
{
	const struct vk_grub *g = ed->g;
	struct sedits *e = &ed->edits;
	size_t k = 0, pos = 0, size = 0;
	char *s = NULL;
	FILE *f;

	qsort(e->v, e->n, sizeof(*e->v), cmp_sedit);
	for (size_t i = 1; i < e->n; i++) {
		struct sedit *prev = &e->v[k], *cur = &e->v[i];

		if (cur->s0 == prev->s0 && cur->s1 == prev->s1 && streq(cur->text, prev->text)) {
			free(cur->text);
			continue;
		}
		if (cur->s0 < prev->s1) {
			if (*cur->text || *prev->text)
				return gerr(g, ed->err, cur->s0,
					    "vfiokit would change the same bytes twice here; edit "
					    "the file by hand");
			if (cur->s1 > prev->s1)
				prev->s1 = cur->s1;
			free(cur->text);
			continue;
		}
		e->v[++k] = *cur;
	}
	if (e->n)
		e->n = k + 1;
	f = open_memstream(&s, &size);
	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < e->n; i++) {
		fwrite(g->text + pos, 1, e->v[i].s0 - pos, f);
		fputs(e->v[i].text, f);
		pos = e->v[i].s1;
	}
	fwrite(g->text + pos, 1, g->len - pos, f);
	if (fclose(f) != 0) {
		free(s);
		return -ENOMEM;
	}
	*out = s;
	*out_len = size;
	return (int)e->n;
}

/* Do the tokens of cl equal those of var in g (whitespace aside)? */
static bool same_tokens(const struct vk_cmdline *cl, const struct vk_grub *g, const char *var)
{
	struct vk_cmdline *now = NULL;
	struct val v = {};
	bool same;
	int r = value_of(g, var, &v);

	if (r == 0)
		r = parse_val(&v, &now);
	grub_val_clear(&v);
	if (r < 0)
		return false;
	same = now->n_args == cl->n_args;
	for (size_t i = 0; same && i < cl->n_args; i++)
		same = streq(now->args[i].raw, cl->args[i].raw);
	vk_cmdline_free(now);
	return same;
}

/* Parse the new text and check that target and other hold what was meant
 * and every other variable what it held. */
static int verify(struct editing *ed, const char *text, size_t len, const char *target,
		  const struct vk_cmdline *want_t, const char *other,
		  const struct vk_cmdline *want_o)
{
	const struct vk_grub *g = ed->g;
	struct vk_grub_error err2;
	struct vk_grub *h = NULL;
	int r = vk_grub_parse(text, len, &h, &err2);

	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return gerr(g, ed->err, SIZE_MAX,
			    "internal error: the edited file does not parse (line %u: %s); "
			    "nothing changed",
			    err2.line, err2.msg);
	r = 0;
	if (!same_tokens(want_t, h, target) || (other && want_o && !same_tokens(want_o, h, other)))
		r = gerr(g, ed->err, SIZE_MAX,
			 "internal error: after the edit %s would not hold what was meant; "
			 "nothing changed",
			 target);
	/* The same assignments in the same order: an edit must not change
	 * how the rest of the file reads (a quote, a backslash). */
	if (!r && h->n_assigns != g->n_assigns + ed->appended)
		r = gerr(g, ed->err, SIZE_MAX,
			 "internal error: the edit would change how the file reads; nothing "
			 "changed");
	for (size_t i = 0; i < g->n_assigns && !r; i++)
		if (!streq(g->assigns[i].name, h->assigns[i].name) ||
		    g->assigns[i].conditional != h->assigns[i].conditional)
			r = gerr(g, ed->err, g->assigns[i].off,
				 "internal error: the edit would change how the file reads from "
				 "here; nothing changed");
	for (size_t i = 0; i < g->n_vars && !r; i++) {
		const struct var *v = &g->vars[i];
		if (streq(v->name, target) || (other && streq(v->name, other)))
			continue;
		if (!grub_vnode_same(node_of(h, v->name), v->v))
			r = gerr(g, ed->err, SIZE_MAX,
				 "the edit would also change %s, which takes its value from %s; "
				 "edit the file by hand",
				 v->name, target);
	}
	vk_grub_free(h);
	return r;
}

/* set KEY=... becomes "remove KEY" where the key must go (other, blocks). */
static int removal_ops(const struct vk_cmdline_op *ops, size_t n, struct vk_cmdline_op **out)
{
	struct vk_cmdline_op *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i].kind = VK_CMDLINE_REMOVE;
		v[i].key = ops[i].key;
		v[i].value = ops[i].kind == VK_CMDLINE_REMOVE ? ops[i].value : NULL;
	}
	*out = v;
	return 0;
}

/* The kernel's view of "$first $second" (either may be NULL). */
static int combined(const struct vk_grub *g, const char *first, const char *second,
		    struct vk_cmdline **cl)
{
	struct val v = {}, b = {};
	int r = value_of(g, first, &v);

	if (r == 0 && second)
		r = value_of(g, second, &b);
	if (r == 0 && second)
		r = grub_val_push(&v, ' ', (struct prov){ 0, 0, 0 });
	if (r == 0 && second)
		r = grub_val_append(&v, &b);
	if (r == 0)
		r = parse_val(&v, cl);
	grub_val_clear(&v);
	grub_val_clear(&b);
	return r;
}

/* The tokens of var's value. 0 or -ENOMEM. */
static int var_cmdline(const struct vk_grub *g, const char *var, struct vk_cmdline **cl)
{
	struct val v = {};
	int r = value_of(g, var, &v);

	if (r == 0)
		r = parse_val(&v, cl);
	grub_val_clear(&v);
	return r;
}

/* Does var end inside a double quote it never closes? The kernel then
 * takes all that follows, the other variable too, as its last argument. */
static bool open_quote_at_end(const struct vk_grub *g, const char *var)
{
	struct vk_cmdline *cl = NULL;
	size_t quotes = 0;

	if (var_cmdline(g, var, &cl) < 0)
		return false;
	if (cl->n_args)
		for (const char *p = cl->args[cl->n_args - 1].raw; *p; p++)
			quotes += *p == '"';
	vk_cmdline_free(cl);
	return quotes % 2;
}

/* Is "--" a token of var? What follows it goes to init, not the kernel. */
static bool has_dashdash(const struct vk_grub *g, const char *var)
{
	struct vk_cmdline *cl = NULL;
	bool found = false;

	if (var_cmdline(g, var, &cl) < 0)
		return false;
	for (size_t i = 0; i < cl->n_args && !found; i++)
		found = cl->args[i].dashdash;
	vk_cmdline_free(cl);
	return found;
}

int vk_grub_edit(const struct vk_grub *g, const struct vk_grub_request *req, char **out,
		 size_t *out_len, struct vk_grub_error *err)
{
	struct editing ed = { .g = g, .err = err };
	struct vk_cmdline_op *tops = NULL, *oops = NULL;
	struct vk_cmdline *comb = NULL, *want_t = NULL, *want_o = NULL;
	_cleanup_free_ char *fresh = NULL;
	const char *vars[2] = { req->target, req->other };
	struct val tv = {}, ov = {};
	int r;

	memset(err, 0, sizeof(*err));
	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; i < req->n_ops; i++) {
		_cleanup_free_ char *tok = NULL;
		char bad = 0;

		if (asprintf(&tok, "%s%s%s", req->ops[i].key, req->ops[i].value ? "=" : "",
			     req->ops[i].value ? req->ops[i].value : "") < 0)
			return -ENOMEM;
		if (!vk_cmdline_token_safe(tok, &bad))
			return gerr(g, err, SIZE_MAX,
				    "'%s' holds '%c', which the shell or GRUB would interpret "
				    "(grub-mkconfig pastes the value into grub.cfg unquoted)",
				    tok, bad);
	}
	for (size_t k = 0; k < 2; k++) {
		const struct var *v;

		if (!vars[k])
			continue;
		v = grub_find_var(g, vars[k], strlen(vars[k]));
		for (size_t i = 0; i < g->n_appends; i++)
			if (streq(g->appends[i].name, vars[k]))
				return gerr(g, err, g->appends[i].off,
					    "%s+= is bash only: /bin/sh, which grub-mkconfig uses, "
					    "stops there; write %s=\"$%s ...\" instead",
					    vars[k], vars[k], vars[k]);
		if (v && grub_vnode_has(v->v, OPQ_EXPANSION)) {
			_cleanup_free_ char *why = NULL;
			struct val flat = {};

			if (grub_vnode_flatten(v->v, &flat) < 0)
				return -ENOMEM;
			why = why_unknown(g, &flat);
			grub_val_clear(&flat);
			return gerr(g, err, SIZE_MAX,
				    "%s cannot be edited safely: %s; change it by hand", vars[k],
				    why ? why : "its value is built at run time");
		}
		if (open_quote_at_end(g, vars[k]))
			return gerr(
				g, err, v && v->last >= 0 ? g->assigns[v->last].off : SIZE_MAX,
				"%s ends inside a double quote it never closes: the kernel would "
				"take what follows as part of its last argument; fix the quotes "
				"first",
				vars[k]);
		if (has_dashdash(g, vars[k]))
			return gerr(
				g, err, v && v->last >= 0 ? g->assigns[v->last].off : SIZE_MAX,
				"%s holds \"--\": what follows it goes to init, not the kernel; "
				"vfiokit does not edit such a value",
				vars[k]);
	}

	/* Target's ops: a list key gets every id the kernel now sees for it. */
	tops = calloc(req->n_ops ? req->n_ops : 1, sizeof(*tops));
	if (!tops)
		return -ENOMEM;
	r = combined(g, req->other_first && req->other ? req->other : req->target,
		     req->other ? (req->other_first ? req->target : req->other) : NULL, &comb);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < req->n_ops; i++) {
		tops[i] = req->ops[i];
		if (req->ops[i].kind == VK_CMDLINE_SET && req->ops[i].value &&
		    vk_cmdline_key_is_list(req->ops[i].key)) {
			ssize_t k;

			r = vk_cmdline_apply(comb, &req->ops[i], 1);
			if (r == -EINVAL)
				r = quote_error(g, err, req->target);
			if (r < 0)
				goto out;
			k = vk_cmdline_find_last(comb, req->ops[i].key);
			if (k >= 0 && comb->args[k].value)
				tops[i].value = comb->args[k].value;
		}
	}
	r = removal_ops(req->ops, req->n_ops, &oops);
	if (r < 0)
		goto out;

	r = value_of(g, req->target, &tv);
	if (r == 0)
		r = edit_value(&ed, &tv, req->target, tops, req->n_ops, true, &fresh, &want_t);
	if (r == 0)
		r = edit_hidden(&ed, req->target, oops, req->n_ops);
	if (r == 0 && req->other)
		r = value_of(g, req->other, &ov);
	if (r == 0 && req->other)
		r = edit_value(&ed, &ov, req->other, oops, req->n_ops, false, NULL, &want_o);
	if (r == 0 && req->other)
		r = edit_hidden(&ed, req->other, oops, req->n_ops);
	if (r == 0 && fresh)
		r = insert_tokens(&ed, req->target, fresh);
	if (r < 0)
		goto out;
	if (!ed.edits.n) {
		r = 0;
		goto out;
	}
	r = apply_edits(&ed, out, out_len);
	if (r < 0)
		goto out;
	{
		int v = verify(&ed, *out, *out_len, req->target, want_t, req->other, want_o);

		if (v < 0) {
			free(*out);
			*out = NULL;
			*out_len = 0;
			r = v;
		}
	}
out:
	grub_val_clear(&tv);
	grub_val_clear(&ov);
	sedits_clear(&ed.edits);
	vk_cmdline_free(comb);
	vk_cmdline_free(want_t);
	vk_cmdline_free(want_o);
	free(tops);
	free(oops);
	return r;
}
