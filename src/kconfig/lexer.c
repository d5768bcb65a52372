// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Kconfig lexer: one statement (logical line) at a time, as
 * scripts/kconfig/lexer.l and preprocess.c see it. Comments are dropped,
 * backslash-newline joins lines, help text ends where its indentation
 * does, "NAME = value", "NAME := value" and "NAME += value" define
 * preprocessor variables, and $(...) references are expanded: $(SRCARCH),
 * $(srctree), variables of the tree, $(filename), $(lineno) and the
 * environment. Functions that would run something ($(shell,...) and every
 * variable built on it, such as $(cc-option,...)) are not run: such a
 * reference stays in the statement as one opaque word.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "internal.h"

/* Around an unexpanded reference in the expanded text of a statement. */
#define OPAQUE_BEGIN '\x01'
#define OPAQUE_END   '\x02'
#define MAX_DEPTH    64
/* What one statement's or assignment's references may expand to, and how
 * many references that may take: "X := $(X)$(X)" doubles X per line. */
#define MAX_EXPANSION (1u << 20)
#define MAX_REFS      (1u << 20)

struct xbuf {
	char **p;
	size_t *cap;
	size_t n;
	size_t max; /* -E2BIG beyond this many bytes; 0: no limit */
};

static _printf_(3, 4) int lex_error(struct klex *lx, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!lx->err || !lx->errlen)
		return -EINVAL;
	n = lx->file ? snprintf(lx->err, lx->errlen, "%s:%u: ", lx->file, line) : 0;
	if (n < 0 || (size_t)n >= lx->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(lx->err + n, lx->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int xreserve(struct xbuf *b, size_t more)
{
	size_t need = b->n + more + 1, cap = *b->cap;
	char *p;

	if (need <= cap)
		return 0;
	if (b->max && need > b->max + 1)
		return -E2BIG;
	cap = cap ? cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(*b->p, cap);
	if (!p)
		return -ENOMEM;
	*b->p = p;
	*b->cap = cap;
	return 0;
}

static int xput(struct xbuf *b, const char *s, size_t n)
{
	int r;

	if (b->n + n + 1 > *b->cap && (r = xreserve(b, n)) < 0)
		return r;
	memcpy(*b->p + b->n, s, n);
	b->n += n;
	(*b->p)[b->n] = '\0';
	return 0;
}

static inline int xputc(struct xbuf *b, char c)
{
	int r;

	if (b->n + 2 > *b->cap && (r = xreserve(b, 1)) < 0)
		return r;
	(*b->p)[b->n++] = c;
	return 0;
}

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* The ')' closing the '(' at s[open], or 0 when there is none before end. */
static size_t match_paren(const char *s, size_t open, size_t end)
{
	int depth = 0;

	for (size_t i = open; i < end; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
		else if (s[i] == '\n')
			return 0;
	}
	return 0;
}

/* ---- preprocessor ---- */

static struct kvar *var_find(struct vk_kconfig *kc, const char *name, size_t len)
{
	return vk_strmap_get(&kc->var_index, name, len);
}

void klex_free_vars(struct vk_kconfig *kc)
{
	struct kvar *v, *next;

	for (v = kc->vars; v; v = next) {
		next = v->next;
		free(v->value);
		free(v);
	}
	kc->vars = NULL;
	vk_strmap_free(&kc->var_index);
}

static int expand_string(struct klex *lx, const char *s, size_t n, struct xbuf *out, int depth,
			 char **args, size_t nargs);

/* Expand s[0..n) into a new string; 1: opaque (*res NULL). */
static int expand_alloc(struct klex *lx, const char *s, size_t n, int depth, char **args,
			size_t nargs, char **res)
{
	char *p = NULL;
	size_t cap = 0;
	struct xbuf b = { &p, &cap, 0, MAX_EXPANSION };
	int r;

	*res = NULL;
	if ((r = xreserve(&b, 0)) < 0)
		return r;
	p[0] = '\0';
	r = expand_string(lx, s, n, &b, depth, args, nargs);
	if (r != 0) {
		free(p);
		return r;
	}
	p[b.n] = '\0';
	*res = p;
	return 0;
}

/*
 * Expand the reference whose text between "$(" and ")" is inner[0..n).
 * Returns 0 with the expansion appended to out, 1 when it needs a function
 * we do not run, or -errno.
 */
static int expand_ref(struct klex *lx, const char *inner, size_t n, struct xbuf *out, int depth,
		      char **args, size_t nargs)
{
	char *part[16];
	size_t np = 0, start = 0;
	int nest = 0, r = 0;
	struct kvar *v;
	const char *name, *env;

	if (depth > MAX_DEPTH)
		return lex_error(lx, lx->stmt_line, "recursive variable reference in '$(%.*s)'",
				 (int)n, inner);
	if (++lx->refs > MAX_REFS)
		return lex_error(lx, lx->stmt_line,
				 "macro expansion takes more than %u references: refused",
				 MAX_REFS);
	/* Split at the commas outside parentheses, expand every part. */
	for (size_t i = 0; i <= n; i++) {
		if (i < n && inner[i] == '(')
			nest++;
		else if (i < n && inner[i] == ')')
			nest--;
		else if (i == n || (inner[i] == ',' && nest == 0)) {
			if (np == ARRAY_SIZE(part)) {
				r = lex_error(lx, lx->stmt_line, "too many arguments in '$(%.*s)'",
					      (int)n, inner);
				goto out;
			}
			r = expand_alloc(lx, inner + start, i - start, depth + 1, args, nargs,
					 &part[np]);
			if (r != 0)
				goto out;
			np++;
			start = i + 1;
		}
	}
	name = part[0];
	/* $(1), $(2): the arguments of the variable being expanded. */
	if (np == 1 && nargs > 0) {
		char *end;
		long k = strtol(name, &end, 10);

		if (*name && !*end && k > 0 && (size_t)k <= nargs) {
			r = xput(out, args[k - 1], strlen(args[k - 1]));
			goto out;
		}
	}
	v = var_find(lx->kc, name, strlen(name));
	if (v) {
		if (v->opaque)
			r = 1;
		else if (v->simple)
			r = xput(out, v->value, strlen(v->value));
		else
			r = expand_string(lx, v->value, strlen(v->value), out, depth + 1, part + 1,
					  np - 1);
		goto out;
	}
	if (streq(name, "filename")) {
		r = xput(out, lx->file, strlen(lx->file));
	} else if (streq(name, "lineno")) {
		char num[16];

		snprintf(num, sizeof(num), "%u", lx->stmt_line);
		r = xput(out, num, strlen(num));
	} else if (streq(name, "shell") || streq(name, "info") || streq(name, "warning-if") ||
		   streq(name, "error-if")) {
		r = 1; /* not run: the tree is read, not configured */
	} else if (np == 1 && streq(name, "SRCARCH")) {
		r = xput(out, lx->kc->srcarch, strlen(lx->kc->srcarch));
	} else if (np == 1 && streq(name, "srctree")) {
		r = xput(out, lx->kc->srctree, strlen(lx->kc->srctree));
	} else if (np == 1 && (env = getenv(name))) {
		r = xput(out, env, strlen(env));
	} else if (np == 1 && streq(name, "ARCH")) {
		/* The kernel's Makefile: ARCH ?= the host's, exported. */
		r = xput(out, lx->kc->srcarch, strlen(lx->kc->srcarch));
	} else if (np > 1) {
		r = 1; /* a function this tree does not define: not run */
	}
	/* An unknown variable expands to nothing, as in the kernel. */
out:
	for (size_t i = 0; i < np; i++)
		free(part[i]);
	return r;
}

/* Expand s[0..n) into out; 1 as soon as a reference is opaque. */
static int expand_string(struct klex *lx, const char *s, size_t n, struct xbuf *out, int depth,
			 char **args, size_t nargs)
{
	size_t i = 0, close;
	int r;

	while (i < n) {
		if (s[i] == '$' && i + 1 < n && s[i + 1] == '(' &&
		    (close = match_paren(s, i + 1, n)) != 0) {
			r = expand_ref(lx, s + i + 2, close - i - 2, out, depth, args, nargs);
			if (r != 0)
				return r;
			i = close + 1;
			continue;
		}
		if ((r = xputc(out, s[i])) < 0)
			return r;
		i++;
	}
	return 0;
}

/* An expansion over MAX_EXPANSION (-E2BIG) as a message naming the line. */
static int expansion_error(struct klex *lx, int r)
{
	if (r != -E2BIG)
		return r;
	return lex_error(lx, lx->stmt_line, "macro expansion larger than %u KiB: refused",
			 MAX_EXPANSION >> 10);
}

/* The statement's text with references expanded; opaque ones marked. */
static int expand_statement(struct klex *lx, const char *s, struct xbuf *out)
{
	size_t n = strlen(s), i = 0, close, mark;
	int r;

	lx->refs = 0;
	out->max = n + MAX_EXPANSION;
	while (i < n) {
		if (s[i] == '$' && s[i + 1] == '(' && (close = match_paren(s, i + 1, n)) != 0) {
			mark = out->n;
			r = expand_ref(lx, s + i + 2, close - i - 2, out, 0, NULL, 0);
			if (r < 0)
				return expansion_error(lx, r);
			if (r == 1) {
				out->n = mark;
				if ((r = xputc(out, OPAQUE_BEGIN)) < 0 ||
				    (r = xput(out, s + i, close + 1 - i)) < 0 ||
				    (r = xputc(out, OPAQUE_END)) < 0)
					return expansion_error(lx, r);
			}
			i = close + 1;
			continue;
		}
		if ((r = xputc(out, s[i])) < 0)
			return expansion_error(lx, r);
		i++;
	}
	if ((r = xreserve(out, 0)) < 0)
		return expansion_error(lx, r);
	(*out->p)[out->n] = '\0';
	return 0;
}

/* "NAME = value", "NAME := value", "NAME += value" at lx->pos: record it
 * and return 1; 0 when the line is something else. */
static int try_assignment(struct klex *lx)
{
	const char *b = lx->buf, *name, *val;
	size_t p = lx->pos, len = lx->len, nlen, vlen;
	char op;
	struct kvar *v;
	char *value = NULL;
	bool opaque = false;
	int r;

	while (p < len && is_blank(b[p]))
		p++;
	name = b + p;
	while (p < len && is_word_char(b[p]))
		p++;
	nlen = b + p - name;
	if (nlen == 0)
		return 0;
	while (p < len && is_blank(b[p]))
		p++;
	if (p < len && b[p] == '=')
		op = '=', p += 1;
	else if (p + 1 < len && (b[p] == ':' || b[p] == '+') && b[p + 1] == '=')
		op = b[p], p += 2;
	else
		return 0;
	while (p < len && is_blank(b[p]))
		p++;
	val = b + p;
	while (p < len && b[p] != '\n')
		p++;
	vlen = b + p - val;
	lx->stmt_line = lx->line;
	lx->pos = p < len ? p + 1 : p;
	lx->line++;

	/* The value first, as the kernel does: in "X := $(X)" the X on the
	 * right is the one before this line (none: empty). */
	v = var_find(lx->kc, name, nlen);
	if (!v && op == '+')
		op = '=';
	if (op == ':' || (op == '+' && v->simple)) {
		lx->refs = 0;
		r = expand_alloc(lx, val, vlen, 0, NULL, 0, &value);
		if (r < 0)
			return expansion_error(lx, r);
		opaque = r == 1;
		if (opaque && !(value = strndup(val, vlen)))
			return -ENOMEM;
	} else {
		value = strndup(val, vlen);
		if (!value)
			return -ENOMEM;
	}
	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v || !(v->name = kintern(lx->kc, name, nlen)) ||
		    vk_strmap_put(&lx->kc->var_index, v->name, nlen, v) < 0) {
			free(v);
			free(value);
			return -ENOMEM;
		}
		v->next = lx->kc->vars;
		lx->kc->vars = v;
	}
	if (opaque)
		v->opaque = true;
	if (op == '+' && v->value) {
		char *joined;

		if (asprintf(&joined, "%s %s", v->value, value) < 0) {
			free(value);
			return -ENOMEM;
		}
		free(value);
		value = joined;
	} else if (op != '+') {
		v->simple = op == ':';
		if (op == '=')
			v->opaque = false;
	}
	free(v->value);
	v->value = value;
	return 1;
}

/* ---- statements ---- */

/* The next logical line into lx->text: comments dropped, continuations
 * joined, references copied whole. */
static int gather(struct klex *lx)
{
	const char *b = lx->buf;
	size_t p = lx->pos, len = lx->len, close;
	struct xbuf out = { &lx->text, &lx->cap_text, 0, 0 };
	char quote = 0;

	lx->stmt_line = lx->line;
	if (xreserve(&out, 0) < 0)
		return -ENOMEM;
	while (p < len) {
		char c = b[p];

		if (c == '\n') {
			p++;
			lx->line++;
			break;
		}
		if (c == '\\' && p + 1 < len && b[p + 1] == '\n') {
			p += 2;
			lx->line++;
			if (!quote && xputc(&out, ' ') < 0)
				return -ENOMEM;
			continue;
		}
		if (c == '\\' && quote && p + 1 < len) {
			if (xput(&out, b + p, 2) < 0)
				return -ENOMEM;
			p += 2;
			continue;
		}
		if (c == '#' && !quote) {
			while (p < len && b[p] != '\n')
				p++;
			continue;
		}
		if (c == '$' && p + 1 < len && b[p + 1] == '(') {
			close = match_paren(b, p + 1, len);
			if (!close)
				return lex_error(lx, lx->line,
						 "unterminated reference: missing ')'");
			if (xput(&out, b + p, close + 1 - p) < 0)
				return -ENOMEM;
			p = close + 1;
			continue;
		}
		if (quote && c == quote)
			quote = 0;
		else if (!quote && (c == '"' || c == '\''))
			quote = c;
		if (xputc(&out, c) < 0)
			return -ENOMEM;
		p++;
	}
	lx->pos = p;
	(*out.p)[out.n] = '\0';
	if (quote)
		return lex_error(lx, lx->stmt_line, "unterminated string");
	return 0;
}

static int push_token(struct klex *lx, enum ktok type, const char *s, bool opaque)
{
	if (lx->n_tok + 1 >= lx->cap_tok) {
		size_t cap = lx->cap_tok ? lx->cap_tok * 2 : 32;
		struct ktoken *t = realloc(lx->tok, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		lx->tok = t;
		lx->cap_tok = cap;
	}
	lx->tok[lx->n_tok++] = (struct ktoken){ .type = type, .s = s, .opaque = opaque };
	lx->tok[lx->n_tok] = (struct ktoken){ .type = KT_EOL };
	return 0;
}

static int tokenize(struct klex *lx, const char *s)
{
	size_t n = strlen(s), i = 0, o = 0;
	char *tb;

	/* Every token's text is at most as long as its source, plus a NUL. */
	if (lx->cap_tokbuf < 2 * n + 2) {
		free(lx->tokbuf);
		lx->cap_tokbuf = 2 * n + 2;
		lx->tokbuf = malloc(lx->cap_tokbuf);
		if (!lx->tokbuf) {
			lx->cap_tokbuf = 0;
			return -ENOMEM;
		}
	}
	tb = lx->tokbuf;
	lx->n_tok = 0;
	if (push_token(lx, KT_EOL, NULL, false) < 0)
		return -ENOMEM;
	lx->n_tok = 0;
	while (i < n) {
		char c = s[i];
		enum ktok t = KT_EOL;
		int r;

		if (is_blank(c)) {
			i++;
			continue;
		}
		switch (c) {
		case '!':
			t = s[i + 1] == '=' ? KT_NE : KT_NOT;
			break;
		case '=':
			t = KT_EQ;
			break;
		case '<':
			t = s[i + 1] == '=' ? KT_LE : KT_LT;
			break;
		case '>':
			t = s[i + 1] == '=' ? KT_GE : KT_GT;
			break;
		case '&':
			if (s[i + 1] == '&')
				t = KT_AND;
			break;
		case '|':
			if (s[i + 1] == '|')
				t = KT_OR;
			break;
		case '(':
			t = KT_OPEN;
			break;
		case ')':
			t = KT_CLOSE;
			break;
		default:
			break;
		}
		if (t != KT_EOL) {
			r = push_token(lx, t, NULL, false);
			if (r < 0)
				return r;
			i += (t == KT_NE || t == KT_LE || t == KT_GE || t == KT_AND || t == KT_OR)
				     ? 2
				     : 1;
			continue;
		}
		if (c == '"' || c == '\'') {
			char *start = tb + o;

			for (i++; i < n && s[i] != c; i++) {
				if (s[i] == OPAQUE_BEGIN) {
					for (i++; i < n && s[i] != OPAQUE_END; i++)
						tb[o++] = s[i];
				} else if (s[i] == '\\' && i + 1 < n) {
					tb[o++] = s[++i];
				} else {
					tb[o++] = s[i];
				}
			}
			if (i >= n)
				return lex_error(lx, lx->stmt_line, "unterminated string");
			i++;
			tb[o++] = '\0';
			r = push_token(lx, KT_STRING, start, false);
			if (r < 0)
				return r;
			continue;
		}
		if (is_word_char(c) || c == '$' || c == OPAQUE_BEGIN) {
			char *start = tb + o;
			bool opaque = false;

			while (i < n &&
			       (is_word_char(s[i]) || s[i] == '$' || s[i] == OPAQUE_BEGIN)) {
				size_t close;

				if (s[i] == OPAQUE_BEGIN) {
					opaque = true;
					for (i++; i < n && s[i] != OPAQUE_END; i++)
						tb[o++] = s[i];
					i++;
				} else if (s[i] == '$' && s[i + 1] == '(' &&
					   (close = match_paren(s, i + 1, n))) {
					/* Not expanded (vk_kconfig_parse_expr()). */
					opaque = true;
					memcpy(tb + o, s + i, close + 1 - i);
					o += close + 1 - i;
					i = close + 1;
				} else {
					tb[o++] = s[i++];
				}
			}
			tb[o++] = '\0';
			r = push_token(lx, KT_WORD, start, opaque);
			if (r < 0)
				return r;
			continue;
		}
		return lex_error(lx, lx->stmt_line, "unexpected character '%c'", c);
	}
	return 0;
}

int klex_tokenize_text(struct klex *lx, const char *text)
{
	return tokenize(lx, text);
}

int klex_next(struct klex *lx)
{
	int r;

	for (;;) {
		if (lx->pos >= lx->len)
			return 0;
		r = try_assignment(lx);
		if (r < 0)
			return r;
		if (r > 0)
			continue;
		r = gather(lx);
		if (r < 0)
			return r;
		if (strchr(lx->text, '$')) {
			struct xbuf out = { &lx->exp, &lx->cap_exp, 0, 0 };

			r = expand_statement(lx, lx->text, &out);
			if (r < 0)
				return r;
			r = tokenize(lx, lx->exp);
		} else {
			r = tokenize(lx, lx->text);
		}
		if (r < 0)
			return r;
		if (lx->n_tok == 0)
			continue;
		/* A statement that is only a macro call, like
		 * "$(error-if,...)": it would print, not declare. */
		if (lx->tok[0].type == KT_WORD && lx->tok[0].opaque)
			continue;
		return 1;
	}
}

void klex_skip_help(struct klex *lx)
{
	const char *b = lx->buf;
	size_t len = lx->len;
	unsigned int first = 0;

	while (lx->pos < len) {
		size_t q = lx->pos;
		unsigned int ts = 0;

		while (q < len && (b[q] == ' ' || b[q] == '\t')) {
			ts = b[q] == '\t' ? (ts & ~7u) + 8 : ts + 1;
			q++;
		}
		if (q < len && b[q] == '\r' && q + 1 < len && b[q + 1] == '\n')
			q++;
		if (q >= len) {
			lx->pos = len;
			return;
		}
		if (b[q] != '\n') {
			/* Help text ends at the first line indented less than its
			 * first line, or not at all. */
			if (ts == 0 || (first && ts < first))
				return;
			if (!first)
				first = ts;
			while (q < len && b[q] != '\n')
				q++;
		}
		lx->pos = q < len ? q + 1 : q;
		lx->line++;
	}
}

void klex_release(struct klex *lx)
{
	free(lx->tok);
	free(lx->text);
	free(lx->exp);
	free(lx->tokbuf);
	lx->tok = NULL;
	lx->text = lx->exp = lx->tokbuf = NULL;
	lx->cap_tok = lx->cap_text = lx->cap_exp = lx->cap_tokbuf = 0;
}
