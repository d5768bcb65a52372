// SPDX-License-Identifier: GPL-2.0-or-later
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "macro.h"
#include "paths.h"

/* Is this process the binary the build made in its own tree? */
static bool is_build_binary(void)
{
	static const char *const built[] = { VK_BUILD_TREE "/vfiokit",
					     VK_BUILD_TREE "/build-asan/vfiokit" };
	char exe[PATH_MAX];
	ssize_t n = readlink(VK_PATH_PROC_SELF_EXE, exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(built); i++)
		if (streq(exe, built[i]))
			return true;
	return false;
}

const char *vk_profiles_dir(void)
{
	return is_build_binary() ? VK_BUILD_TREE "/profiles" : VK_PROFILES_DIR;
}
