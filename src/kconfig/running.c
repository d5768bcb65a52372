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

#define CONFIG_MAX (16u << 20)

static int read_gz(const char *path, char **text, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 0;
	FILE *m;
	char buf[65536];
	int n, r;

	if (!gz)
		return errno ? -errno : -ENOMEM;
	m = open_memstream(text, &cap);
	if (!m) {
		gzclose(gz);
		return -ENOMEM;
	}
	while ((n = gzread(gz, buf, sizeof(buf))) > 0 && cap < CONFIG_MAX)
		fwrite(buf, 1, (size_t)n, m);
	r = n < 0 ? -EIO : 0;
	gzclose(gz);
	if (fclose(m) != 0)
		return -ENOMEM;
	*len = cap;
	return r;
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
	if (r == 0)
		return 0;
	free(*text);
	*text = NULL;
	if (r == -ENOMEM)
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
	return vk_file_read_all(ctx->rootfd, path, CONFIG_MAX, text, len);
}
