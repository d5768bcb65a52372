/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which boot method a host uses, from what is on its disk, and whether
 * /boot is mounted before anything writes there. Paths are under the
 * context's root.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"

enum vk_boot_method {
	VK_BOOT_AUTO,
	VK_BOOT_GRUB,		/* /etc/default/grub, grub-mkconfig */
	VK_BOOT_KERNEL_CMDLINE, /* /etc/kernel/cmdline: systemd-boot, UKI, installkernel */
	VK_BOOT_BUILTIN,	/* CONFIG_CMDLINE in the kernel's .config */
};

const char *vk_boot_method_name(enum vk_boot_method m);
/* "grub", "kernel-cmdline", "builtin", "auto"; 0 or -EINVAL. */
int vk_boot_method_parse(const char *s, enum vk_boot_method *m);

/*
 * Decide between GRUB and /etc/kernel/cmdline from what is there: grub.cfg
 * and /etc/default/grub for the one, /etc/kernel/cmdline, loader entries,
 * unified kernel images and install.conf's layout for the other. why says
 * what was found. -ENOENT when there is no sign of either, -EEXIST when
 * there are signs of both (why names them); 0.
 */
int vk_boot_detect(const struct vk_ctx *ctx, enum vk_boot_method *m, char *why, size_t size);

/* installkernel's layout (grub, bls, uki, efistub, compat) from
 * /etc/kernel/install.conf, else /usr/lib/kernel/install.conf, into buf;
 * 0, or -ENOENT when neither names one. */
int vk_boot_layout(const struct vk_ctx *ctx, char *buf, size_t size);
/* installkernel's initrd_generator= (dracut, ugrd, none) from the same
 * files. 0, or -ENOENT when neither says. */
int vk_boot_initrd_generator(const struct vk_ctx *ctx, char *buf, size_t size);

/* The grub.cfg grub-mkconfig should write: /boot/grub/grub.cfg or, where
 * that is absent and it is there, /boot/grub2/grub.cfg (Fedora). */
const char *vk_grub_cfg_path(const struct vk_ctx *ctx);

struct vk_boot_mount {
	bool in_fstab;	  /* /etc/fstab has an entry for /boot */
	bool mounted;	  /* /proc/self/mountinfo has /boot */
	char source[256]; /* fstab's first field: UUID=..., /dev/sda1 */
	char device[256]; /* that, resolved by libblkid; "" when it cannot be */
};

/* 0 or -errno (mountinfo unreadable: -ENOENT). */
int vk_boot_mount_check(const struct vk_ctx *ctx, struct vk_boot_mount *m);
