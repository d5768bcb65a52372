// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../shared/macro.h"
#include "cmdline.h"

bool vk_cmdline_isspace(unsigned char c)
{
	/* lib/ctype.c marks 0xa0 (no-break space in Latin-1) as a space too. */
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

bool vk_cmdline_key_eq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
		if (!x)
			return true;
	}
}

static const char *const list_keys[] = {
	"vfio-pci.ids",	      "pci-stub.ids",	  "initcall_blacklist",
	"modprobe.blacklist", "module_blacklist",
};

bool vk_cmdline_key_is_list(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(list_keys); i++)
		if (vk_cmdline_key_eq(key, list_keys[i]))
			return true;
	return false;
}

/* PCI ids compare without regard to case; other list items exactly. */
static bool item_eq(const char *key, const char *a, size_t alen, const char *b, size_t blen)
{
	size_t klen = strlen(key);

	if (alen != blen)
		return false;
	if (klen > 4 && streq(key + klen - 4, ".ids"))
		return strncasecmp(a, b, alen) == 0;
	return memcmp(a, b, alen) == 0;
}

/*
 * The kernel's next_arg() on one token: the parameter name and the value,
 * with the opening quote of a quoted token and the quotes of a quoted value
 * dropped.
 */
static int split_raw(const char *raw, char **key, char **value)
{
	_cleanup_free_ char *copy = strdup(raw);
	char *args = copy, *val = NULL;
	size_t i, equals = 0;
	bool in_quote = false, quoted = false;

	if (!copy)
		return -ENOMEM;
	if (*args == '"') {
		args++;
		in_quote = quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	if (equals) {
		args[equals] = '\0';
		val = args + equals + 1;
		if (*val == '"') {
			val++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	*key = strdup(args);
	*value = val ? strdup(val) : NULL;
	if (!*key || (val && !*value)) {
		free(*key);
		free(*value);
		*key = *value = NULL;
		return -ENOMEM;
	}
	return 0;
}

static void arg_clear(struct vk_cmdline_arg *a)
{
	free(a->lead);
	free(a->raw);
	free(a->key);
	free(a->value);
	memset(a, 0, sizeof(*a));
}

void vk_cmdline_free(struct vk_cmdline *cl)
{
	if (!cl)
		return;
	for (size_t i = 0; i < cl->n_args; i++)
		arg_clear(&cl->args[i]);
	free(cl->args);
	free(cl->tail);
	free(cl);
}

static int grow(struct vk_cmdline *cl)
{
	struct vk_cmdline_arg *v;
	size_t alloc;

	if (cl->n_args < cl->alloc)
		return 0;
	alloc = cl->alloc ? cl->alloc * 2 : 16;
	v = reallocarray(cl->args, alloc, sizeof(*v));
	if (!v)
		return -ENOMEM;
	cl->args = v;
	cl->alloc = alloc;
	return 0;
}

/* Recompute init and dashdash after an edit: only the first "--" counts. */
static void mark_init(struct vk_cmdline *cl)
{
	bool init = false;

	for (size_t i = 0; i < cl->n_args; i++) {
		struct vk_cmdline_arg *a = &cl->args[i];

		a->init = init;
		a->dashdash = !init && !a->value && streq(a->key, "--");
		if (a->dashdash)
			init = true;
	}
}

int vk_cmdline_parse(const char *text, size_t len, struct vk_cmdline **out)
{
	struct vk_cmdline *cl;
	size_t i = 0;
	int r;

	if (memchr(text, '\0', len))
		return -EINVAL;
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	for (;;) {
		size_t lead = i, start, k;
		bool in_quote = false;
		struct vk_cmdline_arg *a;

		while (i < len && vk_cmdline_isspace((unsigned char)text[i]))
			i++;
		if (i == len) {
			cl->tail = strndup(text + lead, len - lead);
			if (!cl->tail)
				goto nomem;
			break;
		}
		start = k = i;
		if (text[k] == '"') {
			in_quote = true;
			k++;
		}
		for (; k < len; k++) {
			if (!in_quote && vk_cmdline_isspace((unsigned char)text[k]))
				break;
			if (text[k] == '"')
				in_quote = !in_quote;
		}
		r = grow(cl);
		if (r < 0)
			goto nomem;
		a = &cl->args[cl->n_args];
		memset(a, 0, sizeof(*a));
		a->lead = strndup(text + lead, start - lead);
		a->raw = strndup(text + start, k - start);
		a->off = start;
		if (!a->lead || !a->raw) {
			cl->n_args++;
			goto nomem;
		}
		cl->n_args++;
		r = split_raw(a->raw, &a->key, &a->value);
		if (r < 0)
			goto nomem;
		i = k;
	}
	mark_init(cl);
	*out = cl;
	return 0;
nomem:
	vk_cmdline_free(cl);
	return -ENOMEM;
}

char *vk_cmdline_to_string(const struct vk_cmdline *cl)
{
	size_t len = strlen(cl->tail) + 1;
	char *s, *p;

	for (size_t i = 0; i < cl->n_args; i++)
		len += strlen(cl->args[i].lead) + strlen(cl->args[i].raw);
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (size_t i = 0; i < cl->n_args; i++) {
		p = stpcpy(p, cl->args[i].lead);
		p = stpcpy(p, cl->args[i].raw);
	}
	strcpy(p, cl->tail);
	return s;
}

ssize_t vk_cmdline_find_last(const struct vk_cmdline *cl, const char *key)
{
	ssize_t found = -1;

	for (size_t i = 0; i < cl->n_args && !cl->args[i].init; i++)
		if (!cl->args[i].dashdash && vk_cmdline_key_eq(cl->args[i].key, key))
			found = (ssize_t)i;
	return found;
}

bool vk_cmdline_token_safe(const char *tok, char *bad)
{
	for (const char *p = tok; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(".,:=+-_/@%", c))
			continue;
		*bad = (char)c;
		return false;
	}
	return true;
}

/* "key=value", quoted when the value holds whitespace. A value with a
 * double quote cannot be written so that the kernel reads it back: -EINVAL. */
static int compose(const char *key, const char *value, char **out)
{
	bool quote = false;

	if (!value) {
		*out = strdup(key);
		return *out ? 0 : -ENOMEM;
	}
	if (strchr(value, '"'))
		return -EINVAL;
	for (const char *p = value; *p; p++)
		quote |= vk_cmdline_isspace((unsigned char)*p);
	if (asprintf(out, quote ? "%s=\"%s\"" : "%s=%s", key, value) < 0)
		return -ENOMEM;
	return 0;
}

static int arg_set_raw(struct vk_cmdline_arg *a, char *raw)
{
	char *key, *value;
	int r = split_raw(raw, &key, &value);

	if (r < 0) {
		free(raw);
		return r;
	}
	free(a->raw);
	free(a->key);
	free(a->value);
	a->raw = raw;
	a->key = key;
	a->value = value;
	a->edited = true;
	return 0;
}

/* Insert a new token before index at (at == n_args: at the end). */
static int insert_arg(struct vk_cmdline *cl, size_t at, char *raw)
{
	struct vk_cmdline_arg a = { .raw = raw, .added = true };
	char *space = NULL;
	int r;

	r = grow(cl);
	if (r < 0 || split_raw(raw, &a.key, &a.value) < 0) {
		free(raw);
		return -ENOMEM;
	}
	/* A new first token takes over the line's leading whitespace and the
	 * old first token gets one space. */
	if (at == 0 && cl->n_args > 0)
		space = strdup(" ");
	a.lead = strdup(at == 0 ? "" : " ");
	if (!a.lead || (at == 0 && cl->n_args > 0 && !space)) {
		free(space);
		arg_clear(&a);
		return -ENOMEM;
	}
	if (space) {
		free(a.lead);
		a.lead = cl->args[0].lead;
		cl->args[0].lead = space;
	}
	memmove(&cl->args[at + 1], &cl->args[at], (cl->n_args - at) * sizeof(a));
	cl->args[at] = a;
	cl->n_args++;
	mark_init(cl);
	return 0;
}

/* Drop the tokens marked in drop, each with the whitespace that separated
 * it: the whitespace before it, or after it when it was the first token.
 * One pass, however many go. 0 or -ENOMEM. */
static int remove_args(struct vk_cmdline *cl, const bool *drop)
{
	size_t k = 0;

	if (cl->n_args && drop[0]) {
		size_t first = 1;

		while (first < cl->n_args && drop[first])
			first++;
		if (first < cl->n_args) {
			free(cl->args[first].lead);
			cl->args[first].lead = TAKE_PTR(cl->args[0].lead);
		} else {
			char *tail;

			if (asprintf(&tail, "%s%s", cl->args[0].lead, cl->tail) < 0)
				return -ENOMEM;
			free(cl->tail);
			cl->tail = tail;
		}
	}
	for (size_t i = 0; i < cl->n_args; i++) {
		if (drop[i])
			arg_clear(&cl->args[i]);
		else
			cl->args[k++] = cl->args[i];
	}
	cl->n_args = k;
	mark_init(cl);
	return 0;
}

/* Where a new token of the kernel's part goes: before "--", else last. */
static size_t kernel_end(const struct vk_cmdline *cl)
{
	for (size_t i = 0; i < cl->n_args; i++)
		if (cl->args[i].dashdash)
			return i;
	return cl->n_args;
}

static bool kernel_arg_is(const struct vk_cmdline_arg *a, const char *key)
{
	return !a->init && !a->dashdash && vk_cmdline_key_eq(a->key, key);
}

/* Does the comma list hold item? */
static bool list_has(const char *key, const char *list, const char *item, size_t ilen)
{
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");

		if (item_eq(key, p, n, item, ilen))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The list value old plus the items of add it lacks; NULL when out of
 * memory. Empty items of add are skipped. */
static char *list_merge(const char *key, const char *old, const char *add)
{
	size_t cap = (old ? strlen(old) : 0) + strlen(add) + 2;
	char *s = malloc(cap), *p;

	if (!s)
		return NULL;
	p = stpcpy(s, old ? old : "");
	for (const char *q = add; *q;) {
		size_t n = strcspn(q, ",");

		if (n && !list_has(key, s, q, n)) {
			if (p != s)
				*p++ = ',';
			memcpy(p, q, n);
			p += n;
			*p = '\0';
		}
		q += n + (q[n] == ',');
	}
	return s;
}

/* old without the items listed in drop, empty items kept; NULL when out
 * of memory. */
static char *list_subtract(const char *key, const char *old, const char *drop)
{
	char *s = malloc(strlen(old) + 1), *p = s;
	bool first = true;

	if (!s)
		return NULL;
	*p = '\0';
	for (const char *q = old;;) {
		size_t n = strcspn(q, ",");

		if (!n || !list_has(key, drop, q, n)) {
			if (!first)
				*p++ = ',';
			memcpy(p, q, n);
			p += n;
			*p = '\0';
			first = false;
		}
		if (!q[n])
			break;
		q += n + 1;
	}
	return s;
}

static bool open_quote(const char *raw)
{
	size_t quotes = 0;

	for (const char *p = raw; *p; p++)
		quotes += *p == '"';
	return quotes % 2;
}

static bool value_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

static int apply_set(struct vk_cmdline *cl, const struct vk_cmdline_op *op)
{
	_cleanup_free_ char *merged = NULL;
	_cleanup_free_ bool *drop = NULL;
	const char *want = op->value;
	ssize_t last = vk_cmdline_find_last(cl, op->key);
	int changed = 0, r;

	if (op->value && vk_cmdline_key_is_list(op->key)) {
		merged = list_merge(op->key, last >= 0 ? cl->args[last].value : NULL, op->value);
		if (!merged)
			return -ENOMEM;
		want = merged;
	}
	if (last < 0) {
		size_t at = kernel_end(cl);
		char *raw;

		/* After a token that opens a quote and never closes it (an odd
		 * number of quotes), a new token would become part of it. */
		if (at == cl->n_args && at > 0 && open_quote(cl->args[at - 1].raw))
			return -EINVAL;
		r = compose(op->key, want, &raw);
		if (r < 0)
			return r;
		r = insert_arg(cl, at, raw);
		return r < 0 ? r : 1;
	}
	if (!value_eq(cl->args[last].value, want)) {
		/* Keep the spelling of the key the file already uses. */
		char *raw;

		r = compose(cl->args[last].key, want, &raw);
		if (r < 0)
			return r;
		r = arg_set_raw(&cl->args[last], raw);
		if (r < 0)
			return r;
		changed++;
	}
	/* One token per key: the earlier ones were dead anyway (the last
	 * one wins) or are now merged into it. */
	drop = calloc(cl->n_args + 1, sizeof(*drop));
	if (!drop)
		return -ENOMEM;
	for (ssize_t i = last - 1; i >= 0; i--) {
		drop[i] = kernel_arg_is(&cl->args[i], op->key);
		changed += drop[i];
	}
	r = remove_args(cl, drop);
	return r < 0 ? r : changed;
}

static int apply_remove(struct vk_cmdline *cl, const struct vk_cmdline_op *op)
{
	bool list = op->value && vk_cmdline_key_is_list(op->key);
	_cleanup_free_ bool *drop = calloc(cl->n_args + 1, sizeof(*drop));
	int changed = 0, r;

	if (!drop)
		return -ENOMEM;
	for (size_t i = cl->n_args; i-- > 0;) {
		struct vk_cmdline_arg *a = &cl->args[i];

		if (!kernel_arg_is(a, op->key))
			continue;
		if (list && a->value) {
			_cleanup_free_ char *rest = list_subtract(op->key, a->value, op->value);
			char *raw;

			if (!rest)
				return -ENOMEM;
			if (streq(rest, a->value))
				continue;
			if (*rest) {
				r = compose(a->key, rest, &raw);
				if (r < 0)
					return r;
				r = arg_set_raw(a, raw);
				if (r < 0)
					return r;
				changed++;
				continue;
			}
		} else if (op->value && !value_eq(a->value, op->value)) {
			continue;
		}
		drop[i] = true;
		changed++;
	}
	r = remove_args(cl, drop);
	return r < 0 ? r : changed;
}

int vk_cmdline_apply(struct vk_cmdline *cl, const struct vk_cmdline_op *ops, size_t n_ops)
{
	int total = 0;

	for (size_t i = 0; i < n_ops; i++) {
		int r = ops[i].kind == VK_CMDLINE_SET ? apply_set(cl, &ops[i])
						      : apply_remove(cl, &ops[i]);

		if (r < 0)
			return r;
		total += r;
	}
	return total;
}

int vk_cmdline_op_parse(const char *arg, enum vk_cmdline_op_kind kind, struct vk_cmdline_op *op)
{
	const char *eq = strchr(arg, '=');

	memset(op, 0, sizeof(*op));
	if (!*arg || eq == arg || *arg == '-')
		return -EINVAL;
	for (const char *p = arg; *p; p++)
		if (vk_cmdline_isspace((unsigned char)*p) || *p == '"')
			return -EINVAL;
	op->kind = kind;
	op->key = eq ? strndup(arg, (size_t)(eq - arg)) : strdup(arg);
	op->value = eq ? strdup(eq + 1) : NULL;
	if (!op->key || (eq && !op->value)) {
		vk_cmdline_op_clear(op);
		return -ENOMEM;
	}
	return 0;
}

void vk_cmdline_op_clear(struct vk_cmdline_op *op)
{
	free(op->key);
	free(op->value);
	op->key = op->value = NULL;
}
