/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The /etc/default/grub editor.
 *
 * /etc/default/grub is a shell script that grub-mkconfig sources with
 * /bin/sh. The parser reads the shell's syntax (quoting of every kind,
 * backslash-newline, comments, $VAR and ${VAR}, $(...) and backticks,
 * if/case/for/while blocks, functions, && and ||, export and readonly,
 * unset, . and source) and follows the top level as the shell runs it,
 * keeping for every byte of every variable's value the place in the file
 * it came from. An edit then changes exactly the bytes that hold the
 * tokens concerned and nothing else:
 *
 *  - a token is replaced or removed where it is written, also through
 *    VAR="$VAR more" chains; the whitespace that separated it goes too;
 *  - new tokens go at the end of the last assignment, inside its quotes;
 *    an unquoted value gets double quotes; with no assignment at all
 *    (Gentoo's template has them all commented out) or when the last one
 *    is inside a block or followed by something that may change it, a new
 *    assignment VAR="$VAR new tokens" is appended: a comment is never
 *    edited;
 *  - a value built by $(...), backticks, ${VAR...} operators and the like
 *    cannot be known: the edit is refused and nothing changes.
 *
 * Each edit is checked by parsing the result again: the variable must hold
 * what the token model says, and every other variable exactly what it
 * held. None of this prints; errors come back with a line number and a
 * message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cmdline.h"

#define VK_GRUB_LINUX	      "GRUB_CMDLINE_LINUX"
#define VK_GRUB_LINUX_DEFAULT "GRUB_CMDLINE_LINUX_DEFAULT"

struct vk_grub;

struct vk_grub_error {
	unsigned int line; /* 0: not about one line */
	char msg[512];	   /* what is wrong and, where it helps, what to do */
};

/* Parse text[0..len). -EINVAL with err filled for what the parser does not
 * take (an unterminated quote, a NUL or control byte, a here-document, a
 * block without its end); -ENOMEM. */
int vk_grub_parse(const char *text, size_t len, struct vk_grub **out, struct vk_grub_error *err);
void vk_grub_free(struct vk_grub *g);

struct vk_grub_value {
	char *text;	   /* the value; parts that cannot be known as they are written */
	bool set;	   /* the file assigns the variable (or may: a block, a '.') */
	bool exact;	   /* text is the value (nothing unknown in it) */
	unsigned int line; /* line of the last assignment, 0 when none */
	char *why;	   /* when not exact: why, with the line; else NULL */
};

/* What var holds once the file is sourced. 0 or -ENOMEM. */
int vk_grub_value(const struct vk_grub *g, const char *var, struct vk_grub_value *v);
void vk_grub_value_clear(struct vk_grub_value *v);

/*
 * Change the file so that target holds the tokens ops ask for. The kernel
 * gets "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT" on normal entries:
 * other names the variable that comes with target (other_first: before it)
 * and loses every key ops set or remove, so that a key ends up once; ids of
 * a list key already in either are merged into target's token.
 *
 * Returns the number of places changed (0: the file already says so, *out
 * is NULL) with the new text in *out, or -EINVAL with err filled when the
 * change cannot be made safely (nothing is changed then), -ENOMEM.
 */
struct vk_grub_request {
	const char *target, *other;
	bool other_first;
	const struct vk_cmdline_op *ops;
	size_t n_ops;
};

int vk_grub_edit(const struct vk_grub *g, const struct vk_grub_request *req, char **out,
		 size_t *out_len, struct vk_grub_error *err);
