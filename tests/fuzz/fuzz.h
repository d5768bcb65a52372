/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer targets in tests/fuzz/ share: the input as a
 * NUL-terminated copy, its line count, and the check that an error names
 * a line inside the file. A broken rule is abort(), which libFuzzer
 * reports with the input.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX (1 << 16)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data[0..size) with a NUL after it, in a new string. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The lines of text[0..len): 1 + its newlines. */
static inline unsigned int fuzz_lines(const char *text, size_t len)
{
	unsigned int n = 1;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/* err starts with "name:LINE: " and a message, LINE in 1..lines. */
static inline void fuzz_check_error(const char *err, const char *name, unsigned int lines)
{
	size_t l = strlen(name);
	char *end;
	unsigned long line;

	if (strncmp(err, name, l) || err[l] != ':')
		abort();
	line = strtoul(err + l + 1, &end, 10);
	if (line < 1 || line > lines || end[0] != ':' || !end[1])
		abort();
}
