// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a command's name and verb are on the command line: the first word
 * that is not an option, wherever the options are. main.c finds the
 * command this way, the commands with verbs (cmdline, kconfig, modules)
 * their verb; each then parses its options with a permuting getopt_long,
 * so that options may follow the arguments, and "--" ends the options.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "shared/exit.h"
#include "log.h"
#include "shared/macro.h"

bool vk_cmd_word(int argc, char **argv, int from)
{
	for (int i = from; i < argc && !streq(argv[i], "--"); i++) {
		char *word = argv[i];

		if (vk_arg_is_option(word))
			continue;
		memmove(argv + from + 1, argv + from, (size_t)(i - from) * sizeof(*argv));
		argv[from] = word;
		return true;
	}
	return false;
}

int vk_cmd_check_flags(const struct vk_ctx *ctx, const char *name, const struct vk_cmd *row)
{
	if ((row->flags & VK_CMD_NO_JSON) && ctx->json)
		return vk_usage_error("%s has no JSON output (see vfiokit(8)): drop --json", name);
	return 0;
}

int vk_cmd_dispatch(struct vk_ctx *ctx, const struct vk_cmd *table, size_t n, void (*help)(void),
		    int argc, char **argv)
{
	char names[256] = "", full[128];
	int r;

	for (size_t i = 0; i < n; i++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", table[i].name);
	if (!vk_cmd_word(argc, argv, 1)) {
		for (int i = 1; i < argc && !streq(argv[i], "--"); i++)
			if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
				help();
				return VK_EXIT_OK;
			}
		return vk_usage_error("%s: no verb given (%s)", argv[0], names);
	}
	for (size_t i = 0; i < n; i++) {
		if (!streq(argv[1], table[i].name))
			continue;
		snprintf(full, sizeof(full), "%s %s", argv[0], table[i].name);
		r = vk_cmd_check_flags(ctx, full, &table[i]);
		return r ? r : table[i].fn(ctx, argc - 1, argv + 1);
	}
	return vk_usage_error("%s: unknown verb '%s' (%s)", argv[0], argv[1], names);
}
