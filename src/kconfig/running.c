// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The running kernel's configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC),
 * else the distribution's copy /boot/config-RELEASE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../shared/fileio.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "running.h"

/* Inflated into a buffer that grows to VK_RUNNING_CONFIG_MAX at the
 * most: a small file that would inflate to more is refused, -EFBIG. */
static int read_gz(const char *path, char **text, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t n = 0, cap = 0;
	char *buf = NULL;
	int k, r = 0;

	*text = NULL;
	if (!gz)
		return errno ? -errno : -ENOMEM;
	for (;;) {
		if (n == cap) {
			char *b;

			if (cap > VK_RUNNING_CONFIG_MAX) {
				r = -EFBIG;
				break;
			}
			cap = cap ? 2 * cap : 256 << 10;
			if (cap > VK_RUNNING_CONFIG_MAX)
				cap = VK_RUNNING_CONFIG_MAX + 1; /* one more says too large */
			b = realloc(buf, cap + 1);
			if (!b) {
				r = -ENOMEM;
				break;
			}
			buf = b;
		}
		k = gzread(gz, buf + n, (unsigned int)(cap - n));
		if (k < 0)
			r = -EIO;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	gzclose(gz);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

int vk_kconfig_read_running(const struct vk_ctx *ctx, char **text, size_t *len, char **name)
{
	char release[256], path[512];
	int r;

	*text = NULL;
	*len = 0;
	*name = vk_ctx_path(ctx, VK_PATH_PROC_CONFIG_GZ);
	if (!*name)
		return -ENOMEM;
	r = read_gz(*name, text, len);
	if (r == 0 || r == -ENOMEM || r == -EFBIG)
		return r;
	r = (int)vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_OSRELEASE), release,
			      sizeof(release));
	if (r < 0)
		return r;
	free(*name);
	snprintf(path, sizeof(path), "%s-%s", VK_PATH_BOOT_CONFIG, release);
	*name = vk_ctx_path(ctx, path);
	if (!*name)
		return -ENOMEM;
	return vk_file_read_all(ctx->rootfd, path, VK_RUNNING_CONFIG_MAX, text, len);
}
