// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ctx.h"
#include "macro.h"
#include "write.h"

#define MAX_LINKS 40

int vk_host_path(const char *path, int *fd, char **abs)
{
	_cleanup_free_ char *cwd = NULL;

	*abs = NULL;
	*fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (path[0] != '/' && !(cwd = getcwd(NULL, 0))) {
		int r = -errno;

		close(*fd);
		*fd = -1;
		return r;
	}
	if (asprintf(abs, "%s%s%s", cwd ? cwd : "", cwd ? "/" : "", path) < 0) {
		*abs = NULL;
		close(*fd);
		*fd = -1;
		return -ENOMEM;
	}
	return 0;
}

int vk_file_read_all(int rootfd, const char *abs, size_t max, char **text, size_t *len)
{
	struct vk_file f;
	int r = vk_file_load(rootfd, abs, max, &f);

	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r == 0) {
		*text = f.data;
		if (len)
			*len = f.len;
		f.data = NULL;
	}
	vk_file_clear(&f);
	return r;
}

void vk_file_clear(struct vk_file *f)
{
	free(f->path);
	free(f->target);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* Follow symbolic links at the end of abs, the root's way: an absolute
 * target is under the root too. Returns a new absolute path. */
static int resolve(int rootfd, const char *abs, char **out)
{
	_cleanup_free_ char *cur = strdup(abs);

	if (!cur)
		return -ENOMEM;
	for (int hops = 0;; hops++) {
		char link[4096], *next;
		ssize_t n;

		if (hops > MAX_LINKS)
			return -ELOOP;
		n = readlinkat(rootfd, vk_rel(cur), link, sizeof(link) - 1);
		if (n < 0) {
			if (errno == EINVAL || errno == ENOENT) {
				*out = TAKE_PTR(cur);
				return 0;
			}
			return -errno;
		}
		link[n] = '\0';
		if (link[0] == '/') {
			next = strdup(link);
		} else {
			char *slash = strrchr(cur, '/');
			int len = slash ? (int)(slash - cur) : 0;

			if (asprintf(&next, "%.*s/%s", len, cur, link) < 0)
				next = NULL;
		}
		if (!next)
			return -ENOMEM;
		free(cur);
		cur = next;
	}
}

static int read_fd(int fd, size_t max, char **data, size_t *len)
{
	size_t alloc = 4096, n = 0;
	char *buf = malloc(alloc + 1);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (n == alloc) {
			char *p;

			if (alloc > max) {
				free(buf);
				return -EFBIG;
			}
			alloc *= 2;
			p = realloc(buf, alloc + 1);
			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
		}
		r = read(fd, buf + n, alloc - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

int vk_file_load(int rootfd, const char *abs, size_t max, struct vk_file *f)
{
	_cleanup_close_ int fd = -1;
	int r;

	memset(f, 0, sizeof(*f));
	f->path = strdup(abs);
	if (!f->path)
		return -ENOMEM;
	r = resolve(rootfd, abs, &f->target);
	if (r < 0)
		goto fail;
	fd = openat(rootfd, vk_rel(f->target), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		f->data = strdup("");
		if (!f->data) {
			r = -ENOMEM;
			goto fail;
		}
		return 0;
	}
	if (fd < 0 || fstat(fd, &f->st) < 0) {
		r = -errno;
		goto fail;
	}
	if (S_ISDIR(f->st.st_mode)) {
		r = -EISDIR;
		goto fail;
	}
	if (!S_ISREG(f->st.st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	r = read_fd(fd, max, &f->data, &f->len);
	if (r < 0)
		goto fail;
	f->exists = true;
	return 0;
fail:
	vk_file_clear(f);
	return r;
}

/* Is the file at rel still what f says was read? */
static int unchanged(int rootfd, const struct vk_file *f)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	struct stat st;
	size_t len;
	int r;

	fd = openat(rootfd, vk_rel(f->target), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT && !f->exists ? 0 : errno == ENOENT ? -ESTALE : -errno;
	if (!f->exists)
		return -ESTALE;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_dev != f->st.st_dev || st.st_ino != f->st.st_ino || st.st_size != f->st.st_size ||
	    st.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec)
		return -ESTALE;
	r = read_fd(fd, f->len + 1, &data, &len);
	if (r < 0)
		return r == -EFBIG ? -ESTALE : r;
	if (len != f->len || memcmp(data, f->data, len) != 0)
		return -ESTALE;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write data to a new temporary file in dir (rel to rootfd) with the mode
 * and owner of like (or 0644 root-owned defaults when like is NULL), flush
 * it, and return its name.
 */
static int write_temp(int dirfd, const char *base, const struct stat *like, const char *data,
		      size_t len, char **name)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *tmp = NULL;
	int r;

	for (int tries = 0; fd < 0; tries++) {
		unsigned int rnd = 0;

		if (tries == 100)
			return -EEXIST;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) < 0)
			rnd = (unsigned int)getpid() * 2654435761u + (unsigned int)tries;
		free(tmp);
		if (asprintf(&tmp, ".%s.vfiokit-%08x", base, rnd) < 0) {
			tmp = NULL;
			return -ENOMEM;
		}
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (like && fchown(fd, like->st_uid, like->st_gid) < 0 &&
	    !(errno == EPERM && like->st_uid == geteuid())) {
		r = -errno;
		goto fail;
	}
	if (fchmod(fd, like ? like->st_mode & 07777 : 0644) < 0) {
		r = -errno;
		goto fail;
	}
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0)
		goto fail;
	*name = TAKE_PTR(tmp);
	return 0;
fail:
	unlinkat(dirfd, tmp, 0);
	return r;
}

static int replace(int rootfd, const struct vk_file *f, const char *data, size_t len,
		   bool keep_backup)
{
	_cleanup_free_ char *dir = NULL, *tmp = NULL, *btmp = NULL, *backup = NULL;
	_cleanup_close_ int dirfd = -1;
	const char *rel, *base, *slash;
	int r;

	rel = vk_rel(f->target);
	slash = strrchr(rel, '/');
	dir = slash ? strndup(rel, (size_t)(slash - rel)) : strdup(".");
	if (!dir)
		return -ENOMEM;
	base = slash ? slash + 1 : rel;
	dirfd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;

	r = unchanged(rootfd, f);
	if (r < 0)
		return r;
	if (f->exists && keep_backup) {
		if (asprintf(&backup, "%s%s", base, VK_BACKUP_SUFFIX) < 0) {
			backup = NULL;
			return -ENOMEM;
		}
		r = write_temp(dirfd, base, &f->st, f->data, f->len, &btmp);
		if (r < 0)
			return r;
	}
	r = write_temp(dirfd, base, f->exists ? &f->st : NULL, data, len, &tmp);
	if (r < 0)
		goto fail;
	/* Last look before the switch: someone may have written meanwhile. */
	r = unchanged(rootfd, f);
	if (r < 0)
		goto fail;
	if (btmp) {
		if (renameat(dirfd, btmp, dirfd, backup) < 0) {
			r = -errno;
			goto fail;
		}
		free(TAKE_PTR(btmp));
	}
	if (f->exists) {
		r = renameat(dirfd, tmp, dirfd, base) < 0 ? -errno : 0;
	} else {
		/* A new file must not replace one that appeared meanwhile. */
		r = linkat(dirfd, tmp, dirfd, base, 0) < 0 ? -errno : 0;
		if (r == -EEXIST)
			r = -ESTALE;
		if (r == 0)
			unlinkat(dirfd, tmp, 0);
	}
	if (r < 0)
		goto fail;
	if (fsync(dirfd) < 0)
		return -errno;
	return 0;
fail:
	if (tmp)
		unlinkat(dirfd, tmp, 0);
	if (btmp)
		unlinkat(dirfd, btmp, 0);
	return r;
}

int vk_file_replace(int rootfd, const struct vk_file *f, const char *data, size_t len)
{
	return replace(rootfd, f, data, len, true);
}

int vk_file_put_back(int rootfd, const struct vk_file *f, const char *data, size_t len)
{
	return replace(rootfd, f, data, len, false);
}
