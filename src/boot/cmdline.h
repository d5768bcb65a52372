/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel command line as a list of tokens, split by the kernel's own
 * rules (next_arg() in lib/cmdline.c): whitespace separates, a double
 * quote protects whitespace until the next double quote, the quotes
 * around a value (and around a whole token) are not part of it, and a bare
 * "--" ends the kernel's part: what follows goes to init.
 *
 * The model keeps every byte: each token carries the whitespace before it
 * as written, and the line's trailing whitespace is kept too, so printing
 * an unchanged model gives back the input byte for byte. Edits touch only
 * the tokens they change.
 *
 * Parameter names compare with a dash and an underscore as the same
 * character, as the kernel's parameq() does for module parameters
 * ("vfio-pci.ids" is "vfio_pci.ids") and for the early parameters.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct vk_cmdline_arg {
	char *lead;    /* whitespace before the token, as written */
	char *raw;     /* the token as written, quotes included */
	char *key;     /* the parameter name as the kernel sees it */
	char *value;   /* the value without its quotes; NULL without '=' */
	size_t off;    /* offset of raw in the text parsed (not updated by edits) */
	bool init;     /* after "--": an argument for init, not the kernel */
	bool dashdash; /* the "--" itself */
	bool added;    /* inserted by vk_cmdline_apply() (off means nothing) */
	bool edited;   /* raw rewritten by vk_cmdline_apply() */
};

struct vk_cmdline {
	struct vk_cmdline_arg *args;
	size_t n_args, alloc;
	char *tail; /* whitespace after the last token */
};

/* Split text[0..len) into tokens. A NUL byte inside is -EINVAL (the kernel
 * sees a C string); -ENOMEM. */
int vk_cmdline_parse(const char *text, size_t len, struct vk_cmdline **out);
void vk_cmdline_free(struct vk_cmdline *cl);

/* The line, every byte of it; NULL when out of memory. */
char *vk_cmdline_to_string(const struct vk_cmdline *cl);

/* The kernel's isspace(): the C locale's six and 0xa0. */
bool vk_cmdline_isspace(unsigned char c);

/* Parameter names equal, '-' and '_' alike. */
bool vk_cmdline_key_eq(const char *a, const char *b);

/* Keys whose value is a comma list that set merges rather than replaces:
 * vfio-pci.ids, pci-stub.ids, initcall_blacklist, modprobe.blacklist. */
bool vk_cmdline_key_is_list(const char *key);

/* Index of the last token of the kernel's part with this key, or -1. */
ssize_t vk_cmdline_find_last(const struct vk_cmdline *cl, const char *key);

/*
 * A change asked for on vfiokit's command line, by key:
 *   set KEY=VALUE    the key once, with VALUE (a list key: the ids already
 *                    there plus VALUE's, in one token); set KEY: a flag.
 *   remove KEY       every token with the key;
 *   remove KEY=V     a list key: those items (the token goes when empty);
 *                    any other key: the tokens with exactly that value.
 */
enum vk_cmdline_op_kind {
	VK_CMDLINE_SET,
	VK_CMDLINE_REMOVE,
};

struct vk_cmdline_op {
	enum vk_cmdline_op_kind kind;
	char *key;
	char *value; /* NULL: a flag (set) or every value (remove) */
};

/* Parse "key" or "key=value" into op (strings owned by op). -EINVAL for
 * an empty key or a token the kernel would split; -ENOMEM. */
int vk_cmdline_op_parse(const char *arg, enum vk_cmdline_op_kind kind, struct vk_cmdline_op *op);
void vk_cmdline_op_clear(struct vk_cmdline_op *op);

/* Apply ops in order to the kernel's part. Returns how many tokens were
 * added, changed or removed (0: the line already says so), -EINVAL when
 * double quotes are in the way (a token must be added after one that opens
 * a quote and never closes it, which would swallow the new one; or a value
 * to rewrite holds a quote), or -ENOMEM. */
int vk_cmdline_apply(struct vk_cmdline *cl, const struct vk_cmdline_op *ops, size_t n_ops);

/*
 * Can tok be written where a shell and GRUB's script reader will read it
 * unquoted (GRUB's 10_linux pastes the value into grub.cfg as is)?
 * Letters, digits and . , : = + - _ / @ % only. Returns true, or false
 * with *bad set to the first byte that is not allowed.
 */
bool vk_cmdline_token_safe(const char *tok, char *bad);
