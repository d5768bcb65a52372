/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of the /etc/default/grub reader and editor share and
 * nobody else needs (grub.h is the interface):
 *
 *   grub-lexer.c   words with their quoting as "pieces": literal bytes with
 *                  the source bytes they come from, variable references,
 *                  and expansions whose value cannot be known ($(...), `...`)
 *   grub-parser.c  commands, lists and blocks (if, case, loops, braces,
 *                  subshells, functions); what runs conditionally
 *   grub-eval.c    variables' values, each byte with its provenance
 *   grub-edit.c    values for display, and the editor: token edits -> byte
 *                  edits -> new text -> parsed again and compared with what
 *                  was meant
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../shared/macro.h"
#include "grub.h"

/* ---- values with provenance --------------------------------------------- */

/* Where one byte of a value comes from: group 0 is a part that cannot be
 * known (s0 indexes the opaque table); other groups are runs of literal
 * text in one assignment, s0..s1 the source bytes (an escape included). */
struct prov {
	uint32_t group, s0, s1;
};

struct val {
	char *b; /* the bytes; an unknown part is one byte OPAQUE_BYTE */
	struct prov *p;
	size_t len, cap;
};

#define OPAQUE_BYTE '\x01'

enum opaque_kind {
	OPQ_EXPANSION, /* $(...), `...`, ${x:-y}, $1: what it gives is not known */
	OPQ_UNCERTAIN, /* a variable set in a block or by '.', eval, a function */
};

struct opaque {
	enum opaque_kind kind;
	size_t off; /* where in the file */
	char *text; /* as shown: the expansion's text, or "${NAME}" */
};

/*
 * A value as the evaluator keeps it: a tree of shared, immutable nodes, so
 * that VAR="$VAR more" costs the new bytes only. A leaf holds bytes with
 * their provenance; an inner node is the concatenation of two values.
 * len, hash and the kinds of unknown parts are known for every node
 * without looking at the bytes. NULL is the empty value.
 */
struct vnode {
	uint32_t refs;
	uint8_t unknown; /* bit 1 << enum opaque_kind: holds such a part */
	size_t len;
	uint64_t hash, pw; /* of the bytes, and the base to the power len */
	struct vnode *l, *r;
	struct val leaf;
};

/* Longest value a variable may have: only a value that doubles itself
 * again and again (a=$a$a) gets there. */
#define MAX_VALUE (1u << 20)

struct assign {
	char *name;
	size_t off;	     /* of the name */
	size_t ws, we;	     /* the value word */
	bool conditional;    /* inside a block, after && or ||, in a pipeline */
	bool plain;	     /* the value is unquoted literal text without escapes */
	char end_quote;	     /* the word ends with this closing quote, or 0 */
	struct vnode *value; /* what it assigned */
};

struct var {
	char *name; /* first: see the name index */
	struct vnode *v;
	size_t sources; /* n_sources when it last changed */
	ssize_t last;	/* index of the last assignment of it, or -1 */
	bool top;	/* that assignment is the last thing that happened to it
			 * and ran unconditionally at the top level */
	bool set;
};

/* Names to their index in an array whose elements start with the name. */
struct name_index {
	uint32_t *slots; /* index + 1, 0: free */
	size_t cap;
};

struct append {
	char *name;
	size_t off;
};

struct vk_grub {
	char *text;
	size_t len;
	struct assign *assigns;
	size_t n_assigns, c_assigns;
	uint32_t *groups; /* group -> index of its assignment (UINT32_MAX: none) */
	size_t n_groups, c_groups;
	struct opaque *opaques;
	size_t n_opaques, c_opaques;
	struct var *vars;
	size_t n_vars, c_vars;
	struct name_index var_index;
	char **functions;
	size_t n_functions, c_functions;
	struct name_index function_index;
	struct append *appends; /* VAR+=..., which /bin/sh (dash) rejects */
	size_t n_appends, c_appends;
	size_t n_sources; /* '.', source, eval, function calls */
	size_t source_off;
	size_t *newlines; /* offsets of the text's newlines, for grub_line() */
	size_t n_newlines;
};

/* Grow *v (of *cap elements of size) to hold need: 0 or -ENOMEM. */
int grub_grow(void **v, size_t *cap, size_t need, size_t size);
#define GROW(ptr, cap, need) grub_grow((void **)&(ptr), &(cap), (need), sizeof(*(ptr)))

void grub_val_clear(struct val *v);
int grub_val_push(struct val *v, char c, struct prov p);
int grub_val_append(struct val *v, const struct val *w);
/* The line (from 1) of byte off of text. */
unsigned int grub_line_of(const char *text, size_t off);
/* The same for a parsed file, without reading the text again. */
unsigned int grub_line(const struct vk_grub *g, size_t off);

/* A leaf taking v's bytes (v is left empty); NULL when out of memory. */
struct vnode *grub_vnode_leaf(const struct vk_grub *g, struct val *v);
/* a then b in *out (either may be NULL): 0, -E2BIG past MAX_VALUE, -ENOMEM. */
int grub_vnode_concat(struct vnode *a, struct vnode *b, struct vnode **out);
struct vnode *grub_vnode_ref(struct vnode *n);
void grub_vnode_unref(struct vnode *n);
/* The bytes of n, flat, into out (emptied first). 0 or -ENOMEM. */
int grub_vnode_flatten(const struct vnode *n, struct val *out);
bool grub_vnode_has(const struct vnode *n, enum opaque_kind kind);
/* Same bytes (by length and hash)? */
bool grub_vnode_same(const struct vnode *a, const struct vnode *b);

/* Look name up in index over base[] (elements of size stride, name
 * first): its index, -1 when absent. */
ssize_t grub_name_find(const struct name_index *x, const void *base, size_t stride,
		       const char *name, size_t len);
/* base[n - 1] was just added. 0 or -ENOMEM. */
int grub_name_add(struct name_index *x, const void *base, size_t stride, size_t n);

/* ---- lexer --------------------------------------------------------------- */

enum piece_kind { PC_LIT, PC_VAR, PC_OPAQUE };

struct piece {
	uint8_t kind;
	char c;		 /* PC_LIT */
	uint32_t s0, s1; /* source bytes */
	uint32_t group;	 /* PC_LIT: local run number in the word, from 1 */
	uint32_t n0, n1; /* PC_VAR: the name */
};

struct word {
	size_t start, end;
	size_t eq;	  /* NAME=value: offset of '=' (0: not that form) */
	bool plus_eq;	  /* NAME+=value */
	bool literal;	  /* unquoted text only: the word is s[start..end) */
	bool plain_value; /* the value (after '=') is unquoted text only */
	char end_quote;
	struct piece *pc;
	size_t n, cap;
	uint32_t n_groups;
};

struct parser {
	struct vk_grub *g;
	const char *s;
	size_t n, i;
	int depth;   /* blocks open */
	int nesting; /* parse_command() calls open */
	struct vk_grub_error *err;
};

enum tok_kind { T_EOF, T_NEWLINE, T_OP, T_WORD };

struct tok {
	enum tok_kind kind;
	size_t off;
	char op[4];
	struct word w;
};

/* -EINVAL with p->err filled: the line of off and the message. */
int grub_perr(struct parser *p, size_t off, const char *format, ...) _printf_(3, 4);
void grub_word_clear(struct word *w);
void grub_tok_clear(struct tok *t);
/* Blanks, backslash-newlines and a comment. */
void grub_skip_blanks(struct parser *p);
int grub_next_token(struct parser *p, struct tok *t);
/* Is t the unquoted word text? */
bool grub_tok_is(const struct parser *p, const struct tok *t, const char *text);
bool grub_op_is(const struct tok *t, const char *op);

/* ---- evaluator ----------------------------------------------------------- */

struct var *grub_find_var(const struct vk_grub *g, const char *name, size_t len);
/* After the parse: every variable as a '.' or eval may have left it. */
int grub_sync_vars(struct vk_grub *g);
/* Something happened to NAME that vfiokit does not follow. */
int grub_do_uncertain(struct parser *p, const char *name, size_t len, size_t off);
/* A simple command has been read: what it does to the variables. */
int grub_commit(struct parser *p, struct word *words, size_t n, bool cond);
