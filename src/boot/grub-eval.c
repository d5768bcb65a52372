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

/* ---- values as trees ----------------------------------------------------- */

/* Polynomial hash of the bytes modulo 2^61 - 1: the hash of a
 * concatenation comes from those of its parts. */
#define HASH_MOD  ((UINT64_C(1) << 61) - 1)
#define HASH_BASE UINT64_C(1000003)

static uint64_t mulmod(uint64_t a, uint64_t b)
{
	unsigned __int128 x = (unsigned __int128)a * b;
	uint64_t r = (uint64_t)(x & HASH_MOD) + (uint64_t)(x >> 61);

	return r >= HASH_MOD ? r - HASH_MOD : r;
}

static uint64_t addmod(uint64_t a, uint64_t b)
{
	uint64_t r = a + b;

	return r >= HASH_MOD ? r - HASH_MOD : r;
}

struct vnode *grub_vnode_leaf(const struct vk_grub *g, struct val *v)
{
	struct vnode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->refs = 1;
	n->len = v->len;
	n->pw = 1;
	for (size_t i = 0; i < v->len; i++) {
		n->hash = addmod(mulmod(n->hash, HASH_BASE), (unsigned char)v->b[i]);
		n->pw = mulmod(n->pw, HASH_BASE);
		if (v->p[i].group == 0)
			n->unknown |= 1u << g->opaques[v->p[i].s0].kind;
	}
	n->leaf = *v;
	memset(v, 0, sizeof(*v));
	return n;
}

struct vnode *grub_vnode_ref(struct vnode *n)
{
	if (n)
		n->refs++;
	return n;
}

int grub_vnode_concat(struct vnode *a, struct vnode *b, struct vnode **out)
{
	struct vnode *n;

	if (!a || !b) {
		*out = grub_vnode_ref(a ? a : b);
		return 0;
	}
	if (a->len + b->len > MAX_VALUE)
		return -E2BIG;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->refs = 1;
	n->unknown = a->unknown | b->unknown;
	n->len = a->len + b->len;
	n->hash = addmod(mulmod(a->hash, b->pw), b->hash);
	n->pw = mulmod(a->pw, b->pw);
	n->l = grub_vnode_ref(a);
	n->r = grub_vnode_ref(b);
	*out = n;
	return 0;
}

/* Nodes still to visit: a tree can be as deep as the file is long, so
 * no recursion. */
struct vstack {
	struct vnode **v;
	size_t n, cap;
};

static int vstack_push(struct vstack *st, struct vnode *n)
{
	if (GROW(st->v, st->cap, st->n + 1) < 0)
		return -ENOMEM;
	st->v[st->n++] = n;
	return 0;
}

void grub_vnode_unref(struct vnode *n)
{
	struct vstack st = {};

	while (n) {
		struct vnode *l = n->l;

		/* Without room to remember the right child, the node stays:
		 * a leak beats a crash when memory is out. */
		if (--n->refs == 0 && n->r && vstack_push(&st, n->r) < 0) {
			n->refs = 1;
			l = NULL;
		} else if (n->refs == 0) {
			grub_val_clear(&n->leaf);
			free(n);
		} else {
			l = NULL;
		}
		n = l ? l : st.n ? st.v[--st.n] : NULL;
	}
	free(st.v);
}

int grub_vnode_flatten(const struct vnode *n, struct val *out)
{
	struct vstack st = {};
	int r = 0;

	grub_val_clear(out);
	out->b = malloc((n ? n->len : 0) + 1);
	out->p = calloc((n ? n->len : 0) + 1, sizeof(*out->p));
	if (!out->b || !out->p)
		r = -ENOMEM;
	out->cap = (n ? n->len : 0) + 1;
	while (n && r == 0) {
		if (n->l) {
			r = vstack_push(&st, n->r);
			n = n->l;
			continue;
		}
		memcpy(out->b + out->len, n->leaf.b, n->len);
		memcpy(out->p + out->len, n->leaf.p, n->len * sizeof(*n->leaf.p));
		out->len += n->len;
		n = st.n ? st.v[--st.n] : NULL;
	}
	free(st.v);
	if (r < 0) {
		grub_val_clear(out);
		return r;
	}
	out->b[out->len] = '\0';
	return 0;
}

bool grub_vnode_has(const struct vnode *n, enum opaque_kind kind)
{
	return n && (n->unknown & (1u << kind));
}

bool grub_vnode_same(const struct vnode *a, const struct vnode *b)
{
	return (a ? a->len : 0) == (b ? b->len : 0) && (a ? a->hash : 0) == (b ? b->hash : 0);
}

unsigned int grub_line_of(const char *text, size_t off)
{
	unsigned int line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

unsigned int grub_line(const struct vk_grub *g, size_t off)
{
	size_t lo = 0, hi = g->n_newlines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (g->newlines[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (unsigned int)lo + 1;
}

/* ---- names --------------------------------------------------------------- */

static uint32_t name_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static const char *name_at(const void *base, size_t stride, size_t i)
{
	return *(char *const *)((const char *)base + i * stride);
}

ssize_t grub_name_find(const struct name_index *x, const void *base, size_t stride,
		       const char *name, size_t len)
{
	if (!x->cap)
		return -1;
	for (size_t k = name_hash(name, len) & (x->cap - 1);; k = (k + 1) & (x->cap - 1)) {
		const char *s;

		if (!x->slots[k])
			return -1;
		s = name_at(base, stride, x->slots[k] - 1);
		if (strlen(s) == len && !memcmp(s, name, len))
			return (ssize_t)x->slots[k] - 1;
	}
}

static void name_put(struct name_index *x, const char *s, size_t i)
{
	size_t k = name_hash(s, strlen(s)) & (x->cap - 1);

	while (x->slots[k])
		k = (k + 1) & (x->cap - 1);
	x->slots[k] = (uint32_t)i + 1;
}

int grub_name_add(struct name_index *x, const void *base, size_t stride, size_t n)
{
	if (n * 2 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		uint32_t *slots;

		while (n * 2 > cap)
			cap *= 2;
		slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		free(x->slots);
		x->slots = slots;
		x->cap = cap;
		for (size_t k = 0; k + 1 < n; k++)
			name_put(x, name_at(base, stride, k), k);
	}
	name_put(x, name_at(base, stride, n - 1), n - 1);
	return 0;
}

/* ---- the evaluator ------------------------------------------------------- */

struct var *grub_find_var(const struct vk_grub *g, const char *name, size_t len)
{
	ssize_t i = grub_name_find(&g->var_index, g->vars, sizeof(*g->vars), name, len);

	return i < 0 ? NULL : &g->vars[i];
}

static int uncertain_val(struct vk_grub *g, const char *name, size_t off, struct vnode **out);

/* A '.', eval or function call since the variable last changed may have
 * changed it: it is unknown as of the last one. */
static int sync_var(struct vk_grub *g, struct var *v)
{
	if (v->sources == g->n_sources)
		return 0;
	v->sources = g->n_sources;
	grub_vnode_unref(v->v);
	v->v = NULL;
	v->top = false;
	v->set = true;
	return uncertain_val(g, v->name, g->source_off, &v->v);
}

int grub_sync_vars(struct vk_grub *g)
{
	for (size_t i = 0; i < g->n_vars; i++)
		if (sync_var(g, &g->vars[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* The variable, made if new, as it is now; NULL when out of memory. */
static struct var *get_var(struct vk_grub *g, const char *name, size_t len)
{
	struct var *v = grub_find_var(g, name, len);

	if (v)
		return sync_var(g, v) < 0 ? NULL : v;
	if (GROW(g->vars, g->c_vars, g->n_vars + 1) < 0)
		return NULL;
	v = &g->vars[g->n_vars];
	memset(v, 0, sizeof(*v));
	v->name = strndup(name, len);
	if (!v->name)
		return NULL;
	v->last = -1;
	v->sources = g->n_sources;
	g->n_vars++;
	if (grub_name_add(&g->var_index, g->vars, sizeof(*g->vars), g->n_vars) < 0)
		return NULL;
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
static int uncertain_val(struct vk_grub *g, const char *name, size_t off, struct vnode **out)
{
	_cleanup_free_ char *text = NULL;
	struct val v = {};
	ssize_t k;

	*out = NULL;
	if (asprintf(&text, "${%s}", name) < 0)
		return -ENOMEM;
	k = add_opaque(g, OPQ_UNCERTAIN, off, text, strlen(text));
	if (k < 0)
		return (int)k;
	if (grub_val_push(&v, OPAQUE_BYTE, (struct prov){ 0, (uint32_t)k, 0 }) < 0)
		return -ENOMEM;
	*out = grub_vnode_leaf(g, &v);
	grub_val_clear(&v);
	return *out ? 0 : -ENOMEM;
}

/* *acc followed by part (of which a reference is taken). */
static int append_node(struct vnode **acc, struct vnode *part)
{
	struct vnode *n;
	int r = grub_vnode_concat(*acc, part, &n);

	if (r < 0)
		return r;
	grub_vnode_unref(*acc);
	*acc = n;
	return 0;
}

/* *acc followed by the bytes collected in lit (which is emptied). */
static int append_lit(const struct vk_grub *g, struct vnode **acc, struct val *lit)
{
	struct vnode *n;
	int r;

	if (!lit->len)
		return 0;
	n = grub_vnode_leaf(g, lit);
	if (!n)
		return -ENOMEM;
	r = append_node(acc, n);
	grub_vnode_unref(n);
	return r;
}

/* The value of assignment word w with the variables as they are now; its
 * literal runs become groups of assignment a. */
static int eval_word(struct parser *p, const struct word *w, uint32_t a, struct vnode **out)
{
	struct vk_grub *g = p->g;
	size_t base = g->n_groups;
	struct vnode *acc = NULL;
	struct val lit = {};
	int r = 0;

	*out = NULL;
	if (GROW(g->groups, g->c_groups, g->n_groups + w->n_groups + 1) < 0)
		return -ENOMEM;
	for (uint32_t k = 0; k < w->n_groups; k++)
		g->groups[g->n_groups++] = a;
	for (size_t k = 0; k < w->n && r >= 0; k++) {
		const struct piece *pc = &w->pc[k];
		struct vnode *part = NULL;
		struct var *v;

		if (pc->kind == PC_LIT) {
			r = grub_val_push(
				&lit, pc->c,
				(struct prov){ (uint32_t)(base + pc->group - 1), pc->s0, pc->s1 });
			continue;
		}
		if (pc->kind == PC_OPAQUE) {
			ssize_t o = add_opaque(g, OPQ_EXPANSION, pc->s0, p->s + pc->s0,
					       pc->s1 - pc->s0);

			r = o < 0 ? (int)o
				  : grub_val_push(&lit, OPAQUE_BYTE,
						  (struct prov){ 0, (uint32_t)o, 0 });
			continue;
		}
		v = grub_find_var(g, p->s + pc->n0, pc->n1 - pc->n0);
		if (v) {
			r = sync_var(g, v);
			part = grub_vnode_ref(v->v);
		} else if (g->n_sources) {
			_cleanup_free_ char *name = strndup(p->s + pc->n0, pc->n1 - pc->n0);

			r = name ? uncertain_val(g, name, g->source_off, &part) : -ENOMEM;
		}
		if (r == 0)
			r = append_lit(g, &acc, &lit);
		if (r == 0)
			r = append_node(&acc, part);
		grub_vnode_unref(part);
	}
	if (r == 0)
		r = append_lit(g, &acc, &lit);
	grub_val_clear(&lit);
	if (r == -E2BIG)
		r = grub_perr(p, w->start,
			      "%.*s would be longer than %u MiB (a variable doubled again and "
			      "again, as a=$a$a): vfiokit does not read such a file",
			      (int)(w->eq - w->start), p->s + w->start, MAX_VALUE >> 20);
	if (r < 0) {
		grub_vnode_unref(acc);
		return r;
	}
	*out = acc;
	return 0;
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
	grub_vnode_unref(v->v);
	v->v = NULL;
	v->last = (ssize_t)(g->n_assigns - 1);
	v->top = !cond;
	v->set = true;
	if (!cond) {
		v->v = grub_vnode_ref(a->value);
		return 0;
	}
	return uncertain_val(g, v->name, a->off, &v->v);
}

/* Something happened to NAME that vfiokit does not follow (a for loop,
 * unset in a block, an assignment before a special built-in). */
int grub_do_uncertain(struct parser *p, const char *name, size_t len, size_t off)
{
	struct var *v = get_var(p->g, name, len);

	if (!v)
		return -ENOMEM;
	grub_vnode_unref(v->v);
	v->v = NULL;
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
	grub_vnode_unref(v->v);
	v->v = NULL;
	v->top = false;
	return 0;
}

/* '.', source, eval or a function: any variable may change (each is made
 * unknown when it is next looked at: sync_var()). */
static int do_source(struct parser *p, size_t off)
{
	p->g->n_sources++;
	p->g->source_off = off;
	return 0;
}

static bool word_text_is(const struct parser *p, const struct word *w, const char *text)
{
	size_t l = strlen(text);

	return w->literal && w->end - w->start == l && !memcmp(p->s + w->start, text, l);
}

static bool is_function(const struct parser *p, const struct word *w)
{
	return w->literal &&
	       grub_name_find(&p->g->function_index, p->g->functions, sizeof(*p->g->functions),
			      p->s + w->start, w->end - w->start) >= 0;
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
