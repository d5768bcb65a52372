/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel configuration "genkernel all" starts from. With its default
 * MRPROPER=yes genkernel runs make mrproper and copies that file to the
 * tree's .config, so a merge into .config alone is thrown away when
 * /etc/kernels holds a file for the kernel.
 */
#pragma once

#include "../shared/ctx.h"

/*
 * genkernel's own order (gen_configkernel.sh determine_kernel_config_file,
 * with no --kernel-config and genkernel.conf's defaults) for the tree kdir
 * (this process's path): /etc/kernels/kernel-config-<KV>, then
 * kernel-config-<VERSION.PATCHLEVEL.SUBLEVEL EXTRAVERSION>-x86_64, then
 * kernel-config-x86_64-<KV>, where KV is include/config/kernel.release or
 * else the Makefile's version; a file holding THIS_CONFIG_IS_BROKEN is
 * passed over, as genkernel does. Returns 1 with *path (new string, a path
 * on the system looked at), 0 when none is there (genkernel then takes
 * /lib/modules/<KV>/source/.config), -ENOMEM, or -errno of the Makefile.
 */
int vk_genkernel_kconfig(const struct vk_ctx *ctx, const char *kdir, char **path);
