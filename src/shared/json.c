// SPDX-License-Identifier: GPL-2.0-or-later
#include "json.h"

unsigned int vk_json_documents;

void vk_json_init(struct vk_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
}

/* Separator and indentation before a value or a key at the current depth. */
static void lead(struct vk_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	if (j->depth > 0)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	j->first[j->depth] = false;
}

static void open_(struct vk_json *j, char c)
{
	lead(j);
	fputc(c, j->out);
	if (j->depth + 1 < VK_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct vk_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!empty)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	fputc(c, j->out);
	if (j->depth == 0) {
		fputc('\n', j->out);
		vk_json_documents++;
	}
}

void vk_json_object_begin(struct vk_json *j)
{
	open_(j, '{');
}

void vk_json_object_end(struct vk_json *j)
{
	close_(j, '}');
}

void vk_json_array_begin(struct vk_json *j)
{
	open_(j, '[');
}

void vk_json_array_end(struct vk_json *j)
{
	close_(j, ']');
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void vk_json_key(struct vk_json *j, const char *key)
{
	lead(j);
	put_string(j->out, key);
	fputs(": ", j->out);
	j->after_key = true;
}

void vk_json_string(struct vk_json *j, const char *s)
{
	lead(j);
	if (s)
		put_string(j->out, s);
	else
		fputs("null", j->out);
}

void vk_json_uint(struct vk_json *j, unsigned long v)
{
	lead(j);
	fprintf(j->out, "%lu", v);
}

void vk_json_bool(struct vk_json *j, bool v)
{
	lead(j);
	fputs(v ? "true" : "false", j->out);
}

void vk_json_kv_string(struct vk_json *j, const char *key, const char *s)
{
	vk_json_key(j, key);
	vk_json_string(j, s);
}

void vk_json_kv_uint(struct vk_json *j, const char *key, unsigned long v)
{
	vk_json_key(j, key);
	vk_json_uint(j, v);
}

void vk_json_kv_bool(struct vk_json *j, const char *key, bool v)
{
	vk_json_key(j, key);
	vk_json_bool(j, v);
}
