// SPDX-License-Identifier: GPL-2.0-or-later
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

int vk_kver_cmp(const char *a, const char *b)
{
	unsigned int amaj = 0, amin = 0, bmaj = 0, bmin = 0;

	sscanf(a, "%u.%u", &amaj, &amin);
	sscanf(b, "%u.%u", &bmaj, &bmin);
	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	return amin < bmin ? -1 : amin > bmin;
}
