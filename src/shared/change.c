// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"

unsigned int vk_nul_line(const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);
	unsigned int line = 1;

	if (!nul)
		return 0;
	for (const char *p = data; p < nul; p++)
		line += *p == '\n';
	return line;
}

int vk_changes_add(struct vk_changes *c, struct vk_file *f, bool host, const char *shown,
		   const char *text, size_t len)
{
	struct vk_change ch = { .host = host, .len = len }, *v;
	unsigned int line = f->exists ? vk_nul_line(f->data, f->len) : 0;

	if (line) {
		free(c->refused);
		if (asprintf(&c->refused, "%s:%u: " VK_NUL_FIX, shown, line) < 0) {
			c->refused = NULL;
			return -ENOMEM;
		}
		return -EILSEQ;
	}

	ch.shown = strdup(shown);
	ch.text = malloc(len + 1);
	v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
	if (v)
		c->v = v;
	if (!ch.shown || !ch.text || !v) {
		free(ch.shown);
		free(ch.text);
		return -ENOMEM;
	}
	memcpy(ch.text, text, len);
	ch.text[len] = '\0';
	ch.f = *f;
	*f = (struct vk_file){};
	c->v[c->n++] = ch;
	return 0;
}

bool vk_change_same(const struct vk_change *ch)
{
	return ch->f.exists && ch->f.len == ch->len && !memcmp(ch->f.data, ch->text, ch->len);
}

size_t vk_changes_count(const struct vk_changes *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += !vk_change_same(&c->v[i]);
	return n;
}

void vk_changes_clear(struct vk_changes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		vk_file_clear(&c->v[i].f);
		free(c->v[i].shown);
		free(c->v[i].text);
	}
	free(c->v);
	free(c->refused);
	*c = (struct vk_changes){};
}

int vk_notes_add(struct vk_notes *n, enum vk_note_kind kind, const char *fmt, ...)
{
	struct vk_note *v = realloc(n->v, (n->n + 1) * sizeof(*n->v));
	va_list ap;
	char *text;
	int r;

	if (!v)
		return -ENOMEM;
	n->v = v;
	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	n->v[n->n++] = (struct vk_note){ kind, text };
	return 0;
}

int vk_notes_move(struct vk_notes *to, struct vk_notes *from)
{
	struct vk_note *v;

	if (!from->n)
		return 0;
	v = realloc(to->v, (to->n + from->n) * sizeof(*to->v));
	if (!v)
		return -ENOMEM;
	memcpy(v + to->n, from->v, from->n * sizeof(*v));
	to->v = v;
	to->n += from->n;
	free(from->v);
	*from = (struct vk_notes){};
	return 0;
}

void vk_notes_clear(struct vk_notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i].text);
	free(n->v);
	*n = (struct vk_notes){};
}
