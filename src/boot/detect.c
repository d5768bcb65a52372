// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <blkid.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "detect.h"

static const char *const method_names[] = {
	[VK_BOOT_AUTO] = "auto",
	[VK_BOOT_GRUB] = "grub",
	[VK_BOOT_KERNEL_CMDLINE] = "kernel-cmdline",
	[VK_BOOT_BUILTIN] = "builtin",
};

const char *vk_boot_method_name(enum vk_boot_method m)
{
	return method_names[m];
}

int vk_boot_method_parse(const char *s, enum vk_boot_method *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(method_names); i++)
		if (streq(s, method_names[i])) {
			*m = (enum vk_boot_method)i;
			return 0;
		}
	return -EINVAL;
}

static bool exists(const struct vk_ctx *ctx, const char *abs)
{
	struct stat st;

	return fstatat(ctx->rootfd, vk_rel(abs), &st, 0) == 0;
}

/* A directory with at least one entry. */
static bool non_empty_dir(const struct vk_ctx *ctx, const char *abs)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0;

	return vk_list_dir(ctx->rootfd, vk_rel(abs), &names, &n) == 0 && n > 0;
}

const char *vk_grub_cfg_path(const struct vk_ctx *ctx)
{
	if (!exists(ctx, VK_PATH_GRUB_CFG) && exists(ctx, VK_PATH_GRUB2_CFG))
		return VK_PATH_GRUB2_CFG;
	return VK_PATH_GRUB_CFG;
}

/* installkernel's setting key= (layout=, initrd_generator=) into buf, and
 * the file that said it into *from: /etc/kernel/install.conf when it is
 * there, else /usr/lib/kernel/install.conf (Gentoo's installkernel writes
 * that one); "" when neither says. */
static void install_conf(const struct vk_ctx *ctx, const char *key, char *buf, size_t size,
			 const char **from)
{
	static const char *const files[] = { VK_PATH_KERNEL_INSTALL_CONF,
					     VK_PATH_KERNEL_INSTALL_CONF_USR };
	size_t klen = strlen(key);
	struct vk_file f;
	const char *p;

	buf[0] = '\0';
	*from = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(files) && !*from; i++) {
		if (vk_file_load(ctx->rootfd, files[i], 1 << 20, &f) < 0)
			continue;
		if (f.exists)
			*from = files[i];
		for (p = f.data; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
			if (!strncmp(p, key, klen) && p[klen] == '=') {
				size_t l = strcspn(p + klen + 1, "\n \t#");

				snprintf(buf, size, "%.*s", (int)l, p + klen + 1);
			}
		}
		vk_file_clear(&f);
	}
}

static void install_layout(const struct vk_ctx *ctx, char *buf, size_t size, const char **from)
{
	install_conf(ctx, "layout", buf, size, from);
}

int vk_boot_layout(const struct vk_ctx *ctx, char *buf, size_t size)
{
	const char *from;

	install_layout(ctx, buf, size, &from);
	return *buf ? 0 : -ENOENT;
}

int vk_boot_initrd_generator(const struct vk_ctx *ctx, char *buf, size_t size)
{
	const char *from;

	install_conf(ctx, "initrd_generator", buf, size, &from);
	return *buf ? 0 : -ENOENT;
}

int vk_boot_detect(const struct vk_ctx *ctx, enum vk_boot_method *m, char *why, size_t size)
{
	static const char *const entries[] = { VK_PATH_LOADER_ENTRIES_BOOT,
					       VK_PATH_LOADER_ENTRIES_EFI,
					       VK_PATH_LOADER_ENTRIES_BOOT_EFI };
	static const char *const ukis[] = { VK_PATH_UKI_BOOT, VK_PATH_UKI_EFI,
					    VK_PATH_UKI_BOOT_EFI };
	char grub[256] = "", kc[256] = "", layout[32];
	const char *layout_from;

	if (exists(ctx, VK_PATH_GRUB_CFG))
		snprintf(grub, sizeof(grub), "%s", VK_PATH_GRUB_CFG);
	else if (exists(ctx, VK_PATH_GRUB2_CFG))
		snprintf(grub, sizeof(grub), "%s", VK_PATH_GRUB2_CFG);

	install_layout(ctx, layout, sizeof(layout), &layout_from);
	/* bls, uki and efistub take the command line from /etc/kernel/cmdline. */
	if (exists(ctx, VK_PATH_KERNEL_CMDLINE))
		snprintf(kc, sizeof(kc), "%s", VK_PATH_KERNEL_CMDLINE);
	else if (streq(layout, "bls") || streq(layout, "uki") || streq(layout, "efistub"))
		snprintf(kc, sizeof(kc), "layout=%s in %s", layout, layout_from);
	for (size_t i = 0; i < ARRAY_SIZE(entries) && !*kc; i++)
		if (non_empty_dir(ctx, entries[i]))
			snprintf(kc, sizeof(kc), "boot loader entries in %s", entries[i]);
	for (size_t i = 0; i < ARRAY_SIZE(ukis) && !*kc; i++)
		if (non_empty_dir(ctx, ukis[i]))
			snprintf(kc, sizeof(kc), "unified kernel images in %s", ukis[i]);

	if (*grub && *kc) {
		snprintf(why, size, "both GRUB (%s) and systemd-boot or a UKI (%s) are there", grub,
			 kc);
		return -EEXIST;
	}
	if (*grub) {
		*m = VK_BOOT_GRUB;
		snprintf(why, size, "%s is there, and no loader entries, UKI or %s", grub,
			 VK_PATH_KERNEL_CMDLINE);
		return 0;
	}
	if (*kc) {
		*m = VK_BOOT_KERNEL_CMDLINE;
		snprintf(why, size, "%s, and no grub.cfg", kc);
		return 0;
	}
	if (exists(ctx, VK_PATH_DEFAULT_GRUB)) {
		*m = VK_BOOT_GRUB;
		snprintf(why, size, "%s is there (but no %s yet: is /boot mounted?)",
			 VK_PATH_DEFAULT_GRUB, VK_PATH_GRUB_CFG);
		return 0;
	}
	snprintf(why, size, "no %s, %s, %s, loader entries or UKI", VK_PATH_GRUB_CFG,
		 VK_PATH_DEFAULT_GRUB, VK_PATH_KERNEL_CMDLINE);
	return -ENOENT;
}

/* mountinfo and fstab escape blanks in paths as \040. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

int vk_boot_mount_check(const struct vk_ctx *ctx, struct vk_boot_mount *m)
{
	struct vk_file f;
	char *line, *save = NULL;
	int r;

	memset(m, 0, sizeof(*m));
	if (vk_file_load(ctx->rootfd, VK_PATH_ETC_FSTAB, 1 << 20, &f) == 0) {
		for (line = strtok_r(f.data, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char src[256], dir[256], type[64], opts[256] = "";

			if (sscanf(line, " %255s %255s %63s %255s", src, dir, type, opts) < 3 ||
			    src[0] == '#')
				continue;
			unescape(dir);
			if (!streq(dir, VK_PATH_BOOT) || strstr(opts, "noauto"))
				continue;
			m->in_fstab = true;
			snprintf(m->source, sizeof(m->source), "%s", src);
		}
		vk_file_clear(&f);
	}
	r = vk_file_load(ctx->rootfd, VK_PATH_PROC_MOUNTINFO, 16 << 20, &f);
	if (r < 0)
		return r;
	if (!f.exists) {
		vk_file_clear(&f);
		return -ENOENT;
	}
	for (line = strtok_r(f.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dir[4096];

		/* id parent major:minor root mount-point ... */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", dir) != 1)
			continue;
		unescape(dir);
		if (streq(dir, VK_PATH_BOOT))
			m->mounted = true;
	}
	vk_file_clear(&f);
	/* Name the device for the message; only the running system's devices
	 * can be looked up. */
	if (m->in_fstab && !m->mounted && *m->source && !*ctx->prefix) {
		char *dev = blkid_evaluate_spec(m->source, NULL);

		if (dev) {
			snprintf(m->device, sizeof(m->device), "%s", dev);
			free(dev);
		}
	}
	return 0;
}
