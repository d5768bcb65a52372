/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Growing vectors of strings that own their copies. */
#pragma once

#include <stddef.h>

/* Append a copy of s to (*v, *n). 0 or -ENOMEM (the vector is unchanged). */
int vk_strv_push(char ***v, size_t *n, const char *s);

/* Free every string and the vector. */
void vk_strv_free(char **v, size_t n);
