// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the unified diff of --dry-run and plan
 * (src/shared/diff.c): the input is split into an old and a new text at
 * its first 0xff byte (or in the middle); the diff, applied to the old
 * text by the small patch below, gives the new text; equal texts give "".
 */
#include <stdio.h>

#include "fuzz.h"
#include "shared/diff.h"

struct buf {
	char *s;
	size_t n;
};

static void put(struct buf *b, const char *s, size_t n)
{
	b->s = realloc(b->s, b->n + n + 1);
	if (!b->s)
		abort();
	memcpy(b->s + b->n, s, n);
	b->n += n;
}

/* The line at *p in s[0..n) with its newline, if any; *p moves past it. */
static size_t line_at(const char *s, size_t n, size_t *p, const char **l)
{
	const char *nl = memchr(s + *p, '\n', n - *p);
	size_t len = nl ? (size_t)(nl - (s + *p)) + 1 : n - *p;

	*l = s + *p;
	*p += len;
	return len;
}

/* Apply diff to a[0..alen); the result in *out. abort() on a diff that
 * does not fit a. */
static void patch(const char *a, size_t alen, const char *diff, struct buf *out)
{
	size_t dp = 0, dn = strlen(diff), ap = 0, aline = 0, len;
	const char *l;
	char last = 0; /* the kind of the last line: '@', ' ', '-' or '+' */

	while (dp < dn) {
		unsigned long s, c = 1;

		len = line_at(diff, dn, &dp, &l);
		if (!last && (!strncmp(l, "--- ", 4) || !strncmp(l, "+++ ", 4)))
			continue; /* the header, before the first hunk */
		if (l[0] == '@') {
			if (sscanf(l, "@@ -%lu,%lu", &s, &c) < 1)
				abort();
			/* Copy what comes before the hunk (its first line is s; with no
			 * old lines, s is the line after which it goes). */
			if (c == 0)
				s++;
			while (aline + 1 < s) {
				size_t k = line_at(a, alen, &ap, &l);

				if (!k)
					abort();
				put(out, l, k);
				aline++;
			}
			last = '@';
			continue;
		}
		if (l[0] == ' ' || l[0] == '-') {
			const char *al;
			size_t k = line_at(a, alen, &ap, &al);
			size_t body = len - 1 - (l[len - 1] == '\n');

			/* The diff's line (less its newline) is a's (less its newline). */
			if (!k || body != k - (al[k - 1] == '\n') || memcmp(l + 1, al, body))
				abort();
			if (l[0] == ' ')
				put(out, al, k);
			aline++;
		} else if (l[0] == '+') {
			put(out, l + 1, len - 1);
		} else if (l[0] == '\\') {
			/* "\ No newline at end of file": the line before had none. A
			 * line from the old text came without; a new one lost it. */
			if (last == '+' && (!out->n || out->s[out->n - 1] != '\n'))
				abort();
			if (last == '+')
				out->n--;
		} else {
			abort();
		}
		last = l[0];
	}
	if (ap < alen)
		put(out, a + ap, alen - ap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *cut = memchr(data, 0xff, size);
	size_t alen = cut ? (size_t)(cut - data) : size / 2;
	const char *a = (const char *)data, *b = a + alen + (cut != NULL);
	size_t blen = size - alen - (cut != NULL);
	struct buf out = {};
	char *diff = NULL;

	if (size > FUZZ_MAX || memchr(data, '\0', size))
		return 0; /* the diff is a C string; files with a NUL are refused */
	if (vk_diff_unified("a", a, alen, "b", b, blen, &diff) < 0)
		abort();
	if ((alen == blen && !memcmp(a, b, alen)) != !*diff)
		abort(); /* a diff for equal texts, or none for different ones */
	if (*diff) {
		put(&out, "", 0);
		patch(a, alen, diff, &out);
		if (out.n != blen || memcmp(out.s, b, blen))
			abort(); /* the diff does not give the new text */
	}
	free(out.s);
	free(diff);
	return 0;
}
