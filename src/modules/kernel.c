// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "kernel.h"

int vk_kver_parse(const char *kver, unsigned int *major, unsigned int *minor)
{
	int n = 0;

	if (sscanf(kver, "%u.%u%n", major, minor, &n) != 2 || n == 0)
		return -EINVAL;
	return 0;
}

int vk_kver_at_least(const char *kver, unsigned int major, unsigned int minor)
{
	unsigned int a, b;

	if (vk_kver_parse(kver, &a, &b) < 0)
		return 1;
	return a > major || (a == major && b >= minor);
}

static bool has_moddir(const struct vk_ctx *ctx, const char *kver)
{
	char path[512];
	struct stat st;

	if (!*kver || strchr(kver, '/') || streq(kver, ".") || streq(kver, ".."))
		return false;
	snprintf(path, sizeof(path), "%s/%s", VK_PATH_LIB_MODULES, kver);
	return fstatat(ctx->rootfd, vk_rel(path), &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int set(char *kver, size_t size, const char *value)
{
	if (strlen(value) >= size)
		return -ENAMETOOLONG;
	strcpy(kver, value);
	return 0;
}

/* The newest of /lib/modules by version order; how many there are. */
static size_t newest(const struct vk_ctx *ctx, char *kver, size_t size)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0, count = 0;
	const char *best = NULL;

	if (vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_LIB_MODULES), &names, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!has_moddir(ctx, names[i]))
			continue;
		count++;
		if (!best || strverscmp(names[i], best) > 0)
			best = names[i];
	}
	if (best && set(kver, size, best) < 0)
		return 0;
	return count;
}

int vk_kver_choose(const struct vk_ctx *ctx, const char *want, char *kver, size_t size, char *why,
		   size_t why_size)
{
	char src[VK_KVER_MAX] = "", run[VK_KVER_MAX] = "";
	size_t count;

	if (want) {
		if (!has_moddir(ctx, want)) {
			snprintf(why, why_size, "%s/%s does not exist", VK_PATH_LIB_MODULES, want);
			return -ENOENT;
		}
		snprintf(why, why_size, "given with --kver");
		return set(kver, size, want);
	}
	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_USR_SRC_LINUX_RELEASE), src, sizeof(src)) >
		    0 &&
	    has_moddir(ctx, src)) {
		snprintf(why, why_size, "the release of %s (%s), the kernel about to boot",
			 VK_PATH_USR_SRC_LINUX, VK_PATH_USR_SRC_LINUX_RELEASE);
		return set(kver, size, src);
	}
	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_OSRELEASE), run, sizeof(run)) > 0 &&
	    has_moddir(ctx, run)) {
		if (*src)
			snprintf(why, why_size,
				 "the running kernel (%s names %s, which has no %s entry)",
				 VK_PATH_USR_SRC_LINUX_RELEASE, src, VK_PATH_LIB_MODULES);
		else
			snprintf(why, why_size, "the running kernel (no %s)",
				 VK_PATH_USR_SRC_LINUX_RELEASE);
		return set(kver, size, run);
	}
	count = newest(ctx, kver, size);
	if (count == 0) {
		snprintf(why, why_size, "%s holds no kernel", VK_PATH_LIB_MODULES);
		return -ENOENT;
	}
	if (count == 1)
		snprintf(why, why_size, "the only kernel in %s", VK_PATH_LIB_MODULES);
	else
		snprintf(why, why_size,
			 "the newest of %zu kernels in %s (neither %s nor the running kernel "
			 "names one of them; use --kver to choose)",
			 count, VK_PATH_LIB_MODULES, VK_PATH_USR_SRC_LINUX_RELEASE);
	return 0;
}
