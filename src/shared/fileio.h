/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the small files and links of sysfs and procfs relative to a
 * directory descriptor. Every function returns 0 (or a length) on success
 * and a negative errno on failure; none prints.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Read at most size-1 bytes of path, NUL-terminate, drop one trailing
 * newline. Returns the length, or -errno. */
ssize_t vk_read_file(int dirfd, const char *path, char *buf, size_t size);

/* The last component of the target of the symbolic link path. */
int vk_read_link_name(int dirfd, const char *path, char *buf, size_t size);

/* The names in directory path except "." and "..", in strcmp() order.
 * *names is one allocation the caller frees. */
int vk_list_dir(int dirfd, const char *path, char ***names, size_t *n);

/* Parse a whole string as an unsigned number in base (0: C rules).
 * Returns 0, or -EINVAL for anything else (empty, trailing junk). */
int vk_parse_ulong(const char *s, int base, unsigned long *out);

/* abs with every symbolic link in it resolved the root's way (an
 * absolute target is under dirfd too), "." and ".." folded; the part
 * that does not exist is kept as written. 0 with a new string in *out,
 * -ELOOP or -ENOMEM. */
int vk_canonical_path(int dirfd, const char *abs, char **out);

/* Create the directories leading to path (not path itself) below dirfd,
 * as mkdir -p does, with mode 0755. 0 or -errno. */
int vk_mkdir_parents(int dirfd, const char *path);
