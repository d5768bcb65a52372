/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running another program with an argument vector (never a shell), as
 * vfiokit does for the kernel's own "make olddefconfig".
 */
#pragma once

#include <stddef.h>

/*
 * Run argv[0] (looked up in PATH) with argv, the environment plus
 * env_extra ("NAME=value", NULL-terminated, may be NULL), and wait.
 * Its stdout and stderr are collected into *output (a new string) when
 * output is not NULL, else they pass through. *status is the exit status,
 * or 128 + signal. Returns 0, or -errno when it could not be started.
 */
int vk_spawn(const char *const argv[], const char *const env_extra[], int *status, char **output);
