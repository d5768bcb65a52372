/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel source tree on disk: its version, and the kernel's own
 * resolution of a configuration in it ("make olddefconfig").
 */
#pragma once

#include <stddef.h>

/* "6.1.192" from kdir/Makefile's VERSION, PATCHLEVEL and SUBLEVEL, or
 * -ENOENT / -EINVAL. */
int vk_tree_version(const char *kdir, char *buf, size_t size);

/*
 * Let the tree's kconfig resolve text: write it to a temporary file, run
 * "make -s -C kdir [O=outdir] KCONFIG_CONFIG=file olddefconfig" and read
 * the result into *result. The user's files are not touched. Returns 0;
 * -ECHILD when make failed (its output is in *log); -errno otherwise.
 */
int vk_tree_olddefconfig(const char *kdir, const char *outdir, const char *text, size_t len,
			 char **result, size_t *rlen, char **log);

/*
 * Gentoo's dist-kernel marks the tree it installs with a file "dist-kernel"
 * holding "CATEGORY/PF:SLOT" (kernel-build.eclass). The package without
 * its version ("sys-kernel/gentoo-kernel-bin") into pkg: 1; 0 for a tree
 * without the marker; -errno when it cannot be read or says nothing.
 */
int vk_tree_dist_kernel(const char *kdir, char *pkg, size_t size);

/* What the dist-kernel package does with /etc/kernel/config.d: NULL when
 * it merges it, else one sentence (gentoo-kernel-bin is built already). */
const char *vk_dist_kernel_ignores_config_d(const char *pkg);
