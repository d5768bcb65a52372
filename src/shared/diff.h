/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A unified diff of two texts (what --dry-run shows), line by line, with
 * three lines of context, as diff -u prints it.
 */
#pragma once

#include <stddef.h>

/* The diff from a (named a_name) to b (b_name) in a new string, "" when
 * they are equal. Returns 0 or -ENOMEM. */
int vk_diff_unified(const char *a_name, const char *a, size_t alen, const char *b_name,
		    const char *b, size_t blen, char **out);
