// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /etc/default/grub evaluator: variables' values as /bin/sh would
 * have them after each command of the top level (assignments only:
 * nothing is ever executed), each byte with its provenance: the bytes of
 * the file it comes from, or an unknown part (an expansion, a variable
 * changed in a block, by '.', eval or a function).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grub-internal.h"

int grub_grow(void **v, size_t *cap, size_t need, size_t size)
{
	void *p;
	size_t n;

	if (need <= *cap)
		return 0;
	n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	p = realloc(*v, n * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = n;
	return 0;
}

void grub_val_clear(struct val *v)
{
	free(v->b);
	free(v->p);
	memset(v, 0, sizeof(*v));
}

static int val_reserve(struct val *v, size_t need)
{
	size_t cap = v->cap;

	if (need + 1 <= v->cap)
		return 0;
	if (GROW(v->b, cap, need + 1) < 0)
		return -ENOMEM;
	cap = v->cap;
	if (GROW(v->p, cap, need + 1) < 0)
		return -ENOMEM;
	v->cap = cap;
	return 0;
}

int grub_val_push(struct val *v, char c, struct prov p)
{
	if (val_reserve(v, v->len + 1) < 0)
		return -ENOMEM;
	v->b[v->len] = c;
	v->p[v->len++] = p;
	v->b[v->len] = '\0';
	return 0;
}

int grub_val_append(struct val *v, const struct val *w)
{
	if (!w->len)
		return 0;
	if (val_reserve(v, v->len + w->len) < 0)
		return -ENOMEM;
	memcpy(v->b + v->len, w->b, w->len);
	memcpy(v->p + v->len, w->p, w->len * sizeof(*w->p));
	v->len += w->len;
	v->b[v->len] = '\0';
	return 0;
}

int grub_val_copy(struct val *dst, const struct val *src)
{
	memset(dst, 0, sizeof(*dst));
	if (val_reserve(dst, src->len) < 0)
		return -ENOMEM;
	dst->b[0] = '\0';
	return grub_val_append(dst, src);
}

bool grub_val_has(const struct val *v, enum opaque_kind kind, const struct vk_grub *g)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->p[i].group == 0 && g->opaques[v->p[i].s0].kind == kind)
			return true;
	return false;
}

unsigned int grub_line_of(const char *text, size_t off)
{
	unsigned int line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

struct var *grub_find_var(const struct vk_grub *g, const char *name, size_t len)
{
	for (size_t i = 0; i < g->n_vars; i++)
		if (strlen(g->vars[i].name) == len && !memcmp(g->vars[i].name, name, len))
			return &g->vars[i];
	return NULL;
}

static struct var *get_var(struct vk_grub *g, const char *name, size_t len)
{
	struct var *v = grub_find_var(g, name, len);

	if (v)
		return v;
	if (GROW(g->vars, g->c_vars, g->n_vars + 1) < 0)
		return NULL;
	v = &g->vars[g->n_vars];
	memset(v, 0, sizeof(*v));
	v->name = strndup(name, len);
	if (!v->name)
		return NULL;
	v->last = -1;
	g->n_vars++;
	return v;
}

static ssize_t add_opaque(struct vk_grub *g, enum opaque_kind kind, size_t off, const char *text,
			  size_t len)
{
	if (GROW(g->opaques, g->c_opaques, g->n_opaques + 1) < 0)
		return -ENOMEM;
	g->opaques[g->n_opaques] = (struct opaque){ kind, off, strndup(text, len) };
	if (!g->opaques[g->n_opaques].text)
		return -ENOMEM;
	return (ssize_t)g->n_opaques++;
}

/* A value that is one unknown part: "${NAME}" as of off. */
static int uncertain_val(struct vk_grub *g, const char *name, size_t off, struct val *out)
{
	_cleanup_free_ char *text = NULL;
	ssize_t k;

	memset(out, 0, sizeof(*out));
	if (asprintf(&text, "${%s}", name) < 0)
		return -ENOMEM;
	k = add_opaque(g, OPQ_UNCERTAIN, off, text, strlen(text));
	if (k < 0)
		return (int)k;
	return grub_val_push(out, OPAQUE_BYTE, (struct prov){ 0, (uint32_t)k, 0 });
}

/* The word's value (after '=' for an assignment) with the variables as
 * they are now; its literal runs become groups of assignment a. */
static int eval_word(struct parser *p, const struct word *w, uint32_t a, struct val *out)
{
	struct vk_grub *g = p->g;
	size_t base = g->n_groups;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (GROW(g->groups, g->c_groups, g->n_groups + w->n_groups + 1) < 0)
		return -ENOMEM;
	for (uint32_t k = 0; k < w->n_groups; k++)
		g->groups[g->n_groups++] = a;
	if (val_reserve(out, 16) < 0)
		return -ENOMEM;
	out->b[0] = '\0';
	for (size_t k = 0; k < w->n && r >= 0; k++) {
		const struct piece *pc = &w->pc[k];

		if (pc->kind == PC_LIT) {
			r = grub_val_push(
				out, pc->c,
				(struct prov){ (uint32_t)(base + pc->group - 1), pc->s0, pc->s1 });
		} else if (pc->kind == PC_OPAQUE) {
			ssize_t o = add_opaque(g, OPQ_EXPANSION, pc->s0, p->s + pc->s0,
					       pc->s1 - pc->s0);

			r = o < 0 ? (int)o
				  : grub_val_push(out, OPAQUE_BYTE,
						  (struct prov){ 0, (uint32_t)o, 0 });
		} else {
			struct var *v = grub_find_var(g, p->s + pc->n0, pc->n1 - pc->n0);

			if (v) {
				r = grub_val_append(out, &v->v);
			} else if (g->n_sources) {
				_cleanup_free_ char *name = strndup(p->s + pc->n0, pc->n1 - pc->n0);
				struct val u;

				if (!name)
					return -ENOMEM;
				r = uncertain_val(g, name, g->source_off, &u);
				if (r == 0)
					r = grub_val_append(out, &u);
				grub_val_clear(&u);
			}
		}
	}
	if (r < 0)
		grub_val_clear(out);
	return r;
}

/* NAME=word runs: conditional ones leave NAME unknown afterwards. */
static int do_assign(struct parser *p, const struct word *w, bool cond)
{
	struct vk_grub *g = p->g;
	struct assign *a;
	struct var *v;
	int r;

	if (w->plus_eq) {
		if (GROW(g->appends, g->c_appends, g->n_appends + 1) < 0)
			return -ENOMEM;
		g->appends[g->n_appends].name = strndup(p->s + w->start, w->eq - 1 - w->start);
		g->appends[g->n_appends].off = w->start;
		if (!g->appends[g->n_appends].name)
			return -ENOMEM;
		g->n_appends++;
		return 0;
	}
	if (GROW(g->assigns, g->c_assigns, g->n_assigns + 1) < 0)
		return -ENOMEM;
	a = &g->assigns[g->n_assigns];
	memset(a, 0, sizeof(*a));
	a->name = strndup(p->s + w->start, w->eq - w->start);
	if (!a->name)
		return -ENOMEM;
	g->n_assigns++;
	a->off = w->start;
	a->ws = w->eq + 1;
	a->we = w->end;
	a->conditional = cond;
	a->plain = w->plain_value;
	a->end_quote = w->end_quote;
	r = eval_word(p, w, (uint32_t)(g->n_assigns - 1), &a->value);
	if (r < 0)
		return r;
	v = get_var(g, a->name, strlen(a->name));
	if (!v)
		return -ENOMEM;
	grub_val_clear(&v->v);
	v->last = (ssize_t)(g->n_assigns - 1);
	v->top = !cond;
	v->set = true;
	if (!cond)
		return grub_val_copy(&v->v, &a->value);
	return uncertain_val(g, v->name, a->off, &v->v);
}

/* Something happened to NAME that vfiokit does not follow (a for loop,
 * unset in a block, an assignment before a special built-in). */
int grub_do_uncertain(struct parser *p, const char *name, size_t len, size_t off)
{
	struct var *v = get_var(p->g, name, len);

	if (!v)
		return -ENOMEM;
	grub_val_clear(&v->v);
	v->top = false;
	v->set = true;
	return uncertain_val(p->g, v->name, off, &v->v);
}

static int do_unset(struct parser *p, const char *name, size_t len, size_t off, bool cond)
{
	struct var *v;

	if (cond)
		return grub_do_uncertain(p, name, len, off);
	v = get_var(p->g, name, len);
	if (!v)
		return -ENOMEM;
	grub_val_clear(&v->v);
	v->top = false;
	return 0;
}

/* '.', source, eval or a function: any variable may change. */
static int do_source(struct parser *p, size_t off)
{
	struct vk_grub *g = p->g;

	g->n_sources++;
	g->source_off = off;
	for (size_t i = 0; i < g->n_vars; i++) {
		struct var *v = &g->vars[i];

		grub_val_clear(&v->v);
		v->top = false;
		v->set = true;
		if (uncertain_val(g, v->name, off, &v->v) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool word_text_is(const struct parser *p, const struct word *w, const char *text)
{
	size_t l = strlen(text);

	return w->literal && w->end - w->start == l && !memcmp(p->s + w->start, text, l);
}

static bool is_function(const struct parser *p, const struct word *w)
{
	for (size_t i = 0; i < p->g->n_functions; i++)
		if (word_text_is(p, w, p->g->functions[i]))
			return true;
	return false;
}

/* A simple command has been read: what it does to the variables. */
int grub_commit(struct parser *p, struct word *words, size_t n, bool cond)
{
	static const char *const special[] = { ":",	"set",	    "shift", "trap",
					       "times", "exec",	    "exit",  "return",
					       "break", "continue", "true",  "false" };
	size_t k = 0;
	int r = 0;

	cond = cond || p->depth > 0;
	while (k < n && words[k].eq)
		k++;
	if (k == n) {
		for (size_t i = 0; i < n && r >= 0; i++)
			r = do_assign(p, &words[i], cond);
		return r;
	}
	if (word_text_is(p, &words[k], "export") || word_text_is(p, &words[k], "readonly")) {
		for (size_t i = k + 1; i < n && r >= 0; i++)
			if (words[i].eq)
				r = do_assign(p, &words[i], cond);
	} else if (word_text_is(p, &words[k], "unset")) {
		for (size_t i = k + 1; i < n && r >= 0; i++)
			if (words[i].literal && p->s[words[i].start] != '-')
				r = do_unset(p, p->s + words[i].start,
					     words[i].end - words[i].start, words[i].start, cond);
	} else if (word_text_is(p, &words[k], ".") || word_text_is(p, &words[k], "source") ||
		   word_text_is(p, &words[k], "eval") || is_function(p, &words[k])) {
		r = do_source(p, words[k].start);
	}
	/* NAME=x cmd: for a special built-in dash keeps NAME, bash does not. */
	for (size_t t = 0; t < ARRAY_SIZE(special) && r >= 0; t++)
		if (word_text_is(p, &words[k], special[t]))
			for (size_t i = 0; i < k && r >= 0; i++)
				r = grub_do_uncertain(p, p->s + words[i].start,
						      words[i].eq - words[i].start -
							      words[i].plus_eq,
						      words[i].start);
	return r;
}
