// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /etc/default/grub lexer: the shell's tokens, and words with their
 * quoting as "pieces": literal bytes with the source bytes they come from,
 * variable references, and expansions whose value cannot be known
 * ($(...), `...`, ${x:-y}, ~user). Here-documents are refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grub-internal.h"

void grub_word_clear(struct word *w)
{
	free(w->pc);
	memset(w, 0, sizeof(*w));
}

int grub_perr(struct parser *p, size_t off, const char *format, ...)
{
	va_list ap;

	p->err->line = grub_line_of(p->s, off < p->n ? off : p->n);
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
			return grub_perr(p, i, "'${' without its '}'");
		p->i = j + 1;
		for (size_t k = i + 2; k < j; k++)
			if (!is_name_char(s[k]) || (k == i + 2 && !is_name_start(s[k])))
				return push(w, PC_OPAQUE, 0, i, j + 1, 0);
		if (j == i + 2)
			return grub_perr(p, i, "'${}' is a bad substitution");
		if (push(w, PC_VAR, 0, i, j + 1, 0) < 0)
			return -ENOMEM;
		w->pc[w->n - 1].n0 = (uint32_t)(i + 2);
		w->pc[w->n - 1].n1 = (uint32_t)j;
		return 0;
	}
	if (c == '(') {
		j = skip_balanced(s, n, i + 1, '(', ')');
		if (j >= n)
			return grub_perr(p, i, "'$(' without its ')'");
		if (i + 2 < n && s[i + 2] == '(') {
			/* $((...)): the closing "))" */
			if (j + 1 >= n || s[j + 1] != ')') {
				j = skip_balanced(s, n, i + 2, '(', ')');
				if (j + 1 >= n || s[j + 1] != ')')
					return grub_perr(p, i, "'$((' without its '))'");
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
		return grub_perr(p, p->i, "a backquote '`' without its closing one");
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
	return grub_perr(p, open, "a double quote '\"' without its closing one");
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
				return grub_perr(p, i,
						 "a single quote \"'\" without its closing one");
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
		return grub_perr(p, w->start, "unexpected character 0x%02x",
				 (unsigned char)(w->start < n ? s[w->start] : 0));
	return 0;
}

void grub_tok_clear(struct tok *t)
{
	grub_word_clear(&t->w);
}

/* Blanks, backslash-newlines and a comment. */
void grub_skip_blanks(struct parser *p)
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

int grub_next_token(struct parser *p, struct tok *t)
{
	static const char *const ops[] = { ";;&", "<<-", "<<<", ";;", ";&", "&&", "||",
					   "|&",  "<<",	 "<&",	"<>", ">>", ">&", ">|",
					   ";",	  "&",	 "|",	"(",  ")",  "<",  ">" };
	int r;

	memset(t, 0, sizeof(*t));
	grub_skip_blanks(p);
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
				return grub_perr(
					p, p->i,
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
		grub_word_clear(&t->w);
	return r;
}

/* Is t the unquoted word text? */
bool grub_tok_is(const struct parser *p, const struct tok *t, const char *text)
{
	size_t l = strlen(text);

	return t->kind == T_WORD && t->w.literal && t->w.end - t->w.start == l &&
	       !memcmp(p->s + t->w.start, text, l);
}

bool grub_op_is(const struct tok *t, const char *op)
{
	return t->kind == T_OP && streq(t->op, op);
}
