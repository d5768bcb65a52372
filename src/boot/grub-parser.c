// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /etc/default/grub parser: commands, lists and blocks (if, case,
 * loops, braces, subshells, functions) of the shell's grammar, followed as
 * the shell runs the top level; what runs conditionally is marked so.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grub-internal.h"

#define MAX_TEXT (64u << 20)
/* Deeper nesting would need more stack than a thread may have. */
#define MAX_NESTING 2000

static int parse_list(struct parser *p, const char *const *stops, size_t n_stops,
		      const char *opener, size_t opener_off, const char **stopped);
static int parse_command(struct parser *p, bool cond);

static void skip_newlines(struct parser *p)
{
	for (;;) {
		grub_skip_blanks(p);
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
		int r = grub_next_token(p, &t);

		if (r < 0)
			return r;
		if (t.kind == T_OP && strchr("<>", t.op[0])) {
			grub_tok_clear(&t);
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
			if (t.kind != T_WORD) {
				grub_tok_clear(&t);
				return grub_perr(p, save, "a redirection without a file name");
			}
			grub_tok_clear(&t);
			continue;
		}
		grub_tok_clear(&t);
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
	r = grub_next_token(p, &t);
	if (r < 0)
		return r;
	if (!grub_tok_is(p, &t, text)) {
		grub_tok_clear(&t);
		return grub_perr(p, off, "'%s' without '%s'", after, text);
	}
	grub_tok_clear(&t);
	return 0;
}

static int parse_case(struct parser *p, size_t off)
{
	static const char *const arm_end[] = { ";;", ";&", ";;&", "esac" };
	struct tok t;
	int r;

	r = grub_next_token(p, &t);
	if (r < 0)
		return r;
	if (t.kind != T_WORD) {
		grub_tok_clear(&t);
		return grub_perr(p, off, "'case' without a word");
	}
	grub_tok_clear(&t);
	r = expect_word(p, "in", "case", off);
	if (r < 0)
		return r;
	for (;;) {
		const char *stopped = NULL;

		skip_newlines(p);
		r = grub_next_token(p, &t);
		if (r < 0)
			return r;
		if (grub_tok_is(p, &t, "esac")) {
			grub_tok_clear(&t);
			return 0;
		}
		if (t.kind == T_EOF)
			return grub_perr(p, off, "'case' without 'esac'");
		if (grub_op_is(&t, "(")) {
			grub_tok_clear(&t);
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
		}
		/* pattern [| pattern]... ) */
		for (;;) {
			if (t.kind != T_WORD) {
				grub_tok_clear(&t);
				return grub_perr(p, off, "a 'case' pattern without its ')'");
			}
			grub_tok_clear(&t);
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
			if (grub_op_is(&t, ")"))
				break;
			if (!grub_op_is(&t, "|")) {
				grub_tok_clear(&t);
				return grub_perr(p, off, "a 'case' pattern without its ')'");
			}
			grub_tok_clear(&t);
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
		}
		grub_tok_clear(&t);
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

	r = grub_next_token(p, &t);
	if (r < 0)
		return r;
	if (t.kind != T_WORD || !t.w.literal) {
		grub_tok_clear(&t);
		return grub_perr(p, off, "'for' without a variable name");
	}
	r = grub_do_uncertain(p, p->s + t.w.start, t.w.end - t.w.start, t.w.start);
	grub_tok_clear(&t);
	if (r < 0)
		return r;
	/* [in words...] ; or newline, then do */
	for (;;) {
		r = grub_next_token(p, &t);
		if (r < 0)
			return r;
		if (t.kind == T_NEWLINE || grub_op_is(&t, ";"))
			break;
		if (grub_tok_is(p, &t, "do")) {
			grub_tok_clear(&t);
			return parse_list(p, done, 1, "do", off, NULL);
		}
		if (t.kind != T_WORD) {
			grub_tok_clear(&t);
			return grub_perr(p, off, "'for' without 'do'");
		}
		grub_tok_clear(&t);
	}
	grub_tok_clear(&t);
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
	return grub_name_add(&p->g->function_index, p->g->functions, sizeof(*p->g->functions),
			     p->g->n_functions);
}

static int parse_simple(struct parser *p, bool cond)
{
	struct word *words = NULL;
	size_t n = 0, cap = 0, start = p->i;
	struct tok t;
	int r = 0;

	for (;;) {
		size_t save = p->i;

		r = grub_next_token(p, &t);
		if (r < 0)
			goto out;
		if (t.kind == T_WORD) {
			if (GROW(words, cap, n + 1) < 0) {
				grub_tok_clear(&t);
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
		if (grub_op_is(&t, "(") && n == 1 && words[0].literal && !words[0].eq) {
			/* name() body */
			r = grub_next_token(p, &t);
			if (r < 0)
				goto out;
			if (!grub_op_is(&t, ")")) {
				grub_tok_clear(&t);
				r = grub_perr(
					p, save,
					"'(' after a command name: not a function definition");
				goto out;
			}
			r = add_function(p, &words[0]);
			if (r == 0)
				r = parse_function_body(p, save);
			goto out;
		}
		if (grub_op_is(&t, "(")) {
			r = grub_perr(p, save, "unexpected '('");
			goto out;
		}
		grub_tok_clear(&t);
		p->i = save;
		break;
	}
	if (!n) {
		r = grub_perr(p, start, "a redirection without a command");
		goto out;
	}
	/* In a pipeline or in the background, a command runs in a subshell. */
	{
		size_t save = p->i;

		r = grub_next_token(p, &t);
		if (r < 0)
			goto out;
		if (grub_op_is(&t, "|") || grub_op_is(&t, "|&") || grub_op_is(&t, "&"))
			cond = true;
		grub_tok_clear(&t);
		p->i = save;
	}
	r = grub_commit(p, words, n, cond);
out:
	for (size_t i = 0; i < n; i++)
		grub_word_clear(&words[i]);
	free(words);
	return r;
}

static int parse_command_(struct parser *p, bool cond);

/* Every recursion of the grammar goes through here: blocks, subshells,
 * '!' and function bodies nest no deeper than MAX_NESTING. */
static int parse_command(struct parser *p, bool cond)
{
	int r;

	if (p->nesting >= MAX_NESTING)
		return grub_perr(p, p->i,
				 "commands nested more than %d deep (blocks, subshells, '!' or "
				 "function bodies): vfiokit does not read files like that",
				 MAX_NESTING);
	p->nesting++;
	r = parse_command_(p, cond);
	p->nesting--;
	return r;
}

static int parse_command_(struct parser *p, bool cond)
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

	r = grub_next_token(p, &t);
	if (r < 0)
		return r;
	off = t.off;
	if (grub_op_is(&t, "(")) {
		p->depth++;
		r = parse_list(p, paren, 1, "(", off, NULL);
		p->depth--;
		return r < 0 ? r : parse_redirections(p);
	}
	if (t.kind != T_WORD) {
		r = grub_perr(p, off, "unexpected %s",
			      t.kind == T_EOF	    ? "end of the file"
			      : t.kind == T_NEWLINE ? "end of the line"
						    : t.op);
		grub_tok_clear(&t);
		return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (grub_tok_is(p, &t, reserved[i])) {
			grub_tok_clear(&t);
			return grub_perr(p, off, "'%s' where a command should be", reserved[i]);
		}
	if (grub_tok_is(p, &t, "!")) {
		grub_tok_clear(&t);
		return parse_command(p, true);
	}
	if (grub_tok_is(p, &t, "if") || grub_tok_is(p, &t, "while") ||
	    grub_tok_is(p, &t, "until") || grub_tok_is(p, &t, "for") ||
	    grub_tok_is(p, &t, "case") || grub_tok_is(p, &t, "{") ||
	    grub_tok_is(p, &t, "function")) {
		bool is_if = grub_tok_is(p, &t, "if"), is_for = grub_tok_is(p, &t, "for");
		bool is_case = grub_tok_is(p, &t, "case"), is_brace = grub_tok_is(p, &t, "{");
		bool is_fn = grub_tok_is(p, &t, "function");

		grub_tok_clear(&t);
		if (is_fn) {
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
			if (t.kind != T_WORD || !t.w.literal) {
				grub_tok_clear(&t);
				return grub_perr(p, off, "'function' without a name");
			}
			r = add_function(p, &t.w);
			grub_tok_clear(&t);
			if (r < 0)
				return r;
			save = p->i;
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
			if (grub_op_is(&t, "(")) {
				grub_tok_clear(&t);
				r = grub_next_token(p, &t);
				if (r < 0)
					return r;
				if (!grub_op_is(&t, ")")) {
					grub_tok_clear(&t);
					return grub_perr(p, off, "'function NAME (' without ')'");
				}
			} else {
				p->i = save;
			}
			grub_tok_clear(&t);
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
	grub_tok_clear(&t);
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
			r = grub_next_token(p, &t);
			if (r < 0)
				return r;
			if (grub_op_is(&t, "|") || grub_op_is(&t, "|&")) {
				/* The next command of the pipeline. */
				grub_tok_clear(&t);
				skip_newlines(p);
				r = parse_command(p, true);
				if (r < 0)
					return r;
				continue;
			}
			break;
		}
		if (grub_op_is(&t, "&&") || grub_op_is(&t, "||")) {
			grub_tok_clear(&t);
			skip_newlines(p);
			cond = true;
			continue;
		}
		if (grub_op_is(&t, ";") || grub_op_is(&t, "&") || t.kind == T_NEWLINE) {
			grub_tok_clear(&t);
			return 0;
		}
		grub_tok_clear(&t);
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
		int r = grub_next_token(p, &t);

		if (r < 0)
			return r;
		if (t.kind == T_EOF) {
			grub_tok_clear(&t);
			if (n_stops)
				return grub_perr(p, opener_off, "'%s' without '%s'", opener,
						 stops[n_stops - 1]);
			return 0;
		}
		if (t.kind == T_NEWLINE) {
			continue;
		}
		for (size_t i = 0; i < n_stops; i++)
			if (grub_tok_is(p, &t, stops[i]) || grub_op_is(&t, stops[i])) {
				if (stopped)
					*stopped = stops[i];
				grub_tok_clear(&t);
				return 0;
			}
		if (t.kind == T_OP && !streq(t.op, "(")) {
			r = grub_perr(p, t.off, "unexpected '%s'", t.op);
			grub_tok_clear(&t);
			return r;
		}
		grub_tok_clear(&t);
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
		grub_vnode_unref(g->assigns[i].value);
	}
	for (size_t i = 0; i < g->n_opaques; i++)
		free(g->opaques[i].text);
	for (size_t i = 0; i < g->n_vars; i++) {
		free(g->vars[i].name);
		grub_vnode_unref(g->vars[i].v);
	}
	for (size_t i = 0; i < g->n_functions; i++)
		free(g->functions[i]);
	for (size_t i = 0; i < g->n_appends; i++)
		free(g->appends[i].name);
	free(g->assigns);
	free(g->groups);
	free(g->opaques);
	free(g->vars);
	free(g->var_index.slots);
	free(g->newlines);
	free(g->function_index.slots);
	free(g->functions);
	free(g->appends);
	free(g->text);
	free(g);
}

static int index_lines(struct vk_grub *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->len; i++)
		n += g->text[i] == '\n';
	g->newlines = calloc(n + 1, sizeof(*g->newlines));
	if (!g->newlines)
		return -ENOMEM;
	for (size_t i = 0; i < g->len; i++)
		if (g->text[i] == '\n')
			g->newlines[g->n_newlines++] = i;
	return 0;
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
			err->line = grub_line_of(text, i);
			snprintf(err->msg, sizeof(err->msg),
				 "holds a control byte (0x%02x): binary data, not a shell script",
				 c);
			return -EINVAL;
		}
		if (c == 0x7f) {
			err->line = grub_line_of(text, i);
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
	if (r == 0)
		r = grub_sync_vars(g);
	if (r == 0)
		r = index_lines(g);
	if (r < 0) {
		vk_grub_free(g);
		return r;
	}
	*out = g;
	return 0;
}
