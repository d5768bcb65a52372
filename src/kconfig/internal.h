/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of the Kconfig reader share and nobody else needs: the
 * arena everything of a tree lives in, string interning, the symbol
 * table, the lexer (lexer.c) and the expression parser (expr.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../shared/strmap.h"
#include "kconfig.h"

/* One arena per tree: freed at once with the tree. */
struct karena {
	struct arena_chunk *chunks;
	char *cur;
	size_t left;
};

/* Zeroed memory, aligned for any object; NULL when out of memory. */
void *karena_alloc(struct karena *a, size_t size);
void karena_free(struct karena *a);

struct intern_slot {
	const char *s;
	uint32_t hash;
};

/* Set of strings kept in the arena: equal strings get one pointer. */
struct kstrtab {
	struct intern_slot *slots;
	size_t cap, n;
};

/* A symbol with what the reader needs while it builds the tree. */
struct ksym {
	struct vk_ksym pub;
	uint32_t hash;
	unsigned int n_defs;
	bool dep_y; /* a definition without dependencies: depends stays NULL */
	bool vis_y; /* a prompt always visible: visible stays NULL */
	struct vk_krev *sel, *imp;
	size_t cap_sel, cap_imp;
};

struct kchoice {
	struct vk_kchoice pub;
	enum vk_ktype type; /* of the choice, given to members without one */
	size_t cap;
};

/* A preprocessor variable ("X = value", "X := value"). */
struct kvar {
	struct kvar *next;
	const char *name;
	char *value; /* malloc'd; for ":=" already expanded */
	bool simple; /* ":=" */
	bool opaque; /* ":=" whose value needs a function we do not run */
};

struct vk_kconfig {
	struct karena arena;
	struct kstrtab strs;
	struct ksym **syms; /* in order of first appearance */
	size_t n_syms, cap_syms;
	struct ksym **symtab; /* open addressing, by name */
	size_t symtab_cap;
	struct kchoice **choices;
	size_t n_choices, cap_choices;
	const char **files; /* set of interned names, open addressing */
	size_t files_cap, n_files;
	const char *modules; /* the symbol with the "modules" keyword */
	struct kvar *vars;
	struct vk_strmap var_index; /* the vars by name */
	const char *srctree, *srcarch;
	int dirfd;
};

const char *kintern(struct vk_kconfig *kc, const char *s, size_t len);
const char *kintern_str(struct vk_kconfig *kc, const char *s);
/* The symbol named name (interned), created when new; NULL: no memory. */
struct ksym *ksym_get(struct vk_kconfig *kc, const char *name);
struct ksym *ksym_lookup(const struct vk_kconfig *kc, const char *name);

/* ---- lexer.c ---- */

enum ktok {
	KT_EOL,
	KT_WORD,   /* unquoted; may hold an unexpanded "$(...)" */
	KT_STRING, /* quoted, without its quotes and escapes */
	KT_NOT,
	KT_AND,
	KT_OR,
	KT_EQ,
	KT_NE,
	KT_LT,
	KT_LE,
	KT_GT,
	KT_GE,
	KT_OPEN,
	KT_CLOSE,
};

struct ktoken {
	enum ktok type;
	bool opaque;   /* KT_WORD holding a macro call that was not run */
	const char *s; /* KT_WORD, KT_STRING */
};

/* One file being read, statement by statement. */
struct klex {
	struct vk_kconfig *kc;
	const char *file; /* relative to the tree, interned */
	const char *buf;
	size_t len, pos;
	unsigned int line; /* of buf[pos] */
	/* The statement last returned: */
	unsigned int stmt_line;
	struct ktoken *tok; /* ends with KT_EOL */
	size_t n_tok, cap_tok;
	char *text, *exp, *tokbuf;
	size_t cap_text, cap_exp, cap_tokbuf;
	char *err;
	size_t errlen;
	unsigned int refs; /* references expanded for the current statement */
};

/*
 * The next statement (a logical line: comments dropped, continuations
 * joined, $(...) expanded) in lx->tok. Variable assignments are recorded
 * and skipped. Returns 1, 0 at the end of the file, or -errno with the
 * message in lx->err.
 */
int klex_next(struct klex *lx);
/* Skip the help text that follows a "help" line. */
void klex_skip_help(struct klex *lx);
void klex_release(struct klex *lx);
/* Split text into tokens, without expansion (for vk_kconfig_parse_expr). */
int klex_tokenize_text(struct klex *lx, const char *text);
void klex_free_vars(struct vk_kconfig *kc);

/* ---- expr.c ---- */

struct kparse {
	struct vk_kconfig *kc;
	const struct ktoken *tok;
	size_t i;
	bool register_syms; /* add the symbols named to the table */
	unsigned int nest;  /* of parentheses and "!" around the token */
	char *err;	    /* the reason, without file:line */
	size_t errlen;
};

/* Parse an expression from p->tok[p->i]; stops before "if", EOL or a
 * token that cannot continue it. NULL with p->err set on error. */
struct vk_kexpr *kexpr_parse(struct kparse *p);
/* A token as written, for messages. */
const char *ktok_text(const struct ktoken *t);
/* A node for one symbol or constant token. */
struct vk_kexpr *kexpr_symbol(struct kparse *p, const struct ktoken *t);
struct vk_kexpr *kexpr_new(struct vk_kconfig *kc, enum vk_kexpr_op op, struct vk_kexpr *l,
			   struct vk_kexpr *r);
/* *out = l && r, l || r; NULL stands for y (no condition). 0, -ENOMEM,
 * or -E2BIG when the result would be deeper than VK_KEXPR_MAX_DEPTH. */
int kexpr_and(struct vk_kconfig *kc, const struct vk_kexpr *l, const struct vk_kexpr *r,
	      const struct vk_kexpr **out);
int kexpr_or(struct vk_kconfig *kc, const struct vk_kexpr *l, const struct vk_kexpr *r,
	     const struct vk_kexpr **out);
