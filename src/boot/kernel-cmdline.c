// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "detect.h"
#include "kernel-cmdline.h"

int vk_kernel_cmdline_default(const struct vk_ctx *ctx, char **text, const char **from)
{
	static const struct vk_cmdline_op drop[] = {
		{ VK_CMDLINE_REMOVE, (char *)"BOOT_IMAGE", NULL },
		{ VK_CMDLINE_REMOVE, (char *)"initrd", NULL },
	};
	struct vk_cmdline *cl = NULL;
	struct vk_file f;
	int r;

	r = vk_file_load(ctx->rootfd, VK_PATH_KERNEL_CMDLINE_USR, 1 << 20, &f);
	if (r == 0 && f.exists) {
		*from = VK_PATH_KERNEL_CMDLINE_USR;
		r = memchr(f.data, '\0', f.len) ? -EILSEQ : 0;
		*text = TAKE_PTR(f.data);
		vk_file_clear(&f);
		return r;
	}
	if (r == 0)
		vk_file_clear(&f);
	r = vk_file_load(ctx->rootfd, VK_PATH_PROC_CMDLINE, 1 << 20, &f);
	if (r == 0 && !f.exists) {
		vk_file_clear(&f);
		r = -ENOENT;
	}
	if (r < 0)
		return r;
	*from = VK_PATH_PROC_CMDLINE;
	if (memchr(f.data, '\0', f.len)) {
		*text = TAKE_PTR(f.data);
		vk_file_clear(&f);
		return -EILSEQ;
	}
	r = vk_cmdline_parse(f.data, f.len, &cl);
	vk_file_clear(&f);
	if (r == 0)
		r = vk_cmdline_apply(cl, drop, ARRAY_SIZE(drop));
	if (r >= 0) {
		*text = vk_cmdline_to_string(cl);
		r = *text ? 0 : -ENOMEM;
	}
	vk_cmdline_free(cl);
	return r == -EINVAL ? -ENOENT : r;
}

int vk_kernel_cmdline_edit(const char *text, size_t len, const struct vk_cmdline_op *ops,
			   size_t n_ops, char **out, size_t *out_len, char *err, size_t err_size)
{
	struct vk_cmdline *cl = NULL;
	int r;

	*out = NULL;
	*out_len = 0;
	for (size_t i = 0; i < n_ops; i++) {
		_cleanup_free_ char *tok = NULL;
		char bad = 0;

		if (asprintf(&tok, "%s%s%s", ops[i].key, ops[i].value ? "=" : "",
			     ops[i].value ? ops[i].value : "") < 0)
			return -ENOMEM;
		if (!vk_cmdline_token_safe(tok, &bad)) {
			snprintf(err, err_size,
				 "'%s' holds '%c', which kernel-install's word splitting or a boot "
				 "loader would interpret",
				 tok, bad);
			return -EINVAL;
		}
	}
	r = vk_cmdline_parse(text, len, &cl);
	if (r == -EINVAL) {
		snprintf(err, err_size, "holds a NUL byte: not a kernel command line");
		return r;
	}
	if (r < 0)
		return r;
	r = vk_cmdline_apply(cl, ops, n_ops);
	if (r == -EINVAL)
		snprintf(err, err_size,
			 "holds double quotes vfiokit cannot edit around (a quote never closed, "
			 "which would swallow new arguments, or quotes inside a value to change); "
			 "fix the quotes by hand first");
	for (size_t k = 0; r > 0 && k < cl->n_args; k++) {
		char bad = 0;

		if ((cl->args[k].added || cl->args[k].edited) &&
		    !vk_cmdline_token_safe(cl->args[k].raw, &bad)) {
			snprintf(
				err, err_size,
				"would get '%s', which holds '%c': kernel-install's word splitting "
				"or a boot loader would interpret it; fix the token by hand",
				cl->args[k].raw, bad);
			r = -EINVAL;
		}
	}
	if (r > 0) {
		char *s = vk_cmdline_to_string(cl);
		size_t l = s ? strlen(s) : 0;

		/* A file ends with a newline. */
		if (s && (l == 0 || s[l - 1] != '\n')) {
			char *t = realloc(s, l + 2);

			if (t) {
				t[l++] = '\n';
				t[l] = '\0';
			} else {
				free(s);
			}
			s = t;
		}
		if (!s)
			r = -ENOMEM;
		*out = s;
		*out_len = l;
	}
	vk_cmdline_free(cl);
	return r;
}

static bool present(const struct vk_ctx *ctx, const char *abs)
{
	struct stat st;

	return fstatat(ctx->rootfd, vk_rel(abs), &st, 0) == 0;
}

void vk_kernel_cmdline_regenerate(const struct vk_ctx *ctx, char *buf, size_t size)
{
	bool entries = present(ctx, VK_PATH_LOADER_ENTRIES_BOOT) ||
		       present(ctx, VK_PATH_LOADER_ENTRIES_EFI) ||
		       present(ctx, VK_PATH_LOADER_ENTRIES_BOOT_EFI);
	bool uki = present(ctx, VK_PATH_UKI_BOOT) || present(ctx, VK_PATH_UKI_EFI) ||
		   present(ctx, VK_PATH_UKI_BOOT_EFI);
	char layout[32];
	const char *image = "/boot/vmlinuz-<version>";

	/* bls and uki keep no /boot/vmlinuz-*: the image kernel-install takes
	 * is the one under the module directory. */
	if (vk_boot_layout(ctx, layout, sizeof(layout)) == 0 &&
	    (streq(layout, "bls") || streq(layout, "uki")))
		image = "/usr/lib/modules/<version>/vmlinuz";
	uki |= streq(layout, "uki");
	snprintf(buf, size,
		 "the boot entries are written when a kernel is installed: run "
		 "'kernel-install add <version> %s' (or reinstall the kernel, "
		 "which runs installkernel: 'emerge --config <its package>' for a "
		 "distribution kernel) for each kernel%s%s%s",
		 image,
		 entries ? "; existing entries in loader/entries/*.conf keep their old 'options' "
			   "line until then"
			 : "",
		 uki ? "; a unified kernel image carries the command line inside: it must be "
		       "rebuilt (ukify, through kernel-install)"
		     : "",
		 streq(layout, "efistub") ? "; installkernel's efistub layout writes the UEFI "
					    "boot entry with this command line then"
					  : "");
}
