// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "../shared/macro.h"
#include "../shared/write.h"
#include "journal.h"

static bool is_hex64(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int bad(const char *shown, unsigned int line, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: %s", shown, line, what);
	return -EINVAL;
}

static int parse_entry(const config_setting_t *e, const char *shown, struct vk_journal *j,
		       char *err, size_t errlen)
{
	const char *path = NULL, *before = NULL, *after = NULL, *backup = NULL, *previous = NULL,
		   *uri = NULL;
	int existed = 0;
	struct vk_jentry *x;

	config_setting_lookup_string(e, "path", &path);
	config_setting_lookup_bool(e, "existed", &existed);
	config_setting_lookup_string(e, "before", &before);
	config_setting_lookup_string(e, "after", &after);
	config_setting_lookup_string(e, "backup", &backup);
	config_setting_lookup_string(e, "previous", &previous);
	config_setting_lookup_string(e, "uri", &uri);
	if (!path || (uri ? !*path || !*uri : *path != '/') || !is_hex64(after) ||
	    (previous && !is_hex64(previous)) || (existed && (!is_hex64(before) || !backup)))
		return bad(shown, config_setting_source_line(e),
			   "an entry needs path, after (SHA-256) and, for a file that existed, "
			   "before and backup",
			   err, errlen);
	x = vk_journal_add(j, path);
	if (!x)
		return -ENOMEM;
	x->existed = existed;
	if (uri && !(x->uri = strdup(uri)))
		return -ENOMEM;
	snprintf(x->after, sizeof(x->after), "%s", after);
	snprintf(x->previous, sizeof(x->previous), "%s", previous ? previous : "");
	if (existed) {
		snprintf(x->before, sizeof(x->before), "%s", before);
		x->backup = strdup(backup);
		if (!x->backup)
			return -ENOMEM;
	}
	return 0;
}

int vk_journal_parse(const char *text, const char *shown, struct vk_journal *j, char *err,
		     size_t errlen)
{
	config_t cfg;
	const config_setting_t *files;
	const char *config = NULL, *time = NULL;
	long long gen = 0;
	int complete = 0, r = 0;

	memset(j, 0, sizeof(*j));
	config_init(&cfg);
	if (!config_read_string(&cfg, text)) {
		r = bad(shown, (unsigned int)config_error_line(&cfg), config_error_text(&cfg), err,
			errlen);
		goto out;
	}
	config_lookup_int64(&cfg, "generation", &gen);
	config_lookup_string(&cfg, "config", &config);
	config_lookup_string(&cfg, "time", &time);
	config_lookup_bool(&cfg, "complete", &complete);
	j->generation = gen > 0 ? (unsigned long)gen : 0;
	j->complete = complete;
	j->config = dup_or_null(config);
	j->time = dup_or_null(time);
	if ((config && !j->config) || (time && !j->time)) {
		r = -ENOMEM;
		goto out;
	}
	files = config_lookup(&cfg, "files");
	for (int i = 0; files && i < config_setting_length(files) && !r; i++)
		r = parse_entry(config_setting_get_elem(files, (unsigned int)i), shown, j, err,
				errlen);
out:
	config_destroy(&cfg);
	if (r)
		vk_journal_clear(j);
	return r;
}

int vk_journal_load(int rootfd, const char *shown, struct vk_journal *j, char *err, size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = vk_file_read_all(rootfd, VK_PATH_JOURNAL, 4u << 20, &text, &len);

	memset(j, 0, sizeof(*j));
	if (r == -ENOENT)
		return r;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(-r));
		return r;
	}
	r = vk_journal_parse(text, shown, j, err, errlen);
	if (r == -EINVAL)
		snprintf(err + strlen(err), errlen - strlen(err),
			 "; the journal is damaged: restore the files it names from %s by hand, "
			 "then remove it",
			 VK_PATH_BACKUPS);
	return r;
}

bool vk_jentry_as_before(const struct vk_jentry *e, bool exists, const char *sum)
{
	return e->existed ? exists && streq(sum, e->before) : !exists;
}

bool vk_jentry_applied(const struct vk_jentry *e, const char *sum)
{
	return streq(sum, e->after) || (*e->previous && streq(sum, e->previous));
}

/* s as a libconfig string literal. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

char *vk_journal_render(const struct vk_journal *j)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# vfiokit apply's journal: what 'vfiokit undo' restores. Do not edit.\n"
		"generation = %luL;\n", /* L: 64 bits to libconfig */
		j->generation);
	fputs("config = ", f);
	put_string(f, j->config ? j->config : "");
	fputs(";\ntime = ", f);
	put_string(f, j->time ? j->time : "");
	fprintf(f, ";\ncomplete = %s;\nfiles = (", j->complete ? "true" : "false");
	for (size_t i = 0; i < j->n; i++) {
		const struct vk_jentry *e = &j->v[i];

		fputs(i ? ",\n  { path = " : "\n  { path = ", f);
		put_string(f, e->path);
		if (e->uri) {
			fputs(";\n    uri = ", f);
			put_string(f, e->uri);
		}
		fprintf(f, ";\n    existed = %s;\n", e->existed ? "true" : "false");
		if (e->existed) {
			fprintf(f, "    before = \"%s\";\n    backup = ", e->before);
			put_string(f, e->backup);
			fputs(";\n", f);
		}
		if (*e->previous)
			fprintf(f, "    previous = \"%s\";\n", e->previous);
		fprintf(f, "    after = \"%s\"; }", e->after);
	}
	fputs(j->n ? "\n);\n" : ");\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void vk_journal_clear(struct vk_journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->v[i].path);
		free(j->v[i].uri);
		free(j->v[i].backup);
	}
	free(j->v);
	free(j->config);
	free(j->time);
	memset(j, 0, sizeof(*j));
}

struct vk_jentry *vk_journal_find(const struct vk_journal *j, const char *path)
{
	for (size_t i = 0; i < j->n; i++)
		if (!j->v[i].uri && streq(j->v[i].path, path))
			return &j->v[i];
	return NULL;
}

struct vk_jentry *vk_journal_find_domain(const struct vk_journal *j, const char *uri,
					 const char *name)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i].uri && streq(j->v[i].uri, uri) && streq(j->v[i].path, name))
			return &j->v[i];
	return NULL;
}

struct vk_jentry *vk_journal_add(struct vk_journal *j, const char *path)
{
	struct vk_jentry *v = realloc(j->v, (j->n + 1) * sizeof(*v));

	if (!v)
		return NULL;
	j->v = v;
	v += j->n;
	memset(v, 0, sizeof(*v));
	v->path = strdup(path);
	if (!v->path)
		return NULL;
	j->n++;
	return v;
}
