// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Myers' O(ND) difference algorithm over lines, keeping each step's
 * furthest-reaching diagonals (2d+1 of them at step d) for the way back.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "macro.h"

#define CONTEXT 3
#define MAX_D	4096

struct lines {
	const char **p;
	size_t *len; /* with the newline, when there is one */
	size_t n;
};

enum op { EQ, DEL, INS };

struct step {
	enum op op;
	size_t a, b; /* line index in a (EQ, DEL) and b (EQ, INS) */
};

static int split(const char *s, size_t len, struct lines *l)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	n += len > 0 && s[len - 1] != '\n';
	l->p = calloc(n + 1, sizeof(*l->p));
	l->len = calloc(n + 1, sizeof(*l->len));
	if (!l->p || !l->len)
		return -ENOMEM;
	l->n = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;

		l->p[l->n] = s + i;
		l->len[l->n++] = end - i;
		i = end;
	}
	return 0;
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* The edit script from a to b, in order, into *steps (*n of them). */
static int myers(const struct lines *a, const struct lines *b, struct step **steps, size_t *n)
{
	size_t N = a->n, M = b->n, max = N + M, d, D = 0;
	long **v = calloc(max + 1, sizeof(*v));
	struct step *s = NULL;
	bool done = false;
	long x, y;
	int r = -ENOMEM;

	if (!v)
		return -ENOMEM;
	for (d = 0; d <= max && !done; d++) {
		/* Beyond this many differences, memory grows as d squared: say
		 * "all of a went, all of b came" instead. */
		if (d > MAX_D) {
			s = malloc((N + M + 1) * sizeof(*s));
			if (!s)
				goto out;
			*n = 0;
			for (size_t i = 0; i < N; i++)
				s[(*n)++] = (struct step){ DEL, i, 0 };
			for (size_t i = 0; i < M; i++)
				s[(*n)++] = (struct step){ INS, N, i };
			*steps = TAKE_PTR(s);
			r = 0;
			goto out;
		}
		/* v[d][k + d] for the diagonals k = -d .. d */
		v[d] = malloc((2 * d + 1) * sizeof(**v));
		if (!v[d])
			goto out;
		for (long k = -(long)d; k <= (long)d; k += 2) {
			if (d == 0)
				x = 0;
			else if (k == -(long)d ||
				 (k != (long)d &&
				  v[d - 1][k - 1 + (long)d - 1] < v[d - 1][k + 1 + (long)d - 1]))
				x = v[d - 1][k + 1 + (long)d - 1];
			else
				x = v[d - 1][k - 1 + (long)d - 1] + 1;
			y = x - k;
			while ((size_t)x < N && (size_t)y < M &&
			       line_eq(a, (size_t)x, b, (size_t)y)) {
				x++;
				y++;
			}
			v[d][k + (long)d] = x;
			if ((size_t)x >= N && (size_t)y >= M) {
				done = true;
				D = d;
				break;
			}
		}
	}
	s = malloc((N + M + 1) * sizeof(*s));
	if (!s)
		goto out;
	*n = 0;
	x = (long)N;
	y = (long)M;
	for (d = D; d > 0; d--) {
		long k = x - y, pk, px, py, xs, ys;

		if (k == -(long)d ||
		    (k != (long)d && v[d - 1][k - 1 + (long)d - 1] < v[d - 1][k + 1 + (long)d - 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = v[d - 1][pk + (long)d - 1];
		py = px - pk;
		xs = pk == k + 1 ? px : px + 1;
		ys = pk == k + 1 ? py + 1 : py;
		while (x > xs && y > ys)
			s[(*n)++] = (struct step){ EQ, (size_t)--x, (size_t)--y };
		if (pk == k + 1)
			s[(*n)++] = (struct step){ INS, (size_t)px, (size_t)py };
		else
			s[(*n)++] = (struct step){ DEL, (size_t)px, (size_t)py };
		x = px;
		y = py;
	}
	while (x > 0 && y > 0)
		s[(*n)++] = (struct step){ EQ, (size_t)--x, (size_t)--y };
	for (size_t i = 0; i < *n / 2; i++) {
		struct step t = s[i];

		s[i] = s[*n - 1 - i];
		s[*n - 1 - i] = t;
	}
	*steps = TAKE_PTR(s);
	r = 0;
out:
	for (d = 0; d <= max; d++)
		free(v[d]);
	free(v);
	free(s);
	return r;
}

static void put_line(FILE *f, char mark, const char *p, size_t len)
{
	fputc(mark, f);
	fwrite(p, 1, len, f);
	if (len == 0 || p[len - 1] != '\n')
		fputs("\n\\ No newline at end of file\n", f);
}

/* "@@ -l,s +l,s @@" as diff -u writes it: no count when it is 1, the line
 * before when the range is empty. */
static void put_range(FILE *f, char sign, size_t start, size_t count)
{
	if (count == 1)
		fprintf(f, "%c%zu", sign, start + 1);
	else
		fprintf(f, "%c%zu,%zu", sign, count ? start + 1 : start, count);
}

int vk_diff_unified(const char *a_name, const char *a, size_t alen, const char *b_name,
		    const char *b, size_t blen, char **out)
{
	struct lines la = {}, lb = {};
	struct step *s = NULL;
	size_t n = 0, sizep = 0;
	char *buf = NULL;
	FILE *f = NULL;
	int r = -ENOMEM;

	if (split(a, alen, &la) < 0 || split(b, blen, &lb) < 0 || myers(&la, &lb, &s, &n) < 0)
		goto out;
	f = open_memstream(&buf, &sizep);
	if (!f)
		goto out;
	for (size_t i = 0; i < n;) {
		size_t first, last, as, bs, ac = 0, bc = 0;

		if (s[i].op == EQ) {
			i++;
			continue;
		}
		if (!ftell(f))
			fprintf(f, "--- %s\n+++ %s\n", a_name, b_name);
		/* A hunk: this change, and the next ones while the equal lines
		 * between them are no more than twice the context. */
		first = i > CONTEXT ? i - CONTEXT : 0;
		last = i;
		for (size_t j = i; j < n; j++) {
			if (s[j].op != EQ)
				last = j;
			else if (j - last > 2 * CONTEXT)
				break;
		}
		last = last + CONTEXT < n ? last + CONTEXT : n - 1;
		as = s[first].a;
		bs = s[first].b;
		for (size_t j = first; j <= last; j++) {
			ac += s[j].op != INS;
			bc += s[j].op != DEL;
		}
		fputs("@@ ", f);
		put_range(f, '-', as, ac);
		fputc(' ', f);
		put_range(f, '+', bs, bc);
		fputs(" @@\n", f);
		for (size_t j = first; j <= last; j++) {
			if (s[j].op == EQ)
				put_line(f, ' ', la.p[s[j].a], la.len[s[j].a]);
			else if (s[j].op == DEL)
				put_line(f, '-', la.p[s[j].a], la.len[s[j].a]);
			else
				put_line(f, '+', lb.p[s[j].b], lb.len[s[j].b]);
		}
		i = last + 1;
	}
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	*out = TAKE_PTR(buf);
	r = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	free(s);
	free(la.p);
	free(la.len);
	free(lb.p);
	free(lb.len);
	return r;
}
