/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a configuration file whole and replacing it safely, the way
 * libmount rewrites fstab: the new content goes to a temporary file in the
 * same directory with the same mode and owner, is flushed to disk, and is
 * renamed over the old one; the directory is flushed too. The previous
 * content is kept next to it as FILE.vfiokit-bak. A file that someone
 * else changed since it was read is left alone. A symbolic link is
 * followed and its target edited; the link stays.
 *
 * Paths are absolute paths of the system looked at and are resolved
 * against the context's root directory descriptor (symbolic links with
 * an absolute target included). Every function returns 0 or -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define VK_BACKUP_SUFFIX ".vfiokit-bak"

struct vk_file {
	char *path;   /* as asked for: "/etc/default/grub" */
	char *target; /* the file itself once links are followed, "/etc/..." */
	char *data;   /* the content, NUL-terminated (a NUL inside is kept) */
	size_t len;
	struct stat st; /* of target when read */
	bool exists;	/* false: not there, data is "" (a new file) */
};

/*
 * Read abs under rootfd. A missing file is not an error: f->exists is
 * false. -EFBIG when larger than max bytes, -EISDIR, -ELOOP (too many
 * links), or what open/read say.
 */
int vk_file_load(int rootfd, const char *abs, size_t max, struct vk_file *f);
void vk_file_clear(struct vk_file *f);

/* A path of this process ("x.conf", "/etc/x") as the functions here
 * take it: a descriptor of "/" in *fd and the absolute path in *abs, the
 * caller's to close and free. 0 or -errno. */
int vk_host_path(const char *path, int *fd, char **abs);

/* The whole content of abs under rootfd in a new NUL-terminated string:
 * vk_file_load() without the rest. A missing file is -ENOENT here. */
int vk_file_read_all(int rootfd, const char *abs, size_t max, char **text, size_t *len);

/*
 * Replace f's target with data[0..len), keeping the old content in
 * target + VK_BACKUP_SUFFIX (not when the file is new: it is created with
 * mode 0644). -ESTALE when the file changed (content, size, time or inode)
 * since vk_file_load(), or appeared when it was new; nothing is changed
 * then, nor on any other error (-EROFS, -EACCES, -ENOSPC, ...).
 */
int vk_file_replace(int rootfd, const struct vk_file *f, const char *data, size_t len);

/* vk_file_replace() without the FILE.vfiokit-bak: for putting back the
 * content a file had, when the copy is kept elsewhere. */
int vk_file_put_back(int rootfd, const struct vk_file *f, const char *data, size_t len);
