// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the Kconfig tree reader (src/kconfig/): the input
 * is a tree of files, the first one Kconfig, each next one after a line
 * "#### PATH" (PATH made of [A-Za-z0-9_./-], no ".."), written to a
 * temporary directory and read with vk_kconfig_load(). A refusal names
 * one of the files and a line inside it.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "kconfig/kconfig.h"

#define MAX_FILES 16

struct tree_file {
	char name[128];
	unsigned int lines;
};

static char dir[] = "/tmp/vfiokit-fuzz-kconfig.XXXXXX";

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return path[strlen(dir)] ? remove(path) : 0;
}

static void cleanup(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(dir);
}

static bool name_ok(const char *s, size_t n)
{
	if (!n || n >= 100 || *s == '/' || memmem(s, n, "..", 2))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-",
			    s[i]))
			return false;
	return true;
}

/* name[0..n) with "//" and "./" folded, as a path names the same file,
 * into out (a file of the tree may be reached by either spelling). */
static void canon(const char *name, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (name[i] == '/' && o && out[o - 1] == '/')
			continue;
		if (name[i] == '.' && (i == 0 || name[i - 1] == '/') && i + 1 < n &&
		    name[i + 1] == '/') {
			i++;
			continue;
		}
		out[o++] = name[i];
	}
	out[o] = '\0';
}

/* Write body under name below dir, with its parents. */
static void put(const char *name, const char *body, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return; /* a name that is also a directory: the reader sees that */
	if (write(fd, body, len) != (ssize_t)len)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool made;
	struct tree_file files[MAX_FILES];
	const char *p = (const char *)data, *end = p + size;
	struct vk_kconfig *kc = NULL;
	char err[1024] = "", *colon, *after, named[1024], mine[128];
	size_t n = 0;
	unsigned long line;
	int r;

	if (size > FUZZ_MAX)
		return 0;
	if (!made) {
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
		made = true;
	}
	cleanup();
	mkdir(dir, 0755);
	snprintf(files[n].name, sizeof(files[n].name), "Kconfig");
	while (n < MAX_FILES) {
		const char *sep = memmem(p, (size_t)(end - p), "\n#### ", 6),
			   *body_end = sep ? sep + 1 : end;
		const char *name = sep ? sep + 6 : NULL, *nl;

		files[n].lines = fuzz_lines(p, (size_t)(body_end - p)) -
				 (body_end > p && body_end[-1] == '\n');
		put(files[n].name, p, (size_t)(body_end - p));
		n++;
		if (!sep || !(nl = memchr(name, '\n', (size_t)(end - name))) ||
		    !name_ok(name, (size_t)(nl - name)))
			break;
		snprintf(files[n].name, sizeof(files[n].name), "%.*s", (int)(nl - name), name);
		p = nl + 1;
	}
	r = vk_kconfig_load(dir, "x86", &kc, err, sizeof(err));
	if (r == -EINVAL) {
		/* "file:line: what", file one of the tree's, line inside it. */
		colon = strchr(err, ':');
		if (!colon)
			abort();
		line = strtoul(colon + 1, &after, 10);
		canon(err, (size_t)(colon - err), named, sizeof(named));
		for (size_t i = 0; i < n; i++) {
			canon(files[i].name, strlen(files[i].name), mine, sizeof(mine));
			if (!strcmp(named, mine) && line >= 1 && line <= files[i].lines + 1 &&
			    *after == ':')
				r = 0;
		}
		if (r)
			abort(); /* the error names no file of the tree */
	} else if (r < 0 && r != -ENOMEM && r != -ENOENT && r != -E2BIG && r != -ELOOP) {
		abort();
	}
	vk_kconfig_free(kc);
	return 0;
}
