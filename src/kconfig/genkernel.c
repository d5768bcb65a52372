// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "genkernel.h"
#include "plan.h"

#define MAX_FILE (16 << 20)

/* "VERSION = 6" in the Makefile: its value, spaces and $(...) removed, as
 * genkernel's sed does; "" when the line is not there. */
static void make_var(const char *text, const char *name, char *buf, size_t size)
{
	size_t n = strlen(name), w = 0;

	buf[0] = '\0';
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *v;

		if (strncmp(p, name, n) || strncmp(p + n, " =", 2))
			continue;
		for (v = p + n + 2; *v && *v != '\n' && w + 1 < size; v++) {
			if (*v == ' ' || *v == '\t')
				continue;
			if (v[0] == '$' && v[1] == '(' && strchr(v, ')')) {
				v = strchr(v, ')');
				continue;
			}
			buf[w++] = *v;
		}
		buf[w] = '\0';
		return;
	}
}

int vk_genkernel_kconfig(const struct vk_ctx *ctx, const char *kdir, char **path)
{
	char ver[16], pat[16], sub[16], exv[64], base[128], kv[192];
	char cand[3][320];
	_cleanup_free_ char *mk = NULL, *rel = NULL, *text = NULL;
	struct vk_file f;
	size_t len;
	int r;

	*path = NULL;
	if (asprintf(&mk, "%s/Makefile", kdir) < 0 ||
	    asprintf(&rel, "%s/include/config/kernel.release", kdir) < 0)
		return -ENOMEM;
	r = vk_kconfig_read(mk, &text, &len);
	if (r < 0)
		return r;
	make_var(text, "VERSION", ver, sizeof(ver));
	make_var(text, "PATCHLEVEL", pat, sizeof(pat));
	make_var(text, "SUBLEVEL", sub, sizeof(sub));
	make_var(text, "EXTRAVERSION", exv, sizeof(exv));
	free(text);
	text = NULL;
	snprintf(base, sizeof(base), "%s.%s.%s%s", ver, pat, sub, exv);
	snprintf(kv, sizeof(kv), "%s", base);
	if (vk_kconfig_read(rel, &text, &len) == 0)
		snprintf(kv, sizeof(kv), "%.*s", (int)strcspn(text, "\n"), text);
	snprintf(cand[0], sizeof(cand[0]), "%s/kernel-config-%s", VK_PATH_GENKERNEL_KERNELS, kv);
	snprintf(cand[1], sizeof(cand[1]), "%s/kernel-config-%s-x86_64", VK_PATH_GENKERNEL_KERNELS,
		 base);
	snprintf(cand[2], sizeof(cand[2]), "%s/kernel-config-x86_64-%s", VK_PATH_GENKERNEL_KERNELS,
		 kv);
	for (size_t i = 0; i < ARRAY_SIZE(cand); i++) {
		struct stat st;

		if (fstatat(ctx->rootfd, vk_rel(cand[i]), &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		r = vk_file_load(ctx->rootfd, cand[i], MAX_FILE, &f);
		if (r < 0)
			return r;
		r = f.data && strstr(f.data, "THIS_CONFIG_IS_BROKEN");
		vk_file_clear(&f);
		if (r)
			continue;
		*path = strdup(cand[i]);
		return *path ? 1 : -ENOMEM;
	}
	return 0;
}
