/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An index from strings to pointers: open addressing, linear probing,
 * doubled when half full. The keys are borrowed: each must stay as it is
 * while it is in the map.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct vk_strmap_slot {
	const char *key; /* NULL: free */
	size_t len;
	uint32_t hash;
	void *value;
};

struct vk_strmap {
	struct vk_strmap_slot *slots;
	size_t cap, n;
};

/* FNV-1a of s[0..len). */
uint32_t vk_strhash(const char *s, size_t len);

/* The value of key[0..len), or NULL when it is not in the map. */
void *vk_strmap_get(const struct vk_strmap *m, const char *key, size_t len);
/* Set key[0..len) to value, replacing what it had. 0 or -ENOMEM. */
int vk_strmap_put(struct vk_strmap *m, const char *key, size_t len, void *value);
void vk_strmap_free(struct vk_strmap *m);
