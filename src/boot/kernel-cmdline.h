/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /etc/kernel/cmdline: the command line kernel-install (systemd-boot's
 * loader entries, unified kernel images through ukify) and Gentoo's
 * installkernel put into the boot entries they write. The whole file is
 * one command line; edits go through the token model and keep every byte
 * they do not change.
 */
#pragma once

#include <stddef.h>

#include "../shared/ctx.h"
#include "cmdline.h"

/*
 * What kernel-install uses when /etc/kernel/cmdline does not exist:
 * /usr/lib/kernel/cmdline, else /proc/cmdline without BOOT_IMAGE= and
 * initrd=. *from names the file. 0, -ENOENT (none of them), -ENOMEM, or
 * -EILSEQ when *from holds a NUL byte (*text is then its content up to
 * the first NUL, for the line to name).
 */
int vk_kernel_cmdline_default(const struct vk_ctx *ctx, char **text, const char **from);

/*
 * Apply ops to the command line text[0..len). Returns the number of tokens
 * changed (0: nothing to do, *out NULL) with the new text in *out, -EINVAL
 * with err set (a token the shell or kernel-install would split or
 * interpret, a NUL byte), or -ENOMEM.
 */
int vk_kernel_cmdline_edit(const char *text, size_t len, const struct vk_cmdline_op *ops,
			   size_t n_ops, char **out, size_t *out_len, char *err, size_t err_size);

/* What makes the boot entries use the new file, for this host. */
void vk_kernel_cmdline_regenerate(const struct vk_ctx *ctx, char *buf, size_t size);
