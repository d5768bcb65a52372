/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exit status of every vfiokit command (documented in vfiokit(8)). */
#pragma once

enum {
	VK_EXIT_OK = 0,	      /* done, nothing wrong */
	VK_EXIT_ERROR = 1,    /* could not do it (unreadable input, I/O error) */
	VK_EXIT_USAGE = 2,    /* the command line is wrong */
	VK_EXIT_PROBLEMS = 3, /* done, and a check found problems */
};
