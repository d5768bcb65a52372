// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a kernel's Kconfig tree into symbols (see kconfig.h): the
 * statements of scripts/kconfig/parser.y and the dependency propagation of
 * menu.c (an entry depends on its own "depends on" and on every if, menu
 * and choice around it; a symbol defined in several places depends on the
 * OR of its definitions; a prompt is visible under its "if", the
 * dependencies and the "visible if" of the menus around it).
 *
 * Everything of a tree lives in one arena; only the growing arrays
 * (symbol list and table, reverse dependencies, choice members) are
 * separate allocations.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../shared/macro.h"
#include "internal.h"

#define ARENA_CHUNK   (64 * 1024)
#define MAX_INCLUDES  64
#define MAX_FILE_SIZE (16 * 1024 * 1024)

/* ---- arena ---- */

struct arena_chunk {
	struct arena_chunk *next;
	max_align_t data[];
};

void *karena_alloc(struct karena *a, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	struct arena_chunk *c;
	size_t csize;
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (size > a->left) {
		csize = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		c = calloc(1, sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->next = a->chunks;
		a->chunks = c;
		if (size == csize)
			return c->data; /* a big one: keep the current chunk */
		a->cur = (char *)c->data;
		a->left = csize;
	}
	p = a->cur;
	a->cur += size;
	a->left -= size;
	return p;
}

void karena_free(struct karena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	*a = (struct karena){ 0 };
}

/* ---- strings and symbols ---- */

static int strtab_grow(struct kstrtab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 4096;
	struct intern_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++) {
		size_t j;

		if (!t->slots[i].s)
			continue;
		for (j = t->slots[i].hash & (cap - 1); slots[j].s; j = (j + 1) & (cap - 1))
			;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
	return 0;
}

const char *kintern(struct vk_kconfig *kc, const char *s, size_t len)
{
	struct kstrtab *t = &kc->strs;
	uint32_t h = vk_strhash(s, len);
	size_t i;
	char *copy;

	if ((t->n + 1) * 2 > t->cap && strtab_grow(t) < 0)
		return NULL;
	for (i = h & (t->cap - 1); t->slots[i].s; i = (i + 1) & (t->cap - 1))
		if (t->slots[i].hash == h && strncmp(t->slots[i].s, s, len) == 0 &&
		    t->slots[i].s[len] == '\0')
			return t->slots[i].s;
	copy = karena_alloc(&kc->arena, len + 1);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	t->slots[i] = (struct intern_slot){ .s = copy, .hash = h };
	t->n++;
	return copy;
}

const char *kintern_str(struct vk_kconfig *kc, const char *s)
{
	return kintern(kc, s, strlen(s));
}

struct ksym *ksym_lookup(const struct vk_kconfig *kc, const char *name)
{
	uint32_t h;

	if (!kc->symtab_cap)
		return NULL;
	h = vk_strhash(name, strlen(name));
	for (size_t i = h & (kc->symtab_cap - 1); kc->symtab[i]; i = (i + 1) & (kc->symtab_cap - 1))
		if (kc->symtab[i]->hash == h && streq(kc->symtab[i]->pub.name, name))
			return kc->symtab[i];
	return NULL;
}

static int symtab_grow(struct vk_kconfig *kc)
{
	size_t cap = kc->symtab_cap ? kc->symtab_cap * 2 : 4096;
	struct ksym **tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < kc->n_syms; i++) {
		size_t j;

		for (j = kc->syms[i]->hash & (cap - 1); tab[j]; j = (j + 1) & (cap - 1))
			;
		tab[j] = kc->syms[i];
	}
	free(kc->symtab);
	kc->symtab = tab;
	kc->symtab_cap = cap;
	return 0;
}

struct ksym *ksym_get(struct vk_kconfig *kc, const char *name)
{
	struct ksym *s = ksym_lookup(kc, name);
	size_t i;

	if (s)
		return s;
	if ((kc->n_syms + 1) * 2 > kc->symtab_cap && symtab_grow(kc) < 0)
		return NULL;
	if (kc->n_syms == kc->cap_syms) {
		size_t cap = kc->cap_syms ? kc->cap_syms * 2 : 4096;
		struct ksym **syms = realloc(kc->syms, cap * sizeof(*syms));

		if (!syms)
			return NULL;
		kc->syms = syms;
		kc->cap_syms = cap;
	}
	s = karena_alloc(&kc->arena, sizeof(*s));
	if (!s)
		return NULL;
	s->pub.name = kintern_str(kc, name);
	if (!s->pub.name)
		return NULL;
	s->hash = vk_strhash(name, strlen(name));
	for (i = s->hash & (kc->symtab_cap - 1); kc->symtab[i]; i = (i + 1) & (kc->symtab_cap - 1))
		;
	kc->symtab[i] = s;
	kc->syms[kc->n_syms++] = s;
	return s;
}

/* Add an interned file name to the set of files read. */
static int file_add(struct vk_kconfig *kc, const char *name)
{
	size_t i;

	if ((kc->n_files + 1) * 2 > kc->files_cap) {
		size_t cap = kc->files_cap ? kc->files_cap * 2 : 1024;
		const char **set = calloc(cap, sizeof(*set));

		if (!set)
			return -ENOMEM;
		for (i = 0; i < kc->files_cap; i++) {
			size_t j;

			if (!kc->files[i])
				continue;
			j = vk_strhash(kc->files[i], strlen(kc->files[i])) & (cap - 1);
			while (set[j])
				j = (j + 1) & (cap - 1);
			set[j] = kc->files[i];
		}
		free(kc->files);
		kc->files = set;
		kc->files_cap = cap;
	}
	for (i = vk_strhash(name, strlen(name)) & (kc->files_cap - 1); kc->files[i];
	     i = (i + 1) & (kc->files_cap - 1))
		if (kc->files[i] == name)
			return 0;
	kc->files[i] = name;
	kc->n_files++;
	return 0;
}

/* ---- the parser ---- */

enum keyword {
	KW_NONE,
	KW_BOOL,
	KW_BOOLEAN,
	KW_CHOICE,
	KW_COMMENT,
	KW_CONFIG,
	KW_DEF_BOOL,
	KW_DEF_TRISTATE,
	KW_DEFAULT,
	KW_DEPENDS,
	KW_ENDCHOICE,
	KW_ENDIF,
	KW_ENDMENU,
	KW_HELP,
	KW_OLDHELP,
	KW_HEX,
	KW_IF,
	KW_IMPLY,
	KW_INT,
	KW_MAINMENU,
	KW_MENU,
	KW_MENUCONFIG,
	KW_MODULES,
	KW_OPTION,
	KW_OPTIONAL,
	KW_ORSOURCE,
	KW_OSOURCE,
	KW_PROMPT,
	KW_RANGE,
	KW_RSOURCE,
	KW_SELECT,
	KW_SOURCE,
	KW_STRING,
	KW_TRANSITIONAL,
	KW_TRISTATE,
	KW_VISIBLE,
};

static const char *const keyword_names[] = {
	[KW_BOOL] = "bool",
	[KW_BOOLEAN] = "boolean",
	[KW_CHOICE] = "choice",
	[KW_COMMENT] = "comment",
	[KW_CONFIG] = "config",
	[KW_DEF_BOOL] = "def_bool",
	[KW_DEF_TRISTATE] = "def_tristate",
	[KW_DEFAULT] = "default",
	[KW_DEPENDS] = "depends",
	[KW_ENDCHOICE] = "endchoice",
	[KW_ENDIF] = "endif",
	[KW_ENDMENU] = "endmenu",
	[KW_HELP] = "help",
	[KW_OLDHELP] = "---help---",
	[KW_HEX] = "hex",
	[KW_IF] = "if",
	[KW_IMPLY] = "imply",
	[KW_INT] = "int",
	[KW_MAINMENU] = "mainmenu",
	[KW_MENU] = "menu",
	[KW_MENUCONFIG] = "menuconfig",
	[KW_MODULES] = "modules",
	[KW_OPTION] = "option",
	[KW_OPTIONAL] = "optional",
	[KW_ORSOURCE] = "orsource",
	[KW_OSOURCE] = "osource",
	[KW_PROMPT] = "prompt",
	[KW_RANGE] = "range",
	[KW_RSOURCE] = "rsource",
	[KW_SELECT] = "select",
	[KW_SOURCE] = "source",
	[KW_STRING] = "string",
	[KW_TRANSITIONAL] = "transitional",
	[KW_TRISTATE] = "tristate",
	[KW_VISIBLE] = "visible",
};

static enum keyword keyword(const struct ktoken *t)
{
	if (t->type != KT_WORD)
		return KW_NONE;
	for (size_t i = 1; i < ARRAY_SIZE(keyword_names); i++)
		if (t->s[0] == keyword_names[i][0] && streq(t->s, keyword_names[i]))
			return i;
	return KW_NONE;
}

enum block_kind { B_ROOT, B_MENU, B_IF, B_CHOICE };

static const char *const block_names[] = {
	[B_ROOT] = "file",
	[B_MENU] = "menu",
	[B_IF] = "if",
	[B_CHOICE] = "choice",
};

struct block {
	enum block_kind kind;
	const struct vk_kexpr *own;	/* menu, choice: "depends on" */
	const struct vk_kexpr *own_vis; /* menu: "visible if" */
	const struct vk_kexpr *dep;	/* for the entries inside */
	const struct vk_kexpr *vis;	/* "visible if" of this and the enclosing menus */
	struct kchoice *choice;		/* entries inside are its members */
	const char *file;
	unsigned int line;
};

enum entry_kind { E_NONE, E_CONFIG, E_MENU, E_CHOICE, E_COMMENT };

struct parser {
	struct vk_kconfig *kc;
	struct block *blocks;
	size_t n_blocks, cap_blocks;
	/* The entry whose attribute lines are being read. */
	enum entry_kind entry;
	struct ksym *sym;
	const struct vk_kexpr *own_dep;
	bool prompt;
	const struct vk_kexpr *prompt_if;
	const char *entry_file; /* where the entry begins */
	unsigned int entry_line;
	/* The files being read, innermost last: recursion check, messages. */
	struct klex *stack[MAX_INCLUDES];
	size_t depth;
	char *err;
	size_t errlen;
};

static int vperr(struct parser *p, const char *file, unsigned int line, const char *fmt, va_list ap)
{
	int n = 0;

	if (!p->err || !p->errlen)
		return -EINVAL;
	if (file)
		n = snprintf(p->err, p->errlen, "%s:%u: ", file, line);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	return -EINVAL;
}

static _printf_(3, 4) int perr(struct parser *p, struct klex *lx, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, lx ? lx->file : NULL, lx ? lx->stmt_line : 0, fmt, ap);
	va_end(ap);
	return r;
}

static _printf_(4, 5) int perr_at(struct parser *p, const char *file, unsigned int line,
				  const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vperr(p, file, line, fmt, ap);
	va_end(ap);
	return r;
}

/* What kexpr_and() or kexpr_or() returned (r) for a condition of the
 * statement at file:line. */
static int cond_err(struct parser *p, int r, const char *file, unsigned int line)
{
	if (r != -E2BIG)
		return r;
	return perr_at(p, file, line,
		       "conditions nested deeper than %d levels (if blocks, menus and "
		       "dependencies around it, or definitions of one symbol): refused",
		       VK_KEXPR_MAX_DEPTH);
}

static struct block *top(struct parser *p)
{
	return &p->blocks[p->n_blocks - 1];
}

static int push_block(struct parser *p, struct klex *lx, enum block_kind kind)
{
	struct block *b;

	if (p->n_blocks == p->cap_blocks) {
		size_t cap = p->cap_blocks ? p->cap_blocks * 2 : 16;
		struct block *nb = realloc(p->blocks, cap * sizeof(*nb));

		if (!nb)
			return -ENOMEM;
		p->blocks = nb;
		p->cap_blocks = cap;
	}
	b = &p->blocks[p->n_blocks];
	*b = (struct block){
		.kind = kind,
		.dep = top(p)->dep,
		.vis = top(p)->vis,
		.choice = kind == B_IF ? top(p)->choice : NULL,
		.file = lx->file,
		.line = lx->stmt_line,
	};
	p->n_blocks++;
	return 0;
}

static void set_type(struct ksym *s, enum vk_ktype t)
{
	if (s->pub.type == VK_KTYPE_UNKNOWN)
		s->pub.type = t;
}

static int choice_add(struct kchoice *c, struct ksym *s)
{
	for (size_t i = 0; i < c->pub.n_members; i++)
		if (c->pub.members[i] == &s->pub)
			return 0;
	if (c->pub.n_members == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		const struct vk_ksym **m = realloc(c->pub.members, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		c->pub.members = m;
		c->cap = cap;
	}
	c->pub.members[c->pub.n_members++] = &s->pub;
	if (!s->pub.choice)
		s->pub.choice = &c->pub;
	return 0;
}

/* The entry being read is complete: apply what surrounds it. */
static int finish_entry(struct parser *p)
{
	struct vk_kconfig *kc = p->kc;
	struct block *b = top(p), *parent;
	const struct vk_kexpr *dep, *vis;
	struct ksym *s = p->sym;
	int r = 0;

	switch (p->entry) {
	case E_CONFIG:
		r = kexpr_and(kc, b->dep, p->own_dep, &dep);
		if (r < 0)
			break;
		if (s->n_defs == 0 || (!s->dep_y && !dep)) {
			s->pub.depends = dep;
			s->dep_y = !dep;
		} else if (!s->dep_y) {
			r = kexpr_or(kc, s->pub.depends, dep, &s->pub.depends);
			if (r < 0)
				break;
		}
		if (p->prompt) {
			r = kexpr_and(kc, p->prompt_if, b->vis, &vis);
			if (r < 0 || (r = kexpr_and(kc, dep, vis, &vis)) < 0)
				break;
			if (!s->pub.has_prompt || (!s->vis_y && !vis)) {
				s->pub.visible = vis;
				s->vis_y = !vis;
			} else if (!s->vis_y) {
				r = kexpr_or(kc, s->pub.visible, vis, &s->pub.visible);
				if (r < 0)
					break;
			}
			s->pub.has_prompt = true;
		}
		s->n_defs++;
		if (b->choice && choice_add(b->choice, s) < 0)
			return -ENOMEM;
		break;
	case E_MENU:
	case E_CHOICE:
		parent = b - 1;
		r = kexpr_and(kc, parent->dep, b->own, &b->dep);
		if (r < 0 || (r = kexpr_and(kc, b->own_vis, parent->vis, &b->vis)) < 0)
			break;
		if (b->choice)
			b->choice->pub.depends = b->dep;
		break;
	default:
		break;
	}
	if (r < 0)
		return cond_err(p, r, p->entry_file, p->entry_line);
	p->entry = E_NONE;
	p->sym = NULL;
	p->own_dep = p->prompt_if = NULL;
	p->prompt = false;
	return 0;
}

/* Parse an expression at token i; *end: the token after it. */
static int expr_at(struct parser *p, struct klex *lx, size_t i, const struct vk_kexpr **e,
		   size_t *end)
{
	char msg[256];
	struct kparse kp = {
		.kc = p->kc,
		.tok = lx->tok,
		.i = i,
		.register_syms = true,
		.err = msg,
		.errlen = sizeof(msg),
	};

	*e = kexpr_parse(&kp);
	if (!*e)
		return msg[0] ? perr(p, lx, "%s", msg) : -ENOMEM;
	*end = kp.i;
	return 0;
}

static bool word_is(const struct ktoken *t, const char *w)
{
	return t->type == KT_WORD && streq(t->s, w);
}

static int expect_eol(struct parser *p, struct klex *lx, size_t i)
{
	const struct ktoken *t = &lx->tok[i];

	if (t->type == KT_EOL)
		return 0;
	return perr(p, lx, "unexpected '%s' in '%s' line", ktok_text(t), lx->tok[0].s);
}

/* "[if EXPR]" then the end of the statement. */
static int if_opt(struct parser *p, struct klex *lx, size_t i, const struct vk_kexpr **cond)
{
	int r;

	*cond = NULL;
	if (word_is(&lx->tok[i], "if")) {
		r = expr_at(p, lx, i + 1, cond, &i);
		if (r < 0)
			return r;
	}
	return expect_eol(p, lx, i);
}

static int add_rev(struct vk_kconfig *kc, struct ksym *target, bool select, struct ksym *by,
		   const struct vk_kexpr *cond, struct klex *lx)
{
	struct vk_krev **list = select ? &target->sel : &target->imp;
	size_t *n = select ? &target->pub.n_selected_by : &target->pub.n_implied_by;
	size_t *cap = select ? &target->cap_sel : &target->cap_imp;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct vk_krev *nl = realloc(*list, ncap * sizeof(*nl));

		if (!nl)
			return -ENOMEM;
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*n)++] = (struct vk_krev){
		.by = &by->pub,
		.cond = cond,
		.file = lx->file,
		.line = lx->stmt_line,
	};
	if (select)
		target->pub.selected_by = target->sel;
	else
		target->pub.implied_by = target->imp;
	return 0;
}

/* The symbol named by token i of a config, select or imply line. */
static int sym_name_at(struct parser *p, struct klex *lx, size_t i, struct ksym **out)
{
	char msg[128] = "";
	struct kparse kp = { .kc = p->kc, .err = msg, .errlen = sizeof(msg) };
	const struct ktoken *t = &lx->tok[i];
	struct vk_kexpr *e;

	if (t->type != KT_WORD || t->opaque)
		return perr(p, lx, "'%s' needs a symbol name, found '%s'", lx->tok[0].s,
			    ktok_text(t));
	e = kexpr_symbol(&kp, t);
	if (!e)
		return msg[0] ? perr(p, lx, "'%s': %s", lx->tok[0].s, msg) : -ENOMEM;
	/* Words are names, numbers too (powerpc has "config 8272"); only
	 * y, m and n are constants. */
	if (e->op != VK_KE_SYMBOL && (!t->s[1] && strchr("ymn", t->s[0])))
		return perr(p, lx, "'%s' needs a symbol name, not the constant '%s'", lx->tok[0].s,
			    t->s);
	*out = ksym_get(p->kc, e->name);
	return *out ? 0 : -ENOMEM;
}

static bool type_of(enum keyword kw, enum vk_ktype *t)
{
	switch (kw) {
	case KW_BOOL:
	case KW_BOOLEAN:
		*t = VK_KTYPE_BOOL;
		return true;
	case KW_TRISTATE:
		*t = VK_KTYPE_TRISTATE;
		return true;
	case KW_STRING:
		*t = VK_KTYPE_STRING;
		return true;
	case KW_INT:
		*t = VK_KTYPE_INT;
		return true;
	case KW_HEX:
		*t = VK_KTYPE_HEX;
		return true;
	default:
		return false;
	}
}

/* A prompt: "TEXT [if EXPR]" at token i. */
static int prompt_at(struct parser *p, struct klex *lx, size_t i)
{
	const struct vk_kexpr *cond;
	int r;

	if (lx->tok[i].type != KT_STRING && lx->tok[i].type != KT_WORD)
		return perr(p, lx, "'%s' needs a prompt", lx->tok[0].s);
	r = if_opt(p, lx, i + 1, &cond);
	if (r < 0)
		return r;
	if (p->entry == E_CHOICE) {
		struct kchoice *c = top(p)->choice;

		c->pub.prompt = kintern_str(p->kc, lx->tok[i].s);
		return c->pub.prompt ? 0 : -ENOMEM;
	}
	p->prompt = true;
	p->prompt_if = cond;
	return 0;
}

/* An attribute line of the entry being read. */
static int attribute(struct parser *p, struct klex *lx, enum keyword kw)
{
	struct vk_kconfig *kc = p->kc;
	const struct ktoken *t = lx->tok;
	const char *w = t[0].s;
	const struct vk_kexpr *e, *cond;
	enum vk_ktype type;
	bool cfg = p->entry == E_CONFIG, choice = p->entry == E_CHOICE;
	size_t i;
	int r;

	if (kw == KW_DEPENDS) {
		if (p->entry == E_NONE)
			goto misplaced;
		i = word_is(&t[1], "on") ? 2 : 1; /* "depends" alone: very old trees */
		r = expr_at(p, lx, i, &e, &i);
		if (r < 0 || (r = expect_eol(p, lx, i)) < 0)
			return r;
		if (p->entry == E_MENU || p->entry == E_CHOICE)
			r = kexpr_and(kc, top(p)->own, e, &top(p)->own);
		else
			r = kexpr_and(kc, p->own_dep, e, &p->own_dep);
		return cond_err(p, r, lx->file, lx->stmt_line);
	}
	if (kw == KW_VISIBLE) {
		if (p->entry != E_MENU)
			goto misplaced;
		r = if_opt(p, lx, 1, &e);
		if (r < 0)
			return r;
		r = kexpr_and(kc, top(p)->own_vis, e, &top(p)->own_vis);
		return cond_err(p, r, lx->file, lx->stmt_line);
	}
	if (kw == KW_HELP || kw == KW_OLDHELP) {
		if (p->entry == E_NONE)
			goto misplaced;
		r = expect_eol(p, lx, 1);
		if (r < 0)
			return r;
		klex_skip_help(lx);
		return 0;
	}
	if (type_of(kw, &type)) {
		if (!cfg && !choice)
			goto misplaced;
		if (choice) {
			if (top(p)->choice->type == VK_KTYPE_UNKNOWN)
				top(p)->choice->type = type;
		} else {
			set_type(p->sym, type);
		}
		return t[1].type == KT_EOL ? 0 : prompt_at(p, lx, 1);
	}
	if (kw == KW_PROMPT) {
		if (!cfg && !choice)
			goto misplaced;
		return prompt_at(p, lx, 1);
	}
	if (kw == KW_DEFAULT || kw == KW_DEF_BOOL || kw == KW_DEF_TRISTATE) {
		if (!cfg && !(choice && kw == KW_DEFAULT))
			goto misplaced;
		r = expr_at(p, lx, 1, &e, &i);
		if (r < 0 || (r = if_opt(p, lx, i, &cond)) < 0)
			return r;
		if (kw == KW_DEF_BOOL)
			set_type(p->sym, VK_KTYPE_BOOL);
		else if (kw == KW_DEF_TRISTATE)
			set_type(p->sym, VK_KTYPE_TRISTATE);
		return 0;
	}
	if (kw == KW_SELECT || kw == KW_IMPLY) {
		struct ksym *target;

		if (!cfg)
			goto misplaced;
		r = sym_name_at(p, lx, 1, &target);
		if (r < 0 || (r = if_opt(p, lx, 2, &cond)) < 0)
			return r;
		return add_rev(kc, target, kw == KW_SELECT, p->sym, cond, lx);
	}
	if (kw == KW_RANGE) {
		char msg[128] = "";
		struct kparse kp = {
			.kc = kc, .register_syms = true, .err = msg, .errlen = sizeof(msg)
		};

		if (!cfg)
			goto misplaced;
		if (!kexpr_symbol(&kp, &t[1]) || !kexpr_symbol(&kp, &t[2]))
			return msg[0] ? perr(p, lx, "range: %s", msg) : -ENOMEM;
		return if_opt(p, lx, 3, &cond);
	}
	if (kw == KW_MODULES) {
		if (!cfg)
			goto misplaced;
		kc->modules = p->sym->pub.name;
		return expect_eol(p, lx, 1);
	}
	if (kw == KW_OPTION) {
		/* Older trees: "option modules", "option env=...",
		 * "option defconfig_list", "option allnoconfig_y". */
		if (!cfg)
			goto misplaced;
		if (word_is(&t[1], "modules"))
			kc->modules = p->sym->pub.name;
		return 0;
	}
	if (kw == KW_TRANSITIONAL) {
		if (!cfg)
			goto misplaced;
		return expect_eol(p, lx, 1);
	}
	if (kw == KW_OPTIONAL) {
		if (!choice)
			goto misplaced;
		return expect_eol(p, lx, 1);
	}
	return perr(p, lx, "unknown statement '%s'", w);
misplaced:
	if (p->entry == E_NONE)
		return perr(p, lx, "'%s' outside of a config, menu or choice entry", w);
	return perr(p, lx, "'%s' is not valid in a %s entry", w,
		    p->entry == E_MENU	   ? "menu"
		    : p->entry == E_CHOICE ? "choice"
					   : "comment");
}

static int parse_file(struct parser *p, const char *name, struct klex *from);

/* Lexically clean a path in place: drop "." and empty components,
 * resolve "dir/.." (never above the start of a relative path). */
static void normalize(char *path)
{
	char *out = path, *s = path;
	bool abs = *s == '/';
	size_t kept = 0; /* components in out that ".." may remove */

	if (abs)
		s++, out++;
	for (bool last = !*s; !last;) {
		char *end = strchrnul(s, '/');
		size_t len = end - s;

		last = !*end;

		if (len == 0 || (len == 1 && s[0] == '.')) {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.' && kept > 0) {
			out--; /* the '/' after the previous component */
			while (out > path + abs && out[-1] != '/')
				out--;
			kept--;
		} else {
			memmove(out, s, len);
			out += len;
			*out++ = '/';
			if (!(len == 2 && s[0] == '.' && s[1] == '.'))
				kept++;
		}
		s = end + 1;
	}
	if (out > path + abs)
		out--;
	*out = '\0';
}

static int source(struct parser *p, struct klex *lx, enum keyword kw)
{
	const char *w = lx->tok[0].s, *arg, *name;
	bool relative = kw == KW_RSOURCE || kw == KW_ORSOURCE;
	bool optional = kw == KW_OSOURCE || kw == KW_ORSOURCE;
	size_t tlen = strlen(p->kc->srctree);
	_cleanup_free_ char *path = NULL;
	struct stat st;
	int r;

	if (lx->tok[1].type != KT_STRING)
		return perr(p, lx, "'%s' needs a file name in quotes", w);
	r = expect_eol(p, lx, 2);
	if (r < 0)
		return r;
	arg = lx->tok[1].s;
	if (arg[0] == '/' && strncmp(arg, p->kc->srctree, tlen) == 0 && arg[tlen] == '/')
		arg += tlen + 1;
	if (relative && arg[0] != '/') {
		const char *slash = strrchr(lx->file, '/');
		int dlen = slash ? (int)(slash - lx->file) : 0;

		if (asprintf(&path, "%.*s%s%s", dlen, lx->file, dlen ? "/" : "", arg) < 0)
			return -ENOMEM;
	} else {
		path = strdup(arg);
		if (!path)
			return -ENOMEM;
	}
	normalize(path);
	name = kintern_str(p->kc, path);
	if (!name)
		return -ENOMEM;
	for (size_t i = 0; i < p->depth; i++)
		if (p->stack[i]->file == name)
			return perr(p, lx, "recursive inclusion of '%s'", name);
	if (p->depth == MAX_INCLUDES)
		return perr(p, lx, "sources nested too deep");
	if (optional && fstatat(p->kc->dirfd, name, &st, 0) < 0 && errno == ENOENT)
		return 0;
	return parse_file(p, name, lx);
}

static int end_block(struct parser *p, struct klex *lx, enum block_kind kind, size_t base)
{
	struct block *b = top(p);
	int r = expect_eol(p, lx, 1);

	if (r < 0)
		return r;
	if (b->kind == B_ROOT)
		return perr(p, lx, "'%s' without '%s'", lx->tok[0].s, block_names[kind]);
	if (b->kind != kind)
		return perr(p, lx, "'%s' within the '%s' block of %s:%u", lx->tok[0].s,
			    block_names[b->kind], b->file, b->line);
	if (p->n_blocks <= base)
		return perr(p, lx, "'%s' in a different file than its '%s' (%s:%u)", lx->tok[0].s,
			    block_names[kind], b->file, b->line);
	p->n_blocks--;
	return 0;
}

static int new_choice(struct parser *p, struct klex *lx)
{
	struct vk_kconfig *kc = p->kc;
	struct kchoice *c;
	int r;

	/* "choice NAME" in older trees names the choice symbol. */
	if (lx->tok[1].type != KT_EOL && (r = expect_eol(p, lx, 2)) < 0)
		return r;
	if (kc->n_choices == kc->cap_choices) {
		size_t cap = kc->cap_choices ? kc->cap_choices * 2 : 64;
		struct kchoice **nc = realloc(kc->choices, cap * sizeof(*nc));

		if (!nc)
			return -ENOMEM;
		kc->choices = nc;
		kc->cap_choices = cap;
	}
	c = karena_alloc(&kc->arena, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->pub.file = lx->file;
	c->pub.line = lx->stmt_line;
	kc->choices[kc->n_choices++] = c;
	r = push_block(p, lx, B_CHOICE);
	if (r < 0)
		return r;
	top(p)->choice = c;
	p->entry = E_CHOICE;
	return 0;
}

static int statement(struct parser *p, struct klex *lx, size_t base)
{
	const struct ktoken *t = lx->tok;
	enum keyword kw = keyword(&t[0]);
	const struct vk_kexpr *e;
	size_t i;
	int r;

	if (t[0].type != KT_WORD)
		return perr(p, lx, "invalid statement");
	switch (kw) {
	case KW_CONFIG:
	case KW_MENUCONFIG:
	case KW_MENU:
	case KW_CHOICE:
	case KW_COMMENT:
	case KW_MAINMENU:
	case KW_IF:
	case KW_ENDIF:
	case KW_ENDMENU:
	case KW_ENDCHOICE:
	case KW_SOURCE:
	case KW_RSOURCE:
	case KW_OSOURCE:
	case KW_ORSOURCE:
		r = finish_entry(p);
		if (r < 0)
			return r;
		p->entry_file = lx->file;
		p->entry_line = lx->stmt_line;
		break;
	default:
		return attribute(p, lx, kw);
	}

	switch (kw) {
	case KW_CONFIG:
	case KW_MENUCONFIG:
		r = sym_name_at(p, lx, 1, &p->sym);
		if (r < 0 || (r = expect_eol(p, lx, 2)) < 0)
			return r;
		if (!p->sym->pub.file) {
			p->sym->pub.file = lx->file;
			p->sym->pub.line = lx->stmt_line;
		}
		p->entry = E_CONFIG;
		return 0;
	case KW_MENU:
	case KW_COMMENT:
	case KW_MAINMENU:
		if (t[1].type != KT_STRING && t[1].type != KT_WORD)
			return perr(p, lx, "'%s' needs a prompt", t[0].s);
		r = expect_eol(p, lx, 2);
		if (r < 0)
			return r;
		if (kw == KW_MAINMENU) /* the title only */
			return 0;
		if (kw == KW_COMMENT) {
			p->entry = E_COMMENT;
			return 0;
		}
		r = push_block(p, lx, B_MENU);
		if (r < 0)
			return r;
		p->entry = E_MENU;
		return 0;
	case KW_CHOICE:
		return new_choice(p, lx);
	case KW_IF:
		r = expr_at(p, lx, 1, &e, &i);
		if (r < 0 || (r = expect_eol(p, lx, i)) < 0)
			return r;
		r = push_block(p, lx, B_IF);
		if (r < 0)
			return r;
		r = kexpr_and(p->kc, top(p)->dep, e, &top(p)->dep);
		return cond_err(p, r, lx->file, lx->stmt_line);
	case KW_ENDIF:
		return end_block(p, lx, B_IF, base);
	case KW_ENDMENU:
		return end_block(p, lx, B_MENU, base);
	case KW_ENDCHOICE:
		return end_block(p, lx, B_CHOICE, base);
	default:
		return source(p, lx, kw);
	}
}

static int read_all(int dirfd, const char *name, char **buf, size_t *len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t n = 0;
	ssize_t k;
	char *b;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if (st.st_size > MAX_FILE_SIZE)
		return -EFBIG;
	b = malloc(st.st_size + 1);
	if (!b)
		return -ENOMEM;
	while ((k = read(fd, b + n, st.st_size - n)) > 0)
		n += k;
	if (k < 0) {
		free(b);
		return -errno;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int parse_file(struct parser *p, const char *name, struct klex *from)
{
	_cleanup_free_ char *buf = NULL;
	struct klex lx = {
		.kc = p->kc, .file = name, .line = 1, .err = p->err, .errlen = p->errlen
	};
	size_t base = p->n_blocks;
	int r;

	r = read_all(p->kc->dirfd, name, &buf, &lx.len);
	if (r < 0) {
		if (from)
			return perr(p, from, "cannot read '%s': %s", name, strerror(-r));
		snprintf(p->err, p->errlen, "%s/%s: %s", p->kc->srctree, name, strerror(-r));
		return r;
	}
	r = file_add(p->kc, name);
	if (r < 0)
		return r;
	lx.buf = buf;
	p->stack[p->depth++] = &lx;
	while ((r = klex_next(&lx)) > 0) {
		r = statement(p, &lx, base);
		if (r < 0)
			break;
	}
	if (r == 0)
		r = finish_entry(p);
	if (r == 0 && p->n_blocks > base) {
		struct block *b = top(p);

		lx.stmt_line = b->line;
		r = perr(p, &lx, "'%s' without 'end%s'", block_names[b->kind],
			 block_names[b->kind]);
	}
	p->depth--;
	klex_release(&lx);
	return r;
}

/* Choices and members without a type get the other's (menu.c). */
static void type_choices(struct vk_kconfig *kc)
{
	for (size_t i = 0; i < kc->n_choices; i++) {
		struct kchoice *c = kc->choices[i];

		for (size_t j = 0; j < c->pub.n_members && c->type == VK_KTYPE_UNKNOWN; j++)
			c->type = c->pub.members[j]->type;
		for (size_t j = 0; j < c->pub.n_members; j++) {
			struct ksym *s = (struct ksym *)c->pub.members[j];

			set_type(s, c->type);
		}
	}
}

int vk_kconfig_load(const char *srctree, const char *srcarch, struct vk_kconfig **out, char *err,
		    size_t errlen)
{
	struct vk_kconfig *kc;
	struct parser p = { .err = err, .errlen = errlen };
	char dummy[1];
	int r;

	if (!err || !errlen) {
		p.err = dummy;
		p.errlen = sizeof(dummy);
	}
	p.err[0] = '\0';
	*out = NULL;
	kc = calloc(1, sizeof(*kc));
	if (!kc)
		return -ENOMEM;
	p.kc = kc;
	kc->dirfd = -1;
	kc->dirfd = open(srctree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kc->dirfd < 0) {
		r = -errno;
		snprintf(p.err, p.errlen, "%s: %s", srctree, strerror(-r));
		goto fail;
	}
	r = -ENOMEM;
	kc->srctree = kintern_str(kc, srctree);
	kc->srcarch = kintern_str(kc, srcarch ? srcarch : "");
	p.blocks = calloc(16, sizeof(*p.blocks));
	if (!kc->srctree || !kc->srcarch || !p.blocks)
		goto fail;
	p.cap_blocks = 16;
	p.n_blocks = 1; /* the root: no dependencies */
	r = parse_file(&p, kintern_str(kc, "Kconfig"), NULL);
	if (r < 0)
		goto fail;
	type_choices(kc);
	close(kc->dirfd);
	kc->dirfd = -1;
	klex_free_vars(kc);
	free(p.blocks);
	*out = kc;
	return 0;
fail:
	if (r == -ENOMEM && !p.err[0])
		snprintf(p.err, p.errlen, "%s", strerror(ENOMEM));
	free(p.blocks);
	vk_kconfig_free(kc);
	return r;
}

void vk_kconfig_free(struct vk_kconfig *kc)
{
	if (!kc)
		return;
	if (kc->dirfd >= 0)
		close(kc->dirfd);
	for (size_t i = 0; i < kc->n_syms; i++) {
		free(kc->syms[i]->sel);
		free(kc->syms[i]->imp);
	}
	for (size_t i = 0; i < kc->n_choices; i++)
		free(kc->choices[i]->pub.members);
	klex_free_vars(kc);
	free(kc->choices);
	free(kc->syms);
	free(kc->symtab);
	free(kc->files);
	free(kc->strs.slots);
	karena_free(&kc->arena);
	free(kc);
}

const struct vk_ksym *vk_kconfig_find(const struct vk_kconfig *kc, const char *name)
{
	const struct ksym *s = ksym_lookup(kc, name);

	return s ? &s->pub : NULL;
}

const struct vk_ksym *vk_kconfig_defined(const struct vk_kconfig *kc, const char *name)
{
	const struct vk_ksym *s = vk_kconfig_find(kc, name);

	return s && s->file ? s : NULL;
}

size_t vk_kconfig_n_syms(const struct vk_kconfig *kc)
{
	return kc->n_syms;
}

const struct vk_ksym *vk_kconfig_sym(const struct vk_kconfig *kc, size_t i)
{
	return i < kc->n_syms ? &kc->syms[i]->pub : NULL;
}

size_t vk_kconfig_n_files(const struct vk_kconfig *kc)
{
	return kc->n_files;
}

size_t vk_kconfig_n_choices(const struct vk_kconfig *kc)
{
	return kc->n_choices;
}

const struct vk_kchoice *vk_kconfig_choice(const struct vk_kconfig *kc, size_t i)
{
	return i < kc->n_choices ? &kc->choices[i]->pub : NULL;
}

const char *vk_kconfig_modules(const struct vk_kconfig *kc)
{
	return kc->modules ? kc->modules : "MODULES";
}

int vk_kconfig_parse_expr(struct vk_kconfig *kc, const char *text, const struct vk_kexpr **out,
			  char *err, size_t errlen)
{
	char msg[256] = "";
	struct klex lx = { .kc = kc, .err = msg, .errlen = sizeof(msg) };
	struct kparse kp = { .kc = kc, .err = msg, .errlen = sizeof(msg) };
	int r;

	*out = NULL;
	r = klex_tokenize_text(&lx, text);
	if (r == 0) {
		kp.tok = lx.tok;
		*out = kexpr_parse(&kp);
		if (!*out)
			r = msg[0] ? -EINVAL : -ENOMEM;
		else if (lx.tok[kp.i].type != KT_EOL) {
			snprintf(msg, sizeof(msg), "unexpected '%s' after the expression",
				 ktok_text(&lx.tok[kp.i]));
			*out = NULL;
			r = -EINVAL;
		}
	}
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	klex_release(&lx);
	return r;
}
