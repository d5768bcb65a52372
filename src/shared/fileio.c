// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"

ssize_t vk_read_file(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = -1;
	ssize_t len;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		len = read(fd, buf, size - 1);
	while (len < 0 && errno == EINTR);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return len;
}

int vk_read_link_name(int dirfd, const char *path, char *buf, size_t size)
{
	char target[4096];
	ssize_t len = readlinkat(dirfd, path, target, sizeof(target) - 1);
	const char *base;

	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vk_list_dir(int dirfd, const char *path, char ***names, size_t *n)
{
	_cleanup_closedir_ DIR *dir = NULL;
	_cleanup_free_ char **v = NULL;
	size_t count = 0, alloc = 0, bytes = 0;
	struct dirent *de;
	char *strings;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	/* First pass: count; the names then share one allocation with the vector. */
	while ((de = readdir(dir))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		count++;
		bytes += strlen(de->d_name) + 1;
	}
	rewinddir(dir);
	v = malloc((count + 1) * sizeof(char *) + bytes);
	if (!v)
		return -ENOMEM;
	strings = (char *)(v + count + 1);
	while ((de = readdir(dir)) && alloc < count) {
		size_t len = strlen(de->d_name) + 1;

		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if ((size_t)(strings - (char *)(v + count + 1)) + len > bytes)
			break; /* the directory grew between the passes */
		memcpy(strings, de->d_name, len);
		v[alloc++] = strings;
		strings += len;
	}
	v[alloc] = NULL;
	qsort(v, alloc, sizeof(char *), cmp_str);
	*n = alloc;
	*names = TAKE_PTR(v);
	return 0;
}

int vk_parse_ulong(const char *s, int base, unsigned long *out)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int vk_canonical_path(int dirfd, const char *abs, char **out)
{
	_cleanup_free_ char *done = strdup(""), *todo = strdup(abs);
	int hops = 0;

	while (done && todo && *todo) {
		char *slash, *next, *cand = NULL, link[4096];
		size_t n = strcspn(todo, "/");
		ssize_t l;

		slash = todo[n] ? todo + n + 1 : todo + n;
		if (n == 0 || (n == 1 && todo[0] == '.')) {
			memmove(todo, slash, strlen(slash) + 1);
			continue;
		}
		if (n == 2 && !strncmp(todo, "..", 2)) {
			char *last = strrchr(done, '/');

			if (last)
				*last = '\0';
			memmove(todo, slash, strlen(slash) + 1);
			continue;
		}
		if (asprintf(&cand, "%s/%.*s", done, (int)n, todo) < 0)
			return -ENOMEM;
		l = readlinkat(dirfd, cand + 1, link, sizeof(link) - 1);
		if (l < 0) {
			free(done);
			done = cand;
			memmove(todo, slash, strlen(slash) + 1);
			continue;
		}
		free(cand);
		if (++hops > 40)
			return -ELOOP;
		link[l] = '\0';
		if (asprintf(&next, "%s/%s", link, slash) < 0)
			return -ENOMEM;
		if (link[0] == '/')
			done[0] = '\0';
		free(todo);
		todo = next;
	}
	if (!done || !todo)
		return -ENOMEM;
	*out = *done ? TAKE_PTR(done) : strdup("/");
	return *out ? 0 : -ENOMEM;
}

int vk_mkdir_parents(int dirfd, const char *path)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}
