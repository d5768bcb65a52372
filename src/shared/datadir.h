/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where vfiokit's own data is: the kconfig profiles. The paths are fixed
 * once by the build from PREFIX and DATADIR, the same that `make install`
 * puts the data under (build/paths-config.h, written by the Makefile).
 *
 * One exception, so that a binary run from its checkout works before it is
 * installed: the binary the build made in its own tree (the tree's
 * vfiokit or build-asan/vfiokit, by the absolute path the kernel reports
 * for this process) takes the tree's profiles/. Any other binary, an
 * installed one included, uses the configured path and never looks beside
 * itself.
 */
#pragma once

#include "paths-config.h"

/* The installed profiles, as the help texts show them. */
#define VK_PROFILES_DIR VK_DATADIR "/profiles"

/* The profiles directory this binary uses when none is given. */
const char *vk_profiles_dir(void);
