// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit verify's checks of libvirt's host hygiene, where libvirt is
 * installed: guests not suspended at host shutdown (a VFIO device cannot
 * be saved), UEFI firmware for the guests, and the huge pages asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "verify.h"

/* The value of VAR= in a shell-style file, unquoted, or "" when unset;
 * NULL when the file is absent. */
static char *shell_var(const struct vk_ctx *ctx, const char *abs, const char *var, bool *found)
{
	struct vk_file f;
	char *val = NULL;
	size_t n = strlen(var);

	*found = false;
	if (vk_file_load(ctx->rootfd, abs, 1 << 20, &f) < 0 || !f.exists) {
		vk_file_clear(&f);
		return NULL;
	}
	*found = true;
	for (char *save = NULL, *l = strtok_r(f.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " \t");
		if (strncmp(l, var, n) || l[n] != '=')
			continue;
		l += n + 1;
		l[strcspn(l, "#")] = '\0';
		l += strspn(l, "\"'");
		l[strcspn(l, "\"' \t")] = '\0';
		free(val);
		val = strdup(l);
	}
	vk_file_clear(&f);
	return val;
}

static void check_guests(const struct vk_ctx *ctx, struct vk_verify *v)
{
	const char *what = "libvirt-guests does not suspend guests at shutdown";
	_cleanup_free_ char *gentoo = NULL, *other = NULL;
	bool g_found, o_found;

	gentoo = shell_var(ctx, VK_PATH_LIBVIRT_GUESTS_CONFD, "LIBVIRT_SHUTDOWN", &g_found);
	if (g_found) {
		/* Gentoo's init script: managedsave unless told otherwise. */
		if (!gentoo || !*gentoo || streq(gentoo, "managedsave"))
			vk_verify_addf(
				v, "libvirt", VK_RESULT_WARN, what,
				"%s%s: LIBVIRT_SHUTDOWN is managedsave: a guest with a "
				"VFIO device cannot be saved; set LIBVIRT_SHUTDOWN=\"shutdown\"",
				ctx->prefix, VK_PATH_LIBVIRT_GUESTS_CONFD);
		else
			vk_verify_addf(v, "libvirt", VK_RESULT_PASS, what, "LIBVIRT_SHUTDOWN=%s",
				       gentoo);
		return;
	}
	other = shell_var(ctx, VK_PATH_LIBVIRT_GUESTS_DEFAULT, "ON_SHUTDOWN", &o_found);
	if (!o_found) {
		free(other);
		other = shell_var(ctx, VK_PATH_LIBVIRT_GUESTS_SYSCONFIG, "ON_SHUTDOWN", &o_found);
	}
	if (!o_found)
		return; /* libvirt-guests is not configured here */
	if (!other || !*other || streq(other, "suspend"))
		vk_verify_add(v, "libvirt", VK_RESULT_WARN, what,
			      "ON_SHUTDOWN is suspend (the default): a guest with a VFIO device "
			      "cannot be saved; set ON_SHUTDOWN=shutdown");
	else
		vk_verify_addf(v, "libvirt", VK_RESULT_PASS, what, "ON_SHUTDOWN=%s", other);
}

static void check_ovmf(const struct vk_ctx *ctx, struct vk_verify *v)
{
	static const char *const paths[] = {
		VK_PATH_OVMF_GENTOO,	VK_PATH_OVMF_GENTOO_NEW, VK_PATH_OVMF_DEBIAN,
		VK_PATH_OVMF_DEBIAN_4M, VK_PATH_OVMF_FEDORA,	 VK_PATH_OVMF_QEMU,
	};
	const char *what = "OVMF (UEFI firmware for guests) installed";

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (fstatat(ctx->rootfd, vk_rel(paths[i]), &(struct stat){}, 0) == 0) {
			vk_verify_add(v, "libvirt", VK_RESULT_PASS, what, paths[i]);
			return;
		}
	vk_verify_add(v, "libvirt", VK_RESULT_WARN, what,
		      "no OVMF_CODE.fd found: a GPU guest needs UEFI (emerge sys-firmware/edk2, "
		      "or the distribution's ovmf package)");
}

static void check_hugepages(const struct vk_ctx *ctx, struct vk_verify *v)
{
	const char *what = "huge pages asked for are reserved";
	struct vk_file cmd, mem;
	unsigned long want = 0, have = 0;
	const char *p;

	if (vk_file_load(ctx->rootfd, VK_PATH_PROC_CMDLINE, 1 << 16, &cmd) == 0 && cmd.exists)
		for (p = strstr(cmd.data, "hugepages="); p; p = strstr(p + 1, "hugepages="))
			if (p == cmd.data || p[-1] == ' ')
				want = strtoul(p + strlen("hugepages="), NULL, 10);
	vk_file_clear(&cmd);
	if (!want)
		return; /* none configured */
	if (vk_file_load(ctx->rootfd, VK_PATH_PROC_MEMINFO, 1 << 20, &mem) < 0 || !mem.exists) {
		vk_verify_addf(v, "libvirt", VK_RESULT_UNKNOWN, what, "%s%s cannot be read",
			       ctx->prefix, VK_PATH_PROC_MEMINFO);
		vk_file_clear(&mem);
		return;
	}
	p = strstr(mem.data, "HugePages_Total:");
	if (p)
		have = strtoul(p + strlen("HugePages_Total:"), NULL, 10);
	vk_file_clear(&mem);
	if (have >= want)
		vk_verify_addf(v, "libvirt", VK_RESULT_PASS, what, "%lu", have);
	else
		vk_verify_addf(v, "libvirt", VK_RESULT_FAIL, what,
			       "hugepages=%lu asked, %lu reserved: not enough free memory at boot",
			       want, have);
}

void vk_verify_libvirt(const struct vk_ctx *ctx, struct vk_verify *v)
{
	struct stat st;

	if (fstatat(ctx->rootfd, vk_rel(VK_PATH_ETC_LIBVIRT), &st, 0) < 0)
		return; /* no libvirt: nothing to check */
	check_guests(ctx, v);
	check_ovmf(ctx, v);
	check_hugepages(ctx, v);
}
