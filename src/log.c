// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "shared/ctx.h"
#include "shared/exit.h"
#include "shared/macro.h"

static const struct vk_ctx *log_ctx; /* its verbosity: the one setting */
const char *vk_log_command;
static char first_error[1024];

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	if (!*prefix && !*first_error)
		vsnprintf(first_error, sizeof(first_error), fmt, copy);
	va_end(copy);
	fflush(stdout);
	fprintf(stderr, "vfiokit: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vk_log_init(const struct vk_ctx *ctx)
{
	log_ctx = ctx;
}

const char *vk_log_first_error(void)
{
	return *first_error ? first_error : NULL;
}

void vk_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void vk_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_ctx && log_ctx->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int vk_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'vfiokit %s%s--help' for more information.\n",
		vk_log_command ? vk_log_command : "", vk_log_command ? " " : "");
	return VK_EXIT_USAGE;
}

enum vk_colour_mode vk_colour_mode;

int vk_colour_mode_parse(const char *s)
{
	static const char *const names[] = { "auto", "always", "never" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(s, names[i]))
			return (int)i;
	return -1;
}

bool vk_colour(int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (vk_colour_mode != VK_COLOUR_AUTO)
		return vk_colour_mode == VK_COLOUR_ALWAYS;
	return isatty(fd) && !(nc && *nc) && !(term && streq(term, "dumb"));
}

const char *vk_sgr(const char *code)
{
	return vk_colour(STDOUT_FILENO) ? code : "";
}

void vk_print_diff(const char *diff)
{
	bool colour = vk_colour(STDOUT_FILENO);

	for (const char *p = diff; colour && *p;) {
		size_t n = strcspn(p, "\n");
		const char *c = !strncmp(p, "--- ", 4) || !strncmp(p, "+++ ", 4) ? VK_SGR_BOLD
				: *p == '@'					 ? VK_SGR_CYAN
				: *p == '-'					 ? VK_SGR_RED
				: *p == '+'					 ? VK_SGR_GREEN
										 : NULL;

		if (c)
			printf("%s%.*s%s", c, (int)n, p, VK_SGR_RESET);
		else
			printf("%.*s", (int)n, p);
		p += n;
		if (*p)
			putchar(*p++);
	}
	if (!colour)
		fputs(diff, stdout);
}
