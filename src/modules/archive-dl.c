// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "archive-dl.h"

#define VK_ARCHIVE_DEFINE(name) __typeof__(name) *sym_##name;
VK_ARCHIVE_SYMS(VK_ARCHIVE_DEFINE)

int vk_archive_dlopen(char *err, size_t errlen)
{
	static void *handle;
	void *h;

	if (handle)
		return 0;
	h = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "cannot load libarchive: %s", dlerror());
		return -EOPNOTSUPP;
	}
#define VK_ARCHIVE_LOAD(name)                                        \
	if (!(sym_##name = (__typeof__(name) *)dlsym(h, #name))) {   \
		snprintf(err, errlen, "libarchive lacks %s", #name); \
		dlclose(h);                                          \
		return -EOPNOTSUPP;                                  \
	}
	VK_ARCHIVE_SYMS(VK_ARCHIVE_LOAD)
	handle = h;
	return 0;
}
