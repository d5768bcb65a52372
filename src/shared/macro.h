/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers shared by every part of vfiokit: scope-bound cleanup
 * (as in systemd, kmod and util-linux), ownership transfer, array size.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f)	   __attribute__((cleanup(f)))
#define _cleanup_free_	   _cleanup_(freep)
#define _cleanup_fclose_   _cleanup_(fclosep)
#define _cleanup_close_	   _cleanup_(closep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _printf_(a, b)	   __attribute__((format(printf, a, b)))
#define _unused_	   __attribute__((unused))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Hand a pointer out of a _cleanup_ scope: returns it and clears the variable. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p = (p); \
		(p) = NULL;             \
		_p;                     \
	})

#define streq(a, b) (strcmp((a), (b)) == 0)
