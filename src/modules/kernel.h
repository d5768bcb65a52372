/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which kernel "the kernel about to boot" is: the /lib/modules entry of
 * /usr/src/linux's release (what make modules_install or genkernel just
 * installed), else the running kernel's, else the only or newest entry.
 */
#pragma once

#include <stddef.h>

#include "../shared/ctx.h"

#define VK_KVER_MAX 256

/*
 * Choose the kernel: want (--kver) when given, else as above. kver gets
 * the release, why says how it was chosen (one sentence, no full stop).
 * -ENOENT: want has no module directory, or /lib/modules is empty or
 * missing (why says which).
 */
int vk_kver_choose(const struct vk_ctx *ctx, const char *want, char *kver, size_t size, char *why,
		   size_t why_size);

/* The version number of a release: "6.1.0-56-amd64" gives 6, 1. 0 or
 * -EINVAL. */
int vk_kver_parse(const char *kver, unsigned int *major, unsigned int *minor);
/* Is kver at least major.minor? An unreadable release counts as new. */
int vk_kver_at_least(const char *kver, unsigned int major, unsigned int minor);
