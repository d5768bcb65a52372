/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer for --json reports: two-space indent,
 * keys in the order the caller writes them, so output is stable.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define VK_JSON_MAX_DEPTH 16

struct vk_json {
	FILE *out;
	int depth;
	bool first[VK_JSON_MAX_DEPTH]; /* nothing written yet at this level */
	bool after_key;
};

/* How many documents (top-level values) have been finished, on any
 * stream: --json prints one, or an error document. */
extern unsigned int vk_json_documents;

void vk_json_init(struct vk_json *j, FILE *out);
void vk_json_object_begin(struct vk_json *j);
void vk_json_object_end(struct vk_json *j);
void vk_json_array_begin(struct vk_json *j);
void vk_json_array_end(struct vk_json *j);
void vk_json_key(struct vk_json *j, const char *key);
void vk_json_string(struct vk_json *j, const char *s); /* NULL: null */
void vk_json_uint(struct vk_json *j, unsigned long v);
void vk_json_bool(struct vk_json *j, bool v);

/* Shorthands for "key": value. */
void vk_json_kv_string(struct vk_json *j, const char *key, const char *s);
void vk_json_kv_uint(struct vk_json *j, const char *key, unsigned long v);
void vk_json_kv_bool(struct vk_json *j, const char *key, bool v);
