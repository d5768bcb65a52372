/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading an initramfs the way the kernel unpacks it: newc cpio archives
 * one after the other, the first ones possibly uncompressed (the early
 * microcode part dracut and others put in front), the last one compressed
 * with gzip, xz, lzma, bzip2, zstd or lz4. The uncompressed parts are
 * parsed here up to their TRAILER!!!; the rest goes to libarchive.
 *
 * What is kept: every kernel module's name and path, and the content of the
 * files that decide what loads early: modprobe.d, dracut's cmdline.d,
 * modules-load.d, initramfs-tools' conf/modules, genkernel's etc/modules.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../boot/cmdline.h"
#include "../shared/ctx.h"
#include "../shared/strmap.h"

enum vk_irfile_kind {
	VK_IR_MODPROBE,	       /* etc/modprobe.d, lib/modprobe.d, usr/lib/modprobe.d */
	VK_IR_DRACUT_CMDLINE,  /* etc/cmdline.d/\*.conf: rd.driver.pre= ... */
	VK_IR_MODULES_LOAD,    /* etc/modules-load.d, usr/lib/modules-load.d */
	VK_IR_CONF_MODULES,    /* initramfs-tools' conf/modules */
	VK_IR_GENKERNEL_GROUP, /* genkernel's etc/modules/<group> */
};

struct vk_irfile {
	char *path; /* inside the archive, without "./" */
	enum vk_irfile_kind kind;
	char *data; /* the content, NUL-terminated */
};

struct vk_irmodule {
	char *name; /* '_' form */
	char *path;
};

struct vk_initramfs {
	char *compression;     /* of the main part: "gzip", "zstd", ..., "none" */
	size_t n_early;	       /* uncompressed archives in front of it */
	size_t n_entries;      /* every entry of every part */
	const char *generator; /* "dracut", "initramfs-tools", "genkernel", "ugrd" or NULL */
	struct vk_irfile *files;
	size_t n_files;
	struct vk_irmodule *modules;
	size_t n_modules;
	char **kvers; /* the lib/modules/<kver> directories it has */
	size_t n_kvers;
	struct vk_strmap kver_index; /* each of kvers, to itself */
};

/*
 * Read the initramfs in fd. Returns 0, or -EINVAL with err saying what is
 * wrong (not a cpio archive, truncated, damaged), -ENOMEM, or -errno of
 * reading the file.
 */
int vk_initramfs_read(int fd, struct vk_initramfs *ir, char *err, size_t err_size);
/* The same for a buffer. */
int vk_initramfs_read_mem(const unsigned char *buf, size_t len, struct vk_initramfs *ir, char *err,
			  size_t err_size);
void vk_initramfs_clear(struct vk_initramfs *ir);

/* The initramfs the boot loader gives kver: /boot/initramfs-<kver>.img
 * (dracut, genkernel), /boot/initrd.img-<kver> (Debian), ... New string
 * (a path on the system looked at) or NULL when there is none. */
char *vk_initramfs_find(const struct vk_ctx *ctx, const char *kver);

const struct vk_irmodule *vk_initramfs_module(const struct vk_initramfs *ir, const char *name);

/* How the initramfs loads mod before udev runs (dracut's rd.driver.pre=
 * from cmdline.d or the command line cl, modules-load.d, conf/modules,
 * genkernel's doload= or firstmods= on cl: a genkernel module group alone
 * loads nothing), as a new string, or NULL. */
char *vk_initramfs_early(const struct vk_initramfs *ir, const struct vk_cmdline *cl,
			 const char *mod);
/* The options its modprobe.d gives mod, space-joined ("" when none). */
char *vk_initramfs_options(const struct vk_initramfs *ir, const char *mod);
/* Does its modprobe.d say "softdep mod pre: ... dep"? */
bool vk_initramfs_softdep_pre(const struct vk_initramfs *ir, const char *mod, const char *dep);
