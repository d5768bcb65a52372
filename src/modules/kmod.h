/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libkmod, opened on a kernel's module directory and the modprobe.d
 * directories of the system looked at (under the context's root), as
 * modprobe would see them when that kernel runs. libkmod's own messages
 * (a bad modprobe.d line with its file and line) are captured, never
 * printed, and handed to the caller.
 *
 * libkmod also reads the kernel command line of the machine vfiokit runs
 * on (/proc/cmdline, not under the root): those entries are left out of
 * what this module reports as configuration; the command line of the
 * system looked at is parsed separately (see vk_kmod_cmdline_*).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"

struct kmod_ctx;
struct vk_kmod;

/* A message of libkmod's: file and line when it names them. */
struct vk_kmod_msg {
	char *file;	   /* path on the system looked at ("/etc/modprobe.d/x.conf"), or NULL */
	unsigned int line; /* 0 when none */
	char *text;	   /* the rest of the message */
};

/*
 * Open libkmod for kver: <root>/lib/modules/<kver> and the modprobe.d
 * directories under the root. -ENOENT: no such module directory;
 * -ENODATA: it has no modules.dep (depmod has not run); -ENOMEM.
 */
int vk_kmod_open(const struct vk_ctx *ctx, const char *kver, struct vk_kmod **out);
void vk_kmod_free(struct vk_kmod *km);

struct kmod_ctx *vk_kmod_ctx(const struct vk_kmod *km);
const char *vk_kmod_kver(const struct vk_kmod *km);
/* The module directory as seen on the system looked at: /lib/modules/<kver>. */
const char *vk_kmod_moddir(const struct vk_kmod *km);

/* What libkmod said so far (config errors come at open). */
size_t vk_kmod_n_msgs(const struct vk_kmod *km);
const struct vk_kmod_msg *vk_kmod_msg(const struct vk_kmod *km, size_t i);

/* Is mod built into the kernel (its modules.builtin)? */
bool vk_kmod_is_builtin(const struct vk_kmod *km, const char *mod);

/* Module names compare with '-' and '_' alike; write the '_' form. */
void vk_modname_normalize(const char *in, char *out, size_t size);
bool vk_modname_eq(const char *a, const char *b);

/* The modprobe.d configuration of the system looked at, without the
 * entries libkmod took from the host's /proc/cmdline. */
bool vk_kmod_conf_blacklisted(const struct vk_kmod *km, const char *mod);
/* The options modprobe.d gives mod, space-joined, "" when none; new string
 * or NULL when out of memory. */
char *vk_kmod_conf_options(const struct vk_kmod *km, const char *mod);
/* Does modprobe.d say "softdep mod pre: ... dep ..."? */
bool vk_kmod_conf_softdep_pre(const struct vk_kmod *km, const char *mod, const char *dep);

/*
 * The entries libkmod adds for a command line (kmod's own reading of
 * /proc/cmdline): options "mod.param=value" and modprobe.blacklist=.
 * Exposed for the tests.
 */
struct vk_kcmdline {
	char **opt_mod, **opt_val; /* parallel, n_opts */
	size_t n_opts;
	char **blacklist;
	size_t n_blacklist;
};
int vk_kcmdline_parse(const char *text, struct vk_kcmdline *out);
void vk_kcmdline_clear(struct vk_kcmdline *k);

/*
 * The *.conf files of the modprobe.d directories under ctx's root in
 * libkmod's order (by name, a name in an earlier directory hiding the same
 * in a later one): fn gets each file's system path and content, or a NULL
 * text for a directory named *.conf (libkmod skips it).
 */
typedef void (*vk_modprobe_file_fn)(void *data, const char *abs, const char *text, size_t len);
void vk_modprobe_d_foreach(const struct vk_ctx *ctx, vk_modprobe_file_fn fn, void *data);
/* The logical lines of a modprobe.d file (a line ending in a backslash
 * goes on on the next), each with the number of its last line. */
typedef void (*vk_modprobe_line_fn)(void *data, unsigned int line, char *text);
void vk_modprobe_lines(const char *text, size_t len, vk_modprobe_line_fn fn, void *data);
