// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kconfig/dotconfig.h"
#include "../shared/macro.h"
#include "builtin.h"

/* A .config string value without its quotes and backslash escapes. */
static char *unquote(const char *v)
{
	size_t len = strlen(v);
	char *s, *p;

	if (len < 2 || v[0] != '"' || v[len - 1] != '"')
		return strdup(v);
	s = p = malloc(len);
	if (!s)
		return NULL;
	for (size_t i = 1; i < len - 1; i++) {
		if (v[i] == '\\' && i + 1 < len - 1)
			i++;
		*p++ = v[i];
	}
	*p = '\0';
	return s;
}

/* The same, quoted as kconfig writes strings. */
static char *quote(const char *s)
{
	char *q = malloc(2 * strlen(s) + 3), *p = q;

	if (!q)
		return NULL;
	*p++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '"';
	*p = '\0';
	return q;
}

static bool is_y(const struct vk_dotconfig *c, const char *sym)
{
	const char *v = vk_dotconfig_value(c, sym);

	return v && streq(v, "y");
}

static int read_model(const struct vk_dotconfig *c, struct vk_builtin *b)
{
	const char *v = vk_dotconfig_value(c, "CMDLINE");

	memset(b, 0, sizeof(*b));
	b->known = vk_dotconfig_find(c, "CMDLINE_BOOL") != NULL;
	b->enabled = is_y(c, "CMDLINE_BOOL");
	b->override = is_y(c, "CMDLINE_OVERRIDE");
	b->cmdline = v ? unquote(v) : strdup("");
	return b->cmdline ? 0 : -ENOMEM;
}

int vk_builtin_read(const char *name, const char *text, size_t len, struct vk_builtin *b, char *err,
		    size_t err_size)
{
	struct vk_dotconfig c = {};
	int r = vk_dotconfig_parse(name, text, len, false, &c, err, err_size);

	memset(b, 0, sizeof(*b));
	if (r == 0)
		r = read_model(&c, b);
	vk_dotconfig_clear(&c);
	return r;
}

void vk_builtin_clear(struct vk_builtin *b)
{
	free(b->cmdline);
	memset(b, 0, sizeof(*b));
}

int vk_builtin_edit(const char *name, const char *text, size_t len, const struct vk_cmdline_op *ops,
		    size_t n_ops, char **out, size_t *out_len, char *err, size_t err_size)
{
	struct vk_dotconfig c = {};
	struct vk_cmdline *cl = NULL;
	struct vk_builtin b = {};
	_cleanup_free_ char *line = NULL, *quoted = NULL;
	bool any_set = false, enable;
	int r, changes;

	*out = NULL;
	*out_len = 0;
	r = vk_dotconfig_parse(name, text, len, false, &c, err, err_size);
	if (r == 0)
		r = read_model(&c, &b);
	if (r < 0)
		goto out;
	if (!b.known) {
		snprintf(err, err_size,
			 "%s has no CONFIG_CMDLINE_BOOL: the kernel it configures (or its "
			 "architecture) has no built-in command line",
			 name);
		r = -EINVAL;
		goto out;
	}
	r = vk_cmdline_parse(b.cmdline, strlen(b.cmdline), &cl);
	if (r == 0)
		r = vk_cmdline_apply(cl, ops, n_ops);
	if (r == -EINVAL) {
		snprintf(err, err_size,
			 "CONFIG_CMDLINE holds double quotes vfiokit cannot edit around; fix it by "
			 "hand first");
		goto out;
	}
	if (r < 0)
		goto out;
	changes = r;
	for (size_t k = 0; k < cl->n_args; k++) {
		char bad = 0;

		if ((cl->args[k].added || cl->args[k].edited) &&
		    !vk_cmdline_token_safe(cl->args[k].raw, &bad)) {
			snprintf(err, err_size, "CONFIG_CMDLINE would get '%s', which holds '%c'",
				 cl->args[k].raw, bad);
			r = -EINVAL;
			goto out;
		}
	}
	/* set turns the built-in line on; remove never does. */
	for (size_t i = 0; i < n_ops; i++)
		any_set |= ops[i].kind == VK_CMDLINE_SET;
	enable = any_set && !b.enabled;
	if (!changes && !enable) {
		r = 0;
		goto out;
	}
	line = vk_cmdline_to_string(cl);
	quoted = line ? quote(line) : NULL;
	if (!quoted) {
		r = -ENOMEM;
		goto out;
	}
	r = enable ? vk_dotconfig_set(&c, "CMDLINE_BOOL", "y") : 0;
	if (r == 0)
		r = vk_dotconfig_set(&c, "CMDLINE", quoted);
	if (r < 0)
		goto out;
	*out = vk_dotconfig_text(&c, out_len);
	r = *out ? changes + enable : -ENOMEM;
out:
	vk_cmdline_free(cl);
	vk_builtin_clear(&b);
	vk_dotconfig_clear(&c);
	return r;
}
