// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log for verify: the live kernel's /dev/kmsg records
 * ("prio,seq,usec,flags;message"), or a copy of dmesg's output saved in a
 * captured tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "verify.h"

#define KLOG_MAX (8u << 20)

static int read_kmsg(int fd, char **text)
{
	size_t cap = 0;
	FILE *m = open_memstream(text, &cap);
	char rec[8192];
	int r = 0;

	if (!m)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (n < 0 && errno == EPIPE) /* overwritten while reading: go on */
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno == EAGAIN ? 0 : -errno;
			break;
		}
		if (n == 0 || cap > KLOG_MAX)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n'); /* continuation lines follow: not wanted */
		if (end)
			*end = '\0';
		fprintf(m, "%s\n", msg);
	}
	if (fclose(m) != 0)
		return -ENOMEM;
	return r;
}

int vk_klog_read(const struct vk_ctx *ctx, char **text, char **source)
{
	struct stat st;
	int r;

	*text = NULL;
	if (fstatat(ctx->rootfd, vk_rel(VK_PATH_DEV_KMSG), &st, 0) == 0 && S_ISCHR(st.st_mode)) {
		_cleanup_close_ int fd = -1;

		*source = vk_ctx_path(ctx, VK_PATH_DEV_KMSG);
		if (!*source)
			return -ENOMEM;
		fd = openat(ctx->rootfd, vk_rel(VK_PATH_DEV_KMSG),
			    O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		/* A reader starts at the oldest record the buffer still holds. */
		r = read_kmsg(fd, text);
		if (r < 0) {
			free(*text);
			*text = NULL;
		}
		return r;
	}
	*source = vk_ctx_path(ctx, VK_PATH_DMESG_CAPTURE);
	if (!*source)
		return -ENOMEM;
	return vk_file_read_all(ctx->rootfd, VK_PATH_DMESG_CAPTURE, KLOG_MAX, text, NULL);
}
