// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "paths.h"
#include "system.h"

const char *vk_cpu_vendor(const struct vk_ctx *ctx)
{
	char buf[8192];
	const char *p;

	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_CPUINFO), buf, sizeof(buf)) < 0)
		return NULL;
	p = strstr(buf, "vendor_id");
	if (!p)
		return NULL;
	p += strcspn(p, ":\n");
	if (*p != ':')
		return NULL;
	p += 1 + strspn(p + 1, " \t");
	if (!strncmp(p, "GenuineIntel", 12))
		return "intel";
	if (!strncmp(p, "AuthenticAMD", 12) || !strncmp(p, "HygonGenuine", 12))
		return "amd";
	return NULL;
}

/* The number after "key<blanks>:" on a line of its own in buf. */
static int cpuinfo_number(const char *buf, const char *key, unsigned int *out)
{
	size_t klen = strlen(key);

	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *v = p + klen;

		if (strncmp(p, key, klen) || (*v != ' ' && *v != '\t' && *v != ':'))
			continue;
		v += strspn(v, " \t");
		if (*v == ':' && sscanf(v + 1, "%u", out) == 1)
			return 0;
	}
	return -ENODATA;
}

int vk_cpu_family_model(const struct vk_ctx *ctx, unsigned int *family, unsigned int *model)
{
	char buf[8192];
	int r = vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_CPUINFO), buf, sizeof(buf));

	if (r < 0)
		return r;
	r = cpuinfo_number(buf, "cpu family", family);
	return r < 0 ? r : cpuinfo_number(buf, "model", model);
}

int vk_kver_cmp(const char *a, const char *b)
{
	unsigned int amaj = 0, amin = 0, bmaj = 0, bmin = 0;

	sscanf(a, "%u.%u", &amaj, &amin);
	sscanf(b, "%u.%u", &bmaj, &bmin);
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	return amin < bmin ? -1 : amin > bmin;
}
