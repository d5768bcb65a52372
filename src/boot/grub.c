// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /etc/default/grub editor: a reader of the shell's syntax that runs
 * the top level of the file as /bin/sh would (assignments only: nothing is
 * ever executed), and an editor that maps token edits back to the bytes
 * of the file. See grub.h for what it does; the parts:
 *
 *   lexer      words with their quoting as "pieces": literal bytes with the
 *              source bytes they come from, variable references, and
 *              expansions whose value cannot be known ($(...), `...`, ...)
 *   parser     commands, lists and blocks (if, case, loops, braces,
 *              subshells, functions); what runs conditionally
 *   evaluator  variables' values, each byte with its provenance
 *   editor     token edits -> byte edits -> new text -> parsed again and
 *              compared with what was meant
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "grub.h"

#define MAX_TEXT (64u << 20)

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

struct assign {
	char *name;
	size_t off;	  /* of the name */
	size_t ws, we;	  /* the value word */
	bool conditional; /* inside a block, after && or ||, in a pipeline */
	bool plain;	  /* the value is unquoted literal text without escapes */
	char end_quote;	  /* the word ends with this closing quote, or 0 */
	struct val value; /* what it assigned */
};

struct var {
	char *name;
	struct val v;
	ssize_t last; /* index of the last assignment of it, or -1 */
	bool top;     /* that assignment is the last thing that happened to it
		       * and ran unconditionally at the top level */
	bool set;
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
	char **functions;
	size_t n_functions, c_functions;
	struct append *appends; /* VAR+=..., which /bin/sh (dash) rejects */
	size_t n_appends, c_appends;
	size_t n_sources; /* '.', source, eval, function calls */
	size_t source_off;
};

static int grow_(void **v, size_t *cap, size_t need, size_t size)
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

#define GROW(ptr, cap, need) grow_((void **)&(ptr), &(cap), (need), sizeof(*(ptr)))

static void val_clear(struct val *v)
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

static int val_push(struct val *v, char c, struct prov p)
{
	if (val_reserve(v, v->len + 1) < 0)
		return -ENOMEM;
	v->b[v->len] = c;
	v->p[v->len++] = p;
	v->b[v->len] = '\0';
	return 0;
}

static int val_append(struct val *v, const struct val *w)
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

static int val_copy(struct val *dst, const struct val *src)
{
	memset(dst, 0, sizeof(*dst));
	if (val_reserve(dst, src->len) < 0)
		return -ENOMEM;
	dst->b[0] = '\0';
	return val_append(dst, src);
}

static bool val_has(const struct val *v, enum opaque_kind kind, const struct vk_grub *g)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->p[i].group == 0 && g->opaques[v->p[i].s0].kind == kind)
			return true;
	return false;
}

static unsigned int line_of(const char *text, size_t off)
{
	unsigned int line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

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

static void word_clear(struct word *w)
{
	free(w->pc);
	memset(w, 0, sizeof(*w));
}

struct parser {
	struct vk_grub *g;
	const char *s;
	size_t n, i;
	int depth; /* blocks open */
	struct vk_grub_error *err;
};

static int perr(struct parser *p, size_t off, const char *format, ...) _printf_(3, 4);
static int perr(struct parser *p, size_t off, const char *format, ...)
{
	va_list ap;

	p->err->line = line_of(p->s, off < p->n ? off : p->n);
	va_start(ap, format);
	vsnprintf(p->err->msg, sizeof(p->err->msg), format, ap);
	va_end(ap);
	return -EINVAL;
}

static int push(struct word *w, uint8_t kind, char c, size_t s0, size_t s1, uint32_t group)
{
	if (GROW(w->pc, w->cap, w->n + 1) < 0)
		return -ENOMEM;
	w->pc[w->n++] = (struct piece){ kind, c, (uint32_t)s0, (uint32_t)s1, group, 0, 0 };
	return 0;
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool is_meta(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || (c && strchr(";&|()<>", c));
}

/* From an opening bracket at j, the index of its closing one, skipping
 * quoted text and escapes; n when there is none. */
static size_t skip_balanced(const char *s, size_t n, size_t j, char open, char close)
{
	int depth = 0;

	for (; j < n; j++) {
		char c = s[j];

		if (c == '\\') {
			j++;
		} else if (c == '\'') {
			while (++j < n && s[j] != '\'')
				;
		} else if (c == '"') {
			while (++j < n && s[j] != '"')
				if (s[j] == '\\')
					j++;
		} else if (c == '`') {
			while (++j < n && s[j] != '`')
				if (s[j] == '\\')
					j++;
		} else if (c == open) {
			depth++;
		} else if (c == close && --depth == 0) {
			return j;
		}
	}
	return n;
}

/* A '$' at p->i: a variable, an expansion that cannot be known, or a
 * literal dollar sign (into run *group, allocated when 0). */
static int lex_dollar(struct parser *p, struct word *w, uint32_t *group)
{
	const char *s = p->s;
	size_t i = p->i, n = p->n, j;
	char c = i + 1 < n ? s[i + 1] : '\0';

	if (c == '{') {
		j = skip_balanced(s, n, i + 1, '{', '}');
		if (j >= n)
			return perr(p, i, "'${' without its '}'");
		p->i = j + 1;
		for (size_t k = i + 2; k < j; k++)
			if (!is_name_char(s[k]) || (k == i + 2 && !is_name_start(s[k])))
				return push(w, PC_OPAQUE, 0, i, j + 1, 0);
		if (j == i + 2)
			return perr(p, i, "'${}' is a bad substitution");
		if (push(w, PC_VAR, 0, i, j + 1, 0) < 0)
			return -ENOMEM;
		w->pc[w->n - 1].n0 = (uint32_t)(i + 2);
		w->pc[w->n - 1].n1 = (uint32_t)j;
		return 0;
	}
	if (c == '(') {
		j = skip_balanced(s, n, i + 1, '(', ')');
		if (j >= n)
			return perr(p, i, "'$(' without its ')'");
		if (i + 2 < n && s[i + 2] == '(') {
			/* $((...)): the closing "))" */
			if (j + 1 >= n || s[j + 1] != ')') {
				j = skip_balanced(s, n, i + 2, '(', ')');
				if (j + 1 >= n || s[j + 1] != ')')
					return perr(p, i, "'$((' without its '))'");
			}
			j++;
		}
		p->i = j + 1;
		return push(w, PC_OPAQUE, 0, i, j + 1, 0);
	}
	if (is_name_start(c)) {
		for (j = i + 1; j < n && is_name_char(s[j]); j++)
			;
		p->i = j;
		if (push(w, PC_VAR, 0, i, j, 0) < 0)
			return -ENOMEM;
		w->pc[w->n - 1].n0 = (uint32_t)(i + 1);
		w->pc[w->n - 1].n1 = (uint32_t)j;
		return 0;
	}
	if (c && strchr("0123456789@*#?$!-", c)) {
		p->i = i + 2;
		return push(w, PC_OPAQUE, 0, i, i + 2, 0);
	}
	p->i = i + 1;
	if (!*group)
		*group = ++w->n_groups;
	return push(w, PC_LIT, '$', i, i + 1, *group);
}

static int lex_backtick(struct parser *p, struct word *w)
{
	size_t j = p->i + 1;

	for (; j < p->n && p->s[j] != '`'; j++)
		if (p->s[j] == '\\')
			j++;
	if (j >= p->n)
		return perr(p, p->i, "a backquote '`' without its closing one");
	if (push(w, PC_OPAQUE, 0, p->i, j + 1, 0) < 0)
		return -ENOMEM;
	p->i = j + 1;
	return 0;
}

static int lex_dquote(struct parser *p, struct word *w)
{
	const char *s = p->s;
	size_t open = p->i, j = p->i + 1;
	uint32_t group = ++w->n_groups;
	int r = 0;

	while (j < p->n) {
		char c = s[j];

		if (c == '"') {
			p->i = j + 1;
			return 0;
		}
		if (c == '\\' && j + 1 < p->n && s[j + 1] == '\n') {
			j += 2;
		} else if (c == '\\' && j + 1 < p->n && s[j + 1] && strchr("$`\"\\", s[j + 1])) {
			r = push(w, PC_LIT, s[j + 1], j, j + 2, group);
			j += 2;
		} else if (c == '$' || c == '`') {
			uint32_t before = group;

			p->i = j;
			r = c == '$' ? lex_dollar(p, w, &group) : lex_backtick(p, w);
			if (r < 0)
				return r;
			j = p->i;
			/* Literal text after an expansion is a new run. */
			if (w->pc[w->n - 1].kind != PC_LIT || group != before)
				group = ++w->n_groups;
			continue;
		} else {
			r = push(w, PC_LIT, c, j, j + 1, group);
			j++;
		}
		if (r < 0)
			return r;
	}
	return perr(p, open, "a double quote '\"' without its closing one");
}

/* One word at p->i (not a blank, newline or operator character). */
static int lex_word(struct parser *p, struct word *w)
{
	const char *s = p->s;
	size_t n = p->n, i = p->i, value_start;
	uint32_t run = 0;
	int r;

	memset(w, 0, sizeof(*w));
	w->start = i;
	w->literal = w->plain_value = true;
	if (is_name_start(s[i])) {
		size_t k = i + 1;

		while (k < n && is_name_char(s[k]))
			k++;
		if (k < n && s[k] == '=') {
			w->eq = k;
			i = k + 1;
		} else if (k + 1 < n && s[k] == '+' && s[k + 1] == '=') {
			w->plus_eq = true;
			w->eq = k + 1;
			i = k + 2;
		}
	}
	value_start = i;
	p->i = i;
	while (p->i < n && !is_meta(s[p->i])) {
		char c = s[p->i];

		i = p->i;
		w->end_quote = 0;
		if (c == '\\') {
			w->literal = w->plain_value = false;
			if (i + 1 < n && s[i + 1] == '\n') {
				p->i += 2;
				continue;
			}
			if (!run)
				run = ++w->n_groups;
			r = push(w, PC_LIT, i + 1 < n ? s[i + 1] : '\\', i,
				 i + 1 < n ? i + 2 : i + 1, run);
			p->i = i + 1 < n ? i + 2 : i + 1;
		} else if (c == '\'') {
			uint32_t group = ++w->n_groups;
			size_t j = i + 1;

			w->literal = w->plain_value = false;
			for (; j < n && s[j] != '\''; j++)
				if (push(w, PC_LIT, s[j], j, j + 1, group) < 0)
					return -ENOMEM;
			if (j >= n)
				return perr(p, i, "a single quote \"'\" without its closing one");
			p->i = j + 1;
			run = 0;
			w->end_quote = '\'';
			r = 0;
		} else if (c == '"') {
			w->literal = w->plain_value = false;
			r = lex_dquote(p, w);
			run = 0;
			w->end_quote = '"';
		} else if (c == '$' || c == '`') {
			size_t before = w->n;

			w->literal = w->plain_value = false;
			r = c == '$' ? lex_dollar(p, w, &run) : lex_backtick(p, w);
			if (r == 0 && (w->n == before || w->pc[w->n - 1].kind != PC_LIT))
				run = 0;
		} else if (c == '~' && (i == value_start || (w->eq && s[i - 1] == ':'))) {
			/* Tilde expansion: a home directory. */
			size_t j = i + 1;

			while (j < n && !is_meta(s[j]) && s[j] != '/' && s[j] != ':' &&
			       s[j] != '"' && s[j] != '\'' && s[j] != '\\' && s[j] != '$' &&
			       s[j] != '`')
				j++;
			w->literal = w->plain_value = false;
			r = push(w, PC_OPAQUE, 0, i, j, 0);
			p->i = j;
			run = 0;
		} else {
			if (!run)
				run = ++w->n_groups;
			r = push(w, PC_LIT, c, i, i + 1, run);
			p->i = i + 1;
		}
		if (r < 0)
			return r;
	}
	w->end = p->i;
	if (w->end == w->start)
		return perr(p, w->start, "unexpected character 0x%02x",
			    (unsigned char)(w->start < n ? s[w->start] : 0));
	return 0;
}

enum tok_kind { T_EOF, T_NEWLINE, T_OP, T_WORD };

struct tok {
	enum tok_kind kind;
	size_t off;
	char op[4];
	struct word w;
};

static void tok_clear(struct tok *t)
{
	word_clear(&t->w);
}

/* Blanks, backslash-newlines and a comment. */
static void skip_blanks(struct parser *p)
{
	while (p->i < p->n) {
		char c = p->s[p->i];

		if (c == ' ' || c == '\t') {
			p->i++;
		} else if (c == '\\' && p->i + 1 < p->n && p->s[p->i + 1] == '\n') {
			p->i += 2;
		} else if (c == '#') {
			while (p->i < p->n && p->s[p->i] != '\n')
				p->i++;
		} else {
			break;
		}
	}
}

static int next_token(struct parser *p, struct tok *t)
{
	static const char *const ops[] = { ";;&", "<<-", "<<<", ";;", ";&", "&&", "||",
					   "|&",  "<<",	 "<&",	"<>", ">>", ">&", ">|",
					   ";",	  "&",	 "|",	"(",  ")",  "<",  ">" };
	int r;

	memset(t, 0, sizeof(*t));
	skip_blanks(p);
	t->off = p->i;
	if (p->i >= p->n) {
		t->kind = T_EOF;
		return 0;
	}
	if (p->s[p->i] == '\n') {
		p->i++;
		t->kind = T_NEWLINE;
		return 0;
	}
	for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
		size_t l = strlen(ops[k]);

		if (p->n - p->i >= l && !memcmp(p->s + p->i, ops[k], l)) {
			if (streq(ops[k], "<<") || streq(ops[k], "<<-"))
				return perr(p, p->i,
					    "a here-document ('<<'): vfiokit does not edit files "
					    "that use them");
			strcpy(t->op, ops[k]);
			p->i += l;
			t->kind = T_OP;
			return 0;
		}
	}
	t->kind = T_WORD;
	r = lex_word(p, &t->w);
	if (r < 0)
		word_clear(&t->w);
	return r;
}

/* Is t the unquoted word text? */
static bool tok_is(const struct parser *p, const struct tok *t, const char *text)
{
	size_t l = strlen(text);

	return t->kind == T_WORD && t->w.literal && t->w.end - t->w.start == l &&
	       !memcmp(p->s + t->w.start, text, l);
}

static bool op_is(const struct tok *t, const char *op)
{
	return t->kind == T_OP && streq(t->op, op);
}

/* ---- evaluator ----------------------------------------------------------- */

static struct var *find_var(const struct vk_grub *g, const char *name, size_t len)
{
	for (size_t i = 0; i < g->n_vars; i++)
		if (strlen(g->vars[i].name) == len && !memcmp(g->vars[i].name, name, len))
			return &g->vars[i];
	return NULL;
}

static struct var *get_var(struct vk_grub *g, const char *name, size_t len)
{
	struct var *v = find_var(g, name, len);

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
	return val_push(out, OPAQUE_BYTE, (struct prov){ 0, (uint32_t)k, 0 });
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
			r = val_push(
				out, pc->c,
				(struct prov){ (uint32_t)(base + pc->group - 1), pc->s0, pc->s1 });
		} else if (pc->kind == PC_OPAQUE) {
			ssize_t o = add_opaque(g, OPQ_EXPANSION, pc->s0, p->s + pc->s0,
					       pc->s1 - pc->s0);

			r = o < 0 ? (int)o
				  : val_push(out, OPAQUE_BYTE, (struct prov){ 0, (uint32_t)o, 0 });
		} else {
			struct var *v = find_var(g, p->s + pc->n0, pc->n1 - pc->n0);

			if (v) {
				r = val_append(out, &v->v);
			} else if (g->n_sources) {
				_cleanup_free_ char *name = strndup(p->s + pc->n0, pc->n1 - pc->n0);
				struct val u;

				if (!name)
					return -ENOMEM;
				r = uncertain_val(g, name, g->source_off, &u);
				if (r == 0)
					r = val_append(out, &u);
				val_clear(&u);
			}
		}
	}
	if (r < 0)
		val_clear(out);
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
	val_clear(&v->v);
	v->last = (ssize_t)(g->n_assigns - 1);
	v->top = !cond;
	v->set = true;
	if (!cond)
		return val_copy(&v->v, &a->value);
	return uncertain_val(g, v->name, a->off, &v->v);
}

/* Something happened to NAME that vfiokit does not follow (a for loop,
 * unset in a block, an assignment before a special built-in). */
static int do_uncertain(struct parser *p, const char *name, size_t len, size_t off)
{
	struct var *v = get_var(p->g, name, len);

	if (!v)
		return -ENOMEM;
	val_clear(&v->v);
	v->top = false;
	v->set = true;
	return uncertain_val(p->g, v->name, off, &v->v);
}

static int do_unset(struct parser *p, const char *name, size_t len, size_t off, bool cond)
{
	struct var *v;

	if (cond)
		return do_uncertain(p, name, len, off);
	v = get_var(p->g, name, len);
	if (!v)
		return -ENOMEM;
	val_clear(&v->v);
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

		val_clear(&v->v);
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
static int commit(struct parser *p, struct word *words, size_t n, bool cond)
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
				r = do_uncertain(p, p->s + words[i].start,
						 words[i].eq - words[i].start - words[i].plus_eq,
						 words[i].start);
	return r;
}

/* ---- parser -------------------------------------------------------------- */

static int parse_list(struct parser *p, const char *const *stops, size_t n_stops,
		      const char *opener, size_t opener_off, const char **stopped);
static int parse_command(struct parser *p, bool cond);

static void skip_newlines(struct parser *p)
{
	for (;;) {
		skip_blanks(p);
		if (p->i < p->n && p->s[p->i] == '\n')
			p->i++;
		else
			return;
	}
}

/* Redirections after a command: "> file", "2>&1". */
static int parse_redirections(struct parser *p)
{
	for (;;) {
		size_t save = p->i;
		struct tok t;
		int r = next_token(p, &t);

		if (r < 0)
			return r;
		if (t.kind == T_OP && strchr("<>", t.op[0])) {
			tok_clear(&t);
			r = next_token(p, &t);
			if (r < 0)
				return r;
			if (t.kind != T_WORD) {
				tok_clear(&t);
				return perr(p, save, "a redirection without a file name");
			}
			tok_clear(&t);
			continue;
		}
		tok_clear(&t);
		p->i = save;
		return 0;
	}
}

/* The next token must be the word text. */
static int expect_word(struct parser *p, const char *text, const char *after, size_t off)
{
	struct tok t;
	int r;

	skip_newlines(p);
	r = next_token(p, &t);
	if (r < 0)
		return r;
	if (!tok_is(p, &t, text)) {
		tok_clear(&t);
		return perr(p, off, "'%s' without '%s'", after, text);
	}
	tok_clear(&t);
	return 0;
}

static int parse_case(struct parser *p, size_t off)
{
	static const char *const arm_end[] = { ";;", ";&", ";;&", "esac" };
	struct tok t;
	int r;

	r = next_token(p, &t);
	if (r < 0)
		return r;
	if (t.kind != T_WORD) {
		tok_clear(&t);
		return perr(p, off, "'case' without a word");
	}
	tok_clear(&t);
	r = expect_word(p, "in", "case", off);
	if (r < 0)
		return r;
	for (;;) {
		const char *stopped = NULL;

		skip_newlines(p);
		r = next_token(p, &t);
		if (r < 0)
			return r;
		if (tok_is(p, &t, "esac")) {
			tok_clear(&t);
			return 0;
		}
		if (t.kind == T_EOF)
			return perr(p, off, "'case' without 'esac'");
		if (op_is(&t, "(")) {
			tok_clear(&t);
			r = next_token(p, &t);
			if (r < 0)
				return r;
		}
		/* pattern [| pattern]... ) */
		for (;;) {
			if (t.kind != T_WORD) {
				tok_clear(&t);
				return perr(p, off, "a 'case' pattern without its ')'");
			}
			tok_clear(&t);
			r = next_token(p, &t);
			if (r < 0)
				return r;
			if (op_is(&t, ")"))
				break;
			if (!op_is(&t, "|")) {
				tok_clear(&t);
				return perr(p, off, "a 'case' pattern without its ')'");
			}
			tok_clear(&t);
			r = next_token(p, &t);
			if (r < 0)
				return r;
		}
		tok_clear(&t);
		r = parse_list(p, arm_end, ARRAY_SIZE(arm_end), "case", off, &stopped);
		if (r < 0)
			return r;
		if (streq(stopped, "esac"))
			return 0;
	}
}

static int parse_for(struct parser *p, size_t off)
{
	static const char *const done[] = { "done" };
	struct tok t;
	int r;

	r = next_token(p, &t);
	if (r < 0)
		return r;
	if (t.kind != T_WORD || !t.w.literal) {
		tok_clear(&t);
		return perr(p, off, "'for' without a variable name");
	}
	r = do_uncertain(p, p->s + t.w.start, t.w.end - t.w.start, t.w.start);
	tok_clear(&t);
	if (r < 0)
		return r;
	/* [in words...] ; or newline, then do */
	for (;;) {
		r = next_token(p, &t);
		if (r < 0)
			return r;
		if (t.kind == T_NEWLINE || op_is(&t, ";"))
			break;
		if (tok_is(p, &t, "do")) {
			tok_clear(&t);
			return parse_list(p, done, 1, "do", off, NULL);
		}
		if (t.kind != T_WORD) {
			tok_clear(&t);
			return perr(p, off, "'for' without 'do'");
		}
		tok_clear(&t);
	}
	tok_clear(&t);
	r = expect_word(p, "do", "for", off);
	if (r < 0)
		return r;
	return parse_list(p, done, 1, "do", off, NULL);
}

static int parse_if(struct parser *p, size_t off)
{
	static const char *const then[] = { "then" };
	static const char *const branch[] = { "elif", "else", "fi" };
	static const char *const fi[] = { "fi" };
	int r;

	for (;;) {
		const char *stopped = NULL;

		r = parse_list(p, then, 1, "if", off, NULL);
		if (r < 0)
			return r;
		r = parse_list(p, branch, 3, "if", off, &stopped);
		if (r < 0)
			return r;
		if (streq(stopped, "fi"))
			return 0;
		if (streq(stopped, "else"))
			return parse_list(p, fi, 1, "if", off, NULL);
	}
}

static int parse_function_body(struct parser *p, size_t off)
{
	int r;

	skip_newlines(p);
	p->depth++;
	r = parse_command(p, true);
	p->depth--;
	(void)off;
	return r;
}

static int add_function(struct parser *p, const struct word *w)
{
	if (GROW(p->g->functions, p->g->c_functions, p->g->n_functions + 1) < 0)
		return -ENOMEM;
	p->g->functions[p->g->n_functions] = strndup(p->s + w->start, w->end - w->start);
	if (!p->g->functions[p->g->n_functions])
		return -ENOMEM;
	p->g->n_functions++;
	return 0;
}

static int parse_simple(struct parser *p, bool cond)
{
	struct word *words = NULL;
	size_t n = 0, cap = 0, start = p->i;
	struct tok t;
	int r = 0;

	for (;;) {
		size_t save = p->i;

		r = next_token(p, &t);
		if (r < 0)
			goto out;
		if (t.kind == T_WORD) {
			if (GROW(words, cap, n + 1) < 0) {
				tok_clear(&t);
				r = -ENOMEM;
				goto out;
			}
			words[n++] = t.w;
			continue;
		}
		if (t.kind == T_OP && strchr("<>", t.op[0])) {
			p->i = save;
			r = parse_redirections(p);
			if (r < 0)
				goto out;
			continue;
		}
		if (op_is(&t, "(") && n == 1 && words[0].literal && !words[0].eq) {
			/* name() body */
			r = next_token(p, &t);
			if (r < 0)
				goto out;
			if (!op_is(&t, ")")) {
				tok_clear(&t);
				r = perr(p, save,
					 "'(' after a command name: not a function definition");
				goto out;
			}
			r = add_function(p, &words[0]);
			if (r == 0)
				r = parse_function_body(p, save);
			goto out;
		}
		if (op_is(&t, "(")) {
			r = perr(p, save, "unexpected '('");
			goto out;
		}
		tok_clear(&t);
		p->i = save;
		break;
	}
	if (!n) {
		r = perr(p, start, "a redirection without a command");
		goto out;
	}
	/* In a pipeline or in the background, a command runs in a subshell. */
	{
		size_t save = p->i;

		r = next_token(p, &t);
		if (r < 0)
			goto out;
		if (op_is(&t, "|") || op_is(&t, "|&") || op_is(&t, "&"))
			cond = true;
		tok_clear(&t);
		p->i = save;
	}
	r = commit(p, words, n, cond);
out:
	for (size_t i = 0; i < n; i++)
		word_clear(&words[i]);
	free(words);
	return r;
}

static int parse_command(struct parser *p, bool cond)
{
	static const char *const done[] = { "done" };
	static const char *const dodo[] = { "do" };
	static const char *const brace[] = { "}" };
	static const char *const paren[] = { ")" };
	static const char *const reserved[] = { "then", "else", "elif", "fi", "do",
						"done", "esac", "}",	"in" };
	size_t save = p->i, off;
	struct tok t;
	int r;

	r = next_token(p, &t);
	if (r < 0)
		return r;
	off = t.off;
	if (op_is(&t, "(")) {
		p->depth++;
		r = parse_list(p, paren, 1, "(", off, NULL);
		p->depth--;
		return r < 0 ? r : parse_redirections(p);
	}
	if (t.kind != T_WORD) {
		r = perr(p, off, "unexpected %s",
			 t.kind == T_EOF       ? "end of the file"
			 : t.kind == T_NEWLINE ? "end of the line"
					       : t.op);
		tok_clear(&t);
		return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (tok_is(p, &t, reserved[i])) {
			tok_clear(&t);
			return perr(p, off, "'%s' where a command should be", reserved[i]);
		}
	if (tok_is(p, &t, "!")) {
		tok_clear(&t);
		return parse_command(p, true);
	}
	if (tok_is(p, &t, "if") || tok_is(p, &t, "while") || tok_is(p, &t, "until") ||
	    tok_is(p, &t, "for") || tok_is(p, &t, "case") || tok_is(p, &t, "{") ||
	    tok_is(p, &t, "function")) {
		bool is_if = tok_is(p, &t, "if"), is_for = tok_is(p, &t, "for");
		bool is_case = tok_is(p, &t, "case"), is_brace = tok_is(p, &t, "{");
		bool is_fn = tok_is(p, &t, "function");

		tok_clear(&t);
		if (is_fn) {
			r = next_token(p, &t);
			if (r < 0)
				return r;
			if (t.kind != T_WORD || !t.w.literal) {
				tok_clear(&t);
				return perr(p, off, "'function' without a name");
			}
			r = add_function(p, &t.w);
			tok_clear(&t);
			if (r < 0)
				return r;
			save = p->i;
			r = next_token(p, &t);
			if (r < 0)
				return r;
			if (op_is(&t, "(")) {
				tok_clear(&t);
				r = next_token(p, &t);
				if (r < 0)
					return r;
				if (!op_is(&t, ")")) {
					tok_clear(&t);
					return perr(p, off, "'function NAME (' without ')'");
				}
			} else {
				p->i = save;
			}
			tok_clear(&t);
			return parse_function_body(p, off);
		}
		p->depth++;
		if (is_if)
			r = parse_if(p, off);
		else if (is_for)
			r = parse_for(p, off);
		else if (is_case)
			r = parse_case(p, off);
		else if (is_brace)
			r = parse_list(p, brace, 1, "{", off, NULL);
		else {
			r = parse_list(p, dodo, 1, "while", off, NULL);
			if (r == 0)
				r = parse_list(p, done, 1, "do", off, NULL);
		}
		p->depth--;
		return r < 0 ? r : parse_redirections(p);
	}
	tok_clear(&t);
	p->i = save;
	return parse_simple(p, cond);
}

static int parse_and_or(struct parser *p)
{
	bool cond = false;

	for (;;) {
		size_t save;
		struct tok t;
		int r;

		r = parse_command(p, cond);
		if (r < 0)
			return r;
		for (;;) {
			save = p->i;
			r = next_token(p, &t);
			if (r < 0)
				return r;
			if (op_is(&t, "|") || op_is(&t, "|&")) {
				/* The next command of the pipeline. */
				tok_clear(&t);
				skip_newlines(p);
				r = parse_command(p, true);
				if (r < 0)
					return r;
				continue;
			}
			break;
		}
		if (op_is(&t, "&&") || op_is(&t, "||")) {
			tok_clear(&t);
			skip_newlines(p);
			cond = true;
			continue;
		}
		if (op_is(&t, ";") || op_is(&t, "&") || t.kind == T_NEWLINE) {
			tok_clear(&t);
			return 0;
		}
		tok_clear(&t);
		p->i = save;
		return 0;
	}
}

/* Commands until one of stops (reserved words or operators) or, at the
 * top level (no stops), the end of the file. */
static int parse_list(struct parser *p, const char *const *stops, size_t n_stops,
		      const char *opener, size_t opener_off, const char **stopped)
{
	for (;;) {
		size_t save = p->i;
		struct tok t;
		int r = next_token(p, &t);

		if (r < 0)
			return r;
		if (t.kind == T_EOF) {
			tok_clear(&t);
			if (n_stops)
				return perr(p, opener_off, "'%s' without '%s'", opener,
					    stops[n_stops - 1]);
			return 0;
		}
		if (t.kind == T_NEWLINE) {
			continue;
		}
		for (size_t i = 0; i < n_stops; i++)
			if (tok_is(p, &t, stops[i]) || op_is(&t, stops[i])) {
				if (stopped)
					*stopped = stops[i];
				tok_clear(&t);
				return 0;
			}
		if (t.kind == T_OP && !streq(t.op, "(")) {
			r = perr(p, t.off, "unexpected '%s'", t.op);
			tok_clear(&t);
			return r;
		}
		tok_clear(&t);
		p->i = save;
		r = parse_and_or(p);
		if (r < 0)
			return r;
	}
}

void vk_grub_free(struct vk_grub *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_assigns; i++) {
		free(g->assigns[i].name);
		val_clear(&g->assigns[i].value);
	}
	for (size_t i = 0; i < g->n_opaques; i++)
		free(g->opaques[i].text);
	for (size_t i = 0; i < g->n_vars; i++) {
		free(g->vars[i].name);
		val_clear(&g->vars[i].v);
	}
	for (size_t i = 0; i < g->n_functions; i++)
		free(g->functions[i]);
	for (size_t i = 0; i < g->n_appends; i++)
		free(g->appends[i].name);
	free(g->assigns);
	free(g->groups);
	free(g->opaques);
	free(g->vars);
	free(g->functions);
	free(g->appends);
	free(g->text);
	free(g);
}

int vk_grub_parse(const char *text, size_t len, struct vk_grub **out, struct vk_grub_error *err)
{
	struct parser p = { .s = text, .n = len, .err = err };
	struct vk_grub *g;
	int r;

	memset(err, 0, sizeof(*err));
	if (len > MAX_TEXT) {
		snprintf(err->msg, sizeof(err->msg), "larger than %u MiB: not a configuration file",
			 MAX_TEXT >> 20);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 && (c == 0 || !strchr("\t\n\r\v\f", c))) {
			err->line = line_of(text, i);
			snprintf(err->msg, sizeof(err->msg),
				 "holds a control byte (0x%02x): binary data, not a shell script",
				 c);
			return -EINVAL;
		}
		if (c == 0x7f) {
			err->line = line_of(text, i);
			snprintf(err->msg, sizeof(err->msg),
				 "holds a DEL byte: binary data, not a shell script");
			return -EINVAL;
		}
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->text = malloc(len + 1);
	if (!g->text) {
		free(g);
		return -ENOMEM;
	}
	memcpy(g->text, text, len);
	g->text[len] = '\0';
	g->len = len;
	p.g = g;
	p.s = g->text;
	/* Group 0 is "unknown". */
	if (GROW(g->groups, g->c_groups, 16) < 0) {
		vk_grub_free(g);
		return -ENOMEM;
	}
	g->groups[g->n_groups++] = UINT32_MAX;
	r = parse_list(&p, NULL, 0, NULL, 0, NULL);
	if (r < 0) {
		vk_grub_free(g);
		return r;
	}
	*out = g;
	return 0;
}

/* ---- values for display -------------------------------------------------- */

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
				     line_of(g->text, o->off), o->text) < 0)
				return NULL;
		} else if (asprintf(&s,
				    "line %u: %s may be changed there (a block, a loop, '.', eval "
				    "or "
				    "a function), which vfiokit does not run",
				    line_of(g->text, o->off), o->text) < 0) {
			return NULL;
		}
		return s;
	}
	return NULL;
}

int vk_grub_value(const struct vk_grub *g, const char *var, struct vk_grub_value *out)
{
	const struct var *v = find_var(g, var, strlen(var));
	struct val empty = {};

	memset(out, 0, sizeof(*out));
	if (!v && g->n_sources) {
		out->set = true;
		out->text = strdup("");
		if (asprintf(&out->why, "line %u: '.', eval or a function may set it",
			     line_of(g->text, g->source_off)) < 0)
			out->why = NULL;
		if (!out->text || !out->why) {
			vk_grub_value_clear(out);
			return -ENOMEM;
		}
		return 0;
	}
	out->set = v && v->set;
	out->line = v && v->last >= 0 ? line_of(g->text, g->assigns[v->last].off) : 0;
	out->text = render(g, v ? &v->v : &empty, 0, v ? v->v.len : 0);
	if (!out->text)
		return -ENOMEM;
	out->why = v ? why_unknown(g, &v->v) : NULL;
	out->exact = !out->why;
	return 0;
}

void vk_grub_value_clear(struct vk_grub_value *v)
{
	free(v->text);
	free(v->why);
	memset(v, 0, sizeof(*v));
}

/* ---- editor -------------------------------------------------------------- */

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

	err->line = off == SIZE_MAX ? 0 : line_of(g->text, off);
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
	for (size_t i = 0; i < old->n_args && r >= 0; i++) {
		const struct vk_cmdline_arg *o = &old->args[i];
		const struct vk_cmdline_arg *now = NULL;
		bool before = false;

		for (size_t k = 0; k < cl->n_args; k++) {
			if (cl->args[k].added)
				continue;
			if (cl->args[k].off == o->off)
				now = &cl->args[k];
			else if (cl->args[k].off < o->off)
				before = true;
		}
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

/* The value of var now, or an empty one. */
static const struct val *value_of(const struct vk_grub *g, const char *var)
{
	static const struct val empty = {};
	const struct var *v = find_var(g, var, strlen(var));

	return v ? &v->v : &empty;
}

/* Does v hold bytes of assignment a? */
static bool val_uses(const struct vk_grub *g, const struct val *v, size_t a)
{
	for (size_t i = 0; i < v->len; i++)
		if (v->p[i].group && g->groups[v->p[i].group] == a)
			return true;
	return false;
}

/*
 * When var may have been changed in a block, vfiokit cannot tell which of
 * its assignments counts: the keys go from every one of them.
 */
static int edit_hidden(struct editing *ed, const char *var, const struct vk_cmdline_op *ops,
		       size_t n_ops)
{
	const struct vk_grub *g = ed->g;
	const struct val *now = value_of(g, var);

	if (!val_has(now, OPQ_UNCERTAIN, g))
		return 0;
	for (size_t a = 0; a < g->n_assigns; a++) {
		int r;

		if (!streq(g->assigns[a].name, var) || val_uses(g, now, a))
			continue;
		ed->lenient = true;
		r = edit_value(ed, &g->assigns[a].value, var, ops, n_ops, false, NULL, NULL);
		ed->lenient = false;
		if (r < 0)
			return r;
	}
	return 0;
}

/* New tokens at the end of var's value: into its last assignment when
 * that is where its value is made, else in a new line at the end. */
static int insert_tokens(struct editing *ed, const char *var, const char *fresh)
{
	const struct vk_grub *g = ed->g;
	const struct var *v = find_var(g, var, strlen(var));
	const struct val *now = value_of(g, var);
	bool sep = now->len > 0 && !vk_cmdline_isspace((unsigned char)now->b[now->len - 1]);
	_cleanup_free_ char *text = NULL;
	int r;

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
	if (asprintf(&text, now->len ? "%s%s=\"$%s %s\"\n" : "%s%s=\"%.0s%s\"\n",
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

/* Do the tokens of cl equal those of v (whitespace aside)? */
static bool same_tokens(const struct vk_cmdline *cl, const struct val *v)
{
	struct vk_cmdline *now = NULL;
	bool same;

	if (parse_val(v, &now) < 0)
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
	if (!same_tokens(want_t, value_of(h, target)) ||
	    (other && want_o && !same_tokens(want_o, value_of(h, other))))
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
		const struct val *w = value_of(h, v->name);

		if (streq(v->name, target) || (other && streq(v->name, other)))
			continue;
		if (w->len != v->v.len || (w->len && memcmp(w->b, v->v.b, w->len)))
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
	const struct val *a = value_of(g, first), *b = second ? value_of(g, second) : NULL;
	struct val v = {};
	int r;

	r = val_append(&v, a);
	if (r == 0 && b)
		r = val_push(&v, ' ', (struct prov){ 0, 0, 0 });
	if (r == 0 && b)
		r = val_append(&v, b);
	if (r == 0)
		r = parse_val(&v, cl);
	val_clear(&v);
	return r;
}

/* Does var end inside a double quote it never closes? The kernel then
 * takes all that follows, the other variable too, as its last argument. */
static bool open_quote_at_end(const struct vk_grub *g, const char *var)
{
	struct vk_cmdline *cl = NULL;
	size_t quotes = 0;

	if (parse_val(value_of(g, var), &cl) < 0)
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

	if (parse_val(value_of(g, var), &cl) < 0)
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
		v = find_var(g, vars[k], strlen(vars[k]));
		for (size_t i = 0; i < g->n_appends; i++)
			if (streq(g->appends[i].name, vars[k]))
				return gerr(g, err, g->appends[i].off,
					    "%s+= is bash only: /bin/sh, which grub-mkconfig uses, "
					    "stops there; write %s=\"$%s ...\" instead",
					    vars[k], vars[k], vars[k]);
		if (v && val_has(&v->v, OPQ_EXPANSION, g)) {
			_cleanup_free_ char *why = why_unknown(g, &v->v);

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

	r = edit_value(&ed, value_of(g, req->target), req->target, tops, req->n_ops, true, &fresh,
		       &want_t);
	if (r == 0)
		r = edit_hidden(&ed, req->target, oops, req->n_ops);
	if (r == 0 && req->other)
		r = edit_value(&ed, value_of(g, req->other), req->other, oops, req->n_ops, false,
			       NULL, &want_o);
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
	sedits_clear(&ed.edits);
	vk_cmdline_free(comb);
	vk_cmdline_free(want_t);
	vk_cmdline_free(want_o);
	free(tops);
	free(oops);
	return r;
}
