// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "macro.h"

int vk_ctx_open(struct vk_ctx *ctx, const char *root)
{
	struct stat st;
	size_t len;
	int fd;

	ctx->root = root ? root : "/";
	fd = open(ctx->root, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return -ENOTDIR;
	}
	errno = 0;
	if (ctx->root[0] == '/') {
		len = strlen(ctx->root);
		while (len > 0 && ctx->root[len - 1] == '/')
			len--;
		ctx->prefix = strndup(ctx->root, len);
	} else {
		/* Made absolute once: paths under the root are handed to
		 * programs run elsewhere (make -C) and compared with the
		 * absolute paths of this process. */
		ctx->prefix = realpath(ctx->root, NULL);
		if (ctx->prefix && streq(ctx->prefix, "/"))
			ctx->prefix[0] = '\0';
	}
	if (!ctx->prefix) {
		int r = errno ? -errno : -ENOMEM;

		close(fd);
		return r;
	}
	ctx->rootfd = fd;
	return 0;
}

void vk_ctx_close(struct vk_ctx *ctx)
{
	if (ctx->rootfd >= 0)
		close(ctx->rootfd);
	ctx->rootfd = -1;
	free(ctx->prefix);
	ctx->prefix = NULL;
}

const char *vk_rel(const char *abs)
{
	while (*abs == '/')
		abs++;
	return *abs ? abs : ".";
}

char *vk_ctx_path(const struct vk_ctx *ctx, const char *abs)
{
	char *p;

	if (asprintf(&p, "%s/%s", ctx->prefix, vk_rel(abs)) < 0)
		return NULL;
	return p;
}

const char *vk_ctx_hint(const struct vk_ctx *ctx, const char *rest, char *buf, size_t size)
{
	if (ctx->prefix && *ctx->prefix)
		snprintf(buf, size, "vfiokit --root %s %s", ctx->prefix, rest);
	else
		snprintf(buf, size, "vfiokit %s", rest);
	return buf;
}
