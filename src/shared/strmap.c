// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

uint32_t vk_strhash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The slot of key, or the free one where it would go. */
static struct vk_strmap_slot *find(const struct vk_strmap *m, const char *key, size_t len,
				   uint32_t hash)
{
	size_t mask = m->cap - 1, i;

	for (i = hash & mask; m->slots[i].key; i = (i + 1) & mask)
		if (m->slots[i].hash == hash && m->slots[i].len == len &&
		    memcmp(m->slots[i].key, key, len) == 0)
			break;
	return &m->slots[i];
}

static int grow(struct vk_strmap *m)
{
	struct vk_strmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) =
				old.slots[i];
	free(old.slots);
	return 0;
}

void *vk_strmap_get(const struct vk_strmap *m, const char *key, size_t len)
{
	if (!m->n)
		return NULL;
	return find(m, key, len, vk_strhash(key, len))->value;
}

int vk_strmap_put(struct vk_strmap *m, const char *key, size_t len, void *value)
{
	uint32_t hash = vk_strhash(key, len);
	struct vk_strmap_slot *s;

	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return -ENOMEM;
	s = find(m, key, len, hash);
	if (!s->key) {
		*s = (struct vk_strmap_slot){ .key = key, .len = len, .hash = hash };
		m->n++;
	}
	s->value = value;
	return 0;
}

void vk_strmap_free(struct vk_strmap *m)
{
	free(m->slots);
	*m = (struct vk_strmap){ 0 };
}
