/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a planner hands back instead of writing or printing: the files it
 * would change (each as read, with its new content) and its findings, in
 * the order it made them. The command that asked prints the findings and
 * writes the files (src/cmd-write.c); vfiokit plan and apply take the
 * same changes into one transaction (src/flow/transaction.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "write.h"

struct vk_change {
	/* The file as read. Its paths are absolute under the descriptor it
	 * was read from: the root, or this process's "/" when host is set
	 * (a path given on the command line, such as --kernel-dir). */
	struct vk_file f;
	bool host;
	char *shown; /* the file as the user sees it: root prefix and path */
	char *text;  /* the new content, NUL-terminated */
	size_t len;
};

struct vk_changes {
	struct vk_change *v;
	size_t n;
	/* Why vk_changes_add() refused a file ("file:line: ..."), or NULL. */
	char *refused;
};

/* The line (1, 2, ...) of the first NUL byte in data[0..len), 0 when there
 * is none, and what a message refusing such a file tells the user to do. */
unsigned int vk_nul_line(const char *data, size_t len);
#define VK_NUL_FIX                                                                    \
	"a NUL byte, which vfiokit cannot keep when it rewrites the file; remove it " \
	"(tr -d '\\000') and run vfiokit again; nothing changed"

/* Add the change of *f to text; *f is taken over (and cleared), shown and
 * text are copied. A file that already holds text is added too: see
 * vk_change_same(). Every file vfiokit edits passes here, so this is where
 * a file that cannot be rewritten byte for byte is refused: one that holds
 * a NUL byte (the editors work on C strings; UTF-8, tabs and CR are kept).
 * 0, -EILSEQ (c->refused says which file and line, and what to do) or
 * -ENOMEM (*f untouched then). */
int vk_changes_add(struct vk_changes *c, struct vk_file *f, bool host, const char *shown,
		   const char *text, size_t len);
/* Does the file already hold the new content? */
bool vk_change_same(const struct vk_change *ch);
/* How many of the changes would change their file. */
size_t vk_changes_count(const struct vk_changes *c);
void vk_changes_clear(struct vk_changes *c);

enum vk_note_kind {
	VK_NOTE_INFO,	/* what was chosen or done: the command's own report, quiet with -q */
	VK_NOTE_NOTICE, /* something to read even in a flow and with -q */
	VK_NOTE_WARN,	/* a warning: stderr */
	VK_NOTE_ERROR,	/* an error: stderr, always (the planner also fails) */
	VK_NOTE_NEXT,	/* what to do next, after the files are written */
};

struct vk_note {
	enum vk_note_kind kind;
	char *text;
};

struct vk_notes {
	struct vk_note *v;
	size_t n;
};

/* Append a finding. 0 or -ENOMEM. */
int vk_notes_add(struct vk_notes *n, enum vk_note_kind kind, const char *fmt, ...) _printf_(3, 4);
/* Move every note of from to the end of to (from is left empty). 0 or -ENOMEM. */
int vk_notes_move(struct vk_notes *to, struct vk_notes *from);
void vk_notes_clear(struct vk_notes *n);
