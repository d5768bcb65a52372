/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel .config (or a fragment in the same format) as lines that keep
 * every byte: "CONFIG_X=value", "# CONFIG_X is not set", comments and
 * blank lines, in order. Writing back an untouched model gives the same
 * bytes; changing a symbol rewrites only its line.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/strmap.h"

enum vk_cline_kind {
	VK_CLINE_OTHER, /* a comment or a blank line */
	VK_CLINE_SET,	/* CONFIG_X=value */
	VK_CLINE_UNSET, /* # CONFIG_X is not set */
};

struct vk_cline {
	enum vk_cline_kind kind;
	char *text;  /* the whole line with its newline, if it had one */
	char *sym;   /* without CONFIG_, for SET and UNSET */
	char *value; /* SET: as written ("y", "m", "\"str\"", "0x10"); else NULL */
	unsigned int lineno;
};

struct vk_dotconfig {
	char *name; /* for messages */
	struct vk_cline *lines;
	size_t n_lines, alloc;
	struct vk_strmap index; /* sym -> 1 + the index of its last line */
};

/*
 * Parse text. A line that is none of the three kinds, or a value that
 * is not y, m, a number or a complete quoted string, is an error:
 * -EINVAL with "name:line: what" in err. A symbol given twice is an
 * error too when strict (fragments), as kconfig only warns about it.
 * Clear c with vk_dotconfig_clear() whatever the result.
 */
int vk_dotconfig_parse(const char *name, const char *text, size_t len, bool strict,
		       struct vk_dotconfig *c, char *err, size_t errlen);
void vk_dotconfig_clear(struct vk_dotconfig *c);

/* The whole text, in a new string. */
char *vk_dotconfig_text(const struct vk_dotconfig *c, size_t *len);

/* The last line that sets or unsets sym, or NULL. */
const struct vk_cline *vk_dotconfig_find(const struct vk_dotconfig *c, const char *sym);

/* sym's value: "y", "m", a number or an unquoted string; NULL when it is
 * "not set" or absent. The string lives as long as the model. */
const char *vk_dotconfig_value(const struct vk_dotconfig *c, const char *sym);

/* Set sym to value (as written in a .config; NULL or "n" for "is not
 * set"): rewrites its last line, or appends one. 0 or -ENOMEM. */
int vk_dotconfig_set(struct vk_dotconfig *c, const char *sym, const char *value);

/* "6.1.0" from the "# Linux/x86 6.1.0 Kernel Configuration" header, or
 * NULL. */
const char *vk_dotconfig_version(const struct vk_dotconfig *c, char *buf, size_t size);
