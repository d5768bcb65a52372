// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit: prepare a Linux host for VFIO PCI passthrough and prove it works.
 *
 * This file only parses the global options and dispatches to a command
 * group (src/cmd-*.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "shared/exit.h"
#include "shared/log.h"
#include "shared/macro.h"

#ifndef VERSION
#define VERSION "0.1"
#endif

static const struct vk_cmd commands[] = {
	{ "groups", cmd_groups, "list IOMMU groups and whether each can be passed through" },
	{ "kconfig", cmd_kconfig, "merge, check and explain the kernel configuration" },
	{ "cmdline", cmd_cmdline, "show, check and change the kernel command line" },
	{ "modules", cmd_modules, "check the modules and initramfs of the kernel about to boot" },
	{ "verify", cmd_verify, "after the reboot: check that passthrough is ready" },
	{ "init", cmd_init, "write a starter /etc/vfiokit.conf from this machine's devices" },
	{ "plan", cmd_apply, "show every change /etc/vfiokit.conf asks for, as diffs" },
	{ "apply", cmd_apply, "make those changes, with backups and a journal" },
	{ "undo", cmd_undo, "restore what apply changed" },
};

static void usage(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] [-q|-v] <command> [options]\n"
	       "\n"
	       "Prepare a Linux host for VFIO PCI passthrough (a GPU, a USB controller or a\n"
	       "NIC handed to a KVM guest) and check that it works.\n"
	       "\n"
	       "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].help);
	printf("\n"
	       "Options:\n"
	       "  -r, --root DIR  look at the system tree under DIR instead of / (sysfs,\n"
	       "                  procfs, /etc, /boot, /lib/modules, /usr/src/linux)\n"
	       "      --json      print reports as JSON (keys are listed in vfiokit(8))\n"
	       "  -q, --quiet     print errors only\n"
	       "  -v, --verbose   say more\n"
	       "  -h, --help      show this help; 'vfiokit <command> --help' for a command\n"
	       "  -V, --version   show the version\n"
	       "\n"
	       "Exit status: 0 ok, 1 error, 2 usage error, 3 a check found problems.\n"
	       "\n"
	       "Start with 'vfiokit groups' to see which devices can be handed to a guest.\n"
	       "See vfiokit(8) for more.\n");
}

/* Report a failed write to stdout (a full disk, a closed pipe) at exit. */
static void close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno != EPIPE)
			vk_err("write error: %s", strerror(errno));
		_exit(VK_EXIT_ERROR);
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	struct vk_ctx ctx = { .root = "/", .rootfd = -1 };
	const char *root = NULL;
	int c, r;

	atexit(close_stdout);
	opterr = 0;
	/* '+': stop at the command, its own options are its business. */
	while ((c = getopt_long(argc, argv, "+:r:qvhV", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			root = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'q':
			ctx.verbosity = -1;
			break;
		case 'v':
			ctx.verbosity++;
			break;
		case 'h':
			usage();
			return VK_EXIT_OK;
		case 'V':
			printf("vfiokit %s\n", VERSION);
			return VK_EXIT_OK;
		case ':':
			return vk_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return vk_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	vk_log_verbosity = ctx.verbosity;
	if (optind >= argc)
		return vk_usage_error("no command given");

	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!streq(argv[optind], commands[i].name))
			continue;
		r = vk_ctx_open(&ctx, root);
		if (r < 0) {
			vk_err("%s: %s", ctx.root,
			       r == -ENOTDIR ? "--root is not a directory" : strerror(-r));
			return VK_EXIT_ERROR;
		}
		r = commands[i].fn(&ctx, argc - optind, argv + optind);
		vk_ctx_close(&ctx);
		return r;
	}
	return vk_usage_error("unknown command '%s'", argv[optind]);
}
