/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one context every command gets: where the system to look at lives
 * (--root, "/" by default) and how to report. Every path vfiokit reads is
 * resolved against ctx->rootfd, and every path handed to a library is
 * built by vk_ctx_path(), so a captured tree behaves like a live system.
 */
#pragma once

#include <stdbool.h>

struct vk_ctx {
	const char *root; /* as given, "/" by default */
	char *prefix;	  /* root without trailing slashes: "" for "/"; absolute */
	int rootfd;	  /* O_PATH directory descriptor of root */
	bool json;	  /* --json */
	int verbosity;	  /* -q: -1, default 0, -v: 1 and more */
};

/* Open root; returns 0 or a negative errno (-ENOTDIR when it is a file). */
int vk_ctx_open(struct vk_ctx *ctx, const char *root);
void vk_ctx_close(struct vk_ctx *ctx);

/* "vfiokit [--root DIR] <rest>" in buf, a command for the user to type:
 * --root is kept when the run has one. Returns buf. */
const char *vk_ctx_hint(const struct vk_ctx *ctx, const char *rest, char *buf, size_t size);

/* abs ("/sys/...") as seen from the caller's file system: root + abs.
 * Returns a new string, or NULL when out of memory. */
char *vk_ctx_path(const struct vk_ctx *ctx, const char *abs);

/* abs without its leading slashes, for the *at() calls on ctx->rootfd. */
const char *vk_rel(const char *abs);
