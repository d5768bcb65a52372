// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit: prepare a Linux host for VFIO PCI passthrough and prove it works.
 *
 * This file only parses the global options, which may come before or
 * after the command, and dispatches to a command group (src/cmd-*.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "shared/exit.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"

#ifndef VERSION
#define VERSION "0.1"
#endif

static const struct vk_cmd commands[] = {
	{ "groups", cmd_groups, "list IOMMU groups and whether each can be passed through", 0 },
	{ "kconfig", cmd_kconfig, "merge, check and explain the kernel configuration", 0 },
	{ "cmdline", cmd_cmdline, "show, check and change the kernel command line", 0 },
	{ "modules", cmd_modules, "check the modules and initramfs of the kernel about to boot",
	  0 },
	{ "verify", cmd_verify, "after the reboot: check that passthrough is ready", 0 },
	{ "init", cmd_init, "write a starter /etc/vfiokit.conf from this machine's devices",
	  VK_CMD_NO_JSON },
	{ "claim", cmd_claim, "list the devices, or hand some to guests in /etc/vfiokit.conf",
	  VK_CMD_NO_JSON },
	{ "release", cmd_claim, "take devices out of /etc/vfiokit.conf", VK_CMD_NO_JSON },
	{ "plan", cmd_apply, "show every change /etc/vfiokit.conf asks for, as diffs", 0 },
	{ "apply", cmd_apply, "make those changes, with backups and a journal", 0 },
	{ "undo", cmd_undo, "restore what apply changed", 0 },
	{ "libvirt", cmd_libvirt, "print a libvirt domain for the devices, or add them to one", 0 },
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
	       "  -q, --quiet     print problems only (errors, refusals, WARN and FAIL)\n"
	       "      --color WHEN  colour the output: auto (on a terminal, without\n"
	       "                  NO_COLOR or TERM=dumb; the default), always, never\n"
	       "  -v, --verbose   say more\n"
	       "  -h, --help      show this help; 'vfiokit <command> --help' for a command\n"
	       "  -V, --version   show the version\n"
	       "\n"
	       "Options may come before or after the command, up to '--'.\n"
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

/* With --json, stdout carries one JSON document, an error too. */
static void json_error(int status)
{
	struct vk_json j;
	const char *msg = vk_log_first_error();

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "error", msg ? msg : "failed (see the messages on stderr)");
	vk_json_kv_uint(&j, "exit_status", (unsigned long)status);
	vk_json_object_end(&j);
}

/* Take a global option out of argv at *i (its value too): 1 when it was
 * one, 0 when not, else a usage exit status. */
static int global_option(int argc, char **argv, int *i, const char **root, int *quiet, int *verbose,
			 bool *json)
{
	const char *a = argv[*i];

	if (streq(a, "--json")) {
		*json = true;
	} else if (streq(a, "--quiet")) {
		(*quiet)++;
	} else if (streq(a, "--verbose")) {
		(*verbose)++;
	} else if (!strncmp(a, "--color=", 8) || streq(a, "--color")) {
		const char *v = a[7] == '=' ? a + 8 : NULL;
		int m;

		if (!v && *i + 1 >= argc)
			return vk_usage_error(
				"option '%s' needs an argument: auto, always or never", a);
		if (!v)
			v = argv[++*i];
		m = vk_colour_mode_parse(v);
		if (m < 0)
			return vk_usage_error("--color: '%s' is not auto, always or never", v);
		vk_colour_mode = (enum vk_colour_mode)m;
	} else if (!strncmp(a, "--root=", 7)) {
		*root = a + 7;
	} else if (streq(a, "--root") || streq(a, "-r")) {
		if (*i + 1 >= argc)
			return vk_usage_error("option '%s' needs an argument", a);
		*root = argv[++*i];
	} else if (!strncmp(a, "-r", 2)) {
		*root = a + 2;
	} else if (a[0] == '-' && a[1] && strspn(a + 1, "qv") == strlen(a + 1)) {
		for (const char *p = a + 1; *p; p++)
			(*(*p == 'q' ? quiet : verbose))++;
	} else {
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct vk_ctx ctx = { .root = "/", .rootfd = -1 };
	_cleanup_free_ char **rest = calloc((size_t)argc + 1, sizeof(char *));
	const char *root = NULL, *unknown = NULL;
	int n = 0, quiet = 0, verbose = 0, r;
	bool command = false, options_end = false;

	atexit(close_stdout);
	if (!rest) {
		vk_err("out of memory");
		return VK_EXIT_ERROR;
	}
	/* The global options go wherever they are before "--"; the rest is
	 * the command's, its name first (vk_cmd_word). */
	rest[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options_end || !vk_arg_is_option(a)) {
			command = true;
			rest[n++] = argv[i];
			continue;
		}
		if (streq(a, "--")) {
			options_end = true;
			rest[n++] = argv[i];
			continue;
		}
		r = global_option(argc, argv, &i, &root, &quiet, &verbose, &ctx.json);
		if (r > 1)
			goto out;
		if (r == 1)
			continue;
		if (!command && (streq(a, "-h") || streq(a, "--help"))) {
			usage();
			return VK_EXIT_OK;
		}
		if (!command && (streq(a, "-V") || streq(a, "--version"))) {
			printf("vfiokit %s\n", VERSION);
			return VK_EXIT_OK;
		}
		if (!command && !unknown)
			unknown = a;
		rest[n++] = argv[i];
	}
	if (quiet && verbose) {
		r = vk_usage_error("-q and -v exclude each other");
		goto out;
	}
	ctx.verbosity = quiet ? -1 : verbose;
	vk_log_init(&ctx);
	/* libkmod logs to stderr while kmod_new() reads modprobe.d, before a
	 * log function can be set: vfiokit reports those lines itself
	 * (src/modules/kmod.c), so libkmod's own copy is silenced unless the
	 * user asked for it with KMOD_LOG. */
	setenv("KMOD_LOG", "0", 0);
	if (!vk_cmd_word(n, rest, 1)) {
		r = unknown ? vk_usage_error("unknown option '%s'", unknown)
			    : vk_usage_error("no command given");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!streq(rest[1], commands[i].name))
			continue;
		vk_log_command = commands[i].name;
		r = vk_cmd_check_flags(&ctx, commands[i].name, &commands[i]);
		if (r)
			goto out;
		if (root && !*root) {
			r = vk_usage_error("--root: an empty path; give the directory of the "
					   "system to look at, or leave --root out for this one");
			goto out;
		}
		r = vk_ctx_open(&ctx, root);
		if (r < 0) {
			vk_err("%s: %s", ctx.root,
			       r == -ENOTDIR ? "--root is not a directory" : strerror(-r));
			r = VK_EXIT_ERROR;
			goto out;
		}
		r = commands[i].fn(&ctx, n - 1, rest + 1);
		vk_ctx_close(&ctx);
		goto out;
	}
	r = vk_usage_error("unknown command '%s'%s", rest[1],
			   unknown && strchr(unknown, '=') == NULL
				   ? " (before the command, an option gives its value with '=')"
				   : "");
out:
	if (ctx.json && r && !vk_json_documents)
		json_error(r);
	return r;
}
