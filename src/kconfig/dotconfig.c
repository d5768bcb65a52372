// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/change.h"
#include "../shared/macro.h"
#include "dotconfig.h"

#define PREFIX "CONFIG_"

static bool valid_sym(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* y, m, n, a decimal or hex number, or a complete "quoted string". */
static const char *check_value(const char *v)
{
	size_t len = strlen(v);

	if (streq(v, "y") || streq(v, "m") || streq(v, "n"))
		return NULL;
	if (v[0] == '"') {
		for (size_t i = 1; i < len; i++) {
			if (v[i] == '\\' && i + 1 < len) {
				i++;
				continue;
			}
			if (v[i] == '"')
				return i == len - 1 ? NULL : "text after the closing quote";
		}
		return "unterminated string (is the file cut short?)";
	}
	if (len == 0)
		return "no value after '=' (is the file cut short?)";
	if (v[0] == '-')
		v++;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		if (*v && strspn(v, "0123456789abcdefABCDEF") == strlen(v))
			return NULL;
	} else if (*v && strspn(v, "0123456789") == strlen(v)) {
		return NULL;
	}
	return "not y, m, n, a number or a quoted string";
}

/* The index of the last line of sym in c->lines, or -1. */
static ssize_t line_of(const struct vk_dotconfig *c, const char *sym)
{
	return (ssize_t)(uintptr_t)vk_strmap_get(&c->index, sym, strlen(sym)) - 1;
}

/* Append l; its symbol, if it has one, now names it. */
static int add_line(struct vk_dotconfig *c, struct vk_cline *l)
{
	if (c->n_lines == c->alloc) {
		size_t n = c->alloc ? 2 * c->alloc : 64;
		struct vk_cline *v = realloc(c->lines, n * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->lines = v;
		c->alloc = n;
	}
	if (l->sym && vk_strmap_put(&c->index, l->sym, strlen(l->sym),
				    (void *)(uintptr_t)(c->n_lines + 1)) < 0)
		return -ENOMEM;
	c->lines[c->n_lines++] = *l;
	return 0;
}

/* s[0..len) holds only spaces, tabs and carriage returns. */
static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Fill l->kind, sym and value from the line's text (without newline). */
static int classify(const char *s, size_t len, struct vk_cline *l, const char **why)
{
	static const char unset[] = " is not set";
	size_t plen = strlen(PREFIX), ulen = strlen(unset);

	*why = NULL;
	if (len > plen && !strncmp(s, PREFIX, plen)) {
		const char *eq = memchr(s, '=', len);

		if (!eq || !valid_sym(s + plen, (size_t)(eq - s) - plen)) {
			*why = "expected CONFIG_NAME=value";
			return 0;
		}
		l->kind = VK_CLINE_SET;
		l->sym = strndup(s + plen, (size_t)(eq - s) - plen);
		l->value = strndup(eq + 1, len - (size_t)(eq + 1 - s));
		if (!l->sym || !l->value)
			return -ENOMEM;
		*why = check_value(l->value);
		return 0;
	}
	if (len > 2 + plen + ulen && !strncmp(s, "# " PREFIX, 2 + plen) &&
	    !strncmp(s + len - ulen, unset, ulen) &&
	    valid_sym(s + 2 + plen, len - 2 - plen - ulen)) {
		l->kind = VK_CLINE_UNSET;
		l->sym = strndup(s + 2 + plen, len - 2 - plen - ulen);
		return l->sym ? 0 : -ENOMEM;
	}
	if (len == 0 || s[0] == '#' || blank(s, len)) {
		l->kind = VK_CLINE_OTHER;
		return 0;
	}
	*why = "not a kconfig line (CONFIG_X=value, # CONFIG_X is not set, or a comment)";
	return 0;
}

static void cline_clear(struct vk_cline *l)
{
	free(l->text);
	free(l->sym);
	free(l->value);
}

int vk_dotconfig_parse(const char *name, const char *text, size_t len, bool strict,
		       struct vk_dotconfig *c, char *err, size_t errlen)
{
	const char *p = text, *end = text + len;
	unsigned int lineno = 0;
	int r;

	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	if (!c->name)
		return -ENOMEM;
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s:%u: " VK_NUL_FIX, name, vk_nul_line(text, len));
		return -EINVAL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t linelen = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct vk_cline l = { .lineno = ++lineno };
		const char *why;

		l.text = strndup(p, linelen + (nl ? 1 : 0));
		if (!l.text)
			return -ENOMEM;
		r = classify(p, linelen, &l, &why);
		if (r == 0 && why) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			r = -EINVAL;
		}
		if (r == 0 && strict && l.sym) {
			const struct vk_cline *prev = vk_dotconfig_find(c, l.sym);

			if (prev) {
				snprintf(err, errlen,
					 "%s:%u: CONFIG_%s is given twice (first on line %u)", name,
					 lineno, l.sym, prev->lineno);
				r = -EINVAL;
			}
		}
		if (r == 0)
			r = add_line(c, &l);
		if (r < 0) {
			cline_clear(&l);
			return r;
		}
		p += linelen + (nl ? 1 : 0);
	}
	return 0;
}

void vk_dotconfig_clear(struct vk_dotconfig *c)
{
	for (size_t i = 0; i < c->n_lines; i++)
		cline_clear(&c->lines[i]);
	free(c->lines);
	free(c->name);
	vk_strmap_free(&c->index);
	memset(c, 0, sizeof(*c));
}

char *vk_dotconfig_text(const struct vk_dotconfig *c, size_t *len)
{
	size_t total = 0;
	char *out, *p;

	for (size_t i = 0; i < c->n_lines; i++)
		total += strlen(c->lines[i].text);
	out = p = malloc(total + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i < c->n_lines; i++)
		p = stpcpy(p, c->lines[i].text);
	*p = '\0';
	if (len)
		*len = total;
	return out;
}

const struct vk_cline *vk_dotconfig_find(const struct vk_dotconfig *c, const char *sym)
{
	ssize_t i = line_of(c, sym);

	return i < 0 ? NULL : &c->lines[i];
}

const char *vk_dotconfig_value(const struct vk_dotconfig *c, const char *sym)
{
	const struct vk_cline *l = vk_dotconfig_find(c, sym);

	if (!l || l->kind != VK_CLINE_SET || streq(l->value, "n"))
		return NULL;
	return l->value;
}

int vk_dotconfig_set(struct vk_dotconfig *c, const char *sym, const char *value)
{
	struct vk_cline *l = (struct vk_cline *)vk_dotconfig_find(c, sym);
	struct vk_cline fresh = { 0 };
	char *text = NULL, *val = NULL;
	bool unset = !value || streq(value, "n");
	int r;

	if (unset)
		r = asprintf(&text, "# " PREFIX "%s is not set\n", sym);
	else
		r = asprintf(&text, PREFIX "%s=%s\n", sym, value);
	if (r < 0 || (!unset && !(val = strdup(value)))) {
		free(text);
		return -ENOMEM;
	}
	if (!l) {
		/* A new last line: make sure the one before it ends. */
		if (c->n_lines) {
			struct vk_cline *last = &c->lines[c->n_lines - 1];
			size_t n = strlen(last->text);

			if (n && last->text[n - 1] != '\n') {
				char *t = realloc(last->text, n + 2);

				if (!t)
					goto nomem;
				t[n] = '\n';
				t[n + 1] = '\0';
				last->text = t;
			}
		}
		fresh.sym = strdup(sym);
		fresh.lineno = c->n_lines ? c->lines[c->n_lines - 1].lineno + 1 : 1;
		if (!fresh.sym || add_line(c, &fresh) < 0) {
			free(fresh.sym);
			goto nomem;
		}
		l = &c->lines[c->n_lines - 1];
	}
	free(l->text);
	free(l->value);
	l->text = text;
	l->value = val;
	l->kind = unset ? VK_CLINE_UNSET : VK_CLINE_SET;
	return 0;
nomem:
	free(text);
	free(val);
	return -ENOMEM;
}

const char *vk_dotconfig_version(const struct vk_dotconfig *c, char *buf, size_t size)
{
	for (size_t i = 0; i < c->n_lines && i < 8; i++) {
		const char *t = c->lines[i].text, *k;
		char v[64];

		if (strncmp(t, "# Linux/", 8) != 0 || !(k = strstr(t, " Kernel Configuration")))
			continue;
		if (sscanf(t + 8, "%*s %63s", v) == 1 && strlen(v) < size) {
			strcpy(buf, v);
			return buf;
		}
	}
	return NULL;
}
