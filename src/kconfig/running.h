/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The running kernel's configuration, as `kconfig check --running` and
 * `verify` read it. */
#pragma once

#include <stddef.h>

#include "../shared/ctx.h"

/* The largest configuration read: 16 MiB (a kernel's is under 300 KiB). */
#define VK_RUNNING_CONFIG_MAX (16u << 20)

/* <root>/proc/config.gz, else <root>/boot/config-RELEASE with RELEASE from
 * <root>/proc/sys/kernel/osrelease. *text (NUL-terminated) and *len: the
 * text; *name: the file read or last tried (the caller frees both, also on
 * failure). 0 or a negative errno of the last file tried; -EFBIG when
 * /proc/config.gz inflates to more than VK_RUNNING_CONFIG_MAX (the
 * copy in /boot is then not tried). */
int vk_kconfig_read_running(const struct vk_ctx *ctx, char **text, size_t *len, char **name);
